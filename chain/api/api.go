// Package api holds the JSON views the chain's ABCI queries return and the
// query paths, so clients can decode them without linking the state
// machine. Amounts are decimal strings of RAO: no client loses precision
// above 2^53.
package api

// Query paths.
const (
	PathParams   = "/params"   // → Params
	PathAccount  = "/account/" // + address → Account
	PathAccounts = "/accounts" // ?after=address&limit=n → Accounts
	PathGenesis  = "/genesis"  // → the state as genesis app_state
)

// Query result codes (codespace "query").
const (
	QueryCodeNotFound   = 1
	QueryCodeBadRequest = 2
	QueryCodeGone       = 3
)

// TxParams are the fee and mortality parameters.
type TxParams struct {
	FeeBase         uint64 `json:"fee_base,string"`
	FeePerByte      uint64 `json:"fee_per_byte,string"`
	MaxValidity     uint64 `json:"max_validity,string"`
	DefaultValidity uint64 `json:"default_validity,string"`
}

// Params is the chain's parameters and supply.
type Params struct {
	ChainID            string   `json:"chain_id"`
	Profile            string   `json:"profile"`
	Height             int64    `json:"height"`
	System             TxParams `json:"system"`
	Sudo               string   `json:"sudo,omitempty"`
	ExistentialDeposit uint64   `json:"existential_deposit,string"`
	TotalIssuance      uint64   `json:"total_issuance,string"`
	MaxSupply          uint64   `json:"max_supply,string"`
	Accounts           uint64   `json:"accounts,string"`
}

// Account is one account.
type Account struct {
	Address string `json:"address"`
	Free    uint64 `json:"free,string"`
	Nonce   uint64 `json:"nonce,string"`
}

// Accounts is a page of accounts with a balance.
type Accounts struct {
	Accounts []Account `json:"accounts"`
	Next     string    `json:"next,omitempty"`
}

// Subnet query paths.
const (
	PathSubnets       = "/subnets"        // → []Subnet
	PathSubnet        = "/subnets/"       // + netuid → Subnet; + netuid + "/hyperparameters" → []Hyperparameter; + "/neurons" → []Neuron; + "/neurons/" + uid → Neuron; + "/commitments" → []Commitment
	PathLockCost      = "/lock_cost"      // → LockCost
	PathIdentity      = "/identity/"      // + coldkey → ChainIdentity
	PathNetworkParams = "/network_params" // → []Hyperparameter (global parameters)
)

// Pool is a subnet's AMM reserves.
type Pool struct {
	TAO      uint64 `json:"tao,string"`
	AlphaIn  uint64 `json:"alpha_in,string"`
	AlphaOut uint64 `json:"alpha_out,string"`
	// Price is TAO per alpha, as a decimal string.
	Price string `json:"price"`
	// MovingPrice is the EMA price, as a decimal string.
	MovingPrice string `json:"moving_price"`
}

// SubnetIdentity describes a subnet.
type SubnetIdentity struct {
	SubnetName    string `json:"subnet_name"`
	GithubRepo    string `json:"github_repo"`
	SubnetContact string `json:"subnet_contact"`
	SubnetURL     string `json:"subnet_url"`
	Discord       string `json:"discord"`
	Description   string `json:"description"`
	LogoURL       string `json:"logo_url"`
	Additional    string `json:"additional"`
}

