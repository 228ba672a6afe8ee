package staking

import (
	"fmt"
	"math"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/keys"
)

// Events.
const (
	EventStakeAdded     = "staking.StakeAdded"
	EventStakeRemoved   = "staking.StakeRemoved"
	EventStakeMoved     = "staking.StakeMoved"
	EventTakeChanged    = "staking.TakeChanged"
	EventRootRegistered = "staking.RootRegistered"
)

// Validate runs f on a scratch branch of r: every staking call validates
// by executing itself on state that is then dropped, so CheckTx and block
// execution share one code path.
func Validate(r store.Reader, f func(e *env.Env, kv store.KV) error, signer keys.PublicKey, height int64) error {
	return f(&env.Env{Block: env.Block{Height: height}, Signer: signer, Events: &env.Events{}}, store.NewCache(r))
}

func parseHotkey(s string) (keys.PublicKey, error) {
	hk, err := keys.ParsePublicKeyOrSS58(s)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("%w: %q: %v", ErrInvalidHotkey, s, err)
	}
	return hk, nil
}

func requireHotkey(r store.Reader, hk keys.PublicKey) error {
	if _, ok := neurons.Owner(r, hk); !ok {
		return fmt.Errorf("%w: %s", ErrHotKeyAccountNotExists, hk.SS58())
	}
	return nil
}

// RequireStakeable refuses a subnet that does not exist (SubnetNotExists)
// or has not been started (SubtokenDisabled): it takes no stake.
func RequireStakeable(r store.Reader, netuid uint16) error {
	_, err := requireStakeable(r, netuid)
	return err
}

func requireStakeable(r store.Reader, netuid uint16) (subnets.Subnet, error) {
	s, err := subnets.Require(r, netuid)
	if err != nil {
		return s, err
	}
	if netuid != RootNetuid && !s.SubtokenEnabled {
		return s, fmt.Errorf("%w: subnet %d", ErrSubtokenDisabled, netuid)
	}
	return s, nil
}

func attrs(ck, hk keys.PublicKey, netuid uint16) []env.Attr {
	return []env.Attr{env.Account("coldkey", ck), env.Account("hotkey", hk), env.U64("netuid", uint64(netuid))}
}

// credit adds alpha to (hotkey, netuid) for coldkey.
func credit(kv store.KV, hk keys.PublicKey, netuid uint16, ck keys.PublicKey, alpha uint64) error {
	pool := HotkeyPool(kv, hk, netuid)
	shares, err := pool.Deposit(alpha)
	if err != nil {
		return err
	}
	held := Shares(kv, hk, netuid, ck)
	total := held.Add(shares)
	if total.Cmp(held) < 0 {
		return fmt.Errorf("%w: shares", swap.ErrOverflow)
	}
	putHotkeyPool(kv, hk, netuid, pool)
	putShares(kv, hk, netuid, ck, total)
	return nil
}

// debit removes alpha from coldkey's stake on (hotkey, netuid).
func debit(kv store.KV, hk keys.PublicKey, netuid uint16, ck keys.PublicKey, alpha uint64) error {
	pool := HotkeyPool(kv, hk, netuid)
	held := Shares(kv, hk, netuid, ck)
	have := pool.ValueOf(held)
	if have < alpha {
		return fmt.Errorf("%w: holds %d, asked %d", ErrNotEnoughStakeToWithdraw, have, alpha)
	}
	if alpha == have {
		// The whole position: burn every share, so no worthless dust
		// shares stay behind to earn later distributions.
		if _, err := pool.Withdraw(held); err != nil {
			return err
		}
		putHotkeyPool(kv, hk, netuid, pool)
		putShares(kv, hk, netuid, ck, fixed.U64F64{})
		return nil
	}
	burned, err := pool.WithdrawAlpha(held, alpha)
	if err != nil {
		return err
	}
	putHotkeyPool(kv, hk, netuid, pool)
	putShares(kv, hk, netuid, ck, held.Sub(burned))
	return nil
}

