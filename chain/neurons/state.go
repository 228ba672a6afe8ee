package neurons

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// Neuron is one uid's record.
type Neuron struct {
	UID          uint16         `json:"uid"`
	Hotkey       keys.PublicKey `json:"hotkey"`
	RegisteredAt uint64         `json:"registered_at"`
	// Emission is the uid's last epoch emission (RAO of alpha); pruning
	// replaces the lowest.
	Emission uint64 `json:"emission,string"`
}

// AxonInfo is a served axon endpoint (reference §5, §2.6).
type AxonInfo struct {
	Block    uint64 `json:"block"`
	Version  uint32 `json:"version"`
	IP       []byte `json:"ip"` // 4 or 16 bytes
	Port     uint16 `json:"port"`
	IPType   uint8  `json:"ip_type"`
	Protocol uint8  `json:"protocol"`
}

// PrometheusInfo is a served metrics endpoint.
type PrometheusInfo struct {
	Block   uint64 `json:"block"`
	Version uint32 `json:"version"`
	IP      []byte `json:"ip"`
	Port    uint16 `json:"port"`
	IPType  uint8  `json:"ip_type"`
}

// Commitment is data a hotkey published on a subnet.
type Commitment struct {
	Block uint64 `json:"block"`
	Data  []byte `json:"data"`
}

// Count is the number of uids on a subnet.
func Count(r store.Reader, netuid uint16) uint16 {
	v, err := codec.ParseU64(r.Get(countKey(netuid)))
	if err != nil || v > 65535 {
		panic(fmt.Sprintf("neurons: corrupt count of subnet %d", netuid))
	}
	return uint16(v)
}

// Get returns the neuron at uid.
func Get(r store.Reader, netuid, uid uint16) (Neuron, bool) {
	var n Neuron
	ok := store.GetJSON(r, neuronKey(netuid, uid), &n)
	return n, ok
}

// Put stores a neuron record.
func Put(kv store.KV, netuid uint16, n Neuron) { store.SetJSON(kv, neuronKey(netuid, n.UID), n) }

// UID returns the uid of hotkey on netuid.
func UID(r store.Reader, netuid uint16, hk keys.PublicKey) (uint16, bool) {
	b := r.Get(uidKey(netuid, hk))
	if len(b) != 2 {
		return 0, false
	}
	return uint16(b[0])<<8 | uint16(b[1]), true
}

// All returns every neuron of a subnet in uid order (≤ 256 on a subnet).
func All(r store.Reader, netuid uint16) []Neuron {
	n := Count(r, netuid)
	out := make([]Neuron, 0, n)
	for uid := uint16(0); uid < n; uid++ {
		nr, ok := Get(r, netuid, uid)
		if !ok {
			panic(fmt.Sprintf("neurons: subnet %d uid %d missing below count %d", netuid, uid, n))
		}
		out = append(out, nr)
	}
	return out
}

// Owner returns the coldkey that owns hotkey.
func Owner(r store.Reader, hk keys.PublicKey) (keys.PublicKey, bool) {
	b := r.Get(ownerKey(hk))
	if len(b) != 32 {
		return keys.PublicKey{}, false
	}
	return keys.PublicKey(b), true
}

// ClaimHotkey makes coldkey the owner of hotkey if it has none; it fails
// when another coldkey owns it.
func ClaimHotkey(kv store.KV, coldkey, hotkey keys.PublicKey) error {
	if owner, ok := Owner(kv, hotkey); ok {
		if owner != coldkey {
			return fmt.Errorf("%w: %s is owned by %s", ErrNonAssociatedColdKey, hotkey.SS58(), owner.SS58())
		}
		return nil
	}
	kv.Set(ownerKey(hotkey), coldkey[:])
	kv.Set(ownedKey(coldkey, hotkey), []byte{})
	return nil
}

// CheckHotkeyOwner fails when hotkey is owned by a coldkey other than coldkey.
func CheckHotkeyOwner(r store.Reader, coldkey, hotkey keys.PublicKey) error {
	if owner, ok := Owner(r, hotkey); ok && owner != coldkey {
		return fmt.Errorf("%w: %s is owned by %s", ErrNonAssociatedColdKey, hotkey.SS58(), owner.SS58())
	}
	return nil
}

// OwnedHotkeys lists the hotkeys a coldkey owns, in key order, at most limit.
func OwnedHotkeys(r store.Reader, coldkey keys.PublicKey, limit int) []keys.PublicKey {
	p := ownedPrefix(coldkey)
	var out []keys.PublicKey
	r.Iterate(p, store.PrefixEnd(p), func(k, _ []byte) bool {
		out = append(out, keys.PublicKey(k[len(p):]))
		return len(out) < limit
	})
	return out
}

// Axon returns a hotkey's served axon on netuid.
func Axon(r store.Reader, netuid uint16, hk keys.PublicKey) (AxonInfo, bool) {
	var a AxonInfo
	ok := store.GetJSON(r, axonKey(netuid, hk), &a)
	return a, ok
}

// Prometheus returns a hotkey's served metrics endpoint on netuid.
func Prometheus(r store.Reader, netuid uint16, hk keys.PublicKey) (PrometheusInfo, bool) {
	var p PrometheusInfo
	ok := store.GetJSON(r, promKey(netuid, hk), &p)
	return p, ok
}

// GetCommitment returns a hotkey's commitment on netuid.
func GetCommitment(r store.Reader, netuid uint16, hk keys.PublicKey) (Commitment, bool) {
	var c Commitment
	ok := store.GetJSON(r, commitmentKey(netuid, hk), &c)
	return c, ok
}

// RemoveSubnet deletes every neuron record of a subnet (dissolve). Bounded
// by max_allowed_uids (≤ 256) per collection.
func RemoveSubnet(kv store.KV, netuid uint16) {
	for _, n := range All(kv, netuid) {
		kv.Delete(neuronKey(netuid, n.UID))
		kv.Delete(uidKey(netuid, n.Hotkey))
		kv.Delete(axonKey(netuid, n.Hotkey))
		kv.Delete(promKey(netuid, n.Hotkey))
		kv.Delete(commitmentKey(netuid, n.Hotkey))
	}
	kv.Delete(countKey(netuid))
}