// ChainIdentity describes a coldkey.
type ChainIdentity struct {
	Address     string `json:"address"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	GithubRepo  string `json:"github_repo"`
	Image       string `json:"image"`
	Discord     string `json:"discord"`
	Description string `json:"description"`
	Additional  string `json:"additional"`
}

// Subnet is one subnet's state.
type Subnet struct {
	Netuid             uint16 `json:"netuid"`
	Owner              string `json:"owner,omitempty"`
	OwnerHotkey        string `json:"owner_hotkey,omitempty"`
	RegisteredAt       uint64 `json:"registered_at"`
	Locked             uint64 `json:"locked,string"`
	FirstEmissionBlock uint64 `json:"first_emission_block"`
	Started            bool   `json:"started"`
	SubtokenEnabled    bool   `json:"subtoken_enabled"`
	EmissionEnabled    bool   `json:"emission_enabled"`
	Neurons            uint16 `json:"neurons"`
	MaxAllowedUids     uint64 `json:"max_allowed_uids"`
	Tempo              uint64 `json:"tempo"`
	Burn               uint64 `json:"burn,string"`      // registration price after this block
	NextBurn           uint64 `json:"next_burn,string"` // what a registration in the next block pays (before any bump)
	RegistrationOpen   bool   `json:"registration_allowed"`
	// TAOEmissionPerBlock and AlphaEmissionPerBlock are what the subnet
	// receives in the next block at the current state (RAO): its share of
	// the block's TAO emission, injected into its pool, and the alpha minted
	// for its epoch. Both 0 while it receives no emission.
	TAOEmissionPerBlock   uint64          `json:"tao_emission_per_block,string"`
	AlphaEmissionPerBlock uint64          `json:"alpha_emission_per_block,string"`
	Pool                  Pool            `json:"pool"`
	Identity              *SubnetIdentity `json:"identity,omitempty"`
}

// Hyperparameter is one named parameter.
type Hyperparameter struct {
	Name          string `json:"name"`
	Value         uint64 `json:"value,string"`
	OwnerSettable bool   `json:"owner_settable"`
	Min           uint64 `json:"min,string"`
	Max           uint64 `json:"max,string"`
}

// Endpoint is a served axon or prometheus endpoint.
type Endpoint struct {
	Block    uint64 `json:"block"`
	Version  uint32 `json:"version"`
	IP       string `json:"ip"`
	Port     uint16 `json:"port"`
	IPType   uint8  `json:"ip_type"`
	Protocol uint8  `json:"protocol,omitempty"`
}

// Neuron is one uid (lite: no weights or bonds).
type Neuron struct {
	Netuid       uint16    `json:"netuid"`
	UID          uint16    `json:"uid"`
	Hotkey       string    `json:"hotkey"`
	Coldkey      string    `json:"coldkey"`
	RegisteredAt uint64    `json:"registered_at"`
	Immune       bool      `json:"immune"`
	Emission     uint64    `json:"emission,string"`
	Axon         *Endpoint `json:"axon,omitempty"`
	Prometheus   *Endpoint `json:"prometheus,omitempty"`
}

// Commitment is a hotkey's published data on a subnet.
type Commitment struct {
	Hotkey string `json:"hotkey"`
	Block  uint64 `json:"block"`
	Data   []byte `json:"data"` // base64 in JSON
}

// LockCost is what register_network costs now.
type LockCost struct {
	LockCost uint64 `json:"lock_cost,string"`
	Height   int64  `json:"height"`
}

// Staking query paths.
const (
	PathStake     = "/stake/"    // + coldkey → []StakePosition
	PathDelegates = "/delegates" // → []Delegate; + "/" + hotkey → Delegate with nominators
	PathQuote     = "/quote/"    // "add_stake" or "remove_stake" + ?netuid=&amount=[&limit=&partial=] → Quote
)

// PathStakingParams → StakingParams.
const PathStakingParams = "/staking/params"

// StakingParams are the staking parameters (RAO amounts as strings; takes
// in parts of 65535).
type StakingParams struct {
	MinStake          uint64 `json:"min_stake,string"`
	NominatorMinStake uint64 `json:"nominator_min_required_stake,string"`
	DefaultTake       uint64 `json:"default_take"`
	MinTake           uint64 `json:"min_delegate_take"`
	MaxTake           uint64 `json:"max_delegate_take"`
	TakeRateLimit     uint64 `json:"tx_delegate_take_rate_limit"`
	TaoWeightPPM      uint64 `json:"tao_weight_ppm"`
}

// StakePosition is one (hotkey, netuid) stake of a coldkey.
type StakePosition struct {
	Hotkey   string `json:"hotkey"`
	Netuid   uint16 `json:"netuid"`
	Alpha    uint64 `json:"alpha,string"`
	TAOValue uint64 `json:"tao_value,string"` // alpha × spot price (1:1 on root)
}

// Nominator is a coldkey's stake on a delegate.
type Nominator struct {
	Coldkey string `json:"coldkey"`
	Netuid  uint16 `json:"netuid"`
	Alpha   uint64 `json:"alpha,string"`
}

// Delegate is a hotkey that joined root, changed its take, or was staked to
// with add_stake_limit by a coldkey other than its owner (every hotkey has the
// default take).
type Delegate struct {
	Hotkey     string      `json:"hotkey"`
	Owner      string      `json:"owner"`
	Take       uint64      `json:"take"` // parts of 65535
	TakePct    string      `json:"take_percent"`
	RootStake  uint64      `json:"root_stake,string"`
	Nominators []Nominator `json:"nominators,omitempty"`
}

// Quote previews a stake or unstake against the current pool.
type Quote struct {
	Netuid      uint16 `json:"netuid"`
	In          uint64 `json:"in,string"`  // gross input used (TAO for add, alpha for remove)
	Out         uint64 `json:"out,string"` // what the staker receives
	Fee         uint64 `json:"fee,string"` // in input units
	PriceBefore string `json:"price_before"`
	PriceAfter  string `json:"price_after"`
	Impact      string `json:"price_impact"` // 0..1
}

// Metagraph is a subnet's state in column form (one entry per uid), as one
// query returns it (SDK-SPEC "Metagraph"). Weights and Bonds are present
// only in the full form.
type Metagraph struct {
	Netuid          uint16          `json:"netuid"`
	Block           int64           `json:"block"`
	N               int             `json:"n"`
	Tempo           uint64          `json:"tempo"`
	NextEpochBlock  uint64          `json:"next_epoch_block"`
	EpochIndex      uint64          `json:"epoch_index"`
	TaoWeightPPM    uint64          `json:"tao_weight_ppm"` // TaoWeight in parts per million: total stake = stake + TaoWeight × root_stake
	Hotkeys         []string        `json:"hotkeys"`
	Coldkeys        []string        `json:"coldkeys"`
	Active          []bool          `json:"active"`
	ValidatorPermit []bool          `json:"validator_permit"`
	Stake           Amounts         `json:"stake"`        // alpha staked to the hotkey on this subnet (RAO)
	RootStake       Amounts         `json:"root_stake"`   // TAO staked to the hotkey on root (RAO)
	StakeWeight     []uint16        `json:"stake_weight"` // u16 of the epoch's normalized stake
	Rank            []uint16        `json:"rank"`
	Trust           []uint16        `json:"trust"`
	Consensus       []uint16        `json:"consensus"`
	Incentive       []uint16        `json:"incentive"`
	Dividends       []uint16        `json:"dividends"`
	ValidatorTrust  []uint16        `json:"validator_trust"`
	Emission        Amounts         `json:"emission"` // last epoch, RAO of alpha
	LastUpdate      []uint64        `json:"last_update"`
	RegisteredAt    []uint64        `json:"block_at_registration"`
	Axons           []*Endpoint     `json:"axons"`
	Weights         [][][2]uint16   `json:"weights,omitempty"` // per uid: [uid, value] pairs
	Bonds           [][][2]uint16   `json:"bonds,omitempty"`
	Pool            Pool            `json:"pool"`
	Pending         PendingEmission `json:"pending"`
}

// PendingEmission is alpha a subnet accumulated for its next epoch.
type PendingEmission struct {
	Server    uint64 `json:"server,string"`
	Validator uint64 `json:"validator,string"`
	Root      uint64 `json:"root,string"`
	OwnerCut  uint64 `json:"owner_cut,string"`
}

// Governance query paths.
const (
	PathProposals = "/governance/proposals" // → []Proposal; + "/" + id → Proposal with votes and the tally so far
	PathGovParams = "/governance/params"    // → GovernanceParams
)

// Proposal is a governance proposal.
type Proposal struct {
	ID          uint64         `json:"id"`
	Proposer    string         `json:"proposer"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Kind        string         `json:"kind"`
	Payload     map[string]any `json:"payload"`
	Deposit     uint64         `json:"deposit,string"`
	Submitted   uint64         `json:"submitted"`
	VotingEnd   uint64         `json:"voting_end"`
	Status      string         `json:"status"`
	Error       string         `json:"error,omitempty"`
	Tally       *Tally         `json:"tally,omitempty"`
	Votes       []VoteView     `json:"votes,omitempty"`
}

