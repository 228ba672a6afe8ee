package metagraph

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Source is what a metagraph reads from; *client.Client satisfies it.
type Source interface {
	Metagraph(ctx context.Context, netuid uint16, height int64, full bool) (api.Metagraph, error)
	LatestHeight(ctx context.Context) (int64, error)
}

// FallbackTaoWeightPPM is the chain's default TaoWeight (0.18), used only
// for a saved file written before files carried the chain's value.
const FallbackTaoWeightPPM = 180_000

// Mode says whether weights and bonds are fetched.
type Mode bool

const (
	// Lite fetches every column but weights and bonds.
	Lite Mode = false
	// Full adds the weight and bond matrices.
	Full Mode = true
)

// Metagraph is one subnet's metagraph.
type Metagraph struct {
	src    Source
	netuid uint16
	mode   Mode

	mu       sync.RWMutex
	data     api.Metagraph
	byHotkey map[keys.PublicKey]uint16
	total    []uint64 // per uid: alpha + TaoWeight × root stake
	taoKnown bool     // data.TaoWeightPPM came from the chain, not FallbackTaoWeightPPM
	synced   bool
}

// New returns an empty metagraph for netuid; call Sync to fill it.
func New(src Source, netuid uint16, mode Mode) *Metagraph {
	return &Metagraph{src: src, netuid: netuid, mode: mode, byHotkey: map[keys.PublicKey]uint16{}}
}

// Sync fetches the metagraph if the chain has a new block since the last
// sync; changed reports whether it did. It costs a status round trip before
// the query; Watch, driven by a block subscription, saves it.
func (m *Metagraph) Sync(ctx context.Context) (changed bool, err error) {
	h, err := m.src.LatestHeight(ctx)
	if err != nil {
		return false, fmt.Errorf("metagraph %d: %w", m.netuid, err)
	}
	m.mu.RLock()
	fresh := m.synced && m.data.Block == h
	m.mu.RUnlock()
	if fresh {
		return false, nil
	}
	return true, m.SyncAt(ctx, h)
}

// Watch keeps the metagraph at the chain head, driven by a block
// subscription: one query per block that is newer than the last sync, none
// in between (Sync's status round trip is not needed either). After every
// attempt it calls onSync, if set, with the sync's error; a failed sync is
// retried at the next block. Watch returns when ctx ends (ctx.Err()) or the
// subscription closes.
//
//	go m.Watch(ctx, c.SubscribeBlocks(ctx), func(err error) { ... m.Block() ... })
func (m *Metagraph) Watch(ctx context.Context, blocks <-chan client.Block, onSync func(err error)) error {
	for {
		var b client.Block
		select {
		case <-ctx.Done():
			return ctx.Err()
		case blk, ok := <-blocks:
			if !ok {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("metagraph %d: the block subscription ended; subscribe again to keep watching", m.netuid)
			}
			b = blk
		}
		m.mu.RLock()
		fresh := m.synced && b.Height <= m.data.Block
		m.mu.RUnlock()
		if fresh {
			continue
		}
		err := m.SyncAt(ctx, b.Height)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if onSync != nil {
			onSync(err)
		}
	}
}

// SyncAt fetches the metagraph at height h (0 = latest): one query, which
// carries everything the views need, the chain's TaoWeight for total stake
// included.
func (m *Metagraph) SyncAt(ctx context.Context, h int64) error {
	d, err := m.src.Metagraph(ctx, m.netuid, h, bool(m.mode))
	if err != nil {
		return fmt.Errorf("metagraph %d: %w", m.netuid, err)
	}
	m.set(d, true)
	return nil
}

func (m *Metagraph) set(d api.Metagraph, taoKnown bool) {
	idx := make(map[keys.PublicKey]uint16, len(d.Hotkeys))
	for i, s := range d.Hotkeys {
		if pk, err := keys.ParseSS58(s); err == nil {
			idx[pk] = uint16(i)
		}
	}
	total := TotalStakes(d, d.TaoWeightPPM)
	m.mu.Lock()
	m.data, m.byHotkey, m.total, m.synced, m.taoKnown = d, idx, total, true, taoKnown
	m.mu.Unlock()
}

// TotalStakes is each uid's stake as the chain's epoch weighs it
// (chain/staking.StakeWeight): its alpha on the subnet plus TaoWeight (in
// parts per million) times its TAO on root, saturating. On root (netuid 0)
// it is the root stake alone.
func TotalStakes(d api.Metagraph, taoWeightPPM uint64) []uint64 {
	out := make([]uint64, len(d.Stake))
	for i, alpha := range d.Stake {
		if d.Netuid == 0 || i >= len(d.RootStake) {
			out[i] = alpha
			continue
		}
		w := fixed.MulDiv(d.RootStake[i], taoWeightPPM, 1_000_000)
		if alpha > ^uint64(0)-w {
			out[i] = ^uint64(0)
		} else {
			out[i] = alpha + w
		}
	}
	return out
}

// Data returns the columns as last synced. The slices are shared: treat
// them as read-only.
func (m *Metagraph) Data() api.Metagraph {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.data
}

// Netuid is the subnet.
func (m *Metagraph) Netuid() uint16 { return m.netuid }

