package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// fullSubnet commits a 256-uid subnet 1 like the SDK's Sync256 benchmark:
// 64 staked validators with permits weighting every uid, bonds from an
// epoch, axons on every third hotkey, and a few uids never updated.
func fullSubnet(tb testing.TB) *harness {
	tb.Helper()
	const uids, vals = 256, 64
	h := newHarness(tb)
	alice, bob := dev(tb, "Alice"), dev(tb, "Bob")
	h.ok(alice, &txpb.SudoSetBalance{Who: alice.SS58(), Free: 10_000_000 * balances.RAOPerTAO})
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1_000_000 * balances.RAOPerTAO})
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(100).SS58()})
	h.ok(alice, &txpb.StartCall{Netuid: 1})
	for _, hp := range []struct {
		name string
		v    uint64
	}{{"max_registrations_per_block", 300}, {"max_burn", balances.RAOPerTAO/10 + 1}, {"weights_set_rate_limit", 0}, {"tempo", 1000}} {
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: hp.name, Value: hp.v})
	}
	var hot []*keys.Keypair
	var txs [][]byte
	nonce := h.nonce(bob)
	for i := 1; i < uids; i++ {
		kp := keyN(10_000 + i)
		hot = append(hot, kp)
		txs = append(txs, h.sign(bob, nonce, call(&txpb.BurnedRegister{Netuid: 1, Hotkey: kp.SS58()})))
		nonce++
	}
	h.mustBlock(txs...)
	txs = txs[:0]
	nonce = h.nonce(alice)
	for i := 0; i < vals; i++ {
		txs = append(txs, h.sign(alice, nonce, stakeCall(&txpb.AddStake{Hotkey: hot[i].SS58(), Netuid: 1, Amount: balances.RAOPerTAO})))
		nonce++
		txs = append(txs, h.sign(alice, nonce, transfer(hot[i].SS58(), balances.RAOPerTAO)))
		nonce++
	}
	h.mustBlock(txs...)
	h.forceEpoch(1)
	var us, ws []uint32
	for u := 0; u < uids; u++ {
		us, ws = append(us, uint32(u)), append(ws, uint32(1+u))
	}
	txs = txs[:0]
	for i := 0; i < vals; i++ {
		txs = append(txs, h.sign(hot[i], h.nonce(hot[i]), call(&txpb.SetWeights{Netuid: 1, Uids: us, Weights: ws})))
	}
	h.mustBlock(txs...)
	h.forceEpoch(1) // bonds
	txs = txs[:0]
	for i := 0; i < vals; i += 3 {
		txs = append(txs, h.sign(hot[i], h.nonce(hot[i]), call(&txpb.ServeAxon{Netuid: 1, Version: uint32(i), Ip: []byte{10, 0, byte(i >> 8), byte(i)}, Port: uint32(8000 + i), IpType: 4, Protocol: 4})))
	}
	h.mustBlock(txs...)
	return h
}

func (h *harness) mustBlock(txs ...[]byte) {
	h.t.Helper()
	for i, r := range h.block(txs...) {
		if r.Code != 0 {
			h.t.Fatalf("tx %d: %s", i, r.Log)
		}
	}
}

// forceEpoch runs netuid's epoch in the next block.
func (h *harness) forceEpoch(netuid uint16) {
	s := epoch.GetSchedule(h.app.tree, netuid)
	s.PendingEpochAt = uint64(h.height + 1)
	epoch.PutSchedule(h.app.tree, netuid, s)
	h.block()
}

func (h *harness) rawQuery(tb testing.TB, path string) []byte {
	tb.Helper()
	r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: path})
	if err != nil || r.Code != 0 {
		tb.Fatalf("query %s: %v %s", path, err, r.Log)
	}
	return r.Value
}

