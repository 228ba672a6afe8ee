package coinbase

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/keys"
)

// Events.
const (
	EventEmission  = "coinbase.Emission"
	EventEpochPaid = "coinbase.EpochPaid"
	EventBurned    = "coinbase.Burned"
	// One event per payout of an epoch: a miner's incentive staked for its owner, an owner
	// hotkey's incentive burned (§11.5), a validator's dividends (take to its owner, the
	// rest to its nominators; root dividends to its root stakers), the owner cut.
	EventIncentivePaid   = "coinbase.IncentivePaid"
	EventIncentiveBurned = "coinbase.IncentiveBurned"
	EventDividendsPaid   = "coinbase.DividendsPaid"
	EventOwnerCutPaid    = "coinbase.OwnerCutPaid"
)

const (
	raoPerTAO = 1_000_000_000
	// supply is 21M units; halvings happen at half of what is left (§1).
	supply = 21_000_000 * raoPerTAO
)

// BlockEmission is the emission for an issuance (§1): 1 unit per block,
// halved each time issuance passes 10.5M, 15.75M, ... of 21M; 0 at the cap.
// The same schedule applies to each subnet's alpha issuance.
func BlockEmission(issuance uint64) uint64 {
	if issuance >= supply {
		return 0
	}
	h := 0
	for h < 63 && issuance >= supply-(supply>>(h+1)) {
		h++
	}
	return raoPerTAO >> h
}

// SubnetEmission is what a subnet receives in one block: TAO (its share of
// the block emission, injected into its pool) and alpha (minted for its
// epoch, owner cut included).
type SubnetEmission struct {
	TAO   uint64
	Alpha uint64
}

// NextBlockEmission is what each subnet receives in the block after r's
// state, by netuid; subnets that receive nothing (not started, emission off,
// root) are absent. For queries: Step computes the same amounts as it runs.
func NextBlockEmission(r store.Reader, block uint64) map[uint16]SubnetEmission {
	nets := emitting(r, block)
	tao := shares(r, nets, BlockEmission(balances.TotalIssuance(r)))
	out := make(map[uint16]SubnetEmission, len(nets))
	for i, n := range nets {
		out[n] = SubnetEmission{TAO: tao[i], Alpha: alphaMinted(pools.Get(r, n), GetPending(r, n))}
	}
	return out
}

// alphaMinted is the alpha a subnet mints in a block: the halving schedule
// over its alpha issuance (in the pool, staked, and pending for its epoch).
func alphaMinted(p pools.Pool, pend Pending) uint64 {
	return BlockEmission(p.AlphaIn + p.AlphaOut + pend.pendingTotal())
}

func toSwap(p pools.Pool) swap.Pool { return swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn} }

// emitting lists the subnets that receive emission: started, staking on,
// emission on (§3.1 get_subnets_to_emit_to; ours: start_call enables it).
func emitting(r store.Reader, block uint64) []uint16 {
	var out []uint16
	for _, n := range subnets.Netuids(r) {
		s, _ := subnets.Get(r, n)
		if n != subnets.RootNetuid && s.FirstEmissionBlock != 0 && block >= s.FirstEmissionBlock && s.SubtokenEnabled && s.EmissionEnabled {
			out = append(out, n)
		}
	}
	return out
}

// shares splits total by EMA price share weighted by 1 − MinerBurned
// (§11.2 HEAD), equal when every EMA price is 0. Floors; the dust is not
// minted.
func shares(r store.Reader, netuids []uint16, total uint64) []uint64 {
	out := make([]uint64, len(netuids))
	if len(netuids) == 0 {
		return out
	}
	w := make([]fixed.U64F64, len(netuids))
	var sum fixed.U64F64
	for i, n := range netuids {
		w[i] = pools.Get(r, n).MovingPrice.Fixed()
		burned := min(GetPending(r, n).MinerBurnedPPM, 1_000_000)
		w[i] = w[i].Mul(fixed.U64F64FromU64(1_000_000 - burned)).SafeDiv(fixed.U64F64FromU64(1_000_000))
		sum = sum.Add(w[i])
	}
	if sum.IsZero() {
		for i := range netuids {
			w[i] = fixed.U64F64One
		}
		sum = fixed.U64F64FromU64(uint64(len(netuids)))
	}
	for i := range netuids {
		out[i] = fixed.U64F64FromU64(total).Mul(w[i]).SafeDiv(sum).ToU64()
	}
	return out
}

