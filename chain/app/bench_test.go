package app

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/keys"
)

// BenchmarkBlockOfTransfers measures CheckTx plus FinalizeBlock and Commit
// of 1000 signed transfers from 100 senders, per transaction, next to
// BenchmarkVerify (one sr25519 verification) in the same run.
func BenchmarkBlockOfTransfers(b *testing.B) {
	h := newHarness(b)
	alice := dev(b, "Alice")
	var senders []*keys.Keypair
	var fund [][]byte
	for i := 0; i < 100; i++ {
		var seed [32]byte
		binary.BigEndian.PutUint32(seed[:], uint32(i+1))
		kp, _ := keys.FromSeed(seed)
		senders = append(senders, kp)
		fund = append(fund, h.sign(alice, uint64(i), transfer(kp.SS58(), 5*balances.RAOPerTAO)))
	}
	h.block(fund...)
	dest := dev(b, "Dave").SS58()
	nonce := uint64(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var txs [][]byte
		for k := 0; k < 10; k++ {
			for _, s := range senders {
				txs = append(txs, h.sign(s, nonce+uint64(k), transfer(dest, 1000)))
			}
		}
		nonce += 10
		b.StartTimer()
		for _, raw := range txs {
			if r := h.check(raw); r.Code != 0 {
				b.Fatal(r.Log)
			}
		}
		h.height++
		resp, err := h.app.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: h.height, Txs: txs, Time: time.Unix(1700000000+h.height, 0), ProposerAddress: proposer})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range resp.TxResults {
			if r.Code != 0 {
				b.Fatal(r.Log)
			}
		}
		h.app.Commit(context.Background(), &abci.CommitRequest{})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/tx")
}

func BenchmarkVerify(b *testing.B) {
	kp := dev(b, "Alice")
	msg := make([]byte, 150)
	sig, _ := kp.Sign(msg)
	for b.Loop() {
		keys.Verify(kp.Public(), msg, sig)
	}
}
