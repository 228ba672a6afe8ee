package app

import (
	"slices"
	"testing"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/chain/yuma"
	"github.com/gotensor/gotensor/keys"
)

// waitEpoch runs blocks until subnet netuid's epoch index moves.
func (h *harness) waitEpoch(netuid uint16) {
	start := epoch.GetSchedule(h.app.tree, netuid).EpochIndex
	for epoch.GetSchedule(h.app.tree, netuid).EpochIndex == start {
		h.block()
	}
}

// TestSetWeightsChecksTable covers the §6.1 checks TestSetWeightsChecks leaves out, each
// refused call leaving the row and last update as they were: more uids than the subnet
// has, the stake threshold (the owner exempt), min_allowed_weights, max_weights_limit as a
// share of the total, the self-weight exemptions (no permit, below min_allowed_weights),
// an unknown subnet; then the commit checks: hash size, commit-reveal off, the rate
// limit naming the block, and at most 10 pending commits.
func TestSetWeightsChecksTable(t *testing.T) {
	h, vals, miners := emissionNet(t)
	alice := dev(t, "Alice")
	h.waitEpoch(1)
	uid := func(k *keys.Keypair) uint32 {
		u, ok := neurons.UID(h.app.tree, 1, k.Public())
		if !ok {
			t.Fatalf("%s not registered", k.SS58())
		}
		return uint32(u)
	}
	var ms []uint32
	for _, m := range miners {
		ms = append(ms, uid(m))
	}
	v := vals[0]
	vu := uint16(uid(v))
	h.ok(v, &txpb.SetWeights{Netuid: 1, Uids: ms[:2], Weights: []uint32{1, 2}})
	row0, last0 := epoch.Weights(h.app.tree, 1, vu), epoch.LastUpdate(h.app.tree, 1, vu)
	unchanged := func(what string) {
		t.Helper()
		if row, last := epoch.Weights(h.app.tree, 1, vu), epoch.LastUpdate(h.app.tree, 1, vu); !slices.Equal(row, row0) || last != last0 {
			t.Fatalf("%s changed the row %v → %v or last update %d → %d", what, row0, row, last0, last)
		}
	}
	n := uint32(neurons.Count(h.app.tree, 1))
	tooMany := make([]uint32, n+1)
	for i := range tooMany {
		tooMany[i] = uint32(i)
	}
	for _, c := range []struct {
		name string
		c    *txpb.SetWeights
		want *errs.Error
	}{
		{"more uids than the subnet", &txpb.SetWeights{Netuid: 1, Uids: tooMany, Weights: make([]uint32, n+1)}, epoch.ErrUidsLengthExceedUids},
		{"unknown subnet", &txpb.SetWeights{Netuid: 7, Uids: ms[:1], Weights: []uint32{1}}, epoch.ErrSubnetNotExists},
	} {
		h.fails(v, c.c, c.want)
		unchanged(c.name)
	}

	// min_allowed_weights: 3 weights needed; a self-weight is exempt.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "min_allowed_weights", Value: 3})
	h.fails(v, &txpb.SetWeights{Netuid: 1, Uids: ms[:2], Weights: []uint32{1, 2}}, epoch.ErrWeightVecLengthIsLow)
	unchanged("too few weights")
	h.ok(v, &txpb.SetWeights{Netuid: 1, Uids: ms[:3], Weights: []uint32{1, 2, 3}})
	if row := epoch.Weights(h.app.tree, 1, vu); len(row) != 3 || row[2].Value != 65535 || row[0].Value != 21845 {
		t.Fatalf("stored row %v, want max-upscaled [21845 43690 65535]", row)
	}
	// A miner without a permit may weight only itself, and below min_allowed_weights.
	m0 := miners[0]
	h.fails(m0, &txpb.SetWeights{Netuid: 1, Uids: ms[1:4], Weights: []uint32{1, 1, 1}}, epoch.ErrNeuronNoValidatorPermit)
	h.ok(m0, &txpb.SetWeights{Netuid: 1, Uids: ms[:1], Weights: []uint32{7}})
	if row := epoch.Weights(h.app.tree, 1, uint16(ms[0])); !slices.Equal(row, yuma.Row{{UID: uint16(ms[0]), Value: 65535}}) {
		t.Fatalf("self-weight row %v", row)
	}
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "min_allowed_weights", Value: 1})

	// max_weights_limit: the largest weight at most half of the total.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_weights_limit", Value: 32768})
	row0, last0 = epoch.Weights(h.app.tree, 1, vu), epoch.LastUpdate(h.app.tree, 1, vu)
	log := h.fails(v, &txpb.SetWeights{Netuid: 1, Uids: ms[:2], Weights: []uint32{65535, 1000}}, epoch.ErrMaxWeightExceeded)
	if !contains([]byte(log), "limit 32768/65535") {
		t.Fatalf("max weight error does not name the limit: %s", log)
	}
	unchanged("a weight above max_weights_limit")
	h.ok(v, &txpb.SetWeights{Netuid: 1, Uids: ms[:2], Weights: []uint32{500, 500}})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_weights_limit", Value: 65535})

	// stake_threshold: above every validator's stake weight; the owner hotkey is exempt.
	row0, last0 = epoch.Weights(h.app.tree, 1, vu), epoch.LastUpdate(h.app.tree, 1, vu)
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "stake_threshold", Value: 20_000_000 * balances.RAOPerTAO})
	h.fails(v, &txpb.SetWeights{Netuid: 1, Uids: ms[:2], Weights: []uint32{1, 2}}, epoch.ErrNotEnoughStakeToSetWeights)
	unchanged("stake below stake_threshold")
	h.ok(keyN(100), &txpb.SetWeights{Netuid: 1, Uids: ms[:2], Weights: []uint32{1, 2}})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "stake_threshold", Value: 0})

	// Commits.
	hash := epoch.CommitHash(v.Public(), 1, []uint16{uint16(ms[0])}, []uint16{1}, []uint16{1}, 0)
	h.fails(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash[:]}, epoch.ErrCommitRevealDisabled)
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 1})
	h.fails(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash[:31]}, epoch.ErrInvalidCommitHash)
	h.ok(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash[:]})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "weights_set_rate_limit", Value: 30})
	log = h.fails(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash[:]}, epoch.ErrCommittingWeightsTooFast)
	if !contains([]byte(log), "next allowed at block") {
		t.Fatalf("commit rate limit error does not name the block: %s", log)
	}
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "weights_set_rate_limit", Value: 0})
	for range epoch.MaxUnrevealedCommits - 1 {
		h.ok(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash[:]})
	}
	if got := len(epoch.Commits(h.app.tree, 1, v.Public())); got != epoch.MaxUnrevealedCommits {
		t.Fatalf("%d pending commits, want %d", got, epoch.MaxUnrevealedCommits)
	}
	h.fails(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash[:]}, epoch.ErrTooManyUnrevealedCommits)
	if got := len(epoch.Commits(h.app.tree, 1, v.Public())); got != epoch.MaxUnrevealedCommits {
		t.Fatalf("a refused commit left %d pending commits", got)
	}
}

