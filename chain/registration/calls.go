package registration

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
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

// LockCost is what register_network locks at block now (§3.1). The
// reduction interval scales with the block emission at the current total
// issuance, so it halves at each halving.
func LockCost(r store.Reader, now uint64) uint64 {
	return subnets.LockCost(r, now, coinbase.BlockEmission(balances.TotalIssuance(r)))
}

// DefaultNeuronBurn is a new subnet's first registration price (1 TAO).
const DefaultNeuronBurn = 1_000_000_000

func parseHotkey(s string) (keys.PublicKey, error) {
	hk, err := keys.ParsePublicKeyOrSS58(s)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("%w: hotkey %q: %v", subnets.ErrInvalidHotkey, s, err)
	}
	return hk, nil
}

// networkPlan is a validated register_network.
type networkPlan struct {
	hotkey keys.PublicKey
	lock   uint64
	netuid uint16
	prune  *uint16 // a subnet to dissolve first
}

func planNetwork(r store.Reader, coldkey keys.PublicKey, hotkeyStr string, id *subnets.SubnetIdentity, now uint64) (networkPlan, error) {
	hk, err := parseHotkey(hotkeyStr)
	if err != nil {
		return networkPlan{}, err
	}
	if err := neurons.CheckHotkeyOwner(r, coldkey, hk); err != nil {
		return networkPlan{}, err
	}
	if id != nil {
		if err := id.Validate(); err != nil {
			return networkPlan{}, err
		}
	}
	p := subnets.GetParams(r)
	net := subnets.Network(r)
	if net.EverRegistered && now-min(now, net.LastRegisteredAt) < p.NetworkRateLimit {
		return networkPlan{}, fmt.Errorf("%w: next allowed at block %d", subnets.ErrNetworkTxRateLimitExceeded, net.LastRegisteredAt+p.NetworkRateLimit)
	}
	plan := networkPlan{hotkey: hk, lock: LockCost(r, now)}
	all := subnets.Netuids(r)
	var nonRoot []uint16
	for _, n := range all {
		if n != subnets.RootNetuid {
			nonRoot = append(nonRoot, n)
		}
	}
	if uint64(len(nonRoot)) >= p.SubnetLimit {
		victim, ok := networkToPrune(r, nonRoot, p, now)
		if !ok {
			return networkPlan{}, fmt.Errorf("%w: %d subnets, all registered less than %d blocks ago", subnets.ErrSubnetLimitReached, len(nonRoot), p.NetworkImmunityPeriod)
		}
		plan.prune, plan.netuid = &victim, victim
	} else {
		plan.netuid = 1
		for _, n := range nonRoot { // sorted ascending: find the smallest gap
			if n != plan.netuid {
				break
			}
			plan.netuid++
		}
	}
	if free := balances.Free(r, coldkey); free < plan.lock {
		return networkPlan{}, fmt.Errorf("%w: lock cost %s, free balance %s", subnets.ErrCannotAffordLockCost, balances.FormatTAO(plan.lock), balances.FormatTAO(free))
	}
	return plan, nil
}

// networkToPrune picks the non-immune subnet with the lowest EMA price,
// ties to the earliest registered (§3.1 step 5).
func networkToPrune(r store.Reader, netuids []uint16, p subnets.Params, now uint64) (uint16, bool) {
	type cand struct {
		netuid uint16
		price  pools.Price
		at     uint64
	}
	var cs []cand
	for _, n := range netuids {
		s, _ := subnets.Get(r, n)
		if now < s.RegisteredAt+p.NetworkImmunityPeriod {
			continue
		}
		cs = append(cs, cand{n, pools.Get(r, n).MovingPrice, s.RegisteredAt})
	}
	if len(cs) == 0 {
		return 0, false
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		if c := a.price.Cmp(b.price); c != 0 {
			return c
		}
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return int(a.netuid) - int(b.netuid)
	})
	return cs[0].netuid, true
}

// ValidateRegisterNetwork runs register_network's checks.
func ValidateRegisterNetwork(r store.Reader, coldkey keys.PublicKey, hotkey string, id *subnets.SubnetIdentity, now uint64) error {
	_, err := planNetwork(r, coldkey, hotkey, id, now)
	return err
}

