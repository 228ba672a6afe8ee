package staking

import (
	"encoding/json"
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/keys"
)

type sharePoolJSON struct {
	TotalAlpha uint64 `json:"total_alpha,string"`
	SharesHi   uint64 `json:"shares_hi,string"`
	SharesLo   uint64 `json:"shares_lo,string"`
}

// HotkeyPool returns the share pool of (hotkey, netuid).
func HotkeyPool(r store.Reader, hk keys.PublicKey, netuid uint16) swap.SharePool {
	var j sharePoolJSON
	if !hotPoolMemo.Get(r, hotPoolKey(hk, netuid), &j) {
		return swap.SharePool{}
	}
	return swap.SharePool{TotalAlpha: j.TotalAlpha, TotalShares: fixed.U64F64FromBits(j.SharesHi, j.SharesLo)}
}

func putHotkeyPool(kv store.KV, hk keys.PublicKey, netuid uint16, p swap.SharePool) {
	if p.TotalAlpha == 0 && p.TotalShares.IsZero() {
		kv.Delete(hotPoolKey(hk, netuid))
		return
	}
	hi, lo := p.TotalShares.Bits()
	hotPoolMemo.Set(kv, hotPoolKey(hk, netuid), sharePoolJSON{p.TotalAlpha, hi, lo})
}

// hotPoolMemo spares the JSON decode of a share pool that every stake to a
// hotkey reads right after the one before wrote it.
var hotPoolMemo store.JSONMemo[sharePoolJSON]

// Shares returns a coldkey's shares of (hotkey, netuid).
func Shares(r store.Reader, hk keys.PublicKey, netuid uint16, ck keys.PublicKey) fixed.U64F64 {
	b := r.Get(sharesKey(hk, netuid, ck))
	if len(b) == 0 {
		return fixed.U64F64{}
	}
	if len(b) != 16 {
		panic("staking: corrupt shares record")
	}
	return fixed.U64F64FromBits(beU64(b[:8]), beU64(b[8:]))
}

