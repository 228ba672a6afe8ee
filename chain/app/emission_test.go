package app

import (
	"cmp"
	"slices"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

func TestBlockEmissionHalving(t *testing.T) {
	const tao = balances.RAOPerTAO
	cases := []struct{ issuance, want uint64 }{
		{0, tao}, {10_499_999 * tao, tao}, {10_500_000 * tao, tao / 2},
		{15_750_000 * tao, tao / 4}, {21_000_000 * tao, 0},
	}
	for _, c := range cases {
		if got := coinbase.BlockEmission(c.issuance); got != c.want {
			t.Errorf("emission at %d: %d, want %d", c.issuance, got, c.want)
		}
	}
}

// emissionNet: subnet 1 owned by Alice (owner hotkey keyN(100)), three
// validators with stakes 1000/2000/3000 TAO and five miners, direct weights.
func emissionNet(t *testing.T) (*harness, []*keys.Keypair, []*keys.Keypair) {
	h := stakingHarness(t, 1)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "weights_set_rate_limit", Value: 0})
	var vals, miners []*keys.Keypair
	for i := 0; i < 3; i++ {
		vals = append(vals, keyN(1000+i))
	}
	for i := 0; i < 5; i++ {
		miners = append(miners, keyN(2000+i))
	}
	// Bob, not the owner, registers them: the owner coldkey's hotkeys earn
	// no miner incentive (§11.5).
	bob := dev(t, "Bob")
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100_000 * balances.RAOPerTAO})
	for _, k := range append(append([]*keys.Keypair{}, vals...), miners...) {
		h.ok(bob, &txpb.BurnedRegister{Netuid: 1, Hotkey: k.SS58()})
	}
	for i, v := range vals {
		// Each validator's coldkey is itself (funded by sudo), so its
		// nominators are just itself.
		h.ok(alice, &txpb.SudoSetBalance{Who: v.SS58(), Free: 10_000 * balances.RAOPerTAO})
		h.okc(alice, &txpb.AddStake{Hotkey: v.SS58(), Netuid: 1, Amount: uint64(i+1) * 1000 * balances.RAOPerTAO})
	}
	return h, vals, miners
}

