package metagraph_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/metagraph"
	"github.com/gotensor/gotensor/node/nodetest"
)

type counting struct {
	*client.Client
	calls atomic.Int64
}

func (c *counting) Metagraph(ctx context.Context, netuid uint16, h int64, full bool) (api.Metagraph, error) {
	c.calls.Add(1)
	return c.Client.Metagraph(ctx, netuid, h, full)
}

func TestMetagraphAgainstRealNode(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{BlockTime: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{n.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := keys.FromURI("//Alice")
	owner, _ := keys.FromURI("//Alice/owner")
	miner, _ := keys.FromURI("//Alice/miner")
	for _, step := range []struct {
		signer *keys.Keypair
		call   *txpb.Call
	}{
		{alice, client.RegisterNetwork(owner.SS58(), nil)},
		{alice, client.BurnedRegister(1, miner.SS58())},
		{miner, client.ServeAxon(1, 1, []byte{10, 0, 0, 7}, 8091, 4)},
		// TAO on root counts, weighted by TaoWeight, in the miner's total stake.
		{alice, client.AddStake(miner.SS58(), 0, 1000*1e9, 0, false)},
	} {
		if _, err := c.Submit(ctx, step.signer, step.call, client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
			t.Fatal(err)
		}
	}
	src := &counting{Client: c}
	m := metagraph.New(src, 1, metagraph.Full)
	if changed, err := m.Sync(ctx); err != nil || !changed {
		t.Fatalf("first sync: %v %v", changed, err)
	}
	if m.N() != 2 {
		t.Fatalf("n = %d", m.N())
	}
	uid, ok := m.UID(miner.Public())
	if !ok || uid != 1 {
		t.Fatalf("miner uid %d %v", uid, ok)
	}
	ax, ok := m.Axon(uid)
	if !ok || ax.IP != "10.0.0.7" || ax.Port != 8091 || ax.Hotkey != miner.Public() || ax.Coldkey != alice.Public() {
		t.Fatalf("axon %+v %v", ax, ok)
	}
	params, err := c.StakingParams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ppm, fromChain := m.TaoWeightPPM(); ppm != params.TaoWeightPPM || !fromChain {
		t.Fatalf("tao weight %d (from chain %v), chain has %d", ppm, fromChain, params.TaoWeightPPM)
	}
	d := m.Data()
	if d.RootStake[uid] == 0 {
		t.Fatal("the miner's root stake is not in the metagraph")
	}
	want := d.Stake[uid] + d.RootStake[uid]*params.TaoWeightPPM/1_000_000
	if info, ok := m.Caller(miner.Public()); !ok || info.UID != 1 || info.Stake != want || m.TotalStake(uid) != want {
		t.Fatalf("caller %+v %v, total stake %d; want stake %d (alpha %d + root %d × %d ppm)", info, ok, m.TotalStake(uid), want, d.Stake[uid], d.RootStake[uid], params.TaoWeightPPM)
	}
	if _, ok := m.Caller(alice.Public()); ok {
		t.Fatal("an unregistered hotkey is a caller")
	}
	if d := m.Data(); d.Weights == nil || len(d.Hotkeys) != 2 {
		t.Fatal("full metagraph without weights")
	}
	// TaoWeight comes with the metagraph query: the sync was one round trip.
	if got := src.calls.Load(); got != 1 {
		t.Fatalf("first sync took %d queries", got)
	}
	// Sync refetches only when the chain moved.
	for i := 0; i < 5; i++ {
		calls, block := src.calls.Load(), m.Block()
		changed, err := m.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch got := src.calls.Load() - calls; {
		case !changed && got != 0:
			t.Fatal("refetched without a new block")
		case changed && (got != 1 || m.Block() <= block):
			t.Fatalf("changed: %d fetches, block %d -> %d", got, block, m.Block())
		}
	}
	// Save and load.
	path := filepath.Join(t.TempDir(), "mg.json")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2 := metagraph.New(src, 1, metagraph.Lite)
	if err := m2.Load(path); err != nil {
		t.Fatal(err)
	}
	if m2.N() != 2 || m2.Block() != m.Block() {
		t.Fatalf("loaded n=%d block=%d", m2.N(), m2.Block())
	}
	if ppm, fromChain := m2.TaoWeightPPM(); ppm != params.TaoWeightPPM || !fromChain || m2.TotalStake(uid) != m.TotalStake(uid) {
		t.Fatalf("loaded tao weight %d %v, total stake %d, saved %d", ppm, fromChain, m2.TotalStake(uid), m.TotalStake(uid))
	}
	if err := metagraph.New(src, 2, metagraph.Lite).Load(path); err == nil {
		t.Fatal("loaded another subnet's file")
	}
	// A file saved before files carried TaoWeight gets the documented fallback.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var old map[string]any
	if err := json.Unmarshal(raw, &old); err != nil {
		t.Fatal(err)
	}
	delete(old, "tao_weight_ppm")
	raw, _ = json.Marshal(old)
	oldPath := filepath.Join(t.TempDir(), "old.json")
	if err := os.WriteFile(oldPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	m3 := metagraph.New(src, 1, metagraph.Lite)
	if err := m3.Load(oldPath); err != nil {
		t.Fatal(err)
	}
	if ppm, fromChain := m3.TaoWeightPPM(); ppm != metagraph.FallbackTaoWeightPPM || fromChain {
		t.Fatalf("old file: tao weight %d, from chain %v", ppm, fromChain)
	}
}

func TestTotalStakes(t *testing.T) {
	const max = ^uint64(0)
	d := api.Metagraph{Netuid: 3,
		Stake:     []uint64{0, 5_000, 1_000_000_000, max - 10, 7},
		RootStake: []uint64{1_000_000, 0, 3_000_000_000, 1_000_000, 0},
	}
	got := metagraph.TotalStakes(d, 180_000)
	want := []uint64{180_000, 5_000, 1_000_000_000 + 540_000_000, max, 7}
	if !slices.Equal(got, want) {
		t.Fatalf("total stakes %v, want %v", got, want)
	}
	// On root, stake is the TAO staked there; TaoWeight does not apply.
	d.Netuid = 0
	if got := metagraph.TotalStakes(d, 180_000); !slices.Equal(got, d.Stake) {
		t.Fatalf("root total stakes %v, want %v", got, d.Stake)
	}
	// A TaoWeight of 0 leaves alpha alone; 1 (10⁶ ppm) counts TAO fully.
	d.Netuid = 3
	if got := metagraph.TotalStakes(d, 0); !slices.Equal(got, d.Stake) {
		t.Fatalf("tao weight 0: %v", got)
	}
	if got := metagraph.TotalStakes(d, 1_000_000); got[2] != 4_000_000_000 {
		t.Fatalf("tao weight 1: %v", got)
	}
}

func TestWatchSyncsOncePerNewBlock(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{BlockTime: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{n.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	src := &counting{Client: c}
	m := metagraph.New(src, 0, metagraph.Lite)

	// Fed by hand with real heights, a repeated or older block costs no query.
	sub := c.SubscribeBlocks(ctx)
	b := <-sub
	blocks, synced := make(chan client.Block), make(chan error, 16)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Watch(wctx, blocks, func(err error) { synced <- err }) }()
	for _, h := range []int64{b.Height, b.Height, b.Height - 1} {
		blocks <- client.Block{Height: h}
	}
	blocks <- client.Block{Height: b.Height} // handed over only once the one before was handled
	if err := <-synced; err != nil {
		t.Fatal(err)
	}
	if m.Block() != b.Height || src.calls.Load() != 1 || len(synced) != 0 {
		t.Fatalf("block %d after %d queries and %d more syncs; want block %d, 1 query", m.Block(), src.calls.Load(), len(synced), b.Height)
	}
	stop()
	if err := <-done; err != context.Canceled {
		t.Fatalf("watch returned %v after its context ended", err)
	}

	// Driven by the subscription: one query per block, at that block. The
	// callback holds Watch until the test has looked.
	wctx, stop = context.WithCancel(ctx)
	defer stop()
	ack := make(chan struct{})
	go func() {
		done <- m.Watch(wctx, sub, func(err error) {
			synced <- err
			select {
			case <-ack:
			case <-wctx.Done():
			}
		})
	}()
	calls, last := src.calls.Load(), m.Block()
	for i := 0; i < 5; i++ {
		if err := <-synced; err != nil {
			t.Fatal(err)
		}
		if m.Block() <= last {
			t.Fatalf("sync %d at block %d after %d", i, m.Block(), last)
		}
		last = m.Block()
		if i < 4 {
			ack <- struct{}{}
		}
	}
	if got := src.calls.Load() - calls; got != 5 {
		t.Fatalf("%d queries for 5 syncs", got)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("watch returned %v after its context ended", err)
	}
}
