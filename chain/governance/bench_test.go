package governance

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// benchKey is voter i's coldkey (distinct for every i).
func benchKey(i uint64) keys.PublicKey {
	var k keys.PublicKey
	k[0] = 0xbe
	binary.BigEndian.PutUint64(k[1:], i)
	return k
}

// benchProposal stores a text proposal on a committed tree and returns it.
func benchProposal(b *testing.B, kv store.KV, p Params) uint64 {
	b.Helper()
	SetParams(kv, p)
	proposer := keys.PublicKey{1}
	e := &env.Env{Block: env.Block{Height: 1}, Signer: proposer, Events: &env.Events{}}
	if err := balances.Mint(e, kv, proposer, 10_000*balances.RAOPerTAO, "bench"); err != nil {
		b.Fatal(err)
	}
	id, err := Propose(e, kv, New{Title: "bench", Deposit: p.MinDeposit, Kind: KindText})
	if err != nil {
		b.Fatal(err)
	}
	return id
}

// BenchmarkVote measures one new vote (its CheckTx validation and its
// execution) on a proposal that already has n votes, the earlier votes
// committed to the tree as they are on a running chain. Each iteration
// votes on a fresh cache over the tree, so n stays fixed. The cost must
// not grow with n: compare the n=100 and n=5000 results.
func BenchmarkVote(b *testing.B) {
	for _, n := range []uint64{100, 5000} {
		b.Run(fmt.Sprintf("earlier=%d", n), func(b *testing.B) {
			tree := store.NewMemTree()
			id := benchProposal(b, tree, DefaultParams())
			for i := range n {
				e := &env.Env{Block: env.Block{Height: 2}, Signer: benchKey(i), Events: &env.Events{}}
				if err := CastVote(e, tree, id, Option(1+i%4)); err != nil {
					b.Fatal(err)
				}
			}
			if _, _, err := tree.SaveVersion(); err != nil {
				b.Fatal(err)
			}
			voter := benchKey(n + 1)
			b.ResetTimer()
			for b.Loop() {
				c := store.NewCache(tree)
				if err := ValidateVote(c, voter, id, Yes, 3); err != nil { // CheckTx
					b.Fatal(err)
				}
				e := &env.Env{Block: env.Block{Height: 3}, Signer: voter, Events: &env.Events{}}
				if err := CastVote(e, c, id, Yes); err != nil { // DeliverTx
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEndBlockTally measures EndBlock's largest shape at a given
// number of voters: 64 proposals (the most it takes per block) ending
// together, each with n voters who are also its n depositors, all passing
// (text proposals, so execution is trivial) and paying every deposit back.
// EndBlock runs on a store.Cache over the committed tree, as FinalizeBlock
// runs it. Voters hold free balance only.
//
// The worst case max_votes allows is n = 10,000; it is not run here: each
// voter's power reads its stake positions with Cache.Iterate, which sorts
// every key the block has written so far, and settlement writes two keys per
// depositor, so the time grows with n² (on 2 shared cores: n=100 1.8 s, n=200 7.5 s, n=400 40 s; n=10,000
// would take hours).
func BenchmarkEndBlockTally(b *testing.B) {
	for _, n := range []uint64{100, 200} {
		b.Run(fmt.Sprintf("proposals=64/voters=%d", n), func(b *testing.B) { benchEndBlock(b, 64, n) })
	}
}

func benchEndBlock(b *testing.B, proposals int, voters uint64) {
	p := DefaultParams()
	p.MinDeposit = 1
	tree := store.NewMemTree()
	SetParams(tree, p)
	proposer := keys.PublicKey{1}
	pe := &env.Env{Block: env.Block{Height: 1}, Signer: proposer, Events: &env.Events{}}
	if err := balances.Mint(pe, tree, proposer, 1000*balances.RAOPerTAO, "bench"); err != nil {
		b.Fatal(err)
	}
	ids := make([]uint64, proposals)
	for i := range ids {
		id, err := Propose(pe, tree, New{Title: "bench", Deposit: 1, Kind: KindText})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id
	}
	for v := range voters {
		who := benchKey(v)
		e := &env.Env{Block: env.Block{Height: 2}, Signer: who, Events: &env.Events{}}
		if err := balances.Mint(e, tree, who, 1000*balances.RAOPerTAO, "bench"); err != nil {
			b.Fatal(err)
		}
		for _, id := range ids {
			if err := CastVote(e, tree, id, Yes); err != nil {
				b.Fatal(err)
			}
			if v+1 < voters { // the proposer is the last depositor
				if err := AddDeposit(e, tree, id, 1); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		b.Fatal(err)
	}
	end := 1 + p.VotingPeriod
	for b.Loop() {
		c := store.NewCache(tree)
		EndBlock(&env.Env{Block: env.Block{Height: int64(end)}, Events: &env.Events{}}, c, end)
		b.StopTimer()
		for _, id := range ids {
			if pr, _ := Get(c, id); pr.Status != StatusPassed || pr.Tally.Voters != voters {
				b.Fatalf("proposal %d: %s with %+v", id, pr.Status, pr.Tally)
			}
		}
		if Locked(c) != 0 {
			b.Fatalf("locked after settlement: %d", Locked(c))
		}
		b.StartTimer()
	}
}
