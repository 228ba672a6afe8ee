package subnets

import (
	"fmt"
	"slices"
)

// RAOPerTAO is the number of RAO in one TAO.
const RAOPerTAO uint64 = 1_000_000_000

// RootNetuid is the root network.
const RootNetuid uint16 = 0

// Params are the global network parameters (sudo-settable).
type Params struct {
	SubnetLimit                  uint64 `json:"subnet_limit"`
	NetworkMinLockCost           uint64 `json:"network_min_lock_cost"`
	NetworkLockReductionInterval uint64 `json:"lock_reduction_interval"`
	NetworkRateLimit             uint64 `json:"network_rate_limit"`
	NetworkImmunityPeriod        uint64 `json:"network_immunity_period"`
	StartCallDelay               uint64 `json:"start_call_delay"`
	SubnetOwnerCut               uint64 `json:"subnet_owner_cut"`
	OwnerHparamRateLimit         uint64 `json:"owner_hparam_rate_limit"`
	CommitmentRateLimit          uint64 `json:"commitment_rate_limit"`
	// AdminFreezeWindow is how many blocks before a subnet's next automatic epoch
	// (and while a triggered epoch is pending) the owner may not change
	// hyperparameters or the tempo (§10, §14).
	AdminFreezeWindow uint64 `json:"admin_freeze_window"`
	// MinOwnerTempo is the smallest tempo the owner may set with set_tempo (the
	// reference's MIN_TEMPO, 360; localnet allows shorter); the largest is 50400.
	MinOwnerTempo uint64 `json:"min_owner_tempo"`
	// TempoRateLimit is how many blocks apart the owner may call set_tempo.
	TempoRateLimit uint64 `json:"tempo_rate_limit"`
	// NewSubnet are the hyperparameters a new subnet starts with.
	NewSubnet Hyperparams `json:"new_subnet"`
}

// Hyperparams are one subnet's parameters. Names are subtensor's admin
// names; booleans are 0 or 1; burn_increase_mult is parts per million
// (1.26 = 1_260_000).
type Hyperparams struct {
	Tempo                     uint64 `json:"tempo"`
	Rho                       uint64 `json:"rho"`
	Kappa                     uint64 `json:"kappa"`
	ImmunityPeriod            uint64 `json:"immunity_period"`
	MinAllowedWeights         uint64 `json:"min_allowed_weights"`
	MaxWeightsLimit           uint64 `json:"max_weights_limit"`
	MaxAllowedUids            uint64 `json:"max_allowed_uids"`
	MinAllowedUids            uint64 `json:"min_allowed_uids"`
	MaxAllowedValidators      uint64 `json:"max_allowed_validators"`
	ActivityCutoffFactorMilli uint64 `json:"activity_cutoff_factor_milli"`
	WeightsSetRateLimit       uint64 `json:"weights_set_rate_limit"`
	WeightsVersionKey         uint64 `json:"weights_version_key"`
	MaxRegistrationsPerBlock  uint64 `json:"max_registrations_per_block"`
	RegistrationAllowed       uint64 `json:"network_registration_allowed"`
	MinBurn                   uint64 `json:"min_burn"`
	MaxBurn                   uint64 `json:"max_burn"`
	BurnHalfLife              uint64 `json:"burn_half_life"`
	BurnIncreaseMultPPM       uint64 `json:"burn_increase_mult"`
	BondsMovingAverage        uint64 `json:"bonds_moving_average"`
	BondsPenalty              uint64 `json:"bonds_penalty"`
	BondsResetOn              uint64 `json:"bonds_reset_enabled"`
	ServingRateLimit          uint64 `json:"serving_rate_limit"`
	CommitRevealEnabled       uint64 `json:"commit_reveal_weights_enabled"`
	RevealPeriodEpochs        uint64 `json:"commit_reveal_period"`
	LiquidAlphaOn             uint64 `json:"liquid_alpha_enabled"`
	AlphaLow                  uint64 `json:"alpha_low"`
	AlphaHigh                 uint64 `json:"alpha_high"`
	AlphaSigmoidSteepness     uint64 `json:"alpha_sigmoid_steepness"`
	Yuma3On                   uint64 `json:"yuma3_enabled"`
	ImmuneOwnerUidsLimit      uint64 `json:"owner_immune_neuron_limit"`
	MinNonImmuneUids          uint64 `json:"min_non_immune_uids"`
	TransferToggle            uint64 `json:"transfer_enabled"`
	StakeThreshold            uint64 `json:"stake_threshold"`
}