// RegisterNetwork implements register_network (with identity when id is set).
func RegisterNetwork(e *env.Env, kv store.KV, hotkey string, id *subnets.SubnetIdentity, hooks neurons.Hooks) error {
	now := uint64(e.Block.Height)
	plan, err := planNetwork(kv, e.Signer, hotkey, id, now)
	if err != nil {
		return err
	}
	if plan.prune != nil {
		dissolve(e, kv, *plan.prune, "pruned at the subnet limit")
	}
	var existing []swap.Pool
	for _, n := range subnets.Netuids(kv) {
		if n != subnets.RootNetuid {
			existing = append(existing, toSwap(pools.Get(kv, n)))
		}
	}
	seeded, err := swap.Seed(plan.lock, swap.MedianPrice(existing))
	if err != nil {
		return fmt.Errorf("seed pool: %w", err)
	}
	if err := balances.Withdraw(e, kv, e.Signer, plan.lock, "subnet lock"); err != nil {
		return err
	}
	p := subnets.GetParams(kv)
	h := p.NewSubnet
	subnets.Create(kv, subnets.Subnet{Netuid: plan.netuid, Owner: e.Signer, OwnerHotkey: plan.hotkey, RegisteredAt: now, Locked: plan.lock}, h,
		min(max(DefaultNeuronBurn, h.MinBurn), h.MaxBurn), now)
	pools.Put(kv, plan.netuid, pools.Pool{TAO: seeded.TAO, AlphaIn: seeded.Alpha})
	if id != nil {
		subnets.PutIdentity(kv, plan.netuid, *id)
	}
	if err := neurons.ClaimHotkey(kv, e.Signer, plan.hotkey); err != nil {
		return err
	}
	neurons.Append(e, kv, plan.netuid, plan.hotkey)
	epoch.InitSchedule(kv, plan.netuid, now)
	e.Events.Emit(subnets.EventNetworkAdded, env.U64("netuid", uint64(plan.netuid)), env.Account("owner", e.Signer),
		env.Account("owner_hotkey", plan.hotkey), env.U64("lock", plan.lock))
	return nil
}

// registrationPlan is a validated burned_register.
type registrationPlan struct {
	hotkey  keys.PublicKey
	cost    uint64
	replace *neurons.PruneChoice
}

func planRegistration(r store.Reader, coldkey keys.PublicKey, netuid uint16, hotkeyStr string, limit *uint64, now uint64) (registrationPlan, error) {
	if netuid == subnets.RootNetuid {
		return registrationPlan{}, ErrRegistrationNotPermittedOnRootSubnet
	}
	sn, err := subnets.Require(r, netuid)
	if err != nil {
		return registrationPlan{}, err
	}
	h := subnets.Hyper(r, netuid)
	if h.RegistrationAllowed == 0 {
		return registrationPlan{}, fmt.Errorf("%w: subnet %d", subnets.ErrSubNetRegistrationDisabled, netuid)
	}
	hk, err := parseHotkey(hotkeyStr)
	if err != nil {
		return registrationPlan{}, err
	}
	if uid, ok := neurons.UID(r, netuid, hk); ok {
		return registrationPlan{}, fmt.Errorf("%w: %s is uid %d on subnet %d", neurons.ErrHotKeyAlreadyRegistered, hk.SS58(), uid, netuid)
	}
	burn := subnets.CurrentBurn(r, netuid, now)
	if burn.RegistrationsThisBlock >= h.MaxRegistrationsPerBlock {
		return registrationPlan{}, fmt.Errorf("%w: %d this block; next allowed at block %d", ErrTooManyRegistrationsThisBlock, burn.RegistrationsThisBlock, now+1)
	}
	if limit != nil && burn.Burn > *limit {
		return registrationPlan{}, fmt.Errorf("%w: price %s, limit %s", ErrRegistrationPriceLimitExceeded, balances.FormatTAO(burn.Burn), balances.FormatTAO(*limit))
	}
	if free := balances.Free(r, coldkey); free < burn.Burn {
		return registrationPlan{}, fmt.Errorf("%w: price %s, free balance %s", ErrNotEnoughBalanceToStake, balances.FormatTAO(burn.Burn), balances.FormatTAO(free))
	}
	if err := neurons.CheckHotkeyOwner(r, coldkey, hk); err != nil {
		return registrationPlan{}, err
	}
	plan := registrationPlan{hotkey: hk, cost: burn.Burn}
	if uint64(neurons.Count(r, netuid)) >= h.MaxAllowedUids {
		choice, err := neurons.NeuronToPrune(r, sn, h, now)
		if err != nil {
			return registrationPlan{}, err
		}
		plan.replace = &choice
	}
	if _, _, _, err := swap.BuyAlpha(toSwap(pools.Get(r, netuid)), plan.cost, swap.DefaultFeeRate); err != nil {
		return registrationPlan{}, fmt.Errorf("registration swap: %w", err)
	}
	return plan, nil
}

func toSwap(p pools.Pool) swap.Pool { return swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn} }

// ValidateBurnedRegister runs burned_register's (or register_limit's) checks.
func ValidateBurnedRegister(r store.Reader, coldkey keys.PublicKey, netuid uint16, hotkey string, limit *uint64, now uint64) error {
	_, err := planRegistration(r, coldkey, netuid, hotkey, limit, now)
	return err
}