// Tally is voting power per option (RAO), final or so far.
type Tally struct {
	Yes           uint64 `json:"yes,string"`
	No            uint64 `json:"no,string"`
	Abstain       uint64 `json:"abstain,string"`
	Veto          uint64 `json:"veto,string"`
	Voters        uint64 `json:"voters"`
	TotalIssuance uint64 `json:"total_issuance,string"`
	// Outcome is what the rules give for these numbers.
	Outcome string `json:"outcome"`
	Final   bool   `json:"final"`
}

// VoteView is one vote.
type VoteView struct {
	Voter  string `json:"voter"`
	Option string `json:"option"`
}

// GovernanceParams are governance's parameters and state.
type GovernanceParams struct {
	MinDeposit    uint64 `json:"min_deposit,string"`
	VotingPeriod  uint64 `json:"voting_period"`
	QuorumPPM     uint64 `json:"quorum_ppm"`
	ThresholdPPM  uint64 `json:"threshold_ppm"`
	VetoPPM       uint64 `json:"veto_ppm"`
	SafeMode      bool   `json:"safe_mode"`
	Locked        uint64 `json:"locked_deposits,string"`
	Sudo          string `json:"sudo,omitempty"`
	UpgradeName   string `json:"upgrade_name,omitempty"`
	UpgradeHeight uint64 `json:"upgrade_height,omitempty"`
	UpgradeInfo   string `json:"upgrade_info,omitempty"`
}

// freeCalls are subtensor's Pays::No calls: they pay only their tip
// (their pre-checks still run in CheckTx).
var freeCalls = map[string]bool{
	"serve_axon": true, "serve_prometheus": true, "increase_take": true, "decrease_take": true,
	"set_weights": true, "commit_weights": true, "reveal_weights": true,
	"batch_set_weights": true, "batch_commit_weights": true, "batch_reveal_weights": true,
}

// IsFreeCall reports whether the call (by its subtensor name) pays no fee.
func IsFreeCall(name string) bool { return freeCalls[name] }

// WeightCommit is a hotkey's pending weights commit
// (GET /subnets/{netuid}/weight_commits/{hotkey}).
type WeightCommit struct {
	Hash        string `json:"hash"` // hex
	Epoch       uint64 `json:"epoch"`
	Block       uint64 `json:"block"`
	RevealEpoch uint64 `json:"reveal_epoch"`
	Expired     bool   `json:"expired"`
}
