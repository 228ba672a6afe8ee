package neurons

import (
	"fmt"
	"slices"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/keys"
)

// Events.
const (
	EventNeuronRegistered = "neurons.NeuronRegistered"
	EventNeuronReplaced   = "neurons.NeuronReplaced"
	EventAxonServed       = "neurons.AxonServed"
	EventPrometheusServed = "neurons.PrometheusServed"
	EventCommitmentSet    = "neurons.CommitmentSet"
)

// Hooks let modules that keep per-uid state (weights, bonds) clear it when
// a uid changes hands; registration wires them.
type Hooks interface {
	// UIDReplaced is called after uid on netuid got a new hotkey.
	UIDReplaced(kv store.KV, netuid, uid uint16)
}

// immortal returns the uids that can never be pruned (§4.3 HEAD): the
// owner hotkey, then owner-coldkey hotkeys by ascending registration block,
// owner_immune_neuron_limit in total.
func immortal(r store.Reader, sn subnets.Subnet, h subnets.Hyperparams, all []Neuron) map[uint16]bool {
	out := map[uint16]bool{}
	limit := int(h.ImmuneOwnerUidsLimit)
	if uid, ok := UID(r, sn.Netuid, sn.OwnerHotkey); ok {
		out[uid] = true
	}
	var owned []Neuron
	for _, n := range all {
		if out[n.UID] {
			continue
		}
		if o, ok := Owner(r, n.Hotkey); ok && o == sn.Owner {
			owned = append(owned, n)
		}
	}
	slices.SortStableFunc(owned, func(a, b Neuron) int { return cmpU64(a.RegisteredAt, b.RegisteredAt) })
	for _, n := range owned {
		if len(out) >= limit {
			break
		}
		out[n.UID] = true
	}
	return out
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PruneChoice explains which uid a registration on a full subnet replaces.
type PruneChoice struct {
	UID      uint16 `json:"uid"`
	Immune   bool   `json:"immune"`
	Emission uint64 `json:"emission,string"`
	Reason   string `json:"reason"`
}

// NeuronToPrune picks the uid a registration replaces on a full subnet
// (§4.3 HEAD): skip immortal uids; among the rest, the lowest emission, then
// the earliest registration, then the lowest uid, separately for
// non-immune and immune uids; the non-immune choice only when more than
// min_non_immune_uids are non-immune, else the immune one.
func NeuronToPrune(r store.Reader, sn subnets.Subnet, h subnets.Hyperparams, now uint64) (PruneChoice, error) {
	all := All(r, sn.Netuid)
	skip := immortal(r, sn, h, all)
	better := func(a, b Neuron) bool {
		if a.Emission != b.Emission {
			return a.Emission < b.Emission
		}
		if a.RegisteredAt != b.RegisteredAt {
			return a.RegisteredAt < b.RegisteredAt
		}
		return a.UID < b.UID
	}
	var bestFree, bestImmune *Neuron
	nonImmune := 0
	for i := range all {
		n := &all[i]
		if skip[n.UID] {
			continue
		}
		immune := now-min(now, n.RegisteredAt) < h.ImmunityPeriod
		if immune {
			if bestImmune == nil || better(*n, *bestImmune) {
				bestImmune = n
			}
			continue
		}
		nonImmune++
		if bestFree == nil || better(*n, *bestFree) {
			bestFree = n
		}
	}
	switch {
	case bestFree != nil && uint64(nonImmune) > h.MinNonImmuneUids:
		return PruneChoice{UID: bestFree.UID, Emission: bestFree.Emission,
			Reason: fmt.Sprintf("lowest emission (%d) among %d non-immune uids", bestFree.Emission, nonImmune)}, nil
	case bestImmune != nil:
		return PruneChoice{UID: bestImmune.UID, Immune: true, Emission: bestImmune.Emission,
			Reason: fmt.Sprintf("only %d non-immune uids (min_non_immune_uids %d): lowest emission among immune uids", nonImmune, h.MinNonImmuneUids)}, nil
	case bestFree != nil:
		return PruneChoice{UID: bestFree.UID, Emission: bestFree.Emission,
			Reason: fmt.Sprintf("lowest emission (%d); no immune uid to take instead", bestFree.Emission)}, nil
	}
	return PruneChoice{}, fmt.Errorf("%w: subnet %d has %d uids, all immortal", ErrNoNeuronIdAvailable, sn.Netuid, len(all))
}

// Append adds hotkey as the next uid.
func Append(e *env.Env, kv store.KV, netuid uint16, hotkey keys.PublicKey) uint16 {
	uid := Count(kv, netuid)
	Put(kv, netuid, Neuron{UID: uid, Hotkey: hotkey, RegisteredAt: uint64(e.Block.Height)})
	kv.Set(uidKey(netuid, hotkey), u16(uid))
	kv.Set(countKey(netuid), codec.U64(uint64(uid)+1))
	e.Events.Emit(EventNeuronRegistered, env.U64("netuid", uint64(netuid)), env.U64("uid", uint64(uid)), env.Account("hotkey", hotkey))
	return uid
}

// Replace gives uid to hotkey, clearing what §4.3 lists: the old hotkey's
// uid map, axon, prometheus endpoint and commitment, and the uid's epoch
// results; hooks clear weights and bonds. Stake is untouched.
func Replace(e *env.Env, kv store.KV, netuid uint16, choice PruneChoice, hotkey keys.PublicKey, hooks Hooks) {
	uid := choice.UID
	old, ok := Get(kv, netuid, uid)
	if !ok {
		panic(fmt.Sprintf("neurons: replacing missing uid %d on subnet %d", uid, netuid))
	}
	kv.Delete(uidKey(netuid, old.Hotkey))
	kv.Delete(axonKey(netuid, old.Hotkey))
	kv.Delete(promKey(netuid, old.Hotkey))
	kv.Delete(commitmentKey(netuid, old.Hotkey))
	Put(kv, netuid, Neuron{UID: uid, Hotkey: hotkey, RegisteredAt: uint64(e.Block.Height)})
	kv.Set(uidKey(netuid, hotkey), u16(uid))
	if hooks != nil {
		hooks.UIDReplaced(kv, netuid, uid)
	}
	e.Events.Emit(EventNeuronReplaced, env.U64("netuid", uint64(netuid)), env.U64("uid", uint64(uid)),
		env.Account("old_hotkey", old.Hotkey), env.Account("hotkey", hotkey), env.U64("old_registered_at", old.RegisteredAt),
		env.U64("old_emission", old.Emission), env.Str("immune", fmt.Sprint(choice.Immune)), env.Str("reason", choice.Reason))
	e.Events.Emit(EventNeuronRegistered, env.U64("netuid", uint64(netuid)), env.U64("uid", uint64(uid)), env.Account("hotkey", hotkey))
}