// hyperDesc describes one settable hyperparameter.
type hyperDesc struct {
	name     string
	owner    bool // the subnet owner may set it (rate-limited); sudo always may
	min, max uint64
	field    func(*Hyperparams) *uint64
}

const u16Max = 65535

// MaxTempo is the largest tempo (the reference's MAX_TEMPO).
const MaxTempo = 50400

// hyperTable lists every settable hyperparameter with its bounds (§14, §16).
var hyperTable = []hyperDesc{
	{"tempo", false, 1, MaxTempo, func(h *Hyperparams) *uint64 { return &h.Tempo }},
	{"rho", true, 0, u16Max, func(h *Hyperparams) *uint64 { return &h.Rho }},
	{"kappa", false, 0, u16Max, func(h *Hyperparams) *uint64 { return &h.Kappa }},
	{"immunity_period", true, 0, u16Max, func(h *Hyperparams) *uint64 { return &h.ImmunityPeriod }},
	{"min_allowed_weights", true, 0, u16Max, func(h *Hyperparams) *uint64 { return &h.MinAllowedWeights }},
	{"max_weights_limit", false, 0, u16Max, func(h *Hyperparams) *uint64 { return &h.MaxWeightsLimit }},
	{"max_allowed_uids", true, 1, 256, func(h *Hyperparams) *uint64 { return &h.MaxAllowedUids }},
	{"min_allowed_uids", false, 1, 256, func(h *Hyperparams) *uint64 { return &h.MinAllowedUids }},
	{"max_allowed_validators", false, 1, 256, func(h *Hyperparams) *uint64 { return &h.MaxAllowedValidators }},
	{"activity_cutoff_factor_milli", true, 1000, 50000, func(h *Hyperparams) *uint64 { return &h.ActivityCutoffFactorMilli }},
	{"weights_set_rate_limit", false, 0, 1 << 32, func(h *Hyperparams) *uint64 { return &h.WeightsSetRateLimit }},
	{"weights_version_key", true, 0, 1<<64 - 1, func(h *Hyperparams) *uint64 { return &h.WeightsVersionKey }},
	{"max_registrations_per_block", false, 1, u16Max, func(h *Hyperparams) *uint64 { return &h.MaxRegistrationsPerBlock }},
	{"network_registration_allowed", false, 0, 1, func(h *Hyperparams) *uint64 { return &h.RegistrationAllowed }},
	{"min_burn", true, 0, RAOPerTAO - 1, func(h *Hyperparams) *uint64 { return &h.MinBurn }},
	{"max_burn", true, RAOPerTAO/10 + 1, 21_000_000 * RAOPerTAO, func(h *Hyperparams) *uint64 { return &h.MaxBurn }},
	{"burn_half_life", true, 1, 36100, func(h *Hyperparams) *uint64 { return &h.BurnHalfLife }},
	{"burn_increase_mult", true, 1_000_000, 3_000_000, func(h *Hyperparams) *uint64 { return &h.BurnIncreaseMultPPM }},
	{"bonds_moving_average", true, 0, 975_000, func(h *Hyperparams) *uint64 { return &h.BondsMovingAverage }},
	{"bonds_penalty", true, 0, u16Max, func(h *Hyperparams) *uint64 { return &h.BondsPenalty }},
	{"bonds_reset_enabled", true, 0, 1, func(h *Hyperparams) *uint64 { return &h.BondsResetOn }},
	{"serving_rate_limit", true, 0, 1 << 32, func(h *Hyperparams) *uint64 { return &h.ServingRateLimit }},
	{"commit_reveal_weights_enabled", true, 0, 1, func(h *Hyperparams) *uint64 { return &h.CommitRevealEnabled }},
	{"commit_reveal_period", true, 1, 100, func(h *Hyperparams) *uint64 { return &h.RevealPeriodEpochs }},
	{"liquid_alpha_enabled", true, 0, 1, func(h *Hyperparams) *uint64 { return &h.LiquidAlphaOn }},
	{"alpha_low", true, 1638, u16Max, func(h *Hyperparams) *uint64 { return &h.AlphaLow }},
	{"alpha_high", true, 1638, u16Max, func(h *Hyperparams) *uint64 { return &h.AlphaHigh }},
	{"alpha_sigmoid_steepness", true, 0, 32767, func(h *Hyperparams) *uint64 { return &h.AlphaSigmoidSteepness }},
	{"yuma3_enabled", true, 0, 1, func(h *Hyperparams) *uint64 { return &h.Yuma3On }},
	{"owner_immune_neuron_limit", true, 1, 10, func(h *Hyperparams) *uint64 { return &h.ImmuneOwnerUidsLimit }},
	{"min_non_immune_uids", false, 0, 256, func(h *Hyperparams) *uint64 { return &h.MinNonImmuneUids }},
	{"transfer_enabled", true, 0, 1, func(h *Hyperparams) *uint64 { return &h.TransferToggle }},
	{"stake_threshold", false, 0, 21_000_000 * RAOPerTAO, func(h *Hyperparams) *uint64 { return &h.StakeThreshold }},
}

