package staking

import "fmt"

// Params are the staking parameters (sudo-settable later by governance).
type Params struct {
	// MinStake is DefaultMinStake: the least a stake operation moves (RAO).
	MinStake uint64 `json:"min_stake,string"`
	// NominatorMinStake clears nominations below it after an unstake.
	NominatorMinStake uint64 `json:"nominator_min_required_stake,string"`
	// DefaultTake, MinTake and MaxTake are u16 parts of 65535.
	DefaultTake uint64 `json:"default_take"`
	MinTake     uint64 `json:"min_delegate_take"`
	MaxTake     uint64 `json:"max_delegate_take"`
	// TakeRateLimit is the blocks between take increases.
	TakeRateLimit uint64 `json:"tx_delegate_take_rate_limit"`
	// TaoWeightPPM weighs root stake against alpha in stake weight (0.18 = 180000).
	TaoWeightPPM uint64 `json:"tao_weight_ppm"`
}

// DefaultParams are the mainnet values (§7, §16).
func DefaultParams() Params {
	return Params{MinStake: 2_000_000, DefaultTake: 11796, MaxTake: 11796, TakeRateLimit: 216_000, TaoWeightPPM: 180_000}
}

// LocalnetParams shorten the take rate limit.
func LocalnetParams() Params {
	p := DefaultParams()
	p.TakeRateLimit = 20
	return p
}

// Validate checks bounds.
func (p Params) Validate() error {
	switch {
	case p.MinTake > p.MaxTake || p.MaxTake > 65535:
		return fmt.Errorf("staking params: takes min %d max %d must satisfy min ≤ max ≤ 65535", p.MinTake, p.MaxTake)
	case p.DefaultTake < p.MinTake || p.DefaultTake > p.MaxTake:
		return fmt.Errorf("staking params: default take %d outside %d..%d", p.DefaultTake, p.MinTake, p.MaxTake)
	case p.TaoWeightPPM > 1_000_000:
		return fmt.Errorf("staking params: tao_weight_ppm %d above 1000000", p.TaoWeightPPM)
	}
	return nil
}
