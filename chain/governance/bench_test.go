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