func beU64(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

func putShares(kv store.KV, hk keys.PublicKey, netuid uint16, ck keys.PublicKey, s fixed.U64F64) {
	if s.IsZero() {
		kv.Delete(sharesKey(hk, netuid, ck))
		kv.Delete(byColdKey(ck, hk, netuid))
		return
	}
	hi, lo := s.Bits()
	b := make([]byte, 16)
	for i := 0; i < 8; i++ {
		b[7-i] = byte(hi >> (8 * i))
		b[15-i] = byte(lo >> (8 * i))
	}
	kv.Set(sharesKey(hk, netuid, ck), b)
	kv.Set(byColdKey(ck, hk, netuid), []byte{})
}

// Stake is the alpha (TAO on root) a coldkey holds on (hotkey, netuid).
func Stake(r store.Reader, hk keys.PublicKey, netuid uint16, ck keys.PublicKey) uint64 {
	return HotkeyPool(r, hk, netuid).ValueOf(Shares(r, hk, netuid, ck))
}

// TotalHotkeyAlpha is all the alpha staked to a hotkey on a subnet.
func TotalHotkeyAlpha(r store.Reader, hk keys.PublicKey, netuid uint16) uint64 {
	return HotkeyPool(r, hk, netuid).TotalAlpha
}

// Position is one stake position of a coldkey.
type Position struct {
	Hotkey keys.PublicKey
	Netuid uint16
	Alpha  uint64
}

// PositionsOf lists a coldkey's positions in key order, at most limit.
func PositionsOf(r store.Reader, ck keys.PublicKey, limit int) []Position {
	return positions(r, ck, byColdPrefix(ck), limit)
}

// PositionsOn lists a coldkey's positions on one hotkey in netuid order,
// at most limit.
func PositionsOn(r store.Reader, ck, hk keys.PublicKey, limit int) []Position {
	return positions(r, ck, codec.Key(Module, colByCold, ck[:], hk[:]), limit)
}

func positions(r store.Reader, ck keys.PublicKey, prefix []byte, limit int) []Position {
	base := len(byColdPrefix(ck))
	var out []Position
	r.Iterate(prefix, store.PrefixEnd(prefix), func(k, _ []byte) bool {
		var hk keys.PublicKey
		copy(hk[:], k[base:base+32])
		netuid := uint16(k[base+32])<<8 | uint16(k[base+33])
		out = append(out, Position{Hotkey: hk, Netuid: netuid, Alpha: Stake(r, hk, netuid, ck)})
		return len(out) < limit
	})
	return out
}

// Nominator is one coldkey's stake on a hotkey.
type Nominator struct {
	Coldkey keys.PublicKey
	Alpha   uint64
	Shares  fixed.U64F64 // of the hotkey's pool on the subnet
}

// Nominators lists the coldkeys staked to (hotkey, netuid), at most limit.
func Nominators(r store.Reader, hk keys.PublicKey, netuid uint16, limit int) []Nominator {
	p := sharesPrefix(hk, netuid)
	pool := HotkeyPool(r, hk, netuid)
	var out []Nominator
	r.Iterate(p, store.PrefixEnd(p), func(k, v []byte) bool {
		var ck keys.PublicKey
		copy(ck[:], k[len(p):])
		sh := fixed.U64F64FromBits(beU64(v[:8]), beU64(v[8:]))
		out = append(out, Nominator{Coldkey: ck, Alpha: pool.ValueOf(sh), Shares: sh})
		return len(out) < limit
	})
	return out
}

// Take is a hotkey's delegate take.
type Take struct {
	Take       uint64 `json:"take"` // parts of 65535
	LastChange uint64 `json:"last_change"`
	Set        bool   `json:"set"`
}

// GetTake returns a hotkey's take; hotkeys that never set one have the default.
func GetTake(r store.Reader, hk keys.PublicKey) Take {
	var t Take
	if b := r.Get(takeKey(hk)); b != nil {
		if err := json.Unmarshal(b, &t); err != nil {
			panic(fmt.Sprintf("staking: corrupt take: %v", err))
		}
		return t
	}
	return Take{Take: GetParams(r).DefaultTake}
}

func putTake(kv store.KV, hk keys.PublicKey, t Take) {
	t.Set = true
	b, _ := json.Marshal(t)
	kv.Set(takeKey(hk), b)
}

// Delegates lists hotkeys that set a take, in key order, at most limit.
func Delegates(r store.Reader, limit int) []keys.PublicKey {
	var out []keys.PublicKey
	r.Iterate(takePrefix, store.PrefixEnd(takePrefix), func(k, _ []byte) bool {
		out = append(out, keys.PublicKey(k[len(takePrefix):]))
		return len(out) < limit
	})
	return out
}

// GetParams returns the staking parameters.
func GetParams(r store.Reader) Params {
	var p Params
	if !paramsMemo.Get(r, paramsKey, &p) {
		return DefaultParams()
	}
	return p
}

// paramsMemo decodes the parameters once per change: every staking call
// reads them, often several times.
var paramsMemo store.JSONMemo[Params]

// SetParams stores the parameters.
func SetParams(kv store.KV, p Params) {
	b, _ := json.Marshal(p)
	kv.Set(paramsKey, b)
}

// StakeWeight is what a hotkey's stake counts for in a subnet's epoch:
// its alpha there plus TaoWeight times its root stake (§7.1, CHAIN-SPEC
// "Root network").
func StakeWeight(r store.Reader, hk keys.PublicKey, netuid uint16) uint64 {
	alpha := TotalHotkeyAlpha(r, hk, netuid)
	if netuid == 0 {
		return alpha
	}
	root := TotalHotkeyAlpha(r, hk, 0)
	w := fixed.MulDiv(root, GetParams(r).TaoWeightPPM, 1_000_000)
	if alpha > ^uint64(0)-w {
		return ^uint64(0)
	}
	return alpha + w
}

// NetuidsOfHotkey lists the subnets where a hotkey has a share pool.
func NetuidsOfHotkey(r store.Reader, hk keys.PublicKey, limit int) []uint16 {
	p := codec.Key(Module, colHotPool, hk[:])
	var out []uint16
	r.Iterate(p, store.PrefixEnd(p), func(k, _ []byte) bool {
		out = append(out, uint16(k[len(p)])<<8|uint16(k[len(p)+1]))
		return len(out) < limit
	})
	return out
}

// Holder is one coldkey's stake through one hotkey on a subnet.
type Holder struct {
	Hotkey, Coldkey keys.PublicKey
	Alpha           uint64
}

// HoldersOn lists every stake on a subnet (dissolve refunds). It scans the
// share pools, so it is for rare sudo and governance paths; at most limit.
func HoldersOn(r store.Reader, netuid uint16, limit int) []Holder {
	p := codec.Key(Module, colHotPool)
	var hks []keys.PublicKey
	r.Iterate(p, store.PrefixEnd(p), func(k, _ []byte) bool {
		if uint16(k[len(p)+32])<<8|uint16(k[len(p)+33]) == netuid {
			hks = append(hks, keys.PublicKey(k[len(p):len(p)+32]))
		}
		return true
	})
	var out []Holder
	for _, hk := range hks {
		for _, n := range Nominators(r, hk, netuid, limit) {
			if len(out) >= limit {
				return out
			}
			out = append(out, Holder{Hotkey: hk, Coldkey: n.Coldkey, Alpha: n.Alpha})
		}
	}
	return out
}

// RemoveSubnetStake deletes every share pool and share of a subnet.
func RemoveSubnetStake(kv store.KV, netuid uint16, holders []Holder) {
	for _, h := range holders {
		putShares(kv, h.Hotkey, netuid, h.Coldkey, fixed.U64F64{})
		kv.Delete(hotPoolKey(h.Hotkey, netuid))
	}
}

// rootRegs counts root registrations in the current interval: Count
// registrations, the last at Block.
type rootRegs struct {
	Block uint64 `json:"block"`
	Count uint64 `json:"count"`
}

// rootInterval is the interval of block: the reference resets root's
// RegistrationsThisInterval at the start of every block that is a multiple
// of root's tempo (every block with tempo 0). It returns the interval's
// index and the first block of the next one.
func rootInterval(block, tempo uint64) (index, next uint64) {
	if tempo == 0 {
		return block, block + 1
	}
	index = block / tempo
	return index, (index + 1) * tempo
}

// RootRegistrationsThisInterval is how many root_register calls the
// interval of block has taken so far, under root's tempo.
func RootRegistrationsThisInterval(r store.Reader, block, tempo uint64) uint64 {
	var regs rootRegs
	if b := r.Get(rootRegKey); b != nil {
		if err := json.Unmarshal(b, &regs); err != nil {
			panic(fmt.Sprintf("staking: corrupt root registrations: %v", err))
		}
	}
	last, _ := rootInterval(regs.Block, tempo)
	if now, _ := rootInterval(block, tempo); now != last {
		return 0
	}
	return regs.Count
}

func putRootRegistrations(kv store.KV, block, count uint64) {
	b, _ := json.Marshal(rootRegs{Block: block, Count: count})
	kv.Set(rootRegKey, b)
}
