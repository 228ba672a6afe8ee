package neuron

import (
	"errors"
	"fmt"

	"github.com/gotensor/gotensor/client"
)

// Action is what a validator does about its weights at a block.
type Action int

const (
	// Wait: nothing to send now; Decision.Reason says why.
	Wait Action = iota
	// SetWeights: send set_weights.
	SetWeights
	// Commit: send commit_weights (the subnet has commit-reveal on).
	Commit
	// Reveal: send reveal_weights for the pending commit.
	Reveal
)

func (a Action) String() string {
	switch a {
	case SetWeights:
		return "set_weights"
	case Commit:
		return "commit_weights"
	case Reveal:
		return "reveal_weights"
	}
	return "wait"
}

// PendingCommit is a weights commit waiting for its reveal epoch: what reveal_weights must
// send for the chain's hash to match.
type PendingCommit struct {
	UIDs        []uint16 `json:"uids"`
	Values      []uint16 `json:"values"`
	Salt        []uint16 `json:"salt"`
	VersionKey  uint64   `json:"version_key"`
	Hash        string   `json:"hash"`         // hex of api.WeightsCommitHash
	Block       uint64   `json:"block"`        // the commit's block
	CommitEpoch uint64   `json:"commit_epoch"` // the subnet's epoch index at the commit
	RevealEpoch uint64   `json:"reveal_epoch"` // the one epoch in which the chain takes the reveal
}

// WeightsState is what the weights decision reads: the chain as last synced, the subnet's
// hyperparameters and the validator's own record.
type WeightsState struct {
	Block      uint64 // chain head; a transaction sent now lands in Block+1 or later
	EpochIndex uint64 // the subnet's epoch index at Block
	LastUpdate uint64 // the chain's last_update for the validator's uid (0: never)
	LastSent   uint64 // the block of the validator's last included set or commit (0: none)
	RateLimit  uint64 // weights_set_rate_limit
	Interval   uint64 // blocks between updates the validator wants (EpochLength or tempo)
	Permit     bool   // the uid holds a validator permit
	VersionKey uint64 // the key the validator sends
	Required   uint64 // weights_version_key (0: any)
	// CommitReveal is commit_reveal_weights_enabled.
	CommitReveal bool
	Disabled     bool           // --neuron.disable_set_weights
	Pending      *PendingCommit // the unrevealed commit, if any
}

// Decision is what Decide chose.
type Decision struct {
	Action Action
	// Drop says the pending commit can never be revealed (its reveal epoch passed, or the
	// subnet turned commit-reveal off): forget it, then do Action.
	Drop bool
	// Reason explains a Wait, or why the commit was dropped, for logs and /healthz.
	Reason string
	// NextBlock is, when waiting on the rate limit or interval, the first block allowed.
	NextBlock uint64
}

// Decide chooses the validator's next weights action. A pending commit comes first: it is
// revealed in its reveal epoch (the chain takes a reveal in that epoch only), waited on
// before it, dropped after it. Otherwise weights go out only when every chain rule
// allows them, so no transaction is sent to be refused: setting enabled, the version key at
// least the subnet's, a validator permit, and weights_set_rate_limit and Interval blocks
// since max(last_update, the last send). Then it is SetWeights, or Commit when
// commit-reveal is on.
//
// A record ahead of the chain (a pending commit of a later epoch than the chain's next, a
// last send more than one interval past the head) comes from another chain: a state file
// kept across a reset localnet or a switch of network. Waiting on it would hold the
// weights back until the new chain caught up, so the commit is dropped and the send
// ignored.
func Decide(s WeightsState) Decision {
	var d Decision
	if s.LastSent > s.Block+max(s.RateLimit, s.Interval) {
		s.LastSent = 0
	}
	if p := s.Pending; p != nil {
		switch {
		case p.CommitEpoch > s.EpochIndex+1:
			d.Drop, d.Reason = true, fmt.Sprintf("the commit of epoch %d is ahead of the chain (epoch %d): the state file is from another chain; committing again", p.CommitEpoch, s.EpochIndex)
		case !s.CommitReveal:
			d.Drop, d.Reason = true, "commit-reveal was turned off; the commit cannot be revealed"
		case s.EpochIndex < p.RevealEpoch:
			return Decision{Action: Wait, Reason: fmt.Sprintf("commit of epoch %d waits for its reveal epoch %d (now %d)", p.CommitEpoch, p.RevealEpoch, s.EpochIndex)}
		case s.EpochIndex == p.RevealEpoch:
			return Decision{Action: Reveal}
		default:
			d.Drop, d.Reason = true, fmt.Sprintf("reveal epoch %d passed (now %d); committing again", p.RevealEpoch, s.EpochIndex)
		}
	}
	wait := func(next uint64, format string, args ...any) Decision {
		reason := fmt.Sprintf(format, args...)
		if d.Reason != "" {
			reason = d.Reason + "; " + reason
		}
		return Decision{Action: Wait, Drop: d.Drop, Reason: reason, NextBlock: next}
	}
	switch {
	case s.Disabled:
		return wait(0, "setting weights is disabled (--neuron.disable_set_weights)")
	case s.Required != 0 && s.VersionKey < s.Required:
		return wait(0, "the subnet requires weights_version_key ≥ %d and this validator sends %d: upgrade the validator", s.Required, s.VersionKey)
	case !s.Permit:
		return wait(0, "no validator permit: each epoch gives permits to the max_allowed_validators uids with the most stake; stake more and wait for the next epoch")
	}
	if last := max(s.LastUpdate, s.LastSent); last != 0 {
		if next := last + max(s.RateLimit, s.Interval); s.Block+1 < next {
			return wait(next, "weights last set at block %d; next at block %d (rate limit %d, interval %d)", last, next, s.RateLimit, s.Interval)
		}
	}
	d.Action = SetWeights
	if s.CommitReveal {
		d.Action = Commit
	}
	return d
}

