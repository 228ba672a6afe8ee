package epoch

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/yuma"
)

// Events.
const (
	EventEpochRun      = "epoch.EpochRun"
	EventEpochDeferred = "epoch.EpochDeferred"
)

// maxTempo is the reference's MAX_TEMPO: an epoch runs at least this often.
const maxTempo = 50400

// InitSchedule staggers a new subnet's first epoch (§10: LastEpochBlock =
// registration block − netuid mod tempo).
func InitSchedule(kv store.KV, netuid uint16, block uint64) {
	tempo := subnets.Hyper(kv, netuid).Tempo
	var off uint64
	if tempo > 0 {
		off = uint64(netuid) % tempo
	}
	PutSchedule(kv, netuid, Schedule{LastEpochBlock: block - min(block, off)})
}

// NextEpochBlock is the block the subnet's next automatic epoch is due.
func NextEpochBlock(r store.Reader, netuid uint16) uint64 {
	s := GetSchedule(r, netuid)
	if s.PendingEpochAt > 0 {
		return s.PendingEpochAt
	}
	return s.LastEpochBlock + subnets.Hyper(r, netuid).Tempo
}

// Due picks the subnets whose epoch runs at block, in netuid order, at most
// MaxEpochsPerBlock; the others that are due are deferred to the next
// block. It records the run in each schedule (§10 HEAD) and returns the
// netuids with their last_tempo (the first block of the tempo that ends).
func Due(e *env.Env, kv store.KV, block uint64, netuids []uint16) []DueEpoch {
	limit := GetParams(kv).MaxEpochsPerBlock
	var out []DueEpoch
	for _, n := range netuids {
		if n == subnets.RootNetuid {
			continue
		}
		tempo := subnets.Hyper(kv, n).Tempo
		s := GetSchedule(kv, n)
		due := tempo != 0 && ((s.PendingEpochAt > 0 && block >= s.PendingEpochAt) ||
			block-min(block, s.LastEpochBlock) >= tempo || block-min(block, s.LastEpochBlock) > maxTempo)
		if !due {
			continue
		}
		if uint64(len(out)) >= limit {
			s.PendingEpochAt = block + 1
			PutSchedule(kv, n, s)
			e.Events.Emit(EventEpochDeferred, env.U64("netuid", uint64(n)), env.U64("to_block", block+1))
			continue
		}
		lastTempo := block - min(block, tempo)
		if s.Ran {
			lastTempo = s.LastStepBlock + 1
		}
		s.LastEpochBlock, s.PendingEpochAt, s.EpochIndex = block, 0, s.EpochIndex+1
		s.LastStepBlock, s.Ran = block, true
		PutSchedule(kv, n, s)
		out = append(out, DueEpoch{Netuid: n, LastTempo: lastTempo})
	}
	return out
}

// DueEpoch is a subnet whose epoch runs this block.
type DueEpoch struct {
	Netuid    uint16
	LastTempo uint64
}

// Inputs loads a subnet's epoch inputs from state.
func Inputs(r store.Reader, netuid uint16, block, lastTempo, emission uint64) (yuma.Inputs, []neurons.Neuron) {
	sn, _ := subnets.Get(r, netuid)
	h := subnets.Hyper(r, netuid)
	all := neurons.All(r, netuid)
	n := len(all)
	in := yuma.Inputs{
		N: n, Block: block, LastTempo: lastTempo, Emission: emission,
		Stake: make([]uint64, n), RegisteredAt: make([]uint64, n), LastUpdate: make([]uint64, n),
		Permits: make([]bool, n), Weights: make([]yuma.Row, n), Bonds: make([]yuma.Row, n),
		Params: yuma.Params{
			ActivityCutoff:        max(1, h.ActivityCutoffFactorMilli*h.Tempo/1000),
			Kappa:                 uint16(h.Kappa),
			BondsMovingAverage:    h.BondsMovingAverage,
			BondsPenalty:          uint16(h.BondsPenalty),
			MaxAllowedValidators:  uint16(h.MaxAllowedValidators),
			StakeThreshold:        h.StakeThreshold,
			Yuma3:                 h.Yuma3On == 1,
			LiquidAlpha:           h.LiquidAlphaOn == 1,
			AlphaLow:              uint16(h.AlphaLow),
			AlphaHigh:             uint16(h.AlphaHigh),
			AlphaSigmoidSteepness: int16(h.AlphaSigmoidSteepness),
		},
	}
	var total uint64
	for i, nr := range all {
		uid := uint16(i)
		s := staking.StakeWeight(r, nr.Hotkey, netuid)
		// Keep Σ stake within the epoch's I64F64 range: saturate the sum.
		if s > (1<<63-1)-total {
			s = (1<<63 - 1) - total
		}
		total += s
		in.Stake[i] = s
		in.RegisteredAt[i] = nr.RegisteredAt
		in.LastUpdate[i] = LastUpdate(r, netuid, uid)
		if in.LastUpdate[i] == 0 {
			in.LastUpdate[i] = nr.RegisteredAt
		}
		in.Permits[i] = GetResult(r, netuid, uid).Permit
		in.Weights[i] = Weights(r, netuid, uid)
		in.Bonds[i] = Bonds(r, netuid, uid)
		if nr.Hotkey == sn.OwnerHotkey {
			in.HasOwner, in.OwnerUID = true, uid
		}
	}
	return in, all
}

// Run runs a subnet's epoch distributing emission, stores permits, bonds
// and per-uid results, and returns the outputs for coinbase to pay.
func Run(e *env.Env, kv store.KV, d DueEpoch, emission uint64) (yuma.Outputs, []neurons.Neuron, error) {
	block := uint64(e.Block.Height)
	in, all := Inputs(kv, d.Netuid, block, d.LastTempo, emission)
	out, err := yuma.Epoch(in)
	if err != nil {
		return yuma.Outputs{}, nil, fmt.Errorf("epoch of subnet %d: %w", d.Netuid, err)
	}
	for i := range all {
		uid := uint16(i)
		putRow(kv, colBonds, d.Netuid, uid, out.Bonds[i])
		putResult(kv, d.Netuid, uid, Result{
			StakeWeight: out.StakeWeight[i], Rank: out.Rank[i], Trust: out.Trust[i], Consensus: out.Consensus[i],
			Incentive: out.Incentive[i], Dividends: out.Dividends[i], ValidatorTrust: out.ValidatorTrust[i],
			Permit: out.ValidatorPermit[i], Active: out.Active[i], Emission: out.Emission[i],
		})
		nr := all[i]
		nr.Emission = out.Emission[i]
		neurons.Put(kv, d.Netuid, nr)
	}
	e.Events.Emit(EventEpochRun, env.U64("netuid", uint64(d.Netuid)), env.U64("emission", emission), env.U64("uids", uint64(len(all))))
	return out, all, nil
}