func TestEpochPaysMinersByWeightAndValidatorsDividends(t *testing.T) {
	h, vals, miners := emissionNet(t)
	issuance0 := balances.TotalIssuance(h.app.tree)
	staked0 := map[keys.PublicKey]uint64{}
	for _, v := range vals {
		staked0[v.Public()] = staking.TotalHotkeyAlpha(h.app.tree, v.Public(), 1)
	}
	height0 := h.height
	// Wait for an epoch to hand out validator permits.
	sched := epoch.GetSchedule(h.app.tree, 1)
	for epoch.GetSchedule(h.app.tree, 1).EpochIndex == sched.EpochIndex {
		h.block()
	}
	uidOf := func(k *keys.Keypair) uint32 {
		u, _ := neurons.UID(h.app.tree, 1, k.Public())
		return uint32(u)
	}
	var uids []uint32
	var ws []uint32
	for i, m := range miners {
		uids = append(uids, uidOf(m))
		ws = append(ws, uint32(1000*(i+1))) // miner i gets weight ∝ i+1
	}
	for _, v := range vals {
		if !epoch.GetResult(h.app.tree, 1, uint16(uidOf(v))).Permit {
			t.Fatalf("validator %s has no permit after an epoch", v.SS58())
		}
		h.ok(v, &txpb.SetWeights{Netuid: 1, Uids: uids, Weights: ws})
	}
	// Run five epochs.
	for k := 0; k < 5; k++ {
		start := epoch.GetSchedule(h.app.tree, 1).EpochIndex
		for epoch.GetSchedule(h.app.tree, 1).EpochIndex == start {
			h.block()
		}
		checkSupply(t, h)
	}
	// Miners' incentive (stake on the miner hotkey for its owner, Bob)
	// grows with weight.
	prev := uint64(0)
	for i, m := range miners {
		got := staking.Stake(h.app.tree, m.Public(), 1, dev(t, "Bob").Public())
		if got <= prev {
			t.Fatalf("miner %d (weight %d) earned %d, not more than the previous %d", i, ws[i], got, prev)
		}
		prev = got
		r := epoch.GetResult(h.app.tree, 1, uint16(uidOf(m)))
		if r.Incentive == 0 || r.Emission == 0 {
			t.Fatalf("miner %d result %+v", i, r)
		}
	}
	// Validators earned dividends, more for more alpha stake (the first
	// 1000 TAO into a 100 TAO pool bought far more alpha than the later,
	// larger stakes: dividends follow alpha, not TAO spent).
	slices.SortFunc(vals, func(a, b *keys.Keypair) int {
		return cmp.Compare(staking.TotalHotkeyAlpha(h.app.tree, a.Public(), 1), staking.TotalHotkeyAlpha(h.app.tree, b.Public(), 1))
	})
	var prevDiv uint64
	for i, v := range vals {
		grown := staking.TotalHotkeyAlpha(h.app.tree, v.Public(), 1) - staked0[v.Public()]
		r := epoch.GetResult(h.app.tree, 1, uint16(uidOf(v)))
		if r.Dividends == 0 || grown == 0 {
			t.Fatalf("validator %d: dividends %d, stake grew %d", i, r.Dividends, grown)
		}
		if uint64(r.Dividends) <= prevDiv {
			t.Fatalf("validator %d (more stake) has dividends %d ≤ %d", i, r.Dividends, prevDiv)
		}
		prevDiv = uint64(r.Dividends)
	}
	// Owner cut went to the owner hotkey as stake.
	sn, _ := subnets.Get(h.app.tree, 1)
	if staking.Stake(h.app.tree, sn.OwnerHotkey, 1, sn.Owner) == 0 {
		t.Fatal("no owner cut")
	}
	// Issuance grew by exactly one block emission per block (nothing burned TAO here).
	blocks := uint64(h.height - height0)
	if got := balances.TotalIssuance(h.app.tree) - issuance0; got != blocks*coinbase.BlockEmission(issuance0) {
		t.Fatalf("issuance grew %d over %d blocks, want %d", got, blocks, blocks*coinbase.BlockEmission(issuance0))
	}
}