// AddStake implements add_stake and add_stake_limit (lim non-nil).
func AddStake(e *env.Env, kv store.KV, hotkey string, netuid uint16, tao uint64, lim *limit) error {
	hk, err := parseHotkey(hotkey)
	if err != nil {
		return err
	}
	if _, err := requireStakeable(kv, netuid); err != nil {
		return err
	}
	if err := requireHotkey(kv, hk); err != nil {
		return err
	}
	p := GetParams(kv)
	if tao < p.MinStake {
		return fmt.Errorf("%w: %s below the minimum %s", ErrAmountTooLow, balances.FormatTAO(tao), balances.FormatTAO(p.MinStake))
	}
	if free := balances.Free(kv, e.Signer); free < tao {
		return fmt.Errorf("%w: free %s, stake %s", ErrNotEnoughBalanceToStake, balances.FormatTAO(free), balances.FormatTAO(tao))
	}
	used, alpha, fee, err := buy(kv, netuid, tao, lim, swap.DefaultFeeRate)
	if err != nil {
		return err
	}
	if used-fee < p.MinStake {
		return fmt.Errorf("%w: %s after the fee is below the minimum %s", ErrAmountTooLow, balances.FormatTAO(used-fee), balances.FormatTAO(p.MinStake))
	}
	if err := balances.Withdraw(e, kv, e.Signer, used, "stake"); err != nil {
		return err
	}
	if err := payAuthor(e, kv, fee); err != nil {
		return err
	}
	if err := credit(kv, hk, netuid, e.Signer, alpha); err != nil {
		return err
	}
	if owner, _ := neurons.Owner(kv, hk); lim != nil && owner != e.Signer {
		// §7.2: the limit variant makes the hotkey a delegate when the
		// staker is not its owner (HEAD's maybe_become_delegate).
		maybeBecomeDelegate(kv, hk)
	}
	e.Events.Emit(EventStakeAdded, append(attrs(e.Signer, hk, netuid), env.U64("tao", used), env.U64("alpha", alpha), env.U64("fee", fee))...)
	return nil
}

// maybeBecomeDelegate lists hk among the delegates, with the take it has
// (the default unless set), if it is not one yet.
func maybeBecomeDelegate(kv store.KV, hk keys.PublicKey) {
	if t := GetTake(kv, hk); !t.Set {
		putTake(kv, hk, Take{Take: t.Take})
	}
}

// RemoveStake implements remove_stake and remove_stake_limit (lim non-nil).
func RemoveStake(e *env.Env, kv store.KV, hotkey string, netuid uint16, alpha uint64, lim *limit) error {
	hk, err := parseHotkey(hotkey)
	if err != nil {
		return err
	}
	_, err = removeStake(e, kv, hk, netuid, alpha, lim)
	return err
}

func removeStake(e *env.Env, kv store.KV, hk keys.PublicKey, netuid uint16, alpha uint64, lim *limit) (uint64, error) {
	if _, err := requireStakeable(kv, netuid); err != nil {
		return 0, err
	}
	if err := requireHotkey(kv, hk); err != nil {
		return 0, err
	}
	if alpha == 0 {
		return 0, fmt.Errorf("%w: amount is zero", ErrAmountTooLow)
	}
	have := Stake(kv, hk, netuid, e.Signer)
	if have < alpha {
		return 0, fmt.Errorf("%w: holds %d, asked %d", ErrNotEnoughStakeToWithdraw, have, alpha)
	}
	used, tao, fee, err := sell(kv, netuid, alpha, lim, swap.DefaultFeeRate)
	if err != nil {
		return 0, err
	}
	p := GetParams(kv)
	if used < have && tao < p.MinStake {
		return 0, fmt.Errorf("%w: %s out is below the minimum %s; unstake all or more", ErrAmountTooLow, balances.FormatTAO(tao), balances.FormatTAO(p.MinStake))
	}
	if err := debit(kv, hk, netuid, e.Signer, used); err != nil {
		return 0, err
	}
	if err := balances.Deposit(e, kv, e.Signer, tao, "unstake"); err != nil {
		return 0, err
	}
	if err := payAuthor(e, kv, fee); err != nil {
		return 0, err
	}
	e.Events.Emit(EventStakeRemoved, append(attrs(e.Signer, hk, netuid), env.U64("alpha", used), env.U64("tao", tao), env.U64("fee", fee))...)
	cleared, err := clearSmallNomination(e, kv, hk, netuid)
	if err != nil {
		return 0, err
	}
	return tao + cleared, nil
}

