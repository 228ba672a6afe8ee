package app

import (
	"fmt"
	"slices"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// txEvents returns a result's events of type typ as attribute maps, in order.
func txEvents(r *abci.ExecTxResult, typ string) []map[string]string {
	var out []map[string]string
	for _, e := range r.Events {
		if e.Type != typ {
			continue
		}
		m := map[string]string{}
		for _, a := range e.Attributes {
			m[a.Key] = a.Value
		}
		out = append(out, m)
	}
	return out
}

// batchNet is emissionNet after one epoch (the validators hold permits), with
// the miners' uids and the first validator's uid.
func batchNet(t *testing.T) (*harness, *keys.Keypair, uint16, []uint32) {
	h, vals, miners := emissionNet(t)
	h.waitEpoch(1)
	var ms []uint32
	for _, m := range miners {
		u, ok := neurons.UID(h.app.tree, 1, m.Public())
		if !ok {
			t.Fatalf("miner %s not registered", m.SS58())
		}
		ms = append(ms, uint32(u))
	}
	vu, _ := neurons.UID(h.app.tree, 1, vals[0].Public())
	if !epoch.GetResult(h.app.tree, 1, vu).Permit {
		t.Fatal("validator 0 has no permit after an epoch")
	}
	return h, vals[0], vu, ms
}

// TestBatchSetWeights: each item runs as set_weights; a failing item emits
// BatchWeightItemFailed with its index, netuid and §17 error name, the others still
// apply, and the call succeeds (free: the validator's balance does not move). Unequal
// lengths and an oversized batch fail the whole call; CheckTx refuses a batch none of
// whose items would apply.
func TestBatchSetWeights(t *testing.T) {
	h, v, vu, ms := batchNet(t)
	alice := dev(t, "Alice")
	w := func(uids []uint32, vals ...uint32) *txpb.WeightVector {
		return &txpb.WeightVector{Uids: uids, Weights: vals}
	}
	good := w(ms[:2], 1, 2)

	// Success: every item applies; the last item on a subnet is the stored row.
	free0 := h.free(v)
	r := h.run(v, &txpb.BatchSetWeights{Netuids: []uint32{1, 1}, Weights: []*txpb.WeightVector{good, w(ms[:3], 3, 2, 1)}, VersionKeys: []uint64{0, 0}})
	if r.Code != 0 {
		t.Fatalf("batch: %s", r.Log)
	}
	if got := txEvents(r, epoch.EventBatchWeightsCompleted); len(got) != 1 || got[0]["netuids"] != "1,1" {
		t.Fatalf("BatchWeightsCompleted events %v", got)
	}
	if got := txEvents(r, epoch.EventWeightsSet); len(got) != 2 {
		t.Fatalf("WeightsSet events %v, want 2", got)
	}
	if row := epoch.Weights(h.app.tree, 1, vu); len(row) != 3 || row[0].Value != 65535 || row[2].Value != 21845 {
		t.Fatalf("stored row %v, want the second item's, max-upscaled", row)
	}
	if h.free(v) != free0 {
		t.Fatalf("batch_set_weights charged %d RAO; it is free", free0-h.free(v))
	}

	// Per-item failures, each next to a good item that still applies.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "weights_version_key", Value: 5})
	for _, c := range []struct {
		name   string
		netuid uint32
		row    *txpb.WeightVector
		vk     uint64
		want   *errs.Error
	}{
		{"unknown subnet", 9, good, 5, epoch.ErrSubnetNotExists},
		{"netuid beyond u16", 70000, good, 5, epoch.ErrSubnetNotExists},
		{"root", 0, good, 5, epoch.ErrCanNotSetRootNetworkWeights},
		{"uids and weights differ", 1, w(ms[:2], 1), 5, epoch.ErrWeightVecNotEqualSize},
		{"duplicate uids", 1, w([]uint32{ms[0], ms[0]}, 1, 2), 5, epoch.ErrDuplicateUids},
		{"uid not on the subnet", 1, w([]uint32{ms[0], 250}, 1, 2), 5, epoch.ErrUidVecContainInvalidOne},
		{"old version key", 1, good, 4, epoch.ErrIncorrectWeightVersionKey},
		{"weight over u16", 1, w(ms[:2], 1, 70000), 5, epoch.ErrMaxWeightExceeded},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.run(v, &txpb.BatchSetWeights{Netuids: []uint32{c.netuid, 1}, Weights: []*txpb.WeightVector{c.row, w(ms[:4], 4, 3, 2, 1)}, VersionKeys: []uint64{c.vk, 5}})
			if r.Code != 0 {
				t.Fatalf("a failing item failed the call: %s", r.Log)
			}
			failed := txEvents(r, epoch.EventBatchWeightItemFailed)
			if len(failed) != 1 || failed[0]["index"] != "0" || failed[0]["netuid"] != fmt.Sprint(c.netuid) || failed[0]["error"] != c.want.Name {
				t.Fatalf("BatchWeightItemFailed %v, want item 0 netuid %d %s", failed, c.netuid, c.want.Name)
			}
			if len(txEvents(r, epoch.EventBatchCompletedWithErrors)) != 1 || len(txEvents(r, epoch.EventBatchWeightsCompleted)) != 0 {
				t.Fatalf("want BatchCompletedWithErrors only: %v", r.Events)
			}
			if row := epoch.Weights(h.app.tree, 1, vu); len(row) != 4 {
				t.Fatalf("the good item did not apply: row %v", row)
			}
		})
	}

	// Commit-reveal on: the item fails with CommitRevealEnabled (set_weights' rule).
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 1})
	r = h.run(v, &txpb.BatchSetWeights{Netuids: []uint32{1}, Weights: []*txpb.WeightVector{good}, VersionKeys: []uint64{5}})
	if f := txEvents(r, epoch.EventBatchWeightItemFailed); r.Code != 0 || len(f) != 1 || f[0]["error"] != epoch.ErrCommitRevealEnabled.Name {
		t.Fatalf("commit-reveal subnet: code %d %s, events %v", r.Code, r.Log, f)
	}
	// ... and CheckTx refuses that batch: no item would apply.
	raw := h.sign(v, h.nonce(v), call(&txpb.BatchSetWeights{Netuids: []uint32{1}, Weights: []*txpb.WeightVector{good}, VersionKeys: []uint64{5}}))
	if c := h.check(raw); c.Code == 0 {
		t.Fatal("CheckTx admitted a batch none of whose items applies")
	} else if got, _ := errs.Lookup(c.Codespace, c.Code); got != epoch.ErrCommitRevealEnabled {
		t.Fatalf("CheckTx: %s/%d %s", c.Codespace, c.Code, c.Log)
	}
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 0})

	// Whole-call failures.
	h.fails(v, &txpb.BatchSetWeights{Netuids: []uint32{1, 1}, Weights: []*txpb.WeightVector{good}, VersionKeys: []uint64{5, 5}}, epoch.ErrInputLengthsUnequal)
	h.fails(v, &txpb.BatchSetWeights{Netuids: []uint32{1}, Weights: []*txpb.WeightVector{good}, VersionKeys: nil}, epoch.ErrInputLengthsUnequal)
	n := epoch.MaxBatchItems + 1
	big := &txpb.BatchSetWeights{Netuids: make([]uint32, n), Weights: make([]*txpb.WeightVector, n), VersionKeys: make([]uint64, n)}
	for i := range n {
		big.Netuids[i], big.Weights[i], big.VersionKeys[i] = 1, good, 5
	}
	h.fails(v, big, epoch.ErrBatchTooLarge)
}