// BenchmarkMetagraphQuery measures the node's side of a metagraph sync of
// a 256-uid subnet (64 validators weighting every uid) through App.Query:
// "cold" builds and encodes the answer (the first query at a height),
// "warm" is a repeat at the same height, served from the memo. "params" is
// the smallest query, for the ratio.
func BenchmarkMetagraphQuery(b *testing.B) {
	h := fullSubnet(b)
	for _, q := range []struct {
		name, path string
		cold       bool
	}{
		{"params", PathParams, false},
		{"lite-cold", "/subnets/1/metagraph", true},
		{"full-cold", "/subnets/1/metagraph_full", true},
		{"lite-warm", "/subnets/1/metagraph", false},
		{"full-warm", "/subnets/1/metagraph_full", false},
	} {
		b.Run(q.name, func(b *testing.B) {
			size := 0
			for b.Loop() {
				if q.cold {
					h.app.metagraphs.reset()
				}
				size = len(h.rawQuery(b, q.path))
			}
			b.ReportMetric(float64(size), "B/answer")
		})
	}
}

// metagraphByLookups is the metagraph as it was built before the prefix
// reads: one lookup per uid and table. The fast path must agree with it.
func metagraphByLookups(snap *store.Snapshot, netuid uint16, full bool) api.Metagraph {
	h := subnets.Hyper(snap, netuid)
	all := neurons.All(snap, netuid)
	n := len(all)
	s := epoch.GetSchedule(snap, netuid)
	p := pools.Get(snap, netuid)
	pend := coinbase.GetPending(snap, netuid)
	m := api.Metagraph{
		Netuid: netuid, Block: snap.Version(), N: n, Tempo: h.Tempo,
		NextEpochBlock: epoch.NextEpochBlock(snap, netuid), EpochIndex: s.EpochIndex,
		TaoWeightPPM: staking.GetParams(snap).TaoWeightPPM,
		Hotkeys:      make([]string, n), Coldkeys: make([]string, n), Active: make([]bool, n), ValidatorPermit: make([]bool, n),
		Stake: make([]uint64, n), RootStake: make([]uint64, n), StakeWeight: make([]uint16, n), Rank: make([]uint16, n),
		Trust: make([]uint16, n), Consensus: make([]uint16, n), Incentive: make([]uint16, n), Dividends: make([]uint16, n),
		ValidatorTrust: make([]uint16, n), Emission: make([]uint64, n), LastUpdate: make([]uint64, n),
		RegisteredAt: make([]uint64, n), Axons: make([]*api.Endpoint, n),
		Pool: api.Pool{TAO: p.TAO, AlphaIn: p.AlphaIn, AlphaOut: p.AlphaOut,
			Price: swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn}.Price().String(), MovingPrice: p.MovingPrice.Fixed().String()},
		Pending: api.PendingEmission{Server: pend.Server, Validator: pend.Validator, Root: pend.Root, OwnerCut: pend.OwnerCut},
	}
	if full {
		m.Weights, m.Bonds = make([][][2]uint16, n), make([][][2]uint16, n)
	}
	for i, nr := range all {
		uid := uint16(i)
		r := epoch.GetResult(snap, netuid, uid)
		m.Hotkeys[i] = nr.Hotkey.SS58()
		if ck, ok := neurons.Owner(snap, nr.Hotkey); ok {
			m.Coldkeys[i] = ck.SS58()
		}
		m.Active[i], m.ValidatorPermit[i] = r.Active, r.Permit
		m.Stake[i] = staking.TotalHotkeyAlpha(snap, nr.Hotkey, netuid)
		m.RootStake[i] = staking.TotalHotkeyAlpha(snap, nr.Hotkey, subnets.RootNetuid)
		m.StakeWeight[i], m.Rank[i], m.Trust[i], m.Consensus[i] = r.StakeWeight, r.Rank, r.Trust, r.Consensus
		m.Incentive[i], m.Dividends[i], m.ValidatorTrust[i], m.Emission[i] = r.Incentive, r.Dividends, r.ValidatorTrust, r.Emission
		m.LastUpdate[i] = epoch.LastUpdate(snap, netuid, uid)
		if m.LastUpdate[i] == 0 {
			m.LastUpdate[i] = nr.RegisteredAt
		}
		m.RegisteredAt[i] = nr.RegisteredAt
		if a, ok := neurons.Axon(snap, netuid, nr.Hotkey); ok {
			m.Axons[i] = endpointView(a.Block, a.Version, a.IP, a.Port, a.IPType, a.Protocol)
		}
		if full {
			m.Weights[i] = pairs(epoch.Weights(snap, netuid, uid))
			m.Bonds[i] = pairs(epoch.Bonds(snap, netuid, uid))
		}
	}
	return m
}