// clearSmallNomination unstakes what an unstake left of the signer's
// nomination on (hotkey, netuid) when it is worth less than
// NominatorMinStake and the signer does not own the hotkey (§7.3,
// clear_small_nomination_if_required): the rest is sold without a swap
// fee and paid to the coldkey. A sale the pool refuses leaves the
// nomination as it is. It returns the TAO paid.
func clearSmallNomination(e *env.Env, kv store.KV, hk keys.PublicKey, netuid uint16) (uint64, error) {
	p := GetParams(kv)
	if p.NominatorMinStake == 0 {
		return 0, nil
	}
	if owner, ok := neurons.Owner(kv, hk); ok && owner == e.Signer {
		return 0, nil
	}
	left := Stake(kv, hk, netuid, e.Signer)
	if left == 0 {
		return 0, nil
	}
	value := left
	if netuid != RootNetuid {
		value = toSwap(pools.Get(kv, netuid)).TAOValue(left)
	}
	if value >= p.NominatorMinStake {
		return 0, nil
	}
	used, tao, _, err := sell(kv, netuid, left, nil, 0)
	if err != nil {
		return 0, nil // sell changes nothing when it fails
	}
	if err := debit(kv, hk, netuid, e.Signer, used); err != nil {
		return 0, err
	}
	if err := balances.Deposit(e, kv, e.Signer, tao, "unstake"); err != nil {
		return 0, err
	}
	e.Events.Emit(EventStakeRemoved, append(attrs(e.Signer, hk, netuid), env.U64("alpha", used), env.U64("tao", tao), env.U64("fee", 0),
		env.Str("reason", "below the nominator minimum"))...)
	return tao, nil
}

// RemoveStakeFullLimit implements remove_stake_full_limit: all of it.
func RemoveStakeFullLimit(e *env.Env, kv store.KV, hotkey string, netuid uint16, lim *limit) error {
	hk, err := parseHotkey(hotkey)
	if err != nil {
		return err
	}
	_, err = removeStake(e, kv, hk, netuid, Stake(kv, hk, netuid, e.Signer), lim)
	return err
}

// UnstakeAll implements unstake_all: every position of the signer on
// hotkey, root included, back to free TAO.
func UnstakeAll(e *env.Env, kv store.KV, hotkey string, keepRoot bool) error {
	hk, err := parseHotkey(hotkey)
	if err != nil {
		return err
	}
	if err := requireHotkey(kv, hk); err != nil {
		return err
	}
	var rootTAO uint64
	moved := 0
	// One position per subnet at most: the subnet count bounds the loop.
	for _, pos := range PositionsOn(kv, e.Signer, hk, math.MaxInt) {
		if pos.Alpha == 0 || (keepRoot && pos.Netuid == RootNetuid) {
			continue
		}
		tao, err := removeStake(e, kv, hk, pos.Netuid, pos.Alpha, nil)
		if err != nil {
			return fmt.Errorf("subnet %d: %w", pos.Netuid, err)
		}
		rootTAO += tao
		moved++
	}
	if moved == 0 {
		return fmt.Errorf("%w: the coldkey has no stake on %s", ErrNotEnoughStakeToWithdraw, hk.SS58())
	}
	if keepRoot {
		// unstake_all_alpha: the TAO goes to root stake on the same hotkey.
		if _, err := requireStakeable(kv, RootNetuid); err != nil {
			return err
		}
		if err := balances.Withdraw(e, kv, e.Signer, rootTAO, "stake"); err != nil {
			return err
		}
		if _, _, _, err := buy(kv, RootNetuid, rootTAO, nil, 0); err != nil {
			return err
		}
		if err := credit(kv, hk, RootNetuid, e.Signer, rootTAO); err != nil {
			return err
		}
		e.Events.Emit(EventStakeAdded, append(attrs(e.Signer, hk, RootNetuid), env.U64("tao", rootTAO), env.U64("alpha", rootTAO), env.U64("fee", 0))...)
	}
	return nil
}

// Move is a validated move_stake, transfer_stake or swap_stake.
type Move struct {
	FromHotkey, ToHotkey string
	ToColdkey            *keys.PublicKey // nil: the signer (move, swap)
	FromNetuid, ToNetuid uint16
	Alpha                uint64
	Limit                *limit
}

