package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/chain/yuma"
	"github.com/gotensor/gotensor/keys"
)

// encoded is a query answer already in its JSON form; Query sends it as is.
type encoded []byte

func pairs(row yuma.Row) [][2]uint16 {
	out := make([][2]uint16, len(row))
	for i, e := range row {
		out[i] = [2]uint16{e.UID, e.Value}
	}
	return out
}

// metagraph builds a subnet's columns at the snapshot's height. Per-uid
// tables keyed by uid are read with one prefix iteration each; only the
// tables keyed by hotkey (owner, stake) take a lookup per uid.
func metagraph(snap *store.Snapshot, netuid uint16, full bool) api.Metagraph {
	h := subnets.Hyper(snap, netuid)
	count := int(neurons.Count(snap, netuid))
	all := make([]neurons.Neuron, 0, count)
	neurons.EachNeuron(snap, netuid, func(nr neurons.Neuron) {
		if int(nr.UID) != len(all) {
			panic(fmt.Sprintf("neurons: subnet %d uid %d missing below count %d", netuid, len(all), count))
		}
		all = append(all, nr)
	})
	if len(all) != count {
		panic(fmt.Sprintf("neurons: subnet %d uid %d missing below count %d", netuid, len(all), count))
	}
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
	// Records of uids at or past the count belong to no neuron; skip them
	// as the per-uid reads never reached them.
	epoch.EachResult(snap, netuid, func(uid uint16, r epoch.Result) {
		if int(uid) >= n {
			return
		}
		m.Active[uid], m.ValidatorPermit[uid] = r.Active, r.Permit
		m.StakeWeight[uid], m.Rank[uid], m.Trust[uid], m.Consensus[uid] = r.StakeWeight, r.Rank, r.Trust, r.Consensus
		m.Incentive[uid], m.Dividends[uid], m.ValidatorTrust[uid], m.Emission[uid] = r.Incentive, r.Dividends, r.ValidatorTrust, r.Emission
	})
	epoch.EachLastUpdate(snap, netuid, func(uid uint16, block uint64) {
		if int(uid) < n {
			m.LastUpdate[uid] = block
		}
	})
	byHotkey := make(map[keys.PublicKey]int, n)
	for i, nr := range all {
		byHotkey[nr.Hotkey] = i
		m.Hotkeys[i] = nr.Hotkey.SS58()
		if ck, ok := neurons.Owner(snap, nr.Hotkey); ok {
			m.Coldkeys[i] = ck.SS58()
		}
		m.Stake[i] = staking.TotalHotkeyAlpha(snap, nr.Hotkey, netuid)
		m.RootStake[i] = staking.TotalHotkeyAlpha(snap, nr.Hotkey, subnets.RootNetuid)
		if m.LastUpdate[i] == 0 {
			m.LastUpdate[i] = nr.RegisteredAt
		}
		m.RegisteredAt[i] = nr.RegisteredAt
	}
	neurons.EachAxon(snap, netuid, func(hk keys.PublicKey, a neurons.AxonInfo) {
		if i, ok := byHotkey[hk]; ok {
			m.Axons[i] = endpointView(a.Block, a.Version, a.IP, a.Port, a.IPType, a.Protocol)
		}
	})
	if full {
		m.Weights, m.Bonds = make([][][2]uint16, n), make([][][2]uint16, n)
		epoch.EachWeights(snap, netuid, func(uid uint16, row yuma.Row) {
			if int(uid) < n {
				m.Weights[uid] = pairs(row)
			}
		})
		epoch.EachBonds(snap, netuid, func(uid uint16, row yuma.Row) {
			if int(uid) < n {
				m.Bonds[uid] = pairs(row)
			}
		})
		for i := range n { // a uid without a row has an empty one, as before
			if m.Weights[i] == nil {
				m.Weights[i] = [][2]uint16{}
			}
			if m.Bonds[i] == nil {
				m.Bonds[i] = [][2]uint16{}
			}
		}
	}
	return m
}

