package app

import (
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
)

func pairs(row yuma.Row) [][2]uint16 {
	out := make([][2]uint16, len(row))
	for i, e := range row {
		out[i] = [2]uint16{e.UID, e.Value}
	}
	return out
}

// metagraph builds a subnet's columns at the snapshot's height.
func metagraph(snap *store.Snapshot, netuid uint16, full bool) api.Metagraph {
	h := subnets.Hyper(snap, netuid)
	all := neurons.All(snap, netuid)
	n := len(all)
	s := epoch.GetSchedule(snap, netuid)
	p := pools.Get(snap, netuid)
	pend := coinbase.GetPending(snap, netuid)
	m := api.Metagraph{
		Netuid: netuid, Block: snap.Version(), N: n, Tempo: h.Tempo,
		NextEpochBlock: epoch.NextEpochBlock(snap, netuid), EpochIndex: s.EpochIndex,
		Hotkeys: make([]string, n), Coldkeys: make([]string, n), Active: make([]bool, n), ValidatorPermit: make([]bool, n),
		Stake: make([]uint64, n), RootStake: make([]uint64, n), StakeWeight: make([]uint16, n), Rank: make([]uint16, n),
		Trust: make([]uint16, n), Consensus: make([]uint16, n), Incentive: make([]uint16, n), Dividends: make([]uint16, n),
		ValidatorTrust: make([]uint16, n), Emission: make([]uint64, n), LastUpdate: make([]uint64, n),
		RegisteredAt: make([]uint64, n), Axons: make([]*api.Endpoint, n),
		Pool: api.Pool{TAO: p.TAO, AlphaIn: p.AlphaIn, AlphaOut: p.AlphaOut,
			Price: swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn}.Price().String(), MovingPrice: p.MovingPrice.Fixed().String()},
		Pending: api.PendingEmission{Server: pend.Server, Validator: pend.Validator, Root: pend.Root, OwnerCut: pend.OwnerCut},
	}
	if full {
		m.Weights, m.Bonds = make([][][2]uint16, n), make([][][2]uint16, n)
	}
	for i, nr := range all {
		uid := uint16(i)
		r := epoch.GetResult(snap, netuid, uid)
		m.Hotkeys[i] = nr.Hotkey.SS58()
		if ck, ok := neurons.Owner(snap, nr.Hotkey); ok {
			m.Coldkeys[i] = ck.SS58()
		}
		m.Active[i], m.ValidatorPermit[i] = r.Active, r.Permit
		m.Stake[i] = staking.TotalHotkeyAlpha(snap, nr.Hotkey, netuid)
		m.RootStake[i] = staking.TotalHotkeyAlpha(snap, nr.Hotkey, subnets.RootNetuid)
		m.StakeWeight[i], m.Rank[i], m.Trust[i], m.Consensus[i] = r.StakeWeight, r.Rank, r.Trust, r.Consensus
		m.Incentive[i], m.Dividends[i], m.ValidatorTrust[i], m.Emission[i] = r.Incentive, r.Dividends, r.ValidatorTrust, r.Emission
		m.LastUpdate[i] = epoch.LastUpdate(snap, netuid, uid)
		if m.LastUpdate[i] == 0 {
			m.LastUpdate[i] = nr.RegisteredAt
		}
		m.RegisteredAt[i] = nr.RegisteredAt
		if a, ok := neurons.Axon(snap, netuid, nr.Hotkey); ok {
			m.Axons[i] = endpointView(a.Block, a.Version, a.IP, a.Port, a.IPType, a.Protocol)
		}
		if full {
			m.Weights[i] = pairs(epoch.Weights(snap, netuid, uid))
			m.Bonds[i] = pairs(epoch.Bonds(snap, netuid, uid))
		}
	}
	return m
}
