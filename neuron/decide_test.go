package neuron_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/neuron"
)

// base is a validator allowed to set weights at block 100 on a localnet-like subnet.
func base() neuron.WeightsState {
	return neuron.WeightsState{Block: 100, EpochIndex: 5, LastUpdate: 80, RateLimit: 5, Interval: 20, Permit: true, VersionKey: 1000}
}

func TestDecideRateLimit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		edit     func(s *neuron.WeightsState)
		want     neuron.Action
		wantNext uint64
	}{
		{"allowed once interval blocks passed", func(s *neuron.WeightsState) {}, neuron.SetWeights, 0},
		{"the transaction lands next block: block+1 counts", func(s *neuron.WeightsState) { s.Block = 99 }, neuron.SetWeights, 0},
		{"before the interval", func(s *neuron.WeightsState) { s.Block = 98 }, neuron.Wait, 100},
		{"rate limit above the interval wins", func(s *neuron.WeightsState) { s.RateLimit = 50 }, neuron.Wait, 130},
		{"no interval: the rate limit alone", func(s *neuron.WeightsState) { s.Interval, s.Block = 0, 84 }, neuron.SetWeights, 0},
		{"no interval, within the rate limit", func(s *neuron.WeightsState) { s.Interval, s.Block = 0, 83 }, neuron.Wait, 85},
		{"never set: at once", func(s *neuron.WeightsState) { s.LastUpdate = 0 }, neuron.SetWeights, 0},
		{"own last send newer than the synced last_update", func(s *neuron.WeightsState) { s.LastSent = 95 }, neuron.Wait, 115},
		{"synced last_update newer than own record", func(s *neuron.WeightsState) { s.LastSent = 10 }, neuron.SetWeights, 0},
		{"no permit", func(s *neuron.WeightsState) { s.Permit = false }, neuron.Wait, 0},
		{"version key below the subnet's", func(s *neuron.WeightsState) { s.Required = 1001 }, neuron.Wait, 0},
		{"version key equal to the subnet's", func(s *neuron.WeightsState) { s.Required = 1000 }, neuron.SetWeights, 0},
		{"version key 0 when the subnet requires one", func(s *neuron.WeightsState) { s.VersionKey, s.Required = 0, 1 }, neuron.Wait, 0},
		{"disabled", func(s *neuron.WeightsState) { s.Disabled = true }, neuron.Wait, 0},
		{"commit-reveal on: commit", func(s *neuron.WeightsState) { s.CommitReveal = true }, neuron.Commit, 0},
		{"commit-reveal on, rate limited", func(s *neuron.WeightsState) { s.CommitReveal, s.Block = true, 90 }, neuron.Wait, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			tc.edit(&s)
			d := neuron.Decide(s)
			if d.Action != tc.want || d.NextBlock != tc.wantNext || d.Drop {
				t.Fatalf("got %+v, want %v next %d", d, tc.want, tc.wantNext)
			}
			if d.Action == neuron.Wait && d.Reason == "" {
				t.Fatal("a wait without a reason")
			}
		})
	}
}

func chainErr(name string) error { return &client.ChainError{Codespace: "epoch", Name: name} }

