package yuma

// Entry is one cell of a sparse row: the column uid and its u16 value.
type Entry struct {
	UID   uint16
	Value uint16
}

// Row is a sparse row of a weight or bond matrix. Entry order carries no meaning, but a uid
// appears at most once; explicit zero values are entries too (they matter for Yuma3 bonds).
type Row []Entry

// Params are the subnet hyperparameters the epoch reads (HEAD §9.2).
type Params struct {
	// ActivityCutoff is how many blocks after its last weight update a neuron counts as active.
	ActivityCutoff uint64
	// Kappa is the consensus majority as a u16 proportion (32767 ≈ 0.5).
	Kappa uint16
	// BondsMovingAverage is in parts per million (at most 1 000 000); the fixed bond EMA rate
	// is 1 − BondsMovingAverage/10^6.
	BondsMovingAverage uint64
	// BondsPenalty is how much clipping applies to the weights used for bonds, as a u16
	// proportion (65535 = fully clipped, 0 = unclipped).
	BondsPenalty uint16
	// MaxAllowedValidators is k, the number of validator permits.
	MaxAllowedValidators uint16
	// StakeThreshold: stake below it counts as 0 (the owner is exempt).
	StakeThreshold uint64
	// Yuma3 selects Yuma3 bonds (absolute, per-cell EMA) instead of Yuma2 (column-normalised).
	Yuma3 bool
	// LiquidAlpha selects a per-cell bond EMA rate from a sigmoid; it has effect with Yuma3 only.
	LiquidAlpha bool
	// AlphaLow and AlphaHigh bound the liquid alpha, as u16 proportions.
	AlphaLow, AlphaHigh uint16
	// AlphaSigmoidSteepness shapes the liquid alpha sigmoid (default 1000).
	AlphaSigmoidSteepness int16
}

// Inputs is everything one epoch of one subnet (mechanism) reads. Per-uid slices are indexed
// by uid and have length N; Permits, Weights and Bonds may also be nil, meaning all false or
// all empty.
type Inputs struct {
	// N is the number of neurons (SubnetworkN), at most MaxNeurons.
	N int
	// Block is the current block; LastTempo is the first block of the current tempo
	// (LastMechanismStepBlock + 1, or Block − tempo before any epoch ran).
	Block, LastTempo uint64
	// Stake is each uid's stake weight in integer units (RAO of alpha); only ratios and the
	// threshold matter. The sum must not exceed 2^63 − 1, the range of subtensor's I64F64.
	Stake []uint64
	// RegisteredAt is each uid's registration block; LastUpdate its last weight update block.
	RegisteredAt, LastUpdate []uint64
	// Permits are the validator permits stored by the previous epoch.
	Permits []bool
	// Weights are the stored weight rows (u16 values as set_weights stored them).
	Weights []Row
	// Bonds are the stored bond rows (u16).
	Bonds []Row
	// HasOwner says whether OwnerUID names the subnet owner's hotkey; the owner keeps its
	// permit, its self-weight and its stake below the threshold. The zero value means no owner.
	HasOwner bool
	OwnerUID uint16
	// Params are the hyperparameters.
	Params Params
	// Emission is the amount (RAO of alpha) the epoch distributes.
	Emission uint64
}

// Outputs is the result of one epoch. Per-uid slices have length N; u16 values are
// floor(x·65535) of the fixed-point quantity (HEAD §9.3 step 15).
type Outputs struct {
	// StakeWeight is u16(S), the normalised stake after the threshold.
	StakeWeight []uint16
	// Active is false for neurons whose last update is older than the activity cutoff.
	Active []bool
	// Consensus is u16(C), the stake-weighted median weight per uid.
	Consensus []uint16
	// Rank is u16(normalize(R)) with R_j = Σ_i A_i·W̄_ij, as legacy subtensor stored it; it
	// equals Incentive (subtensor at HEAD no longer stores it; the metagraph still shows it).
	Rank []uint16
	// Trust is u16(R_j / P_j) with the pre-clip rank P_j = Σ_i A_i·W_ij (0 when P_j = 0):
	// legacy subtensor's trust, the share of a uid's weighted support that survives clipping.
	Trust []uint16
	// Incentive is u16(I), I = normalize(R).
	Incentive []uint16
	// Dividends is u16(D).
	Dividends []uint16
	// ValidatorTrust is u16(VT), VT_i = Σ_j W̄_ij.
	ValidatorTrust []uint16
	// ValidatorPermit holds the new permits, to be stored for the next epoch.
	ValidatorPermit []bool
	// Bonds are the new stored bond rows, each sorted by uid: rows of uids with a new permit
	// hold the new bonds, every other row is empty.
	Bonds []Row
	// ServerEmission and ValidatorEmission are the miner and validator amounts per uid (RAO)
	// coinbase pays; Emission is the combined amount subtensor stores. The split can differ
	// from the combined value by 1 RAO for a uid with both incentive and dividends.
	ServerEmission, ValidatorEmission, Emission []uint64
}
