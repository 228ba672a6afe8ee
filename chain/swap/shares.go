package swap

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/fixed"
)

// SharePool is the stake of one (hotkey, netuid) (§7.1): TotalAlpha alpha-RAO owned by the
// coldkeys staked to the hotkey in proportion to their shares. A holder's value is
// floor(shares·TotalAlpha/TotalShares). Emission for all nominators (Distribute) raises
// TotalAlpha alone, so every holder's value grows pro rata.
//
// Shares are 128-bit, carried as fixed.U64F64 raw values: the first deposit of x alpha-RAO
// into an empty pool gets x shares (x·2^64 raw), later deposits get shares at the going
// rate. 64 fractional bits keep the rounding loss of a deposit below 2^-64 of a share's
// value, where whole-number shares would lose up to one share per deposit once emission
// has raised the share price. Shares cannot overflow: the raw count per alpha-RAO never
// exceeds 2^64 (it starts there and only falls), so TotalShares < 2^128.
//
// Rounding favours the pool: deposits get shares rounded down, withdrawals pay alpha rounded
// down or burn shares rounded up, so the dust stays in the pool and Σ holders' values ≤
// TotalAlpha always. The zero value is an empty pool. Methods with a pointer receiver change
// the pool only when they succeed.
type SharePool struct {
	TotalAlpha  uint64       // alpha-RAO held for all holders (TotalHotkeyAlpha)
	TotalShares fixed.U64F64 // the shares' denominator (TotalHotkeyShares)
}

func (p SharePool) shares() u128 {
	hi, lo := p.TotalShares.Bits()
	return u128{hi, lo}
}

func sharesOf(s u128) fixed.U64F64 { return fixed.U64F64FromBits(s.hi, s.lo) }

func rawShares(s fixed.U64F64) u128 {
	hi, lo := s.Bits()
	return u128{hi, lo}
}

// check reports a pool whose shares have no alpha behind them, which Deposit, Withdraw and
// WithdrawAlpha never produce (a partial withdrawal leaves at least one alpha-RAO).
func (p SharePool) check() error {
	if p.TotalAlpha == 0 && !p.TotalShares.IsZero() {
		return fmt.Errorf("%w: share pool has %s shares and no alpha", errs.Internal, p.TotalShares)
	}
	return nil
}

// ValueOf returns what shares are worth, floor(shares·TotalAlpha/TotalShares) alpha-RAO;
// 0 for an empty pool, and TotalAlpha for shares ≥ TotalShares.
func (p SharePool) ValueOf(shares fixed.U64F64) uint64 {
	total := p.shares()
	s := rawShares(shares)
	if total.isZero() || s.isZero() {
		return 0
	}
	if s.cmp(total) >= 0 {
		return p.TotalAlpha
	}
	v, _ := mulDivTo64(s, p.TotalAlpha, total) // < TotalAlpha since s < total
	return v
}

// SharesFor returns the shares worth alpha, rounded up: the shares WithdrawAlpha burns.
//
// Errors: ErrNotEnoughStakeToWithdraw when alpha > TotalAlpha; errs.Internal for a pool
// with shares and no alpha.
func (p SharePool) SharesFor(alpha uint64) (fixed.U64F64, error) {
	if err := p.check(); err != nil {
		return fixed.U64F64{}, err
	}
	if alpha > p.TotalAlpha {
		return fixed.U64F64{}, fmt.Errorf("%w: %d alpha-RAO asked, the pool holds %d", ErrNotEnoughStakeToWithdraw, alpha, p.TotalAlpha)
	}
	if alpha == 0 {
		return fixed.U64F64{}, nil
	}
	// ceil(total·alpha/TotalAlpha) ≤ total because alpha ≤ TotalAlpha.
	q, r, _ := mulDiv128(p.shares(), alpha, p.TotalAlpha)
	if r != 0 {
		q, _ = q.add(u128{lo: 1})
	}
	return sharesOf(q), nil
}