// MoveStake implements move_stake, transfer_stake, swap_stake and
// swap_stake_limit. Within one subnet it moves shares without a swap;
// across subnets it sells on the origin (fee unless the origin is root)
// and buys on the destination (fee only when the origin was root), so the
// fee is charged once. A limit applies to the origin sale.
func MoveStake(e *env.Env, kv store.KV, m Move) error {
	from, err := parseHotkey(m.FromHotkey)
	if err != nil {
		return err
	}
	to, err := parseHotkey(m.ToHotkey)
	if err != nil {
		return err
	}
	toCold := e.Signer
	if m.ToColdkey != nil {
		toCold = *m.ToColdkey
	}
	if from == to && m.FromNetuid == m.ToNetuid && toCold == e.Signer {
		return fmt.Errorf("%w: %s on subnet %d", ErrSameNetuid, from.SS58(), m.FromNetuid)
	}
	if _, err := requireStakeable(kv, m.FromNetuid); err != nil {
		return err
	}
	if _, err := requireStakeable(kv, m.ToNetuid); err != nil {
		return err
	}
	if err := requireHotkey(kv, from); err != nil {
		return err
	}
	if err := requireHotkey(kv, to); err != nil {
		return err
	}
	if toCold != e.Signer {
		for _, n := range []uint16{m.FromNetuid, m.ToNetuid} {
			if n != RootNetuid && subnets.Hyper(kv, n).TransferToggle == 0 {
				return fmt.Errorf("%w: subnet %d", ErrTransferDisallowed, n)
			}
		}
	}
	if m.Alpha == 0 {
		return fmt.Errorf("%w: amount is zero", ErrAmountTooLow)
	}
	p := GetParams(kv)
	have := Stake(kv, from, m.FromNetuid, e.Signer)
	if have < m.Alpha {
		return fmt.Errorf("%w: holds %d, asked %d", ErrNotEnoughStakeToWithdraw, have, m.Alpha)
	}
	var destAlpha, moved, fee uint64
	if m.FromNetuid == m.ToNetuid {
		value := m.Alpha
		if m.FromNetuid != RootNetuid {
			value = toSwap(pools.Get(kv, m.FromNetuid)).TAOValue(m.Alpha)
		}
		if value < p.MinStake {
			return fmt.Errorf("%w: worth %s, below the minimum %s", ErrAmountTooLow, balances.FormatTAO(value), balances.FormatTAO(p.MinStake))
		}
		moved, destAlpha = m.Alpha, m.Alpha
	} else {
		originFee, destFee := swap.DefaultFeeRate, swap.FeeRate(0)
		if m.FromNetuid == RootNetuid {
			originFee, destFee = 0, swap.DefaultFeeRate
		}
		used, tao, sellFee, err := sell(kv, m.FromNetuid, m.Alpha, m.Limit, originFee)
		if err != nil {
			return err
		}
		if tao < p.MinStake {
			return fmt.Errorf("%w: %s after the sale is below the minimum %s", ErrAmountTooLow, balances.FormatTAO(tao), balances.FormatTAO(p.MinStake))
		}
		_, bought, buyFee, err := buy(kv, m.ToNetuid, tao, nil, destFee)
		if err != nil {
			return err
		}
		moved, destAlpha, fee = used, bought, sellFee+buyFee
	}
	if err := debit(kv, from, m.FromNetuid, e.Signer, moved); err != nil {
		return err
	}
	if err := credit(kv, to, m.ToNetuid, toCold, destAlpha); err != nil {
		return err
	}
	if err := payAuthor(e, kv, fee); err != nil {
		return err
	}
	e.Events.Emit(EventStakeMoved, env.Account("coldkey", e.Signer), env.Account("to_coldkey", toCold),
		env.Account("from_hotkey", from), env.Account("to_hotkey", to), env.U64("from_netuid", uint64(m.FromNetuid)),
		env.U64("to_netuid", uint64(m.ToNetuid)), env.U64("alpha", moved), env.U64("dest_alpha", destAlpha), env.U64("fee", fee))
	return nil
}

// ChangeTake implements increase_take (increase) and decrease_take.
func ChangeTake(e *env.Env, kv store.KV, hotkey string, take uint64, increase bool) error {
	hk, err := parseHotkey(hotkey)
	if err != nil {
		return err
	}
	owner, ok := neurons.Owner(kv, hk)
	if !ok {
		return fmt.Errorf("%w: %s", ErrHotKeyAccountNotExists, hk.SS58())
	}
	if owner != e.Signer {
		return fmt.Errorf("%w: %s is owned by %s", ErrNonAssociatedColdKey, hk.SS58(), owner.SS58())
	}
	p := GetParams(kv)
	cur := GetTake(kv, hk)
	now := uint64(e.Block.Height)
	if increase {
		if take <= cur.Take {
			return fmt.Errorf("%w: %d is not above the current %d", ErrDelegateTakeTooLow, take, cur.Take)
		}
		if take > p.MaxTake {
			return fmt.Errorf("%w: %d above %d", ErrDelegateTakeTooHigh, take, p.MaxTake)
		}
		if cur.LastChange != 0 && now-min(now, cur.LastChange) <= p.TakeRateLimit {
			return fmt.Errorf("%w: next allowed at block %d", ErrDelegateTxRateLimit, cur.LastChange+p.TakeRateLimit+1)
		}
	} else {
		if take >= cur.Take {
			return fmt.Errorf("%w: %d is not below the current %d", ErrDelegateTakeTooLow, take, cur.Take)
		}
		if take < p.MinTake {
			return fmt.Errorf("%w: %d below the minimum %d", ErrDelegateTakeTooLow, take, p.MinTake)
		}
	}
	putTake(kv, hk, Take{Take: take, LastChange: now})
	e.Events.Emit(EventTakeChanged, env.Account("hotkey", hk), env.U64("take", take), env.Str("direction", direction(increase)))
	return nil
}

