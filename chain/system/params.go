package system

import "fmt"

// Params are the chain-wide transaction parameters. They live in state and
// change only by sudo or governance.
type Params struct {
	// FeeBase is the base fee in RAO of a normal call.
	FeeBase uint64 `json:"fee_base,string"`
	// FeePerByte is charged per byte of the encoded transaction.
	FeePerByte uint64 `json:"fee_per_byte,string"`
	// MaxValidity bounds valid_until − current height.
	MaxValidity uint64 `json:"max_validity,string"`
	// DefaultValidity is what clients use when not told otherwise.
	DefaultValidity uint64 `json:"default_validity,string"`
}

// DefaultParams are the mainnet defaults.
func DefaultParams() Params {
	return Params{
		FeeBase:         100_000, // 0.0001 TAO
		FeePerByte:      1_000,
		MaxValidity:     2400,
		DefaultValidity: 64,
	}
}

// Validate rejects impossible values.
func (p Params) Validate() error {
	if p.FeeBase > 1_000_000_000 {
		return fmt.Errorf("system params: fee_base %d RAO exceeds 1 TAO", p.FeeBase)
	}
	if p.FeePerByte > 1_000_000 {
		return fmt.Errorf("system params: fee_per_byte %d RAO exceeds 0.001 TAO", p.FeePerByte)
	}
	if p.MaxValidity == 0 || p.MaxValidity > 1_000_000 {
		return fmt.Errorf("system params: max_validity %d must be in 1..1000000", p.MaxValidity)
	}
	if p.DefaultValidity == 0 || p.DefaultValidity > p.MaxValidity {
		return fmt.Errorf("system params: default_validity %d must be in 1..max_validity (%d)", p.DefaultValidity, p.MaxValidity)
	}
	return nil
}

// Class is a call's fee class.
type Class uint8

const (
	// Normal calls pay the base fee and the per-byte fee.
	Normal Class = iota
	// Free calls pay only their tip (subtensor's Pays::No calls); their
	// pre-checks run in CheckTx so they cannot flood the mempool.
	Free
)

// Fee is what a transaction of size bytes and class pays, tip included.
// ok is false when the sum overflows u64.
func (p Params) Fee(class Class, size int, tip uint64) (fee uint64, ok bool) {
	if class == Free {
		return tip, true
	}
	perByte := p.FeePerByte * uint64(size) // size ≤ 64 KiB, FeePerByte ≤ 1e6: no overflow
	fee = p.FeeBase + perByte
	if tip > ^uint64(0)-fee {
		return 0, false
	}
	return fee + tip, true
}
