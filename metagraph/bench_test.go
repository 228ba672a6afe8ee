package metagraph_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/metagraph"
	"github.com/gotensor/gotensor/node/nodetest"
)

const (
	benchUIDs       = 256
	benchValidators = 64 // max_allowed_validators: every one holds a permit and weights all uids
	rao             = 1_000_000_000
)

// BenchmarkSync256 syncs a 256-uid subnet from a real localnet node over
// loopback: 64 staked validators with permits, each weighting all 256 uids,
// so the full metagraph carries a 64×256 weight matrix and its bonds.
// Reported per sub-benchmark: ns/op, queries/op (round trips: the
// metagraph query, which carries TaoWeight too) and
// B/metagraph (heap a synced metagraph holds). "baseline" is the smallest
// ABCI query (/staking/params) on the same node, for the ratio.
func BenchmarkSync256(b *testing.B) {
	n := nodetest.Start(b, nodetest.Options{BlockTime: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{n.RPC}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	const netuid = 1
	fill256(b, ctx, c, netuid)

	b.Run("baseline", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			if _, err := c.StakingParams(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(1, "queries/op")
	})
	for _, mode := range []struct {
		name string
		mode metagraph.Mode
	}{{"lite", metagraph.Lite}, {"full", metagraph.Full}} {
		b.Run(mode.name, func(b *testing.B) {
			src := &counting{Client: c}
			m := metagraph.New(src, netuid, mode.mode)
			if err := m.SyncAt(ctx, 0); err != nil {
				b.Fatal(err)
			}
			if m.N() != benchUIDs {
				b.Fatalf("%d uids", m.N())
			}
			calls, cpu := src.calls.Load(), cpuTime()
			for b.Loop() {
				if err := m.SyncAt(ctx, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(src.calls.Load()-calls)/float64(b.N), "queries/op")
			b.ReportMetric(heapPerMetagraph(b, m, mode.mode), "B/metagraph")
		})
	}
}

// cpuTime is the CPU time this process (client and in-process node) has
// used: on a shared machine it says what a sync costs better than ns/op,
// which includes waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapPerMetagraph is the live heap each of 64 metagraphs holds, loaded
// from a file of m: the same in-memory form as a sync, without the node's
// allocations during 64 queries blurring the difference.
func heapPerMetagraph(b *testing.B, m *metagraph.Metagraph, mode metagraph.Mode) float64 {
	const k = 64
	path := filepath.Join(b.TempDir(), "mg.json")
	if err := m.Save(path); err != nil {
		b.Fatal(err)
	}
	var before, after runtime.MemStats
	ms := make([]*metagraph.Metagraph, k)
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range ms {
		ms[i] = metagraph.New(nil, m.Netuid(), mode)
		if err := ms[i].Load(path); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ms)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / k
}

// fill256 makes subnet netuid a full 256-uid subnet whose validators have
// permits and have set weights on every uid.
func fill256(b *testing.B, ctx context.Context, c *client.Client, netuid uint16) {
	alice, _ := keys.FromURI("//Alice") // localnet's sudo key and the subnet owner's coldkey
	owner, _ := keys.FromURI("//Alice/owner")
	final := client.SubmitOptions{Wait: client.WaitFinal}
	must := func(signer *keys.Keypair, call *txpb.Call, o client.SubmitOptions) {
		b.Helper()
		if _, err := c.Submit(ctx, signer, call, o); err != nil {
			b.Fatal(err)
		}
	}
	must(alice, client.RegisterNetwork(owner.SS58(), nil), final)
	must(alice, client.StartCall(netuid), final) // staking needs a started subnet
	for _, hp := range []struct {
		name string
		v    uint64
	}{
		{"max_registrations_per_block", benchUIDs}, // sudo: localnet allows 4
		{"max_burn", rao/10 + 1},                   // registration cost climbs with every one
		{"weights_set_rate_limit", 0},
	} {
		must(alice, client.SetHyperparameter(netuid, hp.name, hp.v), final)
	}
	hot := make([]*keys.Keypair, benchUIDs-1) // uid 0 is the owner's hotkey
	for i := range hot {
		hot[i], _ = keys.FromURI(fmt.Sprintf("//Alice/bench/%d", i))
	}
	// Mempool-only waits pipeline the transactions; the last one waits for its block.
	batch := func(signer func(i int) *keys.Keypair, call func(i int) *txpb.Call, count int) {
		for i := 0; i < count; i++ {
			o := client.SubmitOptions{}
			if i == count-1 {
				o = final
			}
			must(signer(i), call(i), o)
		}
	}
	byAlice := func(int) *keys.Keypair { return alice }
	batch(byAlice, func(i int) *txpb.Call { return client.BurnedRegister(netuid, hot[i].SS58()) }, len(hot))
	batch(byAlice, func(i int) *txpb.Call { return client.AddStake(hot[i].SS58(), netuid, 10*rao, 0, false) }, benchValidators-1)
	batch(byAlice, func(i int) *txpb.Call { return client.Transfer(hot[i].SS58(), rao) }, benchValidators-1) // fees
	m := metagraph.New(c, netuid, metagraph.Lite)
	waitFor(b, ctx, m, "256 uids and 64 validator permits", func(d api.Metagraph) bool {
		permits := 0
		for _, p := range d.ValidatorPermit {
			if p {
				permits++
			}
		}
		return d.N == benchUIDs && permits == benchValidators
	})
	uids, weights := make([]uint16, benchUIDs), make([]uint16, benchUIDs)
	for i := range uids {
		uids[i], weights[i] = uint16(i), uint16(1+i)
	}
	for i := 0; i < benchValidators-1; i++ {
		must(hot[i], client.SetWeights(netuid, uids, weights, 0), client.SubmitOptions{})
	}
	must(owner, client.SetWeights(netuid, uids, weights, 0), final)
	full := metagraph.New(c, netuid, metagraph.Full)
	waitFor(b, ctx, full, "64 weight rows and bonds", func(d api.Metagraph) bool {
		rows, bonds := 0, 0
		for i := range d.Weights {
			if len(d.Weights[i]) == benchUIDs {
				rows++
			}
			if len(d.Bonds[i]) > 0 {
				bonds++
			}
		}
		return rows == benchValidators && bonds > 0
	})
}

func waitFor(b *testing.B, ctx context.Context, m *metagraph.Metagraph, what string, ok func(api.Metagraph) bool) {
	b.Helper()
	for {
		if err := m.SyncAt(ctx, 0); err != nil {
			b.Fatal(err)
		}
		if ok(m.Data()) {
			return
		}
		select {
		case <-ctx.Done():
			d := m.Data()
			b.Fatalf("waiting for %s: at block %d, %d uids", what, d.Block, d.N)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