// rootProportion is root_tao·TaoWeight / (root_tao·TaoWeight + alpha
// issuance), as parts of 2^64 (U64F64 < 1).
func rootProportion(r store.Reader, netuid uint16) fixed.U64F64 {
	rootTAO := pools.Get(r, subnets.RootNetuid).TAO
	tw := fixed.MulDiv(rootTAO, staking.GetParams(r).TaoWeightPPM, 1_000_000)
	p := pools.Get(r, netuid)
	issuance := p.AlphaIn + p.AlphaOut + GetPending(r, netuid).pendingTotal()
	den := tw + issuance
	if tw == 0 || den < tw {
		return fixed.U64F64{}
	}
	return fixed.U64F64FromU64(tw).SafeDiv(fixed.U64F64FromU64(den))
}

// rootSellOn is §11.4's root-sell flag: root stakers are paid alpha only
// while the emitting subnets' EMA prices sum to more than 1 (each is capped
// at 1); otherwise the root share of alpha is recycled (never minted).
func rootSellOn(r store.Reader, nets []uint16) bool {
	var sum fixed.U64F64
	for _, n := range nets {
		sum = sum.Add(pools.Get(r, n).MovingPrice.Fixed())
	}
	return sum.Cmp(fixed.U64F64One) > 0
}

func (p Pending) pendingTotal() uint64 {
	return p.Server + p.Validator + p.Root + p.OwnerCut + p.ProtocolAlpha
}

// Step runs a block's coinbase (§2 steps 2, 4, 5): mint and inject
// emission, accumulate pending alpha, run and pay due epochs, then move
// the EMA prices.
func Step(e *env.Env, kv store.KV) error {
	block := uint64(e.Block.Height)
	emission := BlockEmission(balances.TotalIssuance(kv))
	nets := emitting(kv, block)
	tao := shares(kv, nets, emission)
	p := subnets.GetParams(kv)
	rootSell := rootSellOn(kv, nets)
	for i, n := range nets {
		if err := inject(e, kv, n, tao[i], p.SubnetOwnerCut, rootSell); err != nil {
			return fmt.Errorf("emission to subnet %d: %w", n, err)
		}
	}
	for _, d := range epoch.Due(e, kv, block, subnets.Netuids(kv)) {
		if err := drain(e, kv, d); err != nil {
			return fmt.Errorf("epoch of subnet %d: %w", d.Netuid, err)
		}
	}
	updateMovingPrices(kv, nets, block)
	return nil
}