func findHyper(name string) (hyperDesc, bool) {
	for _, d := range hyperTable {
		if d.name == name {
			return d, true
		}
	}
	return hyperDesc{}, false
}

// HyperparameterNames lists the settable names with who may set them.
func HyperparameterNames() []HyperparameterInfo {
	out := make([]HyperparameterInfo, 0, len(hyperTable))
	for _, d := range hyperTable {
		out = append(out, HyperparameterInfo{Name: d.name, OwnerSettable: d.owner, Min: d.min, Max: d.max})
	}
	return out
}

// HyperparameterInfo describes a settable hyperparameter.
type HyperparameterInfo struct {
	Name          string `json:"name"`
	OwnerSettable bool   `json:"owner_settable"`
	Min           uint64 `json:"min,string"`
	Max           uint64 `json:"max,string"`
}

// Validate checks every field against its bounds and the cross-field rules.
func (h Hyperparams) Validate() error {
	for _, d := range hyperTable {
		v := *d.field(&h)
		if v < d.min || v > d.max {
			return fmt.Errorf("%w: %s = %d, allowed %d..%d", ErrValueNotInBounds, d.name, v, d.min, d.max)
		}
	}
	if h.MaxAllowedValidators > h.MaxAllowedUids {
		return fmt.Errorf("%w: %d > %d", ErrMaxValidatorsLargerThanMaxUids, h.MaxAllowedValidators, h.MaxAllowedUids)
	}
	if h.AlphaLow > h.AlphaHigh {
		return fmt.Errorf("%w: alpha_low %d > alpha_high %d", ErrAlphaLowHigh, h.AlphaLow, h.AlphaHigh)
	}
	if h.MinBurn > h.MaxBurn {
		return fmt.Errorf("%w: min_burn %d > max_burn %d", ErrValueNotInBounds, h.MinBurn, h.MaxBurn)
	}
	return nil
}

// paramDesc describes one global parameter.
type paramDesc struct {
	name     string
	min, max uint64
	field    func(*Params) *uint64
}

var paramTable = []paramDesc{
	{"subnet_limit", 1, 4096, func(p *Params) *uint64 { return &p.SubnetLimit }},
	{"network_min_lock_cost", 0, 21_000_000 * RAOPerTAO, func(p *Params) *uint64 { return &p.NetworkMinLockCost }},
	{"lock_reduction_interval", 1, 1 << 32, func(p *Params) *uint64 { return &p.NetworkLockReductionInterval }},
	{"network_rate_limit", 0, 1 << 32, func(p *Params) *uint64 { return &p.NetworkRateLimit }},
	{"network_immunity_period", 0, 1 << 32, func(p *Params) *uint64 { return &p.NetworkImmunityPeriod }},
	{"start_call_delay", 0, 1 << 32, func(p *Params) *uint64 { return &p.StartCallDelay }},
	{"subnet_owner_cut", 0, u16Max, func(p *Params) *uint64 { return &p.SubnetOwnerCut }},
	{"owner_hparam_rate_limit", 0, 1000, func(p *Params) *uint64 { return &p.OwnerHparamRateLimit }},
	{"commitment_rate_limit", 0, 1 << 32, func(p *Params) *uint64 { return &p.CommitmentRateLimit }},
	{"admin_freeze_window", 0, u16Max, func(p *Params) *uint64 { return &p.AdminFreezeWindow }},
	{"min_owner_tempo", 0, MaxTempo, func(p *Params) *uint64 { return &p.MinOwnerTempo }},
	{"tempo_rate_limit", 0, 1 << 32, func(p *Params) *uint64 { return &p.TempoRateLimit }},
}