// Deposit adds alpha-RAO for one holder and returns the shares it buys:
// floor(alpha·TotalShares/TotalAlpha), or alpha shares exactly in a pool without shares
// (which then takes over any alpha left in it).
//
// Errors: ErrAmountTooLow (alpha is 0 or buys no share), ErrOverflow (TotalAlpha would
// exceed 2^64−1), errs.Internal for a pool with shares and no alpha.
func (p *SharePool) Deposit(alpha uint64) (shares fixed.U64F64, err error) {
	if err := p.check(); err != nil {
		return fixed.U64F64{}, err
	}
	if alpha == 0 {
		return fixed.U64F64{}, fmt.Errorf("deposit: %w: amount is zero", ErrAmountTooLow)
	}
	if alpha > ^uint64(0)-p.TotalAlpha {
		return fixed.U64F64{}, fmt.Errorf("deposit %d: %w: pool holds %d", alpha, ErrOverflow, p.TotalAlpha)
	}
	total := p.shares()
	var s u128
	if total.isZero() {
		s = u128{hi: alpha}
	} else {
		q, _, ok := mulDiv128(total, alpha, p.TotalAlpha)
		if !ok {
			return fixed.U64F64{}, fmt.Errorf("deposit %d: %w: shares", alpha, ErrOverflow)
		}
		if q.isZero() {
			return fixed.U64F64{}, fmt.Errorf("deposit %d: %w: it buys no share (pool %d alpha-RAO, %s shares)", alpha, ErrAmountTooLow, p.TotalAlpha, p.TotalShares)
		}
		s = q
	}
	sum, over := total.add(s)
	if over {
		return fixed.U64F64{}, fmt.Errorf("deposit %d: %w: total shares", alpha, ErrOverflow)
	}
	p.TotalAlpha += alpha
	p.TotalShares = sharesOf(sum)
	return sharesOf(s), nil
}

// Withdraw burns shares and returns their value, ValueOf(shares). The caller checks that the
// holder has them.
//
// Errors: ErrNotEnoughStakeToWithdraw (shares > TotalShares), ErrAmountTooLow (shares is 0),
// errs.Internal for a pool with shares and no alpha.
func (p *SharePool) Withdraw(shares fixed.U64F64) (alpha uint64, err error) {
	if err := p.check(); err != nil {
		return 0, err
	}
	s, total := rawShares(shares), p.shares()
	if s.isZero() {
		return 0, fmt.Errorf("withdraw: %w: no shares", ErrAmountTooLow)
	}
	if s.cmp(total) > 0 {
		return 0, fmt.Errorf("withdraw %s shares: %w: the pool has %s", shares, ErrNotEnoughStakeToWithdraw, p.TotalShares)
	}
	alpha = p.ValueOf(shares)
	rest, _ := total.sub(s)
	p.TotalAlpha -= alpha
	p.TotalShares = sharesOf(rest)
	return alpha, nil
}

// WithdrawAlpha pays out exactly alpha-RAO to a holder of held shares and burns
// SharesFor(alpha) of them (rounded up, so the other holders never lose); it returns the
// shares burned, for the caller to subtract from the holder.
//
// Errors: ErrAmountTooLow (alpha is 0), ErrNotEnoughStakeToWithdraw (ValueOf(held) < alpha,
// or held > TotalShares), errs.Internal for a pool with shares and no alpha.
func (p *SharePool) WithdrawAlpha(held fixed.U64F64, alpha uint64) (burned fixed.U64F64, err error) {
	if err := p.check(); err != nil {
		return fixed.U64F64{}, err
	}
	if alpha == 0 {
		return fixed.U64F64{}, fmt.Errorf("withdraw: %w: amount is zero", ErrAmountTooLow)
	}
	total := p.shares()
	if rawShares(held).cmp(total) > 0 {
		return fixed.U64F64{}, fmt.Errorf("withdraw %d: %w: %s shares held, the pool has %s", alpha, ErrNotEnoughStakeToWithdraw, held, p.TotalShares)
	}
	if v := p.ValueOf(held); v < alpha {
		return fixed.U64F64{}, fmt.Errorf("withdraw %d: %w: the stake is worth %d alpha-RAO", alpha, ErrNotEnoughStakeToWithdraw, v)
	}
	// ValueOf(held) ≥ alpha implies held ≥ SharesFor(alpha), so burned ≤ held ≤ total.
	burned, err = p.SharesFor(alpha)
	if err != nil {
		return fixed.U64F64{}, err
	}
	rest, _ := total.sub(rawShares(burned))
	p.TotalAlpha -= alpha
	p.TotalShares = sharesOf(rest)
	return burned, nil
}

// Distribute adds alpha-RAO to every holder pro rata (emission to all nominators).
//
// Errors: ErrNoShares (nobody holds shares: the caller must Deposit for someone instead),
// ErrOverflow, errs.Internal for a pool with shares and no alpha.
func (p *SharePool) Distribute(alpha uint64) error {
	if err := p.check(); err != nil {
		return err
	}
	if alpha == 0 {
		return nil
	}
	if p.TotalShares.IsZero() {
		return fmt.Errorf("distribute %d: %w", alpha, ErrNoShares)
	}
	if alpha > ^uint64(0)-p.TotalAlpha {
		return fmt.Errorf("distribute %d: %w: pool holds %d", alpha, ErrOverflow, p.TotalAlpha)
	}
	p.TotalAlpha += alpha
	return nil
}