// inject adds a subnet's share of the block: taoEmission into the pool with
// alpha at the pool's price (capped by the root proportion, the excess TAO
// buying protocol alpha fee-less), and the subnet's alpha emission split
// into pending owner cut, miner, validator and root amounts (§11.3, §11.4).
func inject(e *env.Env, kv store.KV, netuid uint16, taoEmission, ownerCut uint64, rootSell bool) error {
	pool := pools.Get(kv, netuid)
	pend := GetPending(kv, netuid)
	alphaEmission := alphaMinted(pool, pend)
	rootProp := rootProportion(kv, netuid)
	if err := balances.AddIssuance(kv, taoEmission); err != nil {
		return err
	}
	sp := toSwap(pool)
	alphaIn, after, err := swap.Inject(sp, taoEmission)
	taoIn := taoEmission
	if err != nil {
		alphaIn, after, taoIn = 0, sp, 0
	}
	if capAlpha := fixed.U64F64FromU64(alphaEmission).Mul(rootProp).ToU64(); !rootProp.IsZero() && alphaIn > capAlpha {
		if taoIn, after, err = swap.InjectAlpha(sp, capAlpha); err != nil {
			taoIn, after = 0, sp
		}
		alphaIn = capAlpha
	}
	var protocol uint64
	if excess := taoEmission - min(taoIn, taoEmission); excess > 0 {
		out, _, bought, err := swap.BuyAlpha(after, excess, 0)
		if err != nil {
			// The pool cannot take it: the TAO stays in the pool's reserve
			// without buying (price rises), so nothing leaves issuance.
			after.TAO += excess
		} else {
			after, protocol = bought, out
		}
	}
	pool.TAO, pool.AlphaIn = after.TAO, after.Alpha
	pools.Put(kv, netuid, pool)

	cut := fixed.MulDiv(alphaEmission, ownerCut, 65535)
	rest := alphaEmission - cut
	server := rest / 2
	root := fixed.U64F64FromU64(rest - server).Mul(rootProp).ToU64()
	pend.OwnerCut += cut
	pend.Server += server
	pend.Validator += rest - server - root
	var recycled uint64
	if rootSell {
		pend.Root += root
	} else {
		recycled = root // never minted: alpha_out below counts it, alpha issuance does not
	}
	pend.ProtocolAlpha += protocol
	putPending(kv, netuid, pend)
	e.Events.Emit(EventEmission, env.U64("netuid", uint64(netuid)), env.U64("tao_in", taoIn), env.U64("alpha_in", alphaIn),
		env.U64("alpha_out", alphaEmission), env.U64("root_alpha_recycled", recycled), env.U64("tao_emission", taoEmission))
	return nil
}

// ownerHotkeys are the hotkeys whose miner incentive is burned (§11.5): the
// owner hotkey and the owner coldkey's hotkeys registered on the subnet.
func ownerHotkey(r store.Reader, sn subnets.Subnet, hk keys.PublicKey) bool {
	if hk == sn.OwnerHotkey {
		return true
	}
	o, ok := neurons.Owner(r, hk)
	return ok && o == sn.Owner
}

// split divides pot by weights, floored; it returns the parts and what
// they add up to (≤ pot).
func split(pot uint64, weights []uint64) ([]uint64, uint64) {
	out := make([]uint64, len(weights))
	// Sum in 128 bits; when it does not fit u64, scale every weight down
	// by the same power of two (the shares barely move, the total fits).
	var hi, lo uint64
	for _, w := range weights {
		var c uint64
		lo, c = bits.Add64(lo, w, 0)
		hi += c
	}
	shift := uint(bits.Len64(hi))
	var sum uint64
	for _, w := range weights {
		sum += w >> shift
	}
	if sum == 0 {
		return out, 0
	}
	var paid uint64
	for i, w := range weights {
		out[i] = fixed.MulDiv(pot, w>>shift, sum)
		paid += out[i]
	}
	return out, paid
}