// TestRevealFindsLiveCommitBehindExpiredTwin: the same commit made in two consecutive
// epochs (same weights and salt); when the first has expired, revealing matches the second,
// still in its window, instead of failing with ExpiredWeightCommit (the reference sets the
// expired commits aside before it looks for the hash).
func TestRevealFindsLiveCommitBehindExpiredTwin(t *testing.T) {
	h, vals, miners := emissionNet(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 1})
	h.waitEpoch(1)
	v := vals[1]
	m, _ := neurons.UID(h.app.tree, 1, miners[2].Public())
	hash := epoch.CommitHash(v.Public(), 1, []uint16{m}, []uint16{300}, []uint16{4, 2}, 0)
	reveal := &txpb.RevealWeights{Netuid: 1, Uids: []uint32{uint32(m)}, Weights: []uint32{300}, Salt: []uint32{4, 2}}
	h.ok(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash[:]})
	h.waitEpoch(1)
	h.ok(v, &txpb.CommitWeights{Netuid: 1, CommitHash: hash[:]})
	h.waitEpoch(1)
	h.ok(v, reveal)
	vu, _ := neurons.UID(h.app.tree, 1, v.Public())
	if row := epoch.Weights(h.app.tree, 1, vu); !slices.Equal(row, yuma.Row{{UID: m, Value: 65535}}) {
		t.Fatalf("revealed row %v", row)
	}
	if cs := epoch.Commits(h.app.tree, 1, v.Public()); len(cs) != 0 {
		t.Fatalf("commits left after the reveal: %+v", cs)
	}
	// Both gone now: a second reveal finds no commit.
	h.fails(v, reveal, epoch.ErrNoWeightsCommitFound)
}

// TestBondsResetOnCommitment: with bonds_reset_enabled on, a hotkey that sets a
// commitment loses every bond held on its uid (the reference resets the column on a
// metadata commitment); with it off, or for other uids, bonds stay.
func TestBondsResetOnCommitment(t *testing.T) {
	h, vals, miners := emissionNet(t)
	alice := dev(t, "Alice")
	h.waitEpoch(1)
	var us, ws []uint32
	for i, m := range miners {
		u, _ := neurons.UID(h.app.tree, 1, m.Public())
		us, ws = append(us, uint32(u)), append(ws, uint32(1000*(i+1)))
	}
	for _, v := range vals {
		h.ok(v, &txpb.SetWeights{Netuid: 1, Uids: us, Weights: ws})
	}
	h.waitEpoch(1)
	h.waitEpoch(1)
	for _, m := range miners[:2] { // set_commitment pays a fee
		h.ok(alice, &txpb.SudoSetBalance{Who: m.SS58(), Free: balances.RAOPerTAO})
	}
	bondsOn := func(uid uint16) int {
		n := 0
		for i := range neurons.Count(h.app.tree, 1) {
			for _, b := range epoch.Bonds(h.app.tree, 1, i) {
				if b.UID == uid {
					n++
				}
			}
		}
		return n
	}
	m0, m1 := uint16(us[0]), uint16(us[1])
	if bondsOn(m0) != len(vals) || bondsOn(m1) != len(vals) {
		t.Fatalf("before: %d and %d validators hold bonds on uids %d and %d, want %d", bondsOn(m0), bondsOn(m1), m0, m1, len(vals))
	}
	// Off (the default): a commitment changes no bond.
	h.ok(miners[1], &txpb.SetCommitment{Netuid: 1, Data: []byte("model v1")})
	if bondsOn(m1) != len(vals) {
		t.Fatalf("bonds_reset_enabled off: a commitment removed bonds on uid %d", m1)
	}
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "bonds_reset_enabled", Value: 1})
	h.ok(miners[0], &txpb.SetCommitment{Netuid: 1, Data: []byte("model v2")})
	if bondsOn(m0) != 0 || bondsOn(m1) != len(vals) {
		t.Fatalf("after uid %d's commitment: bonds on it %d (want 0), on uid %d %d (want %d)", m0, bondsOn(m0), m1, bondsOn(m1), len(vals))
	}
}