// Chain error names the commit-reveal machine reacts to (chain/epoch's errors).
const (
	errRevealTooEarly     = "RevealTooEarly"
	errExpiredWeightCmt   = "ExpiredWeightCommit"
	errNoWeightsCommit    = "NoWeightsCommitFound"
	errInvalidRevealHash  = "InvalidRevealCommitHashNotMatch"
	errCommitRevealOff    = "CommitRevealDisabled"
	errCommitRevealOn     = "CommitRevealEnabled"
	errVersionKey         = "IncorrectWeightVersionKey"
	errTooFast            = "SettingWeightsTooFast"
	errCommittingTooFast  = "CommittingWeightsTooFast"
	errNotRegistered      = "HotKeyNotRegisteredInSubNet"
	errNoPermit           = "NeuronNoValidatorPermit"
	errMaxWeightExceeded  = "MaxWeightExceeded"
	errWeightVecLengthLow = "WeightVecLengthIsLow"
)

// chainErrorName returns the chain's error name in err, or "".
func chainErrorName(err error) string {
	var ce *client.ChainError
	if errors.As(err, &ce) {
		return ce.Name
	}
	return ""
}

// KeepAfterRevealError says whether a pending commit is still worth revealing after a
// reveal failed with err: yes when the failure may pass (too early, the network), no when
// the chain will never take it (expired, unknown or mismatched commit, commit-reveal off).
func KeepAfterRevealError(err error) bool {
	switch chainErrorName(err) {
	case errExpiredWeightCmt, errNoWeightsCommit, errInvalidRevealHash, errCommitRevealOff:
		return false
	}
	return true
}

// staleHyperparams says whether a weights failure means the cached hyperparameters are out
// of date (the owner changed them), so they are fetched again before the next try.
func staleHyperparams(err error) bool {
	switch chainErrorName(err) {
	case errCommitRevealOn, errCommitRevealOff, errVersionKey, errTooFast, errCommittingTooFast,
		errMaxWeightExceeded, errWeightVecLengthLow, errNoPermit:
		return true
	}
	return false
}

// WeightsTracker is a validator's weights state machine: the block of its last send and the
// commit waiting for its reveal. It does no I/O: Next says what to send, Committing records
// a commit about to be sent (so its salt can be saved first), Sent records the outcome.
// The zero value is a validator that has sent nothing. Not safe for concurrent use.
//
//	idle ──Commit──▶ committing ──included──▶ pending ──reveal epoch──▶ revealing ──included──▶ idle
//	                     │ refused: idle          │ epoch passed: idle        │ expired, unknown,
//	                     │ lost: pending          │                          │ mismatched: idle
//	                                                                         │ other: pending (retry)
type WeightsTracker struct {
	Pending  *PendingCommit `json:"pending,omitempty"`
	LastSent uint64         `json:"last_sent"`
}

// Next decides on s (whose Pending and LastSent are taken from w) and forgets a commit the
// decision drops, and a last send Decide ignores as another chain's.
func (w *WeightsTracker) Next(s WeightsState) Decision {
	s.Pending, s.LastSent = w.Pending, w.LastSent
	if w.LastSent > s.Block+max(s.RateLimit, s.Interval) {
		w.LastSent = 0
	}
	d := Decide(s)
	if d.Drop {
		w.Pending = nil
	}
	return d
}

// Committing records p, about to be sent with commit_weights.
func (w *WeightsTracker) Committing(p *PendingCommit) { w.Pending = p }

// Sent records the outcome of action a: included at height, or failed with err. A refused
// commit is forgotten; one whose fate is unknown (the network failed) is kept, for the
// reveal to tell. A reveal the chain will never take (KeepAfterRevealError) is forgotten;
// any other failed reveal is tried again.
func (w *WeightsTracker) Sent(a Action, height uint64, err error) {
	switch {
	case err == nil && a == Reveal:
		w.Pending = nil
	case err == nil && (a == SetWeights || a == Commit):
		w.LastSent = height
		if a == Commit && w.Pending != nil {
			w.Pending.Block = height
		}
	case a == Commit && chainErrorName(err) != "":
		w.Pending = nil
	case a == Reveal && !KeepAfterRevealError(err):
		w.Pending = nil
	}
}
