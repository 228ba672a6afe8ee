package governance

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

func voteAs(kv store.KV, who keys.PublicKey, id uint64, o Option) error {
	return CastVote(&env.Env{Block: env.Block{Height: 2}, Signer: who, Events: &env.Events{}}, kv, id, o)
}

// TestVoteCapExactWithReplacements: the max_votes bound counts distinct
// voters from the stored count. Replacing a vote must not add to it (or the
// cap is reached early) and every new voter must (or the cap is passed).
func TestVoteCapExactWithReplacements(t *testing.T) {
	kv := store.NewMemTree()
	p := DefaultParams()
	p.MinDeposit, p.MaxVotes = 10, 3
	SetParams(kv, p)
	id, err := Propose(fundedEnv(t, kv, keys.PublicKey{1}, 1), kv, New{Title: "t", Deposit: 10, Kind: KindText})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c, d := keys.PublicKey{0xa}, keys.PublicKey{0xb}, keys.PublicKey{0xc}, keys.PublicKey{0xd}
	steps := []struct {
		who     keys.PublicKey
		o       Option
		wantErr error
		count   uint64
	}{
		{a, Yes, nil, 1},
		{a, No, nil, 1}, // replaces
		{b, Veto, nil, 2},
		{a, Abstain, nil, 2}, // replaces again
		{b, Yes, nil, 2},
		{c, No, nil, 3}, // the third voter reaches the cap exactly
		{d, Yes, ErrTooManyVotes, 3},
		{c, Yes, nil, 3}, // a voter already counted may still change its vote at the cap
		{a, Yes, nil, 3},
		{d, No, ErrTooManyVotes, 3},
	}
	for i, s := range steps {
		if err := ValidateVote(kv, s.who, id, s.o, 2); !errors.Is(err, s.wantErr) {
			t.Fatalf("step %d: ValidateVote %v, want %v", i, err, s.wantErr)
		}
		if err := voteAs(kv, s.who, id, s.o); !errors.Is(err, s.wantErr) {
			t.Fatalf("step %d: CastVote %v, want %v", i, err, s.wantErr)
		}
		if got := VoteCount(kv, id); got != s.count {
			t.Fatalf("step %d: VoteCount %d, want %d", i, got, s.count)
		}
	}
	if tl := CurrentTally(kv, id); tl.Voters != 3 {
		t.Fatalf("tally counts %d voters, want 3", tl.Voters)
	}
	want := map[keys.PublicKey]Option{a: Yes, b: Yes, c: Yes}
	for _, v := range Votes(kv, id, 10) {
		if want[v.Voter] != v.Option {
			t.Fatalf("vote of %x is %v, want the last one, %v", v.Voter[:1], v.Option, want[v.Voter])
		}
	}
}

// TestDepositorCapExactWithTopUps: the same for depositors; the proposer
// counts as the first, top-ups by a counted depositor do not add, and the
// count is gone once the deposits are settled.
func TestDepositorCapExactWithTopUps(t *testing.T) {
	kv := store.NewMemTree()
	p := DefaultParams()
	p.MinDeposit, p.MaxVotes = 10, 3
	SetParams(kv, p)
	proposer := keys.PublicKey{1}
	id, err := Propose(fundedEnv(t, kv, proposer, 1), kv, New{Title: "t", Deposit: 10, Kind: KindText})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := keys.PublicKey{0xa}, keys.PublicKey{0xb}, keys.PublicKey{0xc}
	for i, s := range []struct {
		who     keys.PublicKey
		wantErr error
		count   uint64
	}{
		{proposer, nil, 1},
		{a, nil, 2},
		{a, nil, 2},
		{proposer, nil, 2},
		{b, nil, 3},
		{c, ErrTooManyDepositors, 3},
		{b, nil, 3},
		{c, ErrTooManyDepositors, 3},
	} {
		if err := AddDeposit(fundedEnv(t, kv, s.who, 2), kv, id, 1); !errors.Is(err, s.wantErr) {
			t.Fatalf("step %d: AddDeposit %v, want %v", i, err, s.wantErr)
		}
		if got := depositorCount(kv, id); got != s.count {
			t.Fatalf("step %d: depositor count %d, want %d", i, got, s.count)
		}
	}
	EndBlock(&env.Env{Block: env.Block{Height: int64(p.VotingPeriod) + 1}, Events: &env.Events{}}, kv, p.VotingPeriod+1)
	if got := depositorCount(kv, id); got != 0 {
		t.Fatalf("depositor count after settlement %d, want 0 (key deleted)", got)
	}
	if kv.Get(depositorCountKey(id)) != nil {
		t.Fatal("depositor count key left in state after settlement")
	}
}

// TestVoteCountMatchesVotes: after random votes and replacements from a
// small set of coldkeys, the stored count equals the votes actually stored.
func TestVoteCountMatchesVotes(t *testing.T) {
	kv := store.NewMemTree()
	p := DefaultParams()
	p.MinDeposit, p.MaxVotes = 10, 40
	SetParams(kv, p)
	id, err := Propose(fundedEnv(t, kv, keys.PublicKey{1}, 1), kv, New{Title: "t", Deposit: 10, Kind: KindText})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 500 {
		who := keys.PublicKey{0x80, byte(rng.IntN(60))}
		err := voteAs(kv, who, id, Option(1+rng.IntN(4)))
		stored := uint64(len(Votes(kv, id, 1000)))
		if got := VoteCount(kv, id); got != stored {
			t.Fatalf("vote %d: VoteCount %d, %d votes stored", i, got, stored)
		}
		if err != nil && (!errors.Is(err, ErrTooManyVotes) || stored < p.MaxVotes) {
			t.Fatalf("vote %d: %v with %d of %d voters", i, err, stored, p.MaxVotes)
		}
	}
	if got := VoteCount(kv, id); got != p.MaxVotes {
		t.Fatalf("60 coldkeys voting 500 times filled %d of %d places", got, p.MaxVotes)
	}
}
