package main

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/yuma"
	"github.com/gotensor/gotensor/client"
)

// consensusStall says why every miner's consensus (and so incentive) is 0 although some
// validators set weights: the uids that set them hold less than kappa of the stake weight of
// the epoch's voters, so each miner's stake-weighted kappa-quantile (Yuma step 6) is the 0
// of the voters who set no weights.
type consensusStall struct {
	netuid       uint16
	kappa        uint16
	cutoff       uint64 // activity_cutoff in blocks
	taoWeightPPM uint64
	epochBlock   uint64 // the next epoch, whose inputs this is computed on
	setters      []int  // voters with a weight on another uid
	setterStake  uint64 // their stake weight (RAO of alpha, after the threshold)
	idle         []idleVoter
	voterBits    int64 // Σ S_i over the voters, raw I32F32
	setterBits   int64 // Σ S_i over the setters
}

// idleVoter is a voter (active, permitted, with stake weight) that sets no weights.
type idleVoter struct {
	uid      int
	owner    bool
	stake    uint64 // stake weight, RAO of alpha
	bits     int64  // S_i, raw I32F32
	lastSeen uint64 // last_update: its last weights, commit or registration
}

// needsConsensusCheck is the cheap test on the metagraph already read: a subnet whose every
// uid has consensus 0 while some permit holder has updated since registering (set or
// committed weights). Only then does the note cost the extra queries.
func needsConsensusCheck(m api.Metagraph) bool {
	if m.Netuid == rootNetuid || m.N == 0 || slices.ContainsFunc(m.Consensus, func(c uint16) bool { return c != 0 }) {
		return false
	}
	for i := range m.N {
		if m.ValidatorPermit[i] && m.LastUpdate[i] != m.RegisteredAt[i] {
			return true
		}
	}
	return false
}

// loadConsensusStall reads what the check needs beyond the lite metagraph, at the same
// block: the full metagraph when m has no weights, and the hyperparameters.
func loadConsensusStall(ctx context.Context, c *client.Client, m api.Metagraph, ownerHotkey string) (consensusStall, bool, error) {
	if m.Weights == nil {
		full, err := c.Metagraph(ctx, m.Netuid, m.Block, true)
		if err != nil {
			return consensusStall{}, false, err
		}
		m.Weights = full.Weights
	}
	hps, err := c.HyperparametersAt(ctx, m.Netuid, m.Block)
	if err != nil {
		return consensusStall{}, false, err
	}
	hp := map[string]uint64{}
	for _, p := range hps {
		hp[p.Name] = p.Value
	}
	s, ok := findConsensusStall(m, hp, ownerHotkey)
	return s, ok, nil
}