// TestWeightsTrackerCommitReveal drives the commit-reveal state machine through the chain's
// answers, one step per row: the chain state at the step, the action expected, the outcome
// fed back, and the pending commit's reveal epoch after it (0: none).
func TestWeightsTrackerCommitReveal(t *testing.T) {
	type step struct {
		block, epoch, lastUpdate uint64
		commitReveal             bool
		want                     neuron.Action
		wantDrop                 bool
		result                   error  // outcome of the action (nil: included)
		height                   uint64 // inclusion height
		wantPending              uint64 // pending reveal epoch after the step
	}
	cr := true
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{
			name: "commit, wait, reveal in the reveal epoch, commit again after the interval",
			steps: []step{
				{block: 100, epoch: 5, lastUpdate: 80, commitReveal: cr, want: neuron.Commit, height: 101, wantPending: 6},
				{block: 105, epoch: 5, lastUpdate: 101, commitReveal: cr, want: neuron.Wait, wantPending: 6},
				{block: 119, epoch: 5, lastUpdate: 101, commitReveal: cr, want: neuron.Wait, wantPending: 6},
				{block: 121, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Reveal, height: 122},
				{block: 122, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Commit, height: 123, wantPending: 7},
			},
		},
		{
			name: "a reveal that fails for a moment is retried within the epoch",
			steps: []step{
				{block: 100, epoch: 5, commitReveal: cr, want: neuron.Commit, height: 101, wantPending: 6},
				{block: 121, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Reveal, result: context.DeadlineExceeded, wantPending: 6},
				{block: 122, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Reveal, result: chainErr("RevealTooEarly"), wantPending: 6},
				{block: 123, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Reveal, height: 124},
			},
		},
		{
			name: "an expired reveal is dropped and weights committed again",
			steps: []step{
				{block: 100, epoch: 5, commitReveal: cr, want: neuron.Commit, height: 101, wantPending: 6},
				{block: 121, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Reveal, result: chainErr("ExpiredWeightCommit")},
				{block: 122, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Commit, height: 123, wantPending: 7},
			},
		},
		{
			name: "a commit whose reveal epoch passed unseen is dropped; commit again",
			steps: []step{
				{block: 100, epoch: 5, commitReveal: cr, want: neuron.Commit, height: 101, wantPending: 6},
				{block: 145, epoch: 7, lastUpdate: 101, commitReveal: cr, want: neuron.Commit, wantDrop: true, height: 146, wantPending: 8},
			},
		},
		{
			name: "a commit the chain does not know or that does not match is dropped",
			steps: []step{
				{block: 100, epoch: 5, commitReveal: cr, want: neuron.Commit, height: 101, wantPending: 6},
				{block: 121, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Reveal, result: chainErr("NoWeightsCommitFound")},
				{block: 122, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Commit, height: 123, wantPending: 7},
				{block: 141, epoch: 7, lastUpdate: 123, commitReveal: cr, want: neuron.Reveal, result: chainErr("InvalidRevealCommitHashNotMatch")},
			},
		},
		{
			name: "a refused commit leaves nothing to reveal",
			steps: []step{
				{block: 100, epoch: 5, commitReveal: cr, want: neuron.Commit, result: chainErr("CommittingWeightsTooFast")},
				{block: 101, epoch: 5, commitReveal: cr, want: neuron.Commit, height: 102, wantPending: 6},
			},
		},
		{
			name: "a commit lost in the network is kept: the reveal tells",
			steps: []step{
				{block: 100, epoch: 5, commitReveal: cr, want: neuron.Commit, result: errors.New("node unreachable"), wantPending: 6},
				{block: 101, epoch: 5, commitReveal: cr, want: neuron.Wait, wantPending: 6},
				{block: 121, epoch: 6, commitReveal: cr, want: neuron.Reveal, result: chainErr("NoWeightsCommitFound")},
				{block: 122, epoch: 6, commitReveal: cr, want: neuron.Commit, height: 123, wantPending: 7},
			},
		},
		{
			name: "commit-reveal turned off: drop the commit, set weights directly",
			steps: []step{
				{block: 100, epoch: 5, commitReveal: cr, want: neuron.Commit, height: 101, wantPending: 6},
				{block: 121, epoch: 6, lastUpdate: 101, commitReveal: false, want: neuron.SetWeights, wantDrop: true, height: 122},
			},
		},
		{
			name: "commit-reveal turned off and still rate limited: drop and wait",
			steps: []step{
				{block: 100, epoch: 5, commitReveal: cr, want: neuron.Commit, height: 101, wantPending: 6},
				{block: 105, epoch: 5, lastUpdate: 101, commitReveal: false, want: neuron.Wait, wantDrop: true},
			},
		},
		{
			name: "commit-reveal turned on: commit from then on",
			steps: []step{
				{block: 100, epoch: 5, want: neuron.SetWeights, height: 101},
				{block: 121, epoch: 6, lastUpdate: 101, commitReveal: cr, want: neuron.Commit, height: 122, wantPending: 7},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w neuron.WeightsTracker
			for i, st := range tc.steps {
				s := neuron.WeightsState{Block: st.block, EpochIndex: st.epoch, LastUpdate: st.lastUpdate, RateLimit: 5, Interval: 20,
					Permit: true, CommitReveal: st.commitReveal}
				d := w.Next(s)
				if d.Action != st.want || d.Drop != st.wantDrop {
					t.Fatalf("step %d: got %v (drop %v: %s), want %v (drop %v)", i, d.Action, d.Drop, d.Reason, st.want, st.wantDrop)
				}
				if d.Action == neuron.Commit {
					w.Committing(&neuron.PendingCommit{CommitEpoch: st.epoch, RevealEpoch: st.epoch + 1})
				}
				if d.Action != neuron.Wait {
					h := st.height
					if st.result != nil {
						h = 0
					}
					w.Sent(d.Action, h, st.result)
				}
				if got := revealEpoch(w.Pending); got != st.wantPending {
					t.Fatalf("step %d: pending reveal epoch %d, want %d", i, got, st.wantPending)
				}
				if d.Action == neuron.Commit && st.result == nil && w.Pending.Block != st.height {
					t.Fatalf("step %d: commit block %d, want %d", i, w.Pending.Block, st.height)
				}
			}
		})
	}
}

