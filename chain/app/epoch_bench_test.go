package app

import (
	"context"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// BenchmarkBlockWithTwoFullEpochs measures FinalizeBlock+Commit of a block
// in which MaxEpochsPerBlock (2) subnets of 256 uids run their epochs, each
// with 64 validators weighting all 192 miners, and pays them.
func BenchmarkBlockWithTwoFullEpochs(b *testing.B) {
	h := newHarness(b)
	alice := dev(b, "Alice")
	h.ok(alice, &txpb.SudoSetBalance{Who: alice.SS58(), Free: 10_000_000 * balances.RAOPerTAO})
	for _, name := range []string{"subnet_limit"} {
		h.ok(alice, &txpb.SudoSetParameter{Name: name, Value: 128})
	}
	bob := dev(b, "Bob")
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1_000_000 * balances.RAOPerTAO})
	const nets, uids, vals = 2, 256, 64
	var hot [nets][]*keys.Keypair
	for n := 1; n <= nets; n++ {
		h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(100 * n).SS58()})
		h.ok(alice, &txpb.StartCall{Netuid: uint32(n)})
		for _, hp := range []struct {
			name string
			v    uint64
		}{{"max_registrations_per_block", 300}, {"max_burn", balances.RAOPerTAO/10 + 1}, {"weights_set_rate_limit", 0}, {"tempo", 1000}} {
			h.ok(alice, &txpb.SetHyperparameter{Netuid: uint32(n), Name: hp.name, Value: hp.v})
		}
		var txs [][]byte
		nonce := h.nonce(bob)
		for i := 1; i < uids; i++ {
			kp := keyN(10_000*n + i)
			hot[n-1] = append(hot[n-1], kp)
			txs = append(txs, h.sign(bob, nonce, call(&txpb.BurnedRegister{Netuid: uint32(n), Hotkey: kp.SS58()})))
			nonce++
		}
		for _, r := range h.block(txs...) {
			if r.Code != 0 {
				b.Fatal(r.Log)
			}
		}
		// Stake the validators and give them permits with one epoch.
		txs = txs[:0]
		nonce = h.nonce(alice)
		for i := 0; i < vals; i++ {
			txs = append(txs, h.sign(alice, nonce, stakeCall(&txpb.AddStake{Hotkey: hot[n-1][i].SS58(), Netuid: uint32(n), Amount: balances.RAOPerTAO})))
			nonce++
		}
		h.block(txs...)
	}
	forceEpochs := func() {
		for n := 1; n <= nets; n++ {
			s := epoch.GetSchedule(h.app.tree, uint16(n))
			s.PendingEpochAt = uint64(h.height + 1)
			kv := h.app.tree
			epoch.PutSchedule(kv, uint16(n), s)
		}
	}
	forceEpochs()
	h.block()
	for n := 1; n <= nets; n++ {
		var us, ws []uint32
		for i := vals; i < uids-1; i++ {
			u, _ := neurons.UID(h.app.tree, uint16(n), hot[n-1][i].Public())
			us, ws = append(us, uint32(u)), append(ws, uint32(1+i))
		}
		var txs [][]byte
		for i := 0; i < vals; i++ {
			txs = append(txs, h.sign(hot[n-1][i], 0, call(&txpb.SetWeights{Netuid: uint32(n), Uids: us, Weights: ws})))
		}
		for _, r := range h.block(txs...) {
			if r.Code != 0 {
				b.Fatal(r.Log)
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		forceEpochs()
		h.height++
		b.StartTimer()
		start := time.Now()
		if _, err := h.app.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: h.height, Time: time.Unix(1700000000+h.height, 0), ProposerAddress: proposer}); err != nil {
			b.Fatal(err)
		}
		h.app.Commit(context.Background(), &abci.CommitRequest{})
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/block")
	}
}