// TestMetagraphMatchesLookups holds the prefix-read metagraph and its
// hand encoding to the per-uid build and encoding/json, on a full subnet
// and on a fresh one (one uid, no weights, bonds or axons).
func TestMetagraphMatchesLookups(t *testing.T) {
	h := fullSubnet(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(200).SS58()})
	snap, err := h.app.tree.At(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, netuid := range []uint16{1, 2} {
		for _, full := range []bool{false, true} {
			want := metagraphByLookups(snap, netuid, full)
			got := metagraph(snap, netuid, full)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("subnet %d full=%v: prefix reads differ from per-uid lookups", netuid, full)
			}
			if netuid == 1 && (got.N != 256 || full && (len(got.Weights[1]) != 256 || len(got.Bonds[1]) == 0)) {
				t.Fatalf("subnet 1: %d uids, uid 1 has %d weights and %d bonds", got.N, len(got.Weights[1]), len(got.Bonds[1]))
			}
			wantJSON, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("/subnets/%d/metagraph", netuid)
			if full {
				path += "_full"
			}
			for range 2 { // built, then from the memo
				if gotJSON := h.rawQuery(t, path); !bytes.Equal(gotJSON, wantJSON) {
					t.Fatalf("%s: answer differs from encoding/json:\n got %.300s\nwant %.300s", path, gotJSON, wantJSON)
				}
			}
		}
	}
}

// TestAppendMetagraphEscapes covers what a real subnet never has: strings
// that need escaping, nil columns and rows.
func TestAppendMetagraphEscapes(t *testing.T) {
	m := api.Metagraph{N: 2, TaoWeightPPM: 180_000, Hotkeys: []string{"a<b>\"\u00e9", "plain"}, Active: []bool{true, false},
		Weights: [][][2]uint16{nil, {}, {{1, 2}}}, Axons: []*api.Endpoint{nil, {IP: "::1", Port: 1}},
		Pool: api.Pool{Price: "1.5"}}
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := appendMetagraph(nil, &m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if n := reflect.TypeFor[api.Metagraph]().NumField(); n != 28 {
		t.Fatalf("api.Metagraph has %d fields; appendMetagraph writes 28: add the new ones to it", n)
	}
}

// TestMetagraphMemoFollowsHeight checks a new block's query is built at
// the new height, not served from the previous height's memo.
func TestMetagraphMemoFollowsHeight(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(100).SS58()})
	var before, after api.Metagraph
	h.query("/subnets/1/metagraph", &before)
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(101).SS58()})
	h.query("/subnets/1/metagraph", &after)
	if after.Block <= before.Block || after.N != before.N+1 {
		t.Fatalf("after a registration: block %d→%d, n %d→%d", before.Block, after.Block, before.N, after.N)
	}
	r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: "/subnets/1/metagraph", Height: before.Block})
	if err != nil || r.Code != 0 {
		t.Fatalf("query at %d: %v %s", before.Block, err, r.Log)
	}
	var old api.Metagraph
	if err := json.Unmarshal(r.Value, &old); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(old, before) {
		t.Fatalf("query at height %d differs from the answer given then", before.Block)
	}
}