// findConsensusStall rebuilds the inputs of the subnet's next epoch from the full metagraph
// (m.Weights set) and its hyperparameters as chain/epoch.Inputs does, and follows
// chain/yuma (Epoch steps 1–6, epoch.go activity, stake, permits, activeStake, weights,
// consensus): the voters of the consensus are the uids with A_i > 0, that is active
// (last_update + activity_cutoff ≥ block), holding the stored permit (the owner's hotkey
// always), with a non-zero stake weight S_i = normalize(alpha + tao_weight·root, stakes
// below stake_threshold counting 0 except the owner's). A voter's weights count when
// non-zero, on another uid, and newer than that uid's registration. It reports a stall
// when some voters set weights, their share of the voters' S is below kappa, and the pure
// yuma.Epoch on these inputs indeed gives consensus 0 on every uid they weight.
func findConsensusStall(m api.Metagraph, hp map[string]uint64, ownerHotkey string) (consensusStall, bool) {
	n := m.N
	if m.Netuid == rootNetuid || n == 0 || len(m.Weights) != n {
		return consensusStall{}, false
	}
	block := max(m.NextEpochBlock, uint64(m.Block)+1)
	tempo := hp["tempo"]
	in := yuma.Inputs{
		N: n, Block: block, LastTempo: block - min(block, tempo),
		Stake: make([]uint64, n), RegisteredAt: m.RegisteredAt, LastUpdate: m.LastUpdate,
		Permits: m.ValidatorPermit, Weights: weightRows(m.Weights),
		Params: yumaParams(hp),
	}
	p := in.Params
	owner := -1
	var total uint64
	for i := range n {
		// staking.StakeWeight: alpha + floor(root·tao_weight_ppm/10^6), saturating; the epoch
		// keeps Σ within 2^63 − 1.
		w := fixed.MulDiv(m.RootStake[i], m.TaoWeightPPM, 1_000_000)
		s := m.Stake[i] + w
		if s < w {
			s = ^uint64(0)
		}
		s = min(s, (1<<63-1)-total)
		total += s
		in.Stake[i] = s
		if m.Hotkeys[i] == ownerHotkey && owner < 0 {
			in.HasOwner, in.OwnerUID, owner = true, uint16(i), i
		}
	}
	// Step 2: the threshold, then S_i = raw_i / Σ raw in I64F64, cut to I32F32.
	raw := make([]uint64, n)
	var sum uint64
	for i, s := range in.Stake {
		if s < p.StakeThreshold && i != owner {
			s = 0
		}
		raw[i] = s
		sum += s
	}
	if sum == 0 {
		return consensusStall{}, false
	}
	st := consensusStall{netuid: m.Netuid, kappa: p.Kappa, cutoff: p.ActivityCutoff, taoWeightPPM: m.TaoWeightPPM, epochBlock: block}
	var idleStake uint64
	weighted := make([]bool, n) // uids some setter weights
	for i := range n {
		S := fixed.I64F64FromU64(raw[i]).SafeDiv(fixed.I64F64FromU64(sum)).ToI32F32()
		// Steps 1, 3, 4: active, stored permit (owner forced), A_i = S_i > 0.
		active := m.LastUpdate[i]+p.ActivityCutoff >= block || m.LastUpdate[i]+p.ActivityCutoff < m.LastUpdate[i]
		if !active || !(m.ValidatorPermit[i] || i == owner) || S.Sign() <= 0 {
			continue
		}
		st.voterBits += S.Bits()
		sets := false
		for _, e := range m.Weights[i] {
			// Step 5: the diagonal is dropped (the owner's counts but scores no miner) and so
			// is a weight set before its uid registered.
			if j := int(e[0]); e[1] > 0 && j != i && j < n && m.LastUpdate[i] > m.RegisteredAt[j] {
				sets, weighted[j] = true, true
			}
		}
		if sets {
			st.setters = append(st.setters, i)
			st.setterStake += raw[i]
			st.setterBits += S.Bits()
		} else {
			st.idle = append(st.idle, idleVoter{uid: i, owner: i == owner, stake: raw[i], bits: S.Bits(), lastSeen: m.LastUpdate[i]})
			idleStake += raw[i]
		}
	}
	if len(st.setters) == 0 || len(st.idle) == 0 {
		return consensusStall{}, false
	}
	// Step 6: with setters holding u < kappa of the voters' stake, the voters scoring a
	// column 0 hold more than U − kappa and the median is 0. Checked on the shares, then
	// confirmed by the chain's own epoch on the same inputs.
	if new(big.Int).Mul(big.NewInt(st.setterBits), big.NewInt(65535)).Cmp(
		new(big.Int).Mul(big.NewInt(st.voterBits), big.NewInt(int64(p.Kappa)))) >= 0 {
		return consensusStall{}, false
	}
	out, err := yuma.Epoch(in)
	if err != nil {
		return consensusStall{}, false
	}
	for j, w := range weighted {
		if w && out.Consensus[j] != 0 {
			return consensusStall{}, false
		}
	}
	return st, true
}

// share is the setters' part of the voters' stake weight, in [0, 1].
func (s consensusStall) share() float64 { return float64(s.setterBits) / float64(s.voterBits) }

// needed is the stake weight (RAO of alpha) the setters lack to hold kappa of the voters'
// stake weight while the others keep theirs: the least T with T/(T + R) ≥ kappa, minus
// what they hold; 0 when kappa is 1 (no stake is enough).
func (s consensusStall) needed() uint64 {
	var idle uint64
	for _, v := range s.idle {
		idle += v.stake
	}
	if s.kappa == 65535 {
		return 0
	}
	// T·(65535 − κ) ≥ κ·R  ⇔  T ≥ ceil(κ·R / (65535 − κ)).
	num := new(big.Int).Mul(new(big.Int).SetUint64(idle), big.NewInt(int64(s.kappa)))
	den := big.NewInt(int64(65535 - s.kappa))
	num.Add(num, den).Sub(num, big.NewInt(1))
	t := num.Quo(num, den)
	if !t.IsUint64() || t.Uint64() <= s.setterStake {
		return 0
	}
	return t.Uint64() - s.setterStake
}

