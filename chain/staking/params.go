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
	// RootTargetRegistrationsPerInterval is the root network's
	// TargetRegistrationsPerInterval (§13: 1): root_register takes at most
	// three times it per interval, the interval restarting at every block
	// that is a multiple of root's tempo. 0 turns the cap off (state
	// written before this parameter existed reads as 0).
	RootTargetRegistrationsPerInterval uint64 `json:"root_target_registrations_per_interval"`
}

// DefaultParams are the mainnet values (§7, §16).
func DefaultParams() Params {
	return Params{MinStake: 2_000_000, DefaultTake: 11796, MaxTake: 11796, TakeRateLimit: 216_000, TaoWeightPPM: 180_000,
		RootTargetRegistrationsPerInterval: 1}
}

// LocalnetParams shorten the take rate limit and let root take as many
// registrations per interval as the localnet's per-block limit (4) allows
// in a few blocks.
func LocalnetParams() Params {
	p := DefaultParams()
	p.TakeRateLimit = 20
	p.RootTargetRegistrationsPerInterval = 4
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
	case p.RootTargetRegistrationsPerInterval > 65535:
		return fmt.Errorf("staking params: root_target_registrations_per_interval %d above 65535", p.RootTargetRegistrationsPerInterval)
	}
	return nil
}