func TestSetWeightsChecks(t *testing.T) {
	h, vals, miners := emissionNet(t)
	alice := dev(t, "Alice")
	m0, _ := neurons.UID(h.app.tree, 1, miners[0].Public())
	// No permit before the first epoch.
	h.fails(vals[0], &txpb.SetWeights{Netuid: 1, Uids: []uint32{uint32(m0)}, Weights: []uint32{1}}, epoch.ErrNeuronNoValidatorPermit)
	start := epoch.GetSchedule(h.app.tree, 1).EpochIndex
	for epoch.GetSchedule(h.app.tree, 1).EpochIndex == start {
		h.block()
	}
	v := vals[0]
	cases := []struct {
		c    *txpb.SetWeights
		want interface{ Error() string }
	}{
		{&txpb.SetWeights{Netuid: 0, Uids: []uint32{0}, Weights: []uint32{1}}, epoch.ErrCanNotSetRootNetworkWeights},
		{&txpb.SetWeights{Netuid: 1, Uids: []uint32{1, 2}, Weights: []uint32{1}}, epoch.ErrWeightVecNotEqualSize},
		{&txpb.SetWeights{Netuid: 1, Uids: []uint32{uint32(m0), uint32(m0)}, Weights: []uint32{1, 1}}, epoch.ErrDuplicateUids},
		{&txpb.SetWeights{Netuid: 1, Uids: []uint32{200}, Weights: []uint32{1}}, epoch.ErrUidVecContainInvalidOne},
		{&txpb.SetWeights{Netuid: 1, Uids: []uint32{uint32(m0)}, Weights: []uint32{70000}}, epoch.ErrMaxWeightExceeded},
	}
	for _, c := range cases {
		h.fails(v, c.c, c.want.(*errsError))
	}
	h.fails(miners[0], &txpb.SetWeights{Netuid: 1, Uids: []uint32{0}, Weights: []uint32{1}}, epoch.ErrNeuronNoValidatorPermit)
	h.fails(keyN(77), &txpb.SetWeights{Netuid: 1, Uids: []uint32{0}, Weights: []uint32{1}}, epoch.ErrHotKeyNotRegisteredInSubNet)
	// Version key and rate limit.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "weights_version_key", Value: 5})
	h.fails(v, &txpb.SetWeights{Netuid: 1, Uids: []uint32{uint32(m0)}, Weights: []uint32{1}, VersionKey: 4}, epoch.ErrIncorrectWeightVersionKey)
	h.ok(v, &txpb.SetWeights{Netuid: 1, Uids: []uint32{uint32(m0)}, Weights: []uint32{1}, VersionKey: 5})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "weights_set_rate_limit", Value: 50})
	log := h.fails(v, &txpb.SetWeights{Netuid: 1, Uids: []uint32{uint32(m0)}, Weights: []uint32{1}, VersionKey: 5}, epoch.ErrSettingWeightsTooFast)
	if !contains([]byte(log), "next allowed at block") {
		t.Fatal(log)
	}
	// With commit-reveal on, set_weights is refused.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 1})
	h.fails(vals[1], &txpb.SetWeights{Netuid: 1, Uids: []uint32{uint32(m0)}, Weights: []uint32{1}}, epoch.ErrCommitRevealEnabled)
}

func TestCommitReveal(t *testing.T) {
	h, vals, miners := emissionNet(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 1})
	start := epoch.GetSchedule(h.app.tree, 1).EpochIndex
	for epoch.GetSchedule(h.app.tree, 1).EpochIndex == start {
		h.block()
	}
	v := vals[2]
	m, _ := neurons.UID(h.app.tree, 1, miners[3].Public())
	uids, ws, salt := []uint16{m}, []uint16{500}, []uint16{7, 8, 9}
	hash := epoch.CommitHash(v.Public(), 1, uids, ws, salt, 0)
	reveal := &txpb.RevealWeights{Netuid: 1, Uids: []uint32{uint32(m)}, Weights: []uint32{500}, Salt: []uint32{7, 8, 9}}
	h.fails(v, reveal, epoch.ErrNoWeightsCommitFound)
	h.ok(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash[:]})
	var pending []api.WeightCommit
	h.query("/subnets/1/weight_commits/"+v.SS58(), &pending)
	if len(pending) != 1 || pending[0].RevealEpoch != pending[0].Epoch+1 || pending[0].Expired {
		t.Fatalf("pending commits %+v", pending)
	}
	h.fails(v, reveal, epoch.ErrRevealTooEarly)
	wrong := &txpb.RevealWeights{Netuid: 1, Uids: []uint32{uint32(m)}, Weights: []uint32{501}, Salt: []uint32{7, 8, 9}}
	cur := epoch.GetSchedule(h.app.tree, 1).EpochIndex
	for epoch.GetSchedule(h.app.tree, 1).EpochIndex == cur {
		h.block()
	}
	h.fails(v, wrong, epoch.ErrInvalidRevealCommitHash)
	h.ok(v, reveal)
	vu, _ := neurons.UID(h.app.tree, 1, v.Public())
	if row := epoch.Weights(h.app.tree, 1, vu); len(row) != 1 || row[0].UID != m || row[0].Value != 65535 {
		t.Fatalf("revealed row %+v", row)
	}
	// A commit not revealed in its window expires.
	hash2 := epoch.CommitHash(v.Public(), 1, uids, []uint16{9}, salt, 0)
	h.ok(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash2[:]})
	for i := 0; i < 2; i++ {
		cur := epoch.GetSchedule(h.app.tree, 1).EpochIndex
		for epoch.GetSchedule(h.app.tree, 1).EpochIndex == cur {
			h.block()
		}
	}
	h.fails(v, &txpb.RevealWeights{Netuid: 1, Uids: []uint32{uint32(m)}, Weights: []uint32{9}, Salt: []uint32{7, 8, 9}}, epoch.ErrExpiredWeightCommit)
}