// appendMetagraph appends m's JSON, byte for byte what encoding/json
// writes (a test holds it to that), without reflection over the columns:
// a full 256-uid answer is 32768 weight and bond pairs.
func appendMetagraph(b []byte, m *api.Metagraph) ([]byte, error) {
	b = append(b, `{"netuid":`...)
	b = strconv.AppendUint(b, uint64(m.Netuid), 10)
	b = append(b, `,"block":`...)
	b = strconv.AppendInt(b, m.Block, 10)
	b = append(b, `,"n":`...)
	b = strconv.AppendInt(b, int64(m.N), 10)
	b = append(b, `,"tempo":`...)
	b = strconv.AppendUint(b, m.Tempo, 10)
	b = append(b, `,"next_epoch_block":`...)
	b = strconv.AppendUint(b, m.NextEpochBlock, 10)
	b = append(b, `,"epoch_index":`...)
	b = strconv.AppendUint(b, m.EpochIndex, 10)
	b = append(b, `,"tao_weight_ppm":`...)
	b = strconv.AppendUint(b, m.TaoWeightPPM, 10)
	var err error
	if b, err = appendStrings(append(b, `,"hotkeys":`...), m.Hotkeys); err != nil {
		return nil, err
	}
	if b, err = appendStrings(append(b, `,"coldkeys":`...), m.Coldkeys); err != nil {
		return nil, err
	}
	b = appendBools(append(b, `,"active":`...), m.Active)
	b = appendBools(append(b, `,"validator_permit":`...), m.ValidatorPermit)
	b = api.AppendAmounts(append(b, `,"stake":`...), m.Stake)
	b = api.AppendAmounts(append(b, `,"root_stake":`...), m.RootStake)
	for _, c := range []struct {
		name string
		v    []uint16
	}{{"stake_weight", m.StakeWeight}, {"rank", m.Rank}, {"trust", m.Trust}, {"consensus", m.Consensus},
		{"incentive", m.Incentive}, {"dividends", m.Dividends}, {"validator_trust", m.ValidatorTrust}} {
		b = appendU16s(append(append(append(b, `,"`...), c.name...), `":`...), c.v)
	}
	b = api.AppendAmounts(append(b, `,"emission":`...), m.Emission)
	b = appendUints(append(b, `,"last_update":`...), m.LastUpdate)
	b = appendUints(append(b, `,"block_at_registration":`...), m.RegisteredAt)
	if b, err = appendJSON(append(b, `,"axons":`...), m.Axons); err != nil {
		return nil, err
	}
	if len(m.Weights) > 0 {
		b = appendRows(append(b, `,"weights":`...), m.Weights)
	}
	if len(m.Bonds) > 0 {
		b = appendRows(append(b, `,"bonds":`...), m.Bonds)
	}
	if b, err = appendJSON(append(b, `,"pool":`...), m.Pool); err != nil {
		return nil, err
	}
	if b, err = appendJSON(append(b, `,"pending":`...), m.Pending); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendJSON(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	return append(b, j...), err
}

func appendStrings(b []byte, v []string) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if plainString(s) {
			b = append(append(append(b, '"'), s...), '"')
			continue
		}
		var err error
		if b, err = appendJSON(b, s); err != nil { // escaping: leave it to encoding/json
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// plainString says s needs no JSON escaping (SS58 addresses never do).
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// appendArray writes v as a JSON array (null when nil, as encoding/json does), each
// element by elem.
func appendArray[T any](b []byte, v []T, elem func([]byte, T) []byte) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, x)
	}
	return append(b, ']')
}

func appendBools(b []byte, v []bool) []byte { return appendArray(b, v, strconv.AppendBool) }

func appendUints(b []byte, v []uint64) []byte {
	return appendArray(b, v, func(b []byte, x uint64) []byte { return strconv.AppendUint(b, x, 10) })
}

func appendU16s(b []byte, v []uint16) []byte {
	return appendArray(b, v, func(b []byte, x uint16) []byte { return strconv.AppendUint(b, uint64(x), 10) })
}

func appendRows(b []byte, rows [][][2]uint16) []byte {
	b = append(b, '[')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		if row == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for j, e := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = strconv.AppendUint(b, uint64(e[0]), 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, uint64(e[1]), 10)
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// encodeMetagraph builds and encodes a metagraph answer.
func encodeMetagraph(snap *store.Snapshot, netuid uint16, full bool) (encoded, error) {
	m := metagraph(snap, netuid, full)
	size := 4096 + 160*m.N
	if full {
		size += 24 * m.N * m.N / 4 // rough: a quarter of the uids weight every uid
	}
	b, err := appendMetagraph(make([]byte, 0, size), &m)
	if err != nil {
		return nil, fmt.Errorf("metagraph of subnet %d: encode: %w", netuid, err)
	}
	return b, nil
}

// metagraphMemo keeps the last encoded answers of one committed height: a
// committed version never changes, so an answer is good until the height
// moves on (SDK clients re-sync the same subnet several times a block).
type metagraphMemo struct {
	mu      sync.Mutex
	height  int64
	answers map[metagraphKey]encoded
}

type metagraphKey struct {
	netuid uint16
	full   bool
}

const metagraphMemoMax = 16 // answers kept per height (subnets × {lite, full})

func (c *metagraphMemo) get(height int64, k metagraphKey) (encoded, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.height != height {
		return nil, false
	}
	b, ok := c.answers[k]
	return b, ok
}

func (c *metagraphMemo) put(height int64, k metagraphKey, b encoded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if height < c.height {
		return // an old height's answer; keep the newer ones
	}
	if height > c.height || c.answers == nil {
		c.height, c.answers = height, make(map[metagraphKey]encoded)
	}
	if len(c.answers) < metagraphMemoMax {
		c.answers[k] = b
	}
}

// answer is the encoded metagraph of netuid at snap's height, from the
// memo when this height's was already built. A nil memo builds every time.
func (c *metagraphMemo) answer(snap *store.Snapshot, netuid uint16, full bool) (encoded, error) {
	k := metagraphKey{netuid, full}
	if c != nil {
		if b, ok := c.get(snap.Version(), k); ok {
			return bytes.Clone(b), nil // a response's bytes are its own
		}
	}
	b, err := encodeMetagraph(snap, netuid, full)
	if err == nil && c != nil {
		c.put(snap.Version(), k, b)
	}
	return b, err
}

// reset drops the memo (benchmarks measure the first query at a height).
func (c *metagraphMemo) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.height, c.answers = 0, nil
}
