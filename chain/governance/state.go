package governance

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// Module is this module's first key byte (see chain/app's table).
const Module byte = 0x09

const (
	colProposal  byte = 0x01 // id → Proposal (JSON)
	colVote      byte = 0x02 // id, coldkey → option byte
	colEnding    byte = 0x03 // voting end block, id → (empty)
	colState     byte = 0x04 // → State (JSON)
	colParams    byte = 0x05 // → Params (JSON)
	colDepositor byte = 0x06 // id, account → u64 amount
	// Distinct voters and depositors of a proposal, kept as they are added
	// so that a vote or deposit checks the max_votes bound with one read
	// instead of counting every earlier vote (quadratic in the voters).
	colVoteCount      byte = 0x07 // id → u64 distinct voters
	colDepositorCount byte = 0x08 // id → u64 distinct depositors (deleted at settlement)
)

func proposalKey(id uint64) []byte { return codec.Key(Module, colProposal, codec.U64(id)) }
func voteKey(id uint64, who keys.PublicKey) []byte {
	return codec.Key(Module, colVote, codec.U64(id), who[:])
}
func votePrefix(id uint64) []byte { return codec.Key(Module, colVote, codec.U64(id)) }
func endingKey(end, id uint64) []byte {
	return codec.Key(Module, colEnding, codec.U64(end), codec.U64(id))
}
func depositorKey(id uint64, who keys.PublicKey) []byte {
	return codec.Key(Module, colDepositor, codec.U64(id), who[:])
}
func depositorPrefix(id uint64) []byte { return codec.Key(Module, colDepositor, codec.U64(id)) }
func voteCountKey(id uint64) []byte    { return codec.Key(Module, colVoteCount, codec.U64(id)) }
func depositorCountKey(id uint64) []byte {
	return codec.Key(Module, colDepositorCount, codec.U64(id))
}

var (
	stateKey     = codec.Key(Module, colState)
	paramsKey    = codec.Key(Module, colParams)
	endingPrefix = codec.Key(Module, colEnding)
)

const codespace = "governance"

// Errors.
var (
	ErrDepositTooLow      = errs.Register(codespace, 1, "DepositTooLow", "a proposal needs at least the minimum deposit; see `btcli gov params`")
	ErrUnknownProposal    = errs.Register(codespace, 2, "UnknownProposal", "check the id with `btcli gov list`")
	ErrVotingClosed       = errs.Register(codespace, 3, "VotingClosed", "the proposal's voting period has ended")
	ErrInvalidProposal    = errs.Register(codespace, 4, "InvalidProposal", "the proposal would fail at execution; fix its payload")
	ErrSafeModeActive     = errs.Register(codespace, 5, "SafeModeActive", "the chain is in safe mode: only governance and sudo calls run until it is turned off")
	ErrInvalidVoteOption  = errs.Register(codespace, 6, "InvalidVoteOption", "vote yes, no, abstain or veto")
	ErrTooManyVotes       = errs.Register(codespace, 7, "TooManyVotes", "the proposal has reached the vote limit")
	ErrInsufficientFunds  = errs.Register(codespace, 8, "InsufficientBalance", "the free balance is below the deposit")
	ErrUpgradeNotDeclared = errs.Register(codespace, 9, "UpgradeNeeded", "install the binary that declares the scheduled upgrade")
	ErrTooManyDepositors  = errs.Register(codespace, 10, "TooManyDepositors", "the proposal has reached the depositor limit (max_votes); deposit from an account that already deposited")
)

// Params are governance's parameters.
type Params struct {
	MinDeposit   uint64 `json:"min_deposit,string"`
	VotingPeriod uint64 `json:"voting_period"`
	QuorumPPM    uint64 `json:"quorum_ppm"`
	ThresholdPPM uint64 `json:"threshold_ppm"`
	VetoPPM      uint64 `json:"veto_ppm"`
	// MaxVotes bounds the votes one proposal takes (the tally reads each)
	// and its distinct depositors (settlement pays each back).
	MaxVotes uint64 `json:"max_votes"`
}

// DefaultParams are mainnet's: 7 days of 12 s blocks.
func DefaultParams() Params {
	return Params{MinDeposit: 1000 * 1_000_000_000, VotingPeriod: 50_400, QuorumPPM: 334_000, ThresholdPPM: 500_000, VetoPPM: 334_000, MaxVotes: 10_000}
}