// BurnedRegister implements burned_register and register_limit: the price
// is paid into the pool as a swap whose alpha is burned, so the TAO stays
// in the pool and the price rises (§4.1 step 6).
func BurnedRegister(e *env.Env, kv store.KV, netuid uint16, hotkey string, limit *uint64, hooks neurons.Hooks) error {
	now := uint64(e.Block.Height)
	plan, err := planRegistration(kv, e.Signer, netuid, hotkey, limit, now)
	if err != nil {
		return err
	}
	if err := balances.Withdraw(e, kv, e.Signer, plan.cost, "registration burn"); err != nil {
		return err
	}
	pool := pools.Get(kv, netuid)
	alphaOut, fee, after, err := swap.BuyAlpha(toSwap(pool), plan.cost, swap.DefaultFeeRate)
	if err != nil {
		return fmt.Errorf("registration swap: %w", err)
	}
	pool.TAO, pool.AlphaIn = after.TAO, after.Alpha
	pools.Put(kv, netuid, pool)
	if err := payAuthor(e, kv, fee); err != nil {
		return err
	}
	if err := neurons.ClaimHotkey(kv, e.Signer, plan.hotkey); err != nil {
		return err
	}
	var uid uint16
	if plan.replace != nil {
		uid = plan.replace.UID
		neurons.Replace(e, kv, netuid, *plan.replace, plan.hotkey, hooks)
	} else {
		uid = neurons.Append(e, kv, netuid, plan.hotkey)
	}
	subnets.BumpBurn(kv, netuid)
	e.Events.Emit(EventBurned, env.U64("netuid", uint64(netuid)), env.U64("uid", uint64(uid)), env.U64("tao", plan.cost),
		env.U64("alpha_burned", alphaOut), env.U64("fee", fee))
	return nil
}

// EventBurned reports what a registration paid.
const EventBurned = "registration.Burned"

// payAuthor credits a swap fee to the block author, or recycles it.
func payAuthor(e *env.Env, kv store.KV, fee uint64) error {
	if fee == 0 {
		return nil
	}
	if e.HasAuthor {
		return balances.Deposit(e, kv, e.Author, fee, "swap fee")
	}
	balances.Recycle(kv, fee)
	return nil
}

// ValidateDissolve checks sudo_dissolve_network's netuid.
func ValidateDissolve(r store.Reader, netuid uint16) error {
	if netuid == subnets.RootNetuid {
		return subnets.ErrNotPermittedOnRoot
	}
	_, err := subnets.Require(r, netuid)
	return err
}

// Dissolve implements sudo_dissolve_network; the caller checked sudo.
func Dissolve(e *env.Env, kv store.KV, netuid uint16) error {
	return DissolveWithReason(e, kv, netuid, "dissolved by sudo")
}

// DissolveWithReason dissolves netuid as Dissolve does, naming who decided
// it in NetworkRemoved's reason (a passed governance proposal, say).
func DissolveWithReason(e *env.Env, kv store.KV, netuid uint16, reason string) error {
	if err := ValidateDissolve(kv, netuid); err != nil {
		return err
	}
	dissolve(e, kv, netuid, reason)
	return nil
}

// dissolve removes a subnet (§3.1): its pool's TAO goes back to the alpha
// holders pro rata by alpha, credited to their coldkeys' free balance; the
// protocol's own alpha's share and the rounding dust are recycled out of
// issuance, and pending emission (never minted) lapses.
func dissolve(e *env.Env, kv store.KV, netuid uint16, reason string) {
	pool := pools.Get(kv, netuid)
	holders := staking.HoldersOn(kv, netuid, math.MaxInt) // all of them: a cap left the rest unrefunded, their shares in state
	weights := make([]uint64, len(holders))
	var staked uint64
	for i, h := range holders {
		weights[i] = h.Alpha
		staked += h.Alpha
	}
	denom := staked + coinbase.GetPending(kv, netuid).ProtocolAlpha
	var refunded uint64
	if denom > 0 {
		for i, h := range holders {
			part := fixed.MulDiv(pool.TAO, weights[i], denom)
			if part == 0 {
				continue
			}
			// A deposit fails only past the supply cap, impossible for TAO
			// already in issuance; such a share would be recycled below.
			if err := balances.Deposit(e, kv, h.Coldkey, part, "subnet dissolved"); err == nil {
				refunded += part
			}
		}
	}
	balances.Recycle(kv, pool.TAO-refunded)
	staking.RemoveSubnetStake(kv, netuid, holders)
	pools.Remove(kv, netuid)
	neurons.RemoveSubnet(kv, netuid)
	epoch.RemoveSubnet(kv, netuid)
	coinbase.RemoveSubnet(kv, netuid)
	subnets.Remove(kv, netuid)
	e.Events.Emit(subnets.EventNetworkRemoved, env.U64("netuid", uint64(netuid)), env.Str("reason", reason),
		env.U64("tao_refunded", refunded), env.U64("tao_recycled", pool.TAO-refunded), env.U64("stakers", uint64(len(holders))))
}
