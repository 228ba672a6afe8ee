package governance

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/registration"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/keys"
)

// Events.
const (
	EventProposed        = "governance.Proposed"
	EventDeposited       = "governance.Deposited"
	EventVoted           = "governance.Voted"
	EventTallied         = "governance.Tallied"
	EventExecuted        = "governance.Executed"
	EventExecutionFailed = "governance.ExecutionFailed"
)

// Option is a vote.
type Option uint8

// Vote options.
const (
	Yes Option = iota + 1
	No
	Abstain
	Veto
)

func (o Option) String() string {
	switch o {
	case Yes:
		return "yes"
	case No:
		return "no"
	case Abstain:
		return "abstain"
	case Veto:
		return "veto"
	}
	return "invalid"
}

// Kinds of proposal.
const (
	KindParameterChange = "parameter_change"
	KindDissolveSubnet  = "dissolve_subnet"
	KindSafeMode        = "safe_mode"
	KindUpgrade         = "upgrade_plan"
	KindRetireSudo      = "retire_sudo"
	KindText            = "text"
)

// Statuses.
const (
	StatusVoting   = "voting"
	StatusPassed   = "passed"
	StatusRejected = "rejected"
	StatusVetoed   = "vetoed"
	StatusFailed   = "failed" // passed, but execution failed (recorded)
)

// Payload is a proposal's effect.
type Payload struct {
	HasNetuid bool   `json:"has_netuid,omitempty"`
	Netuid    uint16 `json:"netuid,omitempty"`
	Name      string `json:"name,omitempty"`
	Value     uint64 `json:"value,string,omitempty"`
	On        bool   `json:"on,omitempty"`
	Height    uint64 `json:"height,omitempty"`
	Info      string `json:"info,omitempty"`
}

// Tally is the vote count in RAO of voting power.
type Tally struct {
	Yes      uint64 `json:"yes,string"`
	No       uint64 `json:"no,string"`
	Abstain  uint64 `json:"abstain,string"`
	Veto     uint64 `json:"veto,string"`
	Voters   uint64 `json:"voters"`
	Issuance uint64 `json:"total_issuance,string"`
}