// TestWeightsTrackerStateOfAnotherChain: a state file kept across a reset localnet holds a
// commit and a last send from the old chain, far ahead of the new one. Before the fix the
// validator waited for the old reveal epoch and the old block, sending no weights meanwhile.
func TestWeightsTrackerStateOfAnotherChain(t *testing.T) {
	now := neuron.WeightsState{Block: 60, EpochIndex: 3, RateLimit: 5, Interval: 20, Permit: true, CommitReveal: true}
	w := neuron.WeightsTracker{LastSent: 9000, Pending: &neuron.PendingCommit{Block: 9000, CommitEpoch: 450, RevealEpoch: 451}}
	d := w.Next(now)
	if d.Action != neuron.Commit || !d.Drop || w.Pending != nil || w.LastSent != 0 {
		t.Fatalf("got %+v, pending %+v, last sent %d; want the old commit dropped, the old send forgotten and a commit", d, w.Pending, w.LastSent)
	}

	// Without commit-reveal: weights at once.
	now.CommitReveal = false
	w = neuron.WeightsTracker{LastSent: 9000}
	if d := w.Next(now); d.Action != neuron.SetWeights || w.LastSent != 0 {
		t.Fatalf("got %+v, last sent %d; want set_weights and the old send forgotten", d, w.LastSent)
	}
}

// TestDecideRecordJustAheadOfSync: a record a little ahead of a synced state that lags the
// inclusion of the last transaction is this chain's and still holds.
func TestDecideRecordJustAheadOfSync(t *testing.T) {
	s := base()
	s.LastSent = s.Block + 2
	if d := neuron.Decide(s); d.Action != neuron.Wait || d.NextBlock != s.LastSent+s.Interval {
		t.Fatalf("last send 2 blocks ahead: got %+v, want a wait until block %d", d, s.LastSent+s.Interval)
	}
	s = base()
	s.CommitReveal, s.Pending = true, &neuron.PendingCommit{CommitEpoch: s.EpochIndex + 1, RevealEpoch: s.EpochIndex + 2}
	if d := neuron.Decide(s); d.Action != neuron.Wait || d.Drop {
		t.Fatalf("commit of the next epoch: got %+v, want a wait for its reveal", d)
	}
}

func revealEpoch(p *neuron.PendingCommit) uint64 {
	if p == nil {
		return 0
	}
	return p.RevealEpoch
}

func TestKeepAfterRevealError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		keep bool
	}{
		{chainErr("RevealTooEarly"), true},
		{chainErr("ExpiredWeightCommit"), false},
		{chainErr("NoWeightsCommitFound"), false},
		{chainErr("InvalidRevealCommitHashNotMatch"), false},
		{chainErr("CommitRevealDisabled"), false},
		{fmt.Errorf("reveal: %w", chainErr("ExpiredWeightCommit")), false},
		{context.DeadlineExceeded, true},
		{client.ErrUnreachable, true},
	} {
		if got := neuron.KeepAfterRevealError(tc.err); got != tc.keep {
			t.Errorf("%v: keep %v, want %v", tc.err, got, tc.keep)
		}
	}
}
