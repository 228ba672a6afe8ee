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
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Source is what a metagraph reads from; *client.Client satisfies it.
type Source interface {
	Metagraph(ctx context.Context, netuid uint16, height int64, full bool) (api.Metagraph, error)
	LatestHeight(ctx context.Context) (int64, error)
}

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
	synced   bool
}

// New returns an empty metagraph for netuid; call Sync to fill it.
func New(src Source, netuid uint16, mode Mode) *Metagraph {
	return &Metagraph{src: src, netuid: netuid, mode: mode, byHotkey: map[keys.PublicKey]uint16{}}
}

// Sync fetches the metagraph if the chain has a new block since the last
// sync; changed reports whether it did.
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

// SyncAt fetches the metagraph at height h (0 = latest).
func (m *Metagraph) SyncAt(ctx context.Context, h int64) error {
	d, err := m.src.Metagraph(ctx, m.netuid, h, bool(m.mode))
	if err != nil {
		return fmt.Errorf("metagraph %d: %w", m.netuid, err)
	}
	m.set(d)
	return nil
}

func (m *Metagraph) set(d api.Metagraph) {
	idx := make(map[keys.PublicKey]uint16, len(d.Hotkeys))
	for i, s := range d.Hotkeys {
		if pk, err := keys.ParseSS58(s); err == nil {
			idx[pk] = uint16(i)
		}
	}
	m.mu.Lock()
	m.data, m.byHotkey, m.synced = d, idx, true
	m.mu.Unlock()
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

// Caller implements axon.Registry: registered hotkeys with their alpha
// stake and validator permit.
func (m *Metagraph) Caller(hotkey keys.PublicKey) (axon.CallerInfo, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u, ok := m.byHotkey[hotkey]
	if !ok {
		return axon.CallerInfo{}, false
	}
	return axon.CallerInfo{UID: u, Stake: m.data.Stake[u], ValidatorPermit: m.data.ValidatorPermit[u]}, true
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

// Save writes the metagraph to a file (JSON).
func (m *Metagraph) Save(path string) error {
	b, err := json.Marshal(m.Data())
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
	var d api.Metagraph
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("metagraph load %s: %w", path, err)
	}
	if d.Netuid != m.netuid {
		return fmt.Errorf("metagraph load %s: file is subnet %d, this metagraph is subnet %d", path, d.Netuid, m.netuid)
	}
	m.set(d)
	return nil
}