// TestBatchCommitAndRevealWeights: batch_commit_weights commits per item (a bad item is
// reported, the rest commit); batch_reveal_weights reveals several commits on one subnet
// in any order, all or nothing, with each §17 reveal error failing the whole call and
// leaving the commits in place.
func TestBatchCommitAndRevealWeights(t *testing.T) {
	h, v, vu, ms := batchNet(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 1})
	hash := func(uids, vals, salt []uint16) []byte {
		x := epoch.CommitHash(v.Public(), 1, uids, vals, salt, 0)
		return x[:]
	}
	u16 := func(xs []uint32) []uint16 {
		out := make([]uint16, len(xs))
		for i, x := range xs {
			out[i] = uint16(x)
		}
		return out
	}
	a := []uint16{1, 2}
	b := []uint16{5, 1, 9}
	ha, hb := hash(u16(ms[:2]), a, []uint16{7}), hash(u16(ms[:3]), b, []uint16{8})

	// Commit checks per item.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 1})
	r := h.run(v, &txpb.BatchCommitWeights{Netuids: []uint32{1, 9, 1, 1}, CommitHashes: [][]byte{ha, ha, ha[:5], hb}})
	if r.Code != 0 {
		t.Fatalf("batch commit: %s", r.Log)
	}
	f := txEvents(r, epoch.EventBatchWeightItemFailed)
	if len(f) != 2 || f[0]["index"] != "1" || f[0]["error"] != epoch.ErrSubnetNotExists.Name || f[1]["index"] != "2" || f[1]["error"] != epoch.ErrInvalidCommitHash.Name {
		t.Fatalf("item failures %v", f)
	}
	if cs := epoch.Commits(h.app.tree, 1, v.Public()); len(cs) != 2 || string(cs[0].Hash) != string(ha) || string(cs[1].Hash) != string(hb) {
		t.Fatalf("commits %v, want a then b", cs)
	}
	h.fails(v, &txpb.BatchCommitWeights{Netuids: []uint32{1, 1}, CommitHashes: [][]byte{ha}}, epoch.ErrInputLengthsUnequal)

	wv := func(uids []uint32, vals []uint16) *txpb.WeightVector {
		out := &txpb.WeightVector{Uids: uids}
		for _, x := range vals {
			out.Weights = append(out.Weights, uint32(x))
		}
		return out
	}
	salt := func(s uint32) *txpb.U16Vector { return &txpb.U16Vector{Values: []uint32{s}} }
	both := &txpb.BatchRevealWeights{Netuid: 1, Weights: []*txpb.WeightVector{wv(ms[:3], b), wv(ms[:2], a)},
		Salts: []*txpb.U16Vector{salt(8), salt(7)}, VersionKeys: []uint64{0, 0}}
	kept := func(what string) {
		t.Helper()
		if cs := epoch.Commits(h.app.tree, 1, v.Public()); len(cs) != 2 {
			t.Fatalf("%s: commits %v, want both kept", what, cs)
		}
	}
	// Same epoch as the commit: too early, nothing revealed.
	h.fails(v, both, epoch.ErrRevealTooEarly)
	kept("too early")
	h.waitEpoch(1)
	for _, c := range []struct {
		name string
		c    *txpb.BatchRevealWeights
		want *errs.Error
	}{
		{"lengths", &txpb.BatchRevealWeights{Netuid: 1, Weights: both.Weights, Salts: both.Salts[:1], VersionKeys: both.VersionKeys}, epoch.ErrInputLengthsUnequal},
		{"one wrong salt", &txpb.BatchRevealWeights{Netuid: 1, Weights: both.Weights, Salts: []*txpb.U16Vector{salt(8), salt(6)}, VersionKeys: both.VersionKeys}, epoch.ErrInvalidRevealCommitHash},
		{"other subnet", &txpb.BatchRevealWeights{Netuid: 9, Weights: both.Weights, Salts: both.Salts, VersionKeys: both.VersionKeys}, epoch.ErrSubnetNotExists},
	} {
		h.fails(v, c.c, c.want)
		kept(c.name)
	}
	// Both reveal, newer first (the batch removes only the matched commits).
	r = h.run(v, both)
	if r.Code != 0 {
		t.Fatalf("batch reveal: %s", r.Log)
	}
	if got := txEvents(r, epoch.EventWeightsBatchRevealed); len(got) != 1 || got[0]["hashes"] != fmt.Sprintf("%x,%x", hb, ha) {
		t.Fatalf("WeightsBatchRevealed %v", got)
	}
	if cs := epoch.Commits(h.app.tree, 1, v.Public()); len(cs) != 0 {
		t.Fatalf("commits left %v", cs)
	}
	if row := epoch.Weights(h.app.tree, 1, vu); len(row) != 2 || row[1].Value != 65535 {
		t.Fatalf("stored row %v, want the last reveal's", row)
	}
	h.fails(v, both, epoch.ErrNoWeightsCommitFound)

	// Expired: a commit revealed two epochs later.
	h.ok(v, &txpb.BatchCommitWeights{Netuids: []uint32{1}, CommitHashes: [][]byte{ha}})
	h.waitEpoch(1)
	h.waitEpoch(1)
	h.fails(v, &txpb.BatchRevealWeights{Netuid: 1, Weights: both.Weights[1:], Salts: both.Salts[1:], VersionKeys: []uint64{0}}, epoch.ErrExpiredWeightCommit)
	// Commit-reveal off: CommitRevealDisabled for both batch calls' items.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 0})
	h.fails(v, &txpb.BatchRevealWeights{Netuid: 1, Weights: both.Weights[1:], Salts: both.Salts[1:], VersionKeys: []uint64{0}}, epoch.ErrCommitRevealDisabled)
	r = h.block(h.sign(v, h.nonce(v), call(&txpb.BatchCommitWeights{Netuids: []uint32{1}, CommitHashes: [][]byte{ha}})))[0]
	if f := txEvents(r, epoch.EventBatchWeightItemFailed); r.Code != 0 || len(f) != 1 || f[0]["error"] != epoch.ErrCommitRevealDisabled.Name {
		t.Fatalf("commit with commit-reveal off: %d %s %v", r.Code, r.Log, f)
	}
	if !slices.ContainsFunc(r.Events, func(e abci.Event) bool { return e.Type == epoch.EventBatchCompletedWithErrors }) {
		t.Fatal("no BatchCompletedWithErrors")
	}
}