// Proposal is one proposal.
type Proposal struct {
	ID          uint64         `json:"id"`
	Proposer    keys.PublicKey `json:"proposer"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Kind        string         `json:"kind"`
	Payload     Payload        `json:"payload"`
	Deposit     uint64         `json:"deposit,string"`
	Submitted   uint64         `json:"submitted"`
	VotingEnd   uint64         `json:"voting_end"`
	Status      string         `json:"status"`
	Tally       *Tally         `json:"tally,omitempty"`
	Error       string         `json:"error,omitempty"`
}

// New is a validated propose call's content.
type New struct {
	Title, Description string
	Deposit            uint64
	Kind               string
	Payload            Payload
}

// checkPayload rejects what would fail at execution where that can be
// known at propose time.
func checkPayload(r store.Reader, n New, now uint64) error {
	if len(n.Title) == 0 || len(n.Title) > 256 || len(n.Description) > 4096 {
		return fmt.Errorf("%w: title 1..256 bytes, description ≤ 4096", ErrInvalidProposal)
	}
	p := n.Payload
	switch n.Kind {
	case KindParameterChange:
		if p.HasNetuid {
			if _, err := subnets.ValidateHyperparameter(r, keys.PublicKey{}, subnets.HyperChange{Netuid: p.Netuid, Name: p.Name, Value: p.Value,
				CurrentUIDs: uint64(neurons.Count(r, p.Netuid)), Sudo: true}, now); err != nil {
				return fmt.Errorf("%w: %v", ErrInvalidProposal, err)
			}
			return nil
		}
		if _, err := subnets.ValidateParameter(r, p.Name, p.Value); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidProposal, err)
		}
	case KindDissolveSubnet:
		if err := registration.ValidateDissolve(r, p.Netuid); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidProposal, err)
		}
	case KindUpgrade:
		end := now + GetParams(r).VotingPeriod
		if p.Name == "" || len(p.Name) > 64 || p.Height <= end {
			return fmt.Errorf("%w: an upgrade needs a name (≤ 64 bytes) and a height after the vote ends (block %d)", ErrInvalidProposal, end)
		}
	case KindRetireSudo:
		if _, ok := system.Sudo(r); !ok {
			return fmt.Errorf("%w: sudo is already retired", ErrInvalidProposal)
		}
	case KindSafeMode, KindText:
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrInvalidProposal, n.Kind)
	}
	return nil
}

// ValidatePropose runs propose's checks.
func ValidatePropose(r store.Reader, signer keys.PublicKey, n New, now uint64) error {
	if min := GetParams(r).MinDeposit; n.Deposit < min {
		return fmt.Errorf("%w: %s, minimum %s", ErrDepositTooLow, balances.FormatTAO(n.Deposit), balances.FormatTAO(min))
	}
	if free := balances.Free(r, signer); free < n.Deposit {
		return fmt.Errorf("%w: free %s, deposit %s", ErrInsufficientFunds, balances.FormatTAO(free), balances.FormatTAO(n.Deposit))
	}
	return checkPayload(r, n, now)
}

func lock(e *env.Env, kv store.KV, who keys.PublicKey, id, amount uint64) error {
	if err := balances.Withdraw(e, kv, who, amount, "governance deposit"); err != nil {
		return err
	}
	s := GetState(kv)
	s.Locked += amount
	putState(kv, s)
	k := depositorKey(id, who)
	if kv.Get(k) == nil {
		kv.Set(depositorCountKey(id), u64(depositorCount(kv, id)+1))
	}
	kv.Set(k, u64(readU64(kv, k)+amount))
	return nil
}

// Propose implements propose.
func Propose(e *env.Env, kv store.KV, n New) (uint64, error) {
	now := uint64(e.Block.Height)
	if err := ValidatePropose(kv, e.Signer, n, now); err != nil {
		return 0, err
	}
	s := GetState(kv)
	s.NextID++
	id := s.NextID
	putState(kv, s)
	if err := lock(e, kv, e.Signer, id, n.Deposit); err != nil {
		return 0, err
	}
	end := now + GetParams(kv).VotingPeriod
	put(kv, Proposal{ID: id, Proposer: e.Signer, Title: n.Title, Description: n.Description, Kind: n.Kind, Payload: n.Payload,
		Deposit: n.Deposit, Submitted: now, VotingEnd: end, Status: StatusVoting})
	kv.Set(endingKey(end, id), []byte{})
	e.Events.Emit(EventProposed, env.U64("id", id), env.Str("kind", n.Kind), env.Account("proposer", e.Signer), env.U64("voting_end", end))
	return id, nil
}

func open(r store.Reader, id, now uint64) (Proposal, error) {
	p, ok := Get(r, id)
	if !ok {
		return Proposal{}, fmt.Errorf("%w: %d", ErrUnknownProposal, id)
	}
	if p.Status != StatusVoting || now > p.VotingEnd {
		return Proposal{}, fmt.Errorf("%w: proposal %d is %s (voting ended at block %d)", ErrVotingClosed, id, p.Status, p.VotingEnd)
	}
	return p, nil
}

// ValidateDeposit runs deposit's checks.
func ValidateDeposit(r store.Reader, signer keys.PublicKey, id, amount, now uint64) error {
	if _, err := open(r, id, now); err != nil {
		return err
	}
	if amount == 0 {
		return fmt.Errorf("%w: zero", ErrDepositTooLow)
	}
	if free := balances.Free(r, signer); free < amount {
		return fmt.Errorf("%w: free %s, deposit %s", ErrInsufficientFunds, balances.FormatTAO(free), balances.FormatTAO(amount))
	}
	// Settlement pays every depositor back in one block: bound them as the
	// votes are. An account that already deposited may add more.
	if max := GetParams(r).MaxVotes; r.Get(depositorKey(id, signer)) == nil && depositorCount(r, id) >= max {
		return fmt.Errorf("%w: proposal %d has %d depositors", ErrTooManyDepositors, id, max)
	}
	return nil
}

// AddDeposit implements deposit.
func AddDeposit(e *env.Env, kv store.KV, id, amount uint64) error {
	now := uint64(e.Block.Height)
	if err := ValidateDeposit(kv, e.Signer, id, amount, now); err != nil {
		return err
	}
	p, _ := Get(kv, id)
	if err := lock(e, kv, e.Signer, id, amount); err != nil {
		return err
	}
	p.Deposit += amount
	put(kv, p)
	e.Events.Emit(EventDeposited, env.U64("id", id), env.Account("depositor", e.Signer), env.U64("amount", amount))
	return nil
}

// ValidateVote runs vote's checks.
func ValidateVote(r store.Reader, signer keys.PublicKey, id uint64, o Option, now uint64) error {
	if _, err := open(r, id, now); err != nil {
		return err
	}
	if o < Yes || o > Veto {
		return fmt.Errorf("%w: %d", ErrInvalidVoteOption, o)
	}
	// One read of the stored count, not a count of the earlier votes: that
	// made each vote cost O(voters) in CheckTx and again in DeliverTx.
	if max := GetParams(r).MaxVotes; r.Get(voteKey(id, signer)) == nil && VoteCount(r, id) >= max {
		return fmt.Errorf("%w: proposal %d has %d voters", ErrTooManyVotes, id, max)
	}
	return nil
}

// CastVote implements vote; a later vote replaces the earlier one.
func CastVote(e *env.Env, kv store.KV, id uint64, o Option) error {
	if err := ValidateVote(kv, e.Signer, id, o, uint64(e.Block.Height)); err != nil {
		return err
	}
	k := voteKey(id, e.Signer)
	if kv.Get(k) == nil { // a replaced vote is already counted
		kv.Set(voteCountKey(id), u64(VoteCount(kv, id)+1))
	}
	kv.Set(k, []byte{byte(o)})
	e.Events.Emit(EventVoted, env.U64("id", id), env.Account("voter", e.Signer), env.Str("option", o.String()))
	return nil
}

// VotingPower is a coldkey's free balance, root stake and the TAO value of
// its alpha stake (AlphaTAOValue).
func VotingPower(r store.Reader, who keys.PublicKey) uint64 {
	power := balances.Free(r, who)
	for _, pos := range staking.PositionsOf(r, who, 1024) {
		v := pos.Alpha
		if pos.Netuid != subnets.RootNetuid {
			v = AlphaTAOValue(pools.Get(r, pos.Netuid), pos.Alpha)
		}
		if power > ^uint64(0)-v {
			return ^uint64(0)
		}
		power += v
	}
	return power
}

// AlphaTAOValue is what alpha counts for in TAO: its pro-rata share of the
// subnet's TAO reserve over all alpha, in the pool and staked
// (TAO × alpha / (AlphaIn + AlphaOut)). The spot price would let a thin
// pool's holders outvote the TAO actually in it, and a buyer raise the power
// of all their alpha by pushing the price up; with this share, buying alpha
// for X TAO leaves the total alpha unchanged and adds at most X to everyone's
// power together, and all voting power together never exceeds total issuance.
func AlphaTAOValue(p pools.Pool, alpha uint64) uint64 {
	total := p.AlphaIn + p.AlphaOut
	if total < p.AlphaIn { // overflow: keep the proportion in range
		return fixed.MulDiv(alpha/2, p.TAO, p.AlphaIn/2+p.AlphaOut/2)
	}
	return fixed.MulDiv(alpha, p.TAO, max(total, alpha))
}

// CurrentTally counts the votes with the voters' power in state r.
func CurrentTally(r store.Reader, id uint64) Tally {
	t := Tally{Issuance: balances.TotalIssuance(r)}
	for _, v := range Votes(r, id, int(GetParams(r).MaxVotes)) {
		w := VotingPower(r, v.Voter)
		switch v.Option {
		case Yes:
			t.Yes += w
		case No:
			t.No += w
		case Abstain:
			t.Abstain += w
		case Veto:
			t.Veto += w
		}
		t.Voters++
	}
	return t
}

// atLeast reports a/b ≥ ppm/10^6, exactly (128-bit products).
func atLeast(a, b, ppm uint64) bool {
	hi1, lo1 := bits.Mul64(a, 1_000_000)
	hi2, lo2 := bits.Mul64(b, ppm)
	return hi1 > hi2 || (hi1 == hi2 && lo1 >= lo2)
}

// Outcome applies CHAIN-SPEC's rules in order: quorum (share of total
// issuance that voted), veto (share of all votes cast), then yes must be
// more than the threshold of the non-abstain votes.
func Outcome(t Tally, p Params) string {
	cast := t.Yes + t.No + t.Abstain + t.Veto
	nonAbstain := t.Yes + t.No + t.Veto
	switch {
	case t.Issuance == 0 || !atLeast(cast, t.Issuance, p.QuorumPPM):
		return StatusRejected
	case atLeast(t.Veto, cast, p.VetoPPM):
		return StatusVetoed
	case nonAbstain == 0 || atLeast(nonAbstain-t.Yes, nonAbstain, 1_000_000-p.ThresholdPPM):
		// yes > threshold ⇔ (non-yes) < 1 − threshold
		return StatusRejected
	}
	return StatusPassed
}

// EndBlock tallies proposals whose voting ends at block, executes passed
// ones on a branch each, and settles deposits. Bounded by the proposals
// ending this block.
func EndBlock(e *env.Env, kv store.KV, block uint64) {
	end := endingKey(block+1, 0)[:len(endingPrefix)+8]
	var ids []uint64
	var keysDone [][]byte
	kv.Iterate(endingPrefix, end, func(k, _ []byte) bool {
		keysDone = append(keysDone, append([]byte(nil), k...))
		ids = append(ids, be64(k[len(endingPrefix)+8:]))
		return len(ids) < 64 // the rest wait a block
	})
	for i, id := range ids {
		kv.Delete(keysDone[i])
		finish(e, kv, id)
	}
}

func finish(e *env.Env, kv store.KV, id uint64) {
	p, ok := Get(kv, id)
	if !ok || p.Status != StatusVoting {
		return
	}
	t := CurrentTally(kv, id)
	p.Tally = &t
	p.Status = Outcome(t, GetParams(kv))
	e.Events.Emit(EventTallied, env.U64("id", id), env.Str("status", p.Status), env.U64("yes", t.Yes), env.U64("no", t.No),
		env.U64("abstain", t.Abstain), env.U64("veto", t.Veto))
	if p.Status == StatusPassed {
		branch := store.NewCache(kv)
		if err := execute(e, branch, p); err != nil {
			p.Status, p.Error = StatusFailed, err.Error()
			e.Events.Emit(EventExecutionFailed, env.U64("id", id), env.Str("error", err.Error()))
		} else {
			branch.Write(kv)
			e.Events.Emit(EventExecuted, env.U64("id", id), env.Str("kind", p.Kind))
		}
	}
	settleDeposits(e, kv, id, p.Status == StatusVetoed)
	put(kv, p)
}

func execute(e *env.Env, kv store.KV, p Proposal) (err error) {
	defer func() {
		if r := recover(); r != nil {
			// A storage failure is this node's, not the proposal's: recording
			// it as the outcome would fork the state. Let the block halt.
			if re, ok := r.(error); ok && errors.Is(re, store.ErrStorage) {
				panic(r)
			}
			err = fmt.Errorf("execution panicked: %v", r)
		}
	}()
	pl := p.Payload
	switch p.Kind {
	case KindParameterChange:
		if pl.HasNetuid {
			return subnets.SetHyperparameter(e, kv, subnets.HyperChange{Netuid: pl.Netuid, Name: pl.Name, Value: pl.Value,
				CurrentUIDs: uint64(neurons.Count(kv, pl.Netuid)), Sudo: true})
		}
		return subnets.SudoSetParameter(e, kv, pl.Name, pl.Value)
	case KindDissolveSubnet:
		return registration.DissolveWithReason(e, kv, pl.Netuid, fmt.Sprintf("dissolved by governance proposal %d", p.ID))
	case KindSafeMode:
		SetSafeMode(kv, pl.On)
	case KindUpgrade:
		s := GetState(kv)
		s.Upgrade = &UpgradePlan{Name: pl.Name, Height: pl.Height, Info: pl.Info}
		putState(kv, s)
	case KindRetireSudo:
		system.RetireSudo(kv)
	case KindText:
	}
	return nil
}

// settleDeposits returns every deposit, or burns them all after a veto.
func settleDeposits(e *env.Env, kv store.KV, id uint64, burn bool) {
	p := depositorPrefix(id)
	type dep struct {
		who keys.PublicKey
		amt uint64
	}
	var deps []dep
	var ks [][]byte
	kv.Iterate(p, store.PrefixEnd(p), func(k, v []byte) bool {
		deps = append(deps, dep{keys.PublicKey(k[len(p):]), be64(v)})
		ks = append(ks, append([]byte(nil), k...))
		return true
	})
	kv.Delete(depositorCountKey(id))
	s := GetState(kv)
	for i, d := range deps {
		kv.Delete(ks[i])
		s.Locked -= min(s.Locked, d.amt)
		if burn {
			balances.Recycle(kv, d.amt)
			continue
		}
		if err := balances.Deposit(e, kv, d.who, d.amt, "governance deposit returned"); err != nil {
			balances.Recycle(kv, d.amt)
		}
	}
	putState(kv, s)
}

func u64(v uint64) []byte { b := make([]byte, 8); putBE(b, v); return b }

func putBE(b []byte, v uint64) {
	for i := 7; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

func be64(b []byte) uint64 {
	var v uint64
	for _, x := range b[:8] {
		v = v<<8 | uint64(x)
	}
	return v
}

func readU64(r store.Reader, k []byte) uint64 {
	b := r.Get(k)
	if len(b) != 8 {
		return 0
	}
	return be64(b)
}

// Genesis is the module's genesis.
type Genesis struct {
	Params Params `json:"params"`
}

// InitGenesis stores the parameters.
func InitGenesis(kv store.KV, g Genesis) error {
	if err := g.Params.Validate(); err != nil {
		return err
	}
	SetParams(kv, g.Params)
	return nil
}

// ExportGenesis returns the parameters; proposals travel as raw state.
func ExportGenesis(r store.Reader) Genesis { return Genesis{Params: GetParams(r)} }