// drain runs a due epoch and pays its pending alpha (§11.5).
func drain(e *env.Env, kv store.KV, d epoch.DueEpoch) error {
	pend := GetPending(kv, d.Netuid)
	drained := pend.Server + pend.Validator + pend.Root + pend.OwnerCut
	server, validator, root := pend.Server, pend.Validator, pend.Root
	out, all, err := epoch.Run(e, kv, d, pend.Server+pend.Validator+pend.Root)
	if err != nil {
		return err
	}
	sn, _ := subnets.Get(kv, d.Netuid)
	n := len(all)
	var paid, burnedIncentive, totalIncentive uint64
	incentive, incPaid := split(pend.Server, out.ServerEmission)
	valPot := pend.Validator
	if incPaid == 0 {
		valPot += pend.Server // no usable incentive: validators get the miners' half
	}
	for i := 0; i < n; i++ {
		totalIncentive += incentive[i]
		if incentive[i] == 0 {
			continue
		}
		if ownerHotkey(kv, sn, all[i].Hotkey) {
			burnedIncentive += incentive[i]
			e.Events.Emit(EventIncentiveBurned, env.U64("netuid", uint64(d.Netuid)), env.U64("uid", uint64(i)),
				env.Account("hotkey", all[i].Hotkey), env.U64("alpha", incentive[i]))
			continue
		}
		owner, err := stakeTo(kv, all[i].Hotkey, d.Netuid, incentive[i])
		if err != nil {
			return err
		}
		paid += incentive[i]
		e.Events.Emit(EventIncentivePaid, env.U64("netuid", uint64(d.Netuid)), env.U64("uid", uint64(i)),
			env.Account("hotkey", all[i].Hotkey), env.Account("coldkey", owner), env.U64("alpha", incentive[i]))
	}
	// Dividends split between alpha and root by each hotkey's root share.
	tw := staking.GetParams(kv).TaoWeightPPM
	alphaW, rootW := make([]uint64, n), make([]uint64, n)
	for i := 0; i < n; i++ {
		div := out.ValidatorEmission[i]
		a := staking.TotalHotkeyAlpha(kv, all[i].Hotkey, d.Netuid)
		r := fixed.MulDiv(staking.TotalHotkeyAlpha(kv, all[i].Hotkey, subnets.RootNetuid), tw, 1_000_000)
		if a+r == 0 {
			alphaW[i] = div
			continue
		}
		rootW[i] = fixed.MulDiv(div, r, a+r)
		alphaW[i] = div - rootW[i]
	}
	alphaDivs, _ := split(valPot, alphaW)
	rootDivs, _ := split(pend.Root, rootW)
	for i := 0; i < n; i++ {
		got, take, err := payDividend(kv, all[i].Hotkey, d.Netuid, alphaDivs[i], rootDivs[i])
		if err != nil {
			return err
		}
		paid += got
		if got > 0 {
			e.Events.Emit(EventDividendsPaid, env.U64("netuid", uint64(d.Netuid)), env.U64("uid", uint64(i)),
				env.Account("hotkey", all[i].Hotkey), env.U64("alpha", alphaDivs[i]), env.U64("root", rootDivs[i]), env.U64("take", take))
		}
	}
	if pend.OwnerCut > 0 {
		if err := creditStake(kv, sn.OwnerHotkey, sn.Owner, d.Netuid, pend.OwnerCut); err != nil {
			return err
		}
		paid += pend.OwnerCut
		e.Events.Emit(EventOwnerCutPaid, env.U64("netuid", uint64(d.Netuid)), env.Account("hotkey", sn.OwnerHotkey),
			env.Account("coldkey", sn.Owner), env.U64("alpha", pend.OwnerCut))
	}
	cut := pend.OwnerCut
	pend.Server, pend.Validator, pend.Root, pend.OwnerCut = 0, 0, 0, 0
	if totalIncentive > 0 {
		pend.MinerBurnedPPM = fixed.MulDiv(burnedIncentive, 1_000_000, totalIncentive)
	} else {
		pend.MinerBurnedPPM = 0
	}
	putPending(kv, d.Netuid, pend)
	e.Events.Emit(EventEpochPaid, env.U64("netuid", uint64(d.Netuid)), env.U64("drained", drained), env.U64("paid", paid),
		env.U64("burned", drained-paid), env.U64("owner_cut", cut), env.U64("server", server), env.U64("validator", validator),
		env.U64("root", root), env.U64("last_tempo", d.LastTempo))
	if drained > paid {
		e.Events.Emit(EventBurned, env.U64("netuid", uint64(d.Netuid)), env.U64("alpha", drained-paid),
			env.U64("owner_hotkey_incentive", burnedIncentive))
	}
	return nil
}

// stakeTo pays miner incentive as stake to (hotkey, its owner coldkey) and returns the
// owner.
func stakeTo(kv store.KV, hk keys.PublicKey, netuid uint16, alpha uint64) (keys.PublicKey, error) {
	owner, ok := neurons.Owner(kv, hk)
	if !ok {
		return owner, fmt.Errorf("hotkey %s has no owner", hk.SS58())
	}
	return owner, creditStake(kv, hk, owner, netuid, alpha)
}