// LocalnetParams vote in 40 blocks (~10 s at 250 ms blocks): quick for
// scripted tests; edit genesis' governance.params.voting_period to vote by
// hand.
func LocalnetParams() Params {
	p := DefaultParams()
	p.MinDeposit, p.VotingPeriod = 10*1_000_000_000, 40
	return p
}

// Validate checks bounds.
func (p Params) Validate() error {
	if p.VotingPeriod == 0 || p.QuorumPPM > 1_000_000 || p.ThresholdPPM > 1_000_000 || p.VetoPPM > 1_000_000 || p.MaxVotes == 0 {
		return fmt.Errorf("governance params: voting_period > 0, ppm values ≤ 1000000, max_votes > 0; got %+v", p)
	}
	return nil
}

// State is the module's global state.
type State struct {
	NextID   uint64       `json:"next_id"`
	SafeMode bool         `json:"safe_mode"`
	Locked   uint64       `json:"locked,string"` // deposits held
	Upgrade  *UpgradePlan `json:"upgrade,omitempty"`
}

// UpgradePlan is a passed software upgrade.
type UpgradePlan struct {
	Name   string `json:"name"`
	Height uint64 `json:"height"`
	Info   string `json:"info"`
}

// GetParams returns the parameters.
func GetParams(r store.Reader) Params {
	p := DefaultParams()
	store.GetJSON(r, paramsKey, &p)
	return p
}

// SetParams stores the parameters.
func SetParams(kv store.KV, p Params) { store.SetJSON(kv, paramsKey, p) }

// GetState returns the module state.
func GetState(r store.Reader) State {
	var s State
	store.GetJSON(r, stateKey, &s)
	return s
}

func putState(kv store.KV, s State) { store.SetJSON(kv, stateKey, s) }

// SafeMode reports whether safe mode is on.
func SafeMode(r store.Reader) bool { return GetState(r).SafeMode }

// Locked is the RAO held as deposits (the issuance invariant counts it).
func Locked(r store.Reader) uint64 { return GetState(r).Locked }

// Upgrade returns the scheduled upgrade, if any.
func Upgrade(r store.Reader) (UpgradePlan, bool) {
	s := GetState(r)
	if s.Upgrade == nil {
		return UpgradePlan{}, false
	}
	return *s.Upgrade, true
}

// Get returns a proposal.
func Get(r store.Reader, id uint64) (Proposal, bool) {
	var p Proposal
	ok := store.GetJSON(r, proposalKey(id), &p)
	return p, ok
}

func put(kv store.KV, p Proposal) { store.SetJSON(kv, proposalKey(p.ID), p) }

// List returns proposals by id, newest first, at most limit.
func List(r store.Reader, limit int) []Proposal { return ListStatus(r, "", limit) }

// Statuses lists every proposal status, in lifecycle order.
var Statuses = []string{StatusVoting, StatusPassed, StatusRejected, StatusVetoed, StatusFailed}

// ListStatus returns the proposals whose status is status ("" for all), by
// id, newest first, at most limit. It reads proposals until it has limit of
// them, so a rare status scans all proposals ever made (a query, not a
// transaction: proposals are few, each locking the minimum deposit).
func ListStatus(r store.Reader, status string, limit int) []Proposal {
	s := GetState(r)
	var out []Proposal
	for id := s.NextID; id > 0 && len(out) < limit; id-- {
		if p, ok := Get(r, id); ok && (status == "" || p.Status == status) {
			out = append(out, p)
		}
	}
	return out
}

// Votes returns a proposal's votes in key order, at most limit.
func Votes(r store.Reader, id uint64, limit int) []VoteRecord {
	p := votePrefix(id)
	var out []VoteRecord
	r.Iterate(p, store.PrefixEnd(p), func(k, v []byte) bool {
		out = append(out, VoteRecord{Voter: keys.PublicKey(k[len(p):]), Option: Option(v[0])})
		return len(out) < limit
	})
	return out
}

// VoteCount is the number of distinct coldkeys that voted on proposal id
// (a replaced vote counts once).
func VoteCount(r store.Reader, id uint64) uint64 { return readU64(r, voteCountKey(id)) }

// depositorCount is the number of distinct accounts holding a deposit on
// proposal id (zero once the deposits are settled).
func depositorCount(r store.Reader, id uint64) uint64 { return readU64(r, depositorCountKey(id)) }

// VoteRecord is one coldkey's vote.
type VoteRecord struct {
	Voter  keys.PublicKey
	Option Option
}

// SetSafeMode turns safe mode on or off.
func SetSafeMode(kv store.KV, on bool) {
	s := GetState(kv)
	s.SafeMode = on
	putState(kv, s)
}
