package subnets

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// Subnet is a subnet's identity-independent state.
type Subnet struct {
	Netuid       uint16         `json:"netuid"`
	Owner        keys.PublicKey `json:"owner"`
	OwnerHotkey  keys.PublicKey `json:"owner_hotkey"`
	RegisteredAt uint64         `json:"registered_at"`
	// Locked is the TAO the owner locked at registration (it seeded the pool).
	Locked uint64 `json:"locked,string"`
	// FirstEmissionBlock is set by start_call; 0 until then.
	FirstEmissionBlock uint64 `json:"first_emission_block"`
	SubtokenEnabled    bool   `json:"subtoken_enabled"`
	EmissionEnabled    bool   `json:"emission_enabled"`
}

// NetworkState is the global registration bookkeeping.
type NetworkState struct {
	LastLockCost     uint64 `json:"last_lock_cost,string"`
	LastRegisteredAt uint64 `json:"last_registered_at"`
	EverRegistered   bool   `json:"ever_registered"`
	TotalNetworks    uint64 `json:"total_networks"`
}

// BurnState is a subnet's current registration price and this block's count.
type BurnState struct {
	Burn                   uint64 `json:"burn,string"`
	RegistrationsThisBlock uint64 `json:"registrations_this_block"`
	Block                  uint64 `json:"block"`
}

// Get returns a subnet.
func Get(r store.Reader, netuid uint16) (Subnet, bool) {
	var s Subnet
	ok := subnetMemo.Get(r, netuidKey(colSubnet, netuid), &s)
	return s, ok
}

// subnetMemo decodes each subnet's record once per change: staking and
// registration read it on every transaction.
var subnetMemo store.JSONMemo[Subnet]

// Exists reports whether netuid is a subnet (root included).
func Exists(r store.Reader, netuid uint16) bool { return r.Get(netuidKey(colSubnet, netuid)) != nil }

// Require returns the subnet or ErrSubnetNotExists.
func Require(r store.Reader, netuid uint16) (Subnet, error) {
	s, ok := Get(r, netuid)
	if !ok {
		return Subnet{}, fmt.Errorf("%w: netuid %d", ErrSubnetNotExists, netuid)
	}
	return s, nil
}

func put(kv store.KV, s Subnet) { store.SetJSON(kv, netuidKey(colSubnet, s.Netuid), s) }

// Netuids lists the subnets in netuid order (root included).
func Netuids(r store.Reader) []uint16 {
	var out []uint16
	r.Iterate(subnetPrefix, store.PrefixEnd(subnetPrefix), func(k, _ []byte) bool {
		out = append(out, uint16(k[2])<<8|uint16(k[3]))
		return true
	})
	return out
}

// Hyper returns a subnet's hyperparameters.
func Hyper(r store.Reader, netuid uint16) Hyperparams {
	var h Hyperparams
	if !store.GetJSON(r, netuidKey(colHyper, netuid), &h) {
		return GetParams(r).NewSubnet
	}
	return h
}

// SetHyper stores a subnet's hyperparameters.
func SetHyper(kv store.KV, netuid uint16, h Hyperparams) {
	store.SetJSON(kv, netuidKey(colHyper, netuid), h)
}

// GetParams returns the global parameters.
func GetParams(r store.Reader) Params {
	var p Params
	if !store.GetJSON(r, paramsKey, &p) {
		return DefaultParams()
	}
	return p
}

// SetParams stores the global parameters.
func SetParams(kv store.KV, p Params) { store.SetJSON(kv, paramsKey, p) }

// Network returns the registration bookkeeping.
func Network(r store.Reader) NetworkState {
	var n NetworkState
	store.GetJSON(r, networkKey, &n)
	return n
}

func setNetwork(kv store.KV, n NetworkState) { store.SetJSON(kv, networkKey, n) }

// Burn returns a subnet's registration price state.
func Burn(r store.Reader, netuid uint16) BurnState {
	var b BurnState
	store.GetJSON(r, netuidKey(colBurn, netuid), &b)
	return b
}

// SetBurn stores a subnet's registration price state.
func SetBurn(kv store.KV, netuid uint16, b BurnState) {
	store.SetJSON(kv, netuidKey(colBurn, netuid), b)
}

// Identity returns a subnet's identity.
func Identity(r store.Reader, netuid uint16) (SubnetIdentity, bool) {
	var id SubnetIdentity
	ok := store.GetJSON(r, netuidKey(colIdentity, netuid), &id)
	return id, ok
}

// ColdkeyIdentity returns a coldkey's identity.
func ColdkeyIdentity(r store.Reader, who keys.PublicKey) (ChainIdentity, bool) {
	var id ChainIdentity
	ok := store.GetJSON(r, coldIdentKey(who), &id)
	return id, ok
}

// OwnerSetAt is the block of the owner's last rate-limited change named name on
// netuid (a hyperparameter, "set_tempo", "trigger_epoch"), or 0.
func OwnerSetAt(r store.Reader, netuid uint16, name string) uint64 {
	return ownerSetAt(r, netuid, name)
}

// MarkOwnerSet records the owner's change named name on netuid at block now.
func MarkOwnerSet(kv store.KV, netuid uint16, name string, now uint64) {
	kv.Set(ownerSetKey(netuid, name), u64(now))
}

func ownerSetAt(r store.Reader, netuid uint16, name string) uint64 {
	v, err := codec.ParseU64(r.Get(ownerSetKey(netuid, name)))
	if err != nil {
		panic(fmt.Sprintf("subnets: corrupt rate-limit record: %v", err))
	}
	return v
}

// remove deletes every per-netuid record of this module.
func remove(kv store.KV, netuid uint16) {
	for _, col := range []byte{colSubnet, colHyper, colIdentity, colBurn} {
		kv.Delete(netuidKey(col, netuid))
	}
	prefix := codec.Key(Module, colOwnerSetAt, codec.AppendU16(nil, netuid))
	var stale [][]byte
	kv.Iterate(prefix, store.PrefixEnd(prefix), func(k, _ []byte) bool {
		stale = append(stale, append([]byte(nil), k...))
		return len(stale) < len(hyperTable)
	})
	for _, k := range stale {
		kv.Delete(k)
	}
}

func u64(v uint64) []byte { return codec.U64(v) }

// Create writes a new subnet with its hyperparameters and first burn
// price, and records the registration in the network state (lock cost
// bookkeeping).
func Create(kv store.KV, s Subnet, h Hyperparams, burn, now uint64) {
	put(kv, s)
	SetHyper(kv, s.Netuid, h)
	SetBurn(kv, s.Netuid, BurnState{Burn: burn, Block: now})
	n := Network(kv)
	n.LastLockCost, n.LastRegisteredAt, n.EverRegistered = s.Locked, now, true
	n.TotalNetworks++
	setNetwork(kv, n)
}

// Remove deletes every record of a subnet in this module.
func Remove(kv store.KV, netuid uint16) {
	remove(kv, netuid)
	n := Network(kv)
	if n.TotalNetworks > 0 {
		n.TotalNetworks--
	}
	setNetwork(kv, n)
}