// Block is the height of the last sync.
func (m *Metagraph) Block() int64 { m.mu.RLock(); defer m.mu.RUnlock(); return m.data.Block }

// N is the number of uids.
func (m *Metagraph) N() int { m.mu.RLock(); defer m.mu.RUnlock(); return m.data.N }

// UID returns a hotkey's uid.
func (m *Metagraph) UID(hotkey keys.PublicKey) (uint16, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u, ok := m.byHotkey[hotkey]
	return u, ok
}

// TotalStake is uid's alpha plus TaoWeight times its root stake, in RAO:
// the stake the chain's epoch and stake threshold count (see TotalStakes).
// It is 0 for a uid the metagraph does not have.
func (m *Metagraph) TotalStake(uid uint16) uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if int(uid) >= len(m.total) {
		return 0
	}
	return m.total[uid]
}

// TaoWeightPPM is the TaoWeight the total stakes were computed with, in
// parts per million, and whether it came from the chain (false: it is
// FallbackTaoWeightPPM).
func (m *Metagraph) TaoWeightPPM() (ppm uint64, fromChain bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.data.TaoWeightPPM, m.taoKnown
}

// Caller implements axon.Registry: registered hotkeys with their total
// stake (alpha + TaoWeight × root, as the chain counts it, so a validator
// staked on root is not treated as unstaked) and validator permit.
func (m *Metagraph) Caller(hotkey keys.PublicKey) (axon.CallerInfo, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u, ok := m.byHotkey[hotkey]
	if !ok || int(u) >= len(m.total) || int(u) >= len(m.data.ValidatorPermit) { // a hand-edited file may have short columns
		return axon.CallerInfo{}, false
	}
	return axon.CallerInfo{UID: u, Stake: m.total[u], ValidatorPermit: m.data.ValidatorPermit[u]}, true
}

// Axon returns uid's served endpoint as the wire protocol needs it.
func (m *Metagraph) Axon(uid uint16) (synapse.AxonInfo, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if int(uid) >= len(m.data.Axons) || m.data.Axons[uid] == nil {
		return synapse.AxonInfo{}, false
	}
	a := m.data.Axons[uid]
	info := synapse.AxonInfo{Version: a.Version, IP: a.IP, Port: a.Port, IPType: a.IPType, Protocol: a.Protocol}
	if hk, err := keys.ParseSS58(m.data.Hotkeys[uid]); err == nil {
		info.Hotkey = hk
	}
	if ck, err := keys.ParseSS58(m.data.Coldkeys[uid]); err == nil {
		info.Coldkey = ck
	}
	if net.ParseIP(info.IP) == nil {
		return synapse.AxonInfo{}, false
	}
	return info, true
}

// top returns up to k uids ordered by key descending, ties to the lower uid.
func (m *Metagraph) top(k int, key func(i int) uint64, keep func(i int) bool) []uint16 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var uids []uint16
	for i := 0; i < m.data.N; i++ {
		if keep(i) {
			uids = append(uids, uint16(i))
		}
	}
	slices.SortStableFunc(uids, func(a, b uint16) int { return cmp.Compare(key(int(b)), key(int(a))) })
	if len(uids) > k {
		uids = uids[:k]
	}
	return uids
}

// TopValidators returns up to k uids with a validator permit, by stake weight.
func (m *Metagraph) TopValidators(k int) []uint16 {
	return m.top(k, func(i int) uint64 { return uint64(m.data.StakeWeight[i]) }, func(i int) bool { return m.data.ValidatorPermit[i] })
}

// TopMiners returns up to k uids by incentive.
func (m *Metagraph) TopMiners(k int) []uint16 {
	return m.top(k, func(i int) uint64 { return uint64(m.data.Incentive[i]) }, func(int) bool { return true })
}

// file is Save's format: the query's answer. TaoWeightPPM shadows the
// answer's own field so that a file of an older version, which lacks it,
// reads as nil rather than as a TaoWeight of 0.
type file struct {
	api.Metagraph
	TaoWeightPPM *uint64 `json:"tao_weight_ppm,omitempty"`
}

// Save writes the metagraph to a file (JSON).
func (m *Metagraph) Save(path string) error {
	m.mu.RLock()
	f := file{Metagraph: m.data}
	if m.taoKnown {
		ppm := m.data.TaoWeightPPM
		f.TaoWeightPPM = &ppm
	}
	m.mu.RUnlock()
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("metagraph save: %w", err)
	}
	return os.Rename(tmp, path)
}

// Load reads a file written by Save, replacing the metagraph's contents.
func (m *Metagraph) Load(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("metagraph load: %w", err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("metagraph load %s: not a file written by Save (%w); delete it and sync from the chain", path, err)
	}
	if f.Netuid != m.netuid {
		return fmt.Errorf("metagraph load %s: file is subnet %d, this metagraph is subnet %d", path, f.Netuid, m.netuid)
	}
	f.Metagraph.TaoWeightPPM = FallbackTaoWeightPPM
	if f.TaoWeightPPM != nil {
		f.Metagraph.TaoWeightPPM = *f.TaoWeightPPM
	}
	m.set(f.Metagraph, f.TaoWeightPPM != nil)
	return nil
}