// ParameterNames lists the global parameters.
func ParameterNames() []string {
	out := make([]string, 0, len(paramTable))
	for _, d := range paramTable {
		out = append(out, d.name)
	}
	slices.Sort(out)
	return out
}

// Validate checks the global parameters and the new-subnet defaults.
func (p Params) Validate() error {
	for _, d := range paramTable {
		v := *d.field(&p)
		if v < d.min || v > d.max {
			return fmt.Errorf("subnets params: %w: %s = %d, allowed %d..%d", ErrValueNotInBounds, d.name, v, d.min, d.max)
		}
	}
	if err := p.NewSubnet.Validate(); err != nil {
		return fmt.Errorf("subnets params new_subnet: %w", err)
	}
	return nil
}

// DefaultHyperparams are what init_new_network writes on mainnet (§3.1, §16).
func DefaultHyperparams() Hyperparams {
	return Hyperparams{
		Tempo: 360, Rho: 10, Kappa: 32767, ImmunityPeriod: 5000, MinAllowedWeights: 1, MaxWeightsLimit: 65535,
		MaxAllowedUids: 256, MinAllowedUids: 64, MaxAllowedValidators: 64, ActivityCutoffFactorMilli: 13889,
		WeightsSetRateLimit: 100, MaxRegistrationsPerBlock: 1, RegistrationAllowed: 1,
		MinBurn: 500_000, MaxBurn: 100 * RAOPerTAO, BurnHalfLife: 360, BurnIncreaseMultPPM: 1_260_000,
		BondsMovingAverage: 900_000, BondsPenalty: 65535, ServingRateLimit: 50, CommitRevealEnabled: 1,
		RevealPeriodEpochs: 1, AlphaLow: 45875, AlphaHigh: 58982, AlphaSigmoidSteepness: 1000, Yuma3On: 1,
		ImmuneOwnerUidsLimit: 1, MinNonImmuneUids: 10, TransferToggle: 1,
	}
}

// DefaultParams are the mainnet defaults.
func DefaultParams() Params {
	return Params{
		SubnetLimit: 128, NetworkMinLockCost: 1000 * RAOPerTAO, NetworkLockReductionInterval: 14 * 7200,
		NetworkRateLimit: 7200, NetworkImmunityPeriod: 1_296_000, StartCallDelay: 0, SubnetOwnerCut: 11796,
		OwnerHparamRateLimit: 2, CommitmentRateLimit: 100, AdminFreezeWindow: 10, MinOwnerTempo: 360, TempoRateLimit: 360,
		NewSubnet: DefaultHyperparams(),
	}
}

// LocalnetParams scale time down so a subnet's whole life fits in minutes:
// short tempo, rate limits and immunity, a 100 TAO minimum lock.
func LocalnetParams() Params {
	p := DefaultParams()
	p.NetworkMinLockCost = 100 * RAOPerTAO
	p.NetworkLockReductionInterval = 1000
	p.NetworkRateLimit = 1
	p.NetworkImmunityPeriod = 1000
	p.CommitmentRateLimit = 1
	// With tempo 20 a 10-block freeze would block owner changes half the time:
	// 1 freezes only a triggered epoch's countdown (a trigger fires next block).
	p.AdminFreezeWindow = 1
	p.MinOwnerTempo = 10
	p.TempoRateLimit = 10
	h := &p.NewSubnet
	h.Tempo = 20
	h.ImmunityPeriod = 100
	h.WeightsSetRateLimit = 5
	h.MaxRegistrationsPerBlock = 4
	h.ServingRateLimit = 1
	h.BurnHalfLife = 100
	h.CommitRevealEnabled = 0
	return p
}

// HyperValues returns every hyperparameter by name.
func HyperValues(h Hyperparams) map[string]uint64 {
	out := make(map[string]uint64, len(hyperTable))
	for _, d := range hyperTable {
		out[d.name] = *d.field(&h)
	}
	return out
}

// ParamView is one global parameter with its bounds.
type ParamView struct {
	Name  string `json:"name"`
	Value uint64 `json:"value,string"`
	Min   uint64 `json:"min,string"`
	Max   uint64 `json:"max,string"`
}

// ParamViews lists the global parameters in table order.
func ParamViews(p Params) []ParamView {
	out := make([]ParamView, 0, len(paramTable))
	for _, d := range paramTable {
		out = append(out, ParamView{Name: d.name, Value: *d.field(&p), Min: d.min, Max: d.max})
	}
	return out
}