// RootRegister implements root_register: the hotkey joins the root network
// (64 uids); when full it replaces the member with the least root stake,
// which the newcomer must exceed (§13).
func RootRegister(e *env.Env, kv store.KV, hotkey string) error {
	hk, err := parseHotkey(hotkey)
	if err != nil {
		return err
	}
	if err := neurons.CheckHotkeyOwner(kv, e.Signer, hk); err != nil {
		return err
	}
	if uid, ok := neurons.UID(kv, RootNetuid, hk); ok {
		return fmt.Errorf("%w: uid %d", ErrAlreadyRegistered, uid)
	}
	now := uint64(e.Block.Height)
	h := subnets.Hyper(kv, RootNetuid)
	b := subnets.Burn(kv, RootNetuid)
	if b.Block != now {
		b = subnets.BurnState{Block: now}
	}
	if b.RegistrationsThisBlock >= h.MaxRegistrationsPerBlock {
		return fmt.Errorf("%w: next allowed at block %d", ErrTooManyRegistrationsThisBlock, now+1)
	}
	// §13: at most 3 × TargetRegistrationsPerInterval per interval of
	// root's tempo (0: no cap, see Params).
	target := GetParams(kv).RootTargetRegistrationsPerInterval
	regs := RootRegistrationsThisInterval(kv, now, h.Tempo)
	if target > 0 && regs >= 3*target {
		_, next := rootInterval(now, h.Tempo)
		return fmt.Errorf("%w: %d of at most %d (3 × root_target_registrations_per_interval %d) since the interval began; next allowed at block %d",
			ErrTooManyRegistrationsThisInterval, regs, 3*target, target, next)
	}
	if err := neurons.ClaimHotkey(kv, e.Signer, hk); err != nil {
		return err
	}
	n := neurons.Count(kv, RootNetuid)
	if uint64(n) < h.MaxAllowedUids {
		neurons.Append(e, kv, RootNetuid, hk)
	} else {
		mine := TotalHotkeyAlpha(kv, hk, RootNetuid)
		var lowest neurons.Neuron
		lowestStake := ^uint64(0)
		for _, nr := range neurons.All(kv, RootNetuid) {
			if s := TotalHotkeyAlpha(kv, nr.Hotkey, RootNetuid); s < lowestStake {
				lowest, lowestStake = nr, s
			}
		}
		if mine <= lowestStake {
			return fmt.Errorf("%w: root stake %d, lowest member %s has %d", ErrStakeTooLowForRoot, mine, lowest.Hotkey.SS58(), lowestStake)
		}
		neurons.Replace(e, kv, RootNetuid, neurons.PruneChoice{UID: lowest.UID, Reason: fmt.Sprintf("lowest root stake (%d)", lowestStake)}, hk, nil)
	}
	b.RegistrationsThisBlock++
	subnets.SetBurn(kv, RootNetuid, b)
	putRootRegistrations(kv, now, regs+1)
	maybeBecomeDelegate(kv, hk)
	e.Events.Emit(EventRootRegistered, env.Account("coldkey", e.Signer), env.Account("hotkey", hk))
	return nil
}

// Limit builds a price limit for the *_limit calls.
func Limit(price uint64, allowPartial bool) *limit {
	return &limit{price: price, partial: allowPartial}
}

func direction(increase bool) string {
	if increase {
		return "increase"
	}
	return "decrease"
}

// Credit adds alpha to coldkey's stake on (hotkey, netuid) without a swap
// (emission payments); the caller accounts the alpha as outstanding.
func Credit(kv store.KV, hk keys.PublicKey, netuid uint16, ck keys.PublicKey, alpha uint64) error {
	return credit(kv, hk, netuid, ck, alpha)
}

// Distribute adds alpha to every nominator of (hotkey, netuid) pro rata;
// with no shares yet it is credited to fallback (the hotkey's owner).
func Distribute(kv store.KV, hk keys.PublicKey, netuid uint16, fallback keys.PublicKey, alpha uint64) error {
	if alpha == 0 {
		return nil
	}
	pool := HotkeyPool(kv, hk, netuid)
	if pool.TotalShares.IsZero() {
		return credit(kv, hk, netuid, fallback, alpha)
	}
	if err := pool.Distribute(alpha); err != nil {
		return err
	}
	putHotkeyPool(kv, hk, netuid, pool)
	return nil
}