// percent formats a proportion with one decimal, never rounding up to a value it is below.
func percent(x float64) string {
	v := int64(x * 1000) // tenths of a percent, truncated
	return fmt.Sprintf("%d.%d%%", v/10, v%10)
}

// percentRounded formats a proportion with one decimal, rounded (kappa 32767/65535 is 50.0%).
func percentRounded(x float64) string { return fmt.Sprintf("%.1f%%", x*100) }

// amountUp renders RAO with 4 decimals rounded up, so an amount needed is never understated.
func amountUp(rao uint64, sign string) string {
	const step = raoPerTAO / 10_000
	if r := rao % step; r != 0 && rao <= ^uint64(0)-step {
		rao += step - r
	}
	return formatShort(rao, sign)
}

// printConsensusStall writes the note under the metagraph table.
func printConsensusStall(t *Table, s consensusStall) {
	setters := make([]string, len(s.setters))
	for i, u := range s.setters {
		setters[i] = fmt.Sprint(u)
	}
	t.Line("")
	uids := "uid"
	if len(setters) > 1 {
		uids = "uids"
	}
	t.Line("Why consensus and incentive are 0: the validators setting weights (%s %s) hold %s of the active validators' stake weight;",
		uids, strings.Join(setters, ", "), percent(s.share()))
	t.Line("  consensus needs at least kappa = %s (%d/65535), so every miner's stake-weighted median weight is 0.", percentRounded(float64(s.kappa)/65535), s.kappa)
	idle := make([]string, len(s.idle))
	for i, v := range s.idle {
		who := ""
		if v.owner {
			who = ", owner"
		}
		idle[i] = fmt.Sprintf("uid %d (%s%s, inactive after block %d)", v.uid, percent(float64(v.bits)/float64(s.voterBits)), who, v.lastSeen+s.cutoff)
	}
	t.Line("  The rest is held by validator-permit holders that set no weights: %s.", strings.Join(idle, "; "))
	t.Line("  It clears when they go inactive (no weights for activity_cutoff = %s), or when the validators hold more stake weight:", plural(s.cutoff, "block", ""))
	if need := s.needed(); need > 0 {
		t.Line("  about %s more alpha on their hotkeys (`btcli stake add --netuid %d --hotkey HOTKEY`)", amountUp(need, "α"), s.netuid)
		if s.taoWeightPPM > 0 {
			t.Line("  or about %s on root (`btcli stake add --netuid 0 --hotkey HOTKEY`; root counts at tao_weight %s).",
				amountUp(fixed.MulDiv(need, 1_000_000, s.taoWeightPPM)+1, "τ"), percentRounded(float64(s.taoWeightPPM)/1e6))
		}
	} else {
		t.Line("  stake more alpha on their hotkeys (`btcli stake add --netuid %d --hotkey HOTKEY`) or on root (--netuid 0).", s.netuid)
	}
}

// weightRows converts the metagraph's [uid, value] pairs to yuma rows.
// yumaParams are the epoch parameters of a subnet's hyperparameters (as the hyperparameters
// query names them), as chain/epoch reads them from state.
func yumaParams(hp map[string]uint64) yuma.Params {
	return yuma.Params{
		ActivityCutoff:        max(1, hp["activity_cutoff_factor_milli"]*hp["tempo"]/1000),
		Kappa:                 uint16(hp["kappa"]),
		BondsMovingAverage:    hp["bonds_moving_average"],
		BondsPenalty:          uint16(hp["bonds_penalty"]),
		MaxAllowedValidators:  uint16(hp["max_allowed_validators"]),
		StakeThreshold:        hp["stake_threshold"],
		Yuma3:                 hp["yuma3_enabled"] == 1,
		LiquidAlpha:           hp["liquid_alpha_enabled"] == 1,
		AlphaLow:              uint16(hp["alpha_low"]),
		AlphaHigh:             uint16(hp["alpha_high"]),
		AlphaSigmoidSteepness: int16(hp["alpha_sigmoid_steepness"]),
	}
}

// weightRows turns a metagraph's weight rows into yuma's.
func weightRows(m [][][2]uint16) []yuma.Row {
	out := make([]yuma.Row, len(m))
	for i, r := range m {
		for _, e := range r {
			out[i] = append(out[i], yuma.Entry{UID: e[0], Value: e[1]})
		}
	}
	return out
}