func creditStake(kv store.KV, hk, ck keys.PublicKey, netuid uint16, alpha uint64) error {
	if alpha == 0 {
		return nil
	}
	if err := staking.Credit(kv, hk, netuid, ck, alpha); err != nil {
		return err
	}
	p := pools.Get(kv, netuid)
	p.AlphaOut += alpha
	pools.Put(kv, netuid, p)
	return nil
}

// payDividend pays a validator hotkey: its take to its owner, the rest to
// all its nominators on the subnet (alpha dividends), and the root part to
// its root stakers pro rata as alpha stake on this subnet (ours). It returns what it paid
// and how much of that went to the owner as take (with the root part's rounding dust).
func payDividend(kv store.KV, hk keys.PublicKey, netuid uint16, alphaDiv, rootDiv uint64) (paid, took uint64, err error) {
	owner, ok := neurons.Owner(kv, hk)
	if !ok || alphaDiv+rootDiv == 0 {
		return 0, 0, nil
	}
	take := staking.GetTake(kv, hk).Take
	if alphaDiv > 0 {
		t := fixed.MulDiv(alphaDiv, take, 65535)
		if err := creditStake(kv, hk, owner, netuid, t); err != nil {
			return 0, 0, err
		}
		rest := alphaDiv - t
		if err := staking.Distribute(kv, hk, netuid, owner, rest); err != nil {
			return 0, 0, err
		}
		p := pools.Get(kv, netuid)
		p.AlphaOut += rest
		pools.Put(kv, netuid, p)
		paid += alphaDiv
		took += t
	}
	if rootDiv > 0 {
		t := fixed.MulDiv(rootDiv, take, 65535)
		// Every root staker, however many: a cap left those past it with
		// nothing and gave their part to the others. The cost is one credit
		// per root staker per epoch; a claim accumulator (the reference's
		// RootClaimable) would make it constant.
		noms := staking.Nominators(kv, hk, subnets.RootNetuid, math.MaxInt)
		weights := make([]uint64, len(noms))
		for i, nm := range noms {
			weights[i] = nm.Alpha
		}
		parts, sum := split(rootDiv-t, weights)
		t += rootDiv - t - sum // dust and the no-nominator case go to the owner
		if err := creditStake(kv, hk, owner, netuid, t); err != nil {
			return 0, 0, err
		}
		for i, nm := range noms {
			if err := creditStake(kv, hk, nm.Coldkey, netuid, parts[i]); err != nil {
				return 0, 0, err
			}
		}
		paid += rootDiv
		took += t
	}
	return paid, took, nil
}

// updateMovingPrices applies §11.7 to the emitting subnets:
// α = moving_alpha·b/(b+halving), moving ← α·min(price, 1) + (1−α)·moving.
func updateMovingPrices(kv store.KV, nets []uint16, block uint64) {
	cp := GetParams(kv)
	for _, n := range nets {
		s, _ := subnets.Get(kv, n)
		b := block - min(block, s.FirstEmissionBlock-1)
		a := fixed.U64F64FromU64(cp.MovingAlphaPPB).SafeDiv(fixed.U64F64FromU64(1_000_000_000))
		a = a.Mul(fixed.U64F64FromU64(b)).SafeDiv(fixed.U64F64FromU64(b + cp.EMAPriceHalvingBlocks))
		p := pools.Get(kv, n)
		price := toSwap(p).Price()
		if price.Cmp(fixed.U64F64One) > 0 {
			price = fixed.U64F64One
		}
		moving := a.Mul(price).Add(fixed.U64F64One.Sub(a).Mul(p.MovingPrice.Fixed()))
		p.MovingPrice = pools.PriceOf(moving)
		pools.Put(kv, n, p)
	}
}