func TestMetagraphQuery(t *testing.T) {
	h, _, miners := emissionNet(t)
	start := epoch.GetSchedule(h.app.tree, 1).EpochIndex
	for epoch.GetSchedule(h.app.tree, 1).EpochIndex == start {
		h.block()
	}
	var m api.Metagraph
	h.query("/subnets/1/metagraph_full", &m)
	if m.N != 9 || len(m.Hotkeys) != 9 || len(m.Weights) != 9 || m.Hotkeys[0] != keyN(100).SS58() {
		t.Fatalf("metagraph n=%d hotkeys=%d weights=%d", m.N, len(m.Hotkeys), len(m.Weights))
	}
	if m.NextEpochBlock <= uint64(h.height) || m.Tempo == 0 {
		t.Fatalf("next epoch %d at height %d", m.NextEpochBlock, h.height)
	}
	u, _ := neurons.UID(h.app.tree, 1, miners[0].Public())
	if m.Coldkeys[u] != dev(t, "Bob").SS58() || !m.ValidatorPermit[1] {
		t.Fatalf("columns: coldkey %s permit %v", m.Coldkeys[u], m.ValidatorPermit)
	}
	var lite api.Metagraph
	h.query("/subnets/1/metagraph", &lite)
	if lite.Weights != nil {
		t.Fatal("lite metagraph carries weights")
	}
}

// Registration counts as an update: a new uid waits the rate limit before
// its first weights (§8).
func TestNewUIDWaitsTheWeightsRateLimit(t *testing.T) {
	h, _, miners := emissionNet(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "weights_set_rate_limit", Value: 1000})
	u, _ := neurons.UID(h.app.tree, 1, miners[0].Public())
	h.fails(miners[0], &txpb.SetWeights{Netuid: 1, Uids: []uint32{uint32(u)}, Weights: []uint32{1}}, epoch.ErrSettingWeightsTooFast)
}

// Free calls are applied to the mempool's view: a second set_weights from a
// hotkey within the rate limit is refused by CheckTx, not left to fail for
// free in a block.
func TestFreeCallsRateLimitedInMempool(t *testing.T) {
	h, vals, miners := emissionNet(t)
	alice := dev(t, "Alice")
	m0, _ := neurons.UID(h.app.tree, 1, miners[0].Public())
	start := epoch.GetSchedule(h.app.tree, 1).EpochIndex
	for epoch.GetSchedule(h.app.tree, 1).EpochIndex == start {
		h.block()
	}
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "weights_set_rate_limit", Value: 50})
	v := vals[0]
	for range 55 { // past the rate limit since the validator's last weights
		h.block()
	}
	n := h.nonce(v)
	w := &txpb.SetWeights{Netuid: 1, Uids: []uint32{uint32(m0)}, Weights: []uint32{1}}
	first, second := h.sign(v, n, call(w)), h.sign(v, n+1, call(w))
	if r := h.check(first); r.Code != 0 {
		t.Fatalf("first set_weights refused: %s", r.Log)
	}
	r := h.check(second)
	if got, _ := errs.Lookup(r.Codespace, r.Code); got != epoch.ErrSettingWeightsTooFast {
		t.Fatalf("second set_weights in the mempool: code %s/%d %q, want SettingWeightsTooFast", r.Codespace, r.Code, r.Log)
	}
	// The first still lands; the mempool's view does not change the block's.
	if res := h.block(first); res[0].Code != 0 {
		t.Fatalf("first set_weights in the block: %s", res[0].Log)
	}
}
