package swap

import (
	"fmt"
	"math"
)

// Limit prices are in PriceScale units (RAO per alpha) and compared exactly, by
// cross-multiplying reserves in 128 bits. A buy stays within its limit when the price after
// the swap is ≤ the limit; a sell when it is ≥ the limit. Every limit function finds the
// largest gross input that stays within by binary search over the exact swap (the post-swap
// price rises strictly with a buy's net input and falls strictly with a sell's), so the
// answer includes the fee and the rounding the swap itself applies: executing it never ends
// beyond the limit, and one unit more would.

// BuyAlphaLimit is add_stake_limit's swap (§7.2): it buys with up to taoIn RAO while the
// price after stays ≤ limitPrice. If the whole amount fits, it is all swapped; otherwise,
// with allowPartial, the largest amount that fits is swapped and Swap.In says how much
// (the caller keeps the rest); without it, ErrSlippageTooHigh.
//
// Errors: those of BuyAlpha (checked on the amount swapped, except ErrOverflow, checked on
// taoIn), and ErrPriceLimitExceeded (the price is already above the limit),
// ErrZeroMaxStakeAmount (the limit admits no net input), ErrSlippageTooHigh.
func BuyAlphaLimit(p Pool, taoIn, limitPrice uint64, allowPartial bool, fee FeeRate) (Swap, error) {
	s, err := limitSwap(p, taoIn, limitPrice, allowPartial, fee, true)
	if err != nil {
		return Swap{}, fmt.Errorf("buy alpha with %d RAO at limit %d: %w", taoIn, limitPrice, err)
	}
	return s, nil
}

// SellAlphaLimit is remove_stake_limit's swap (§7.3): it sells up to alphaIn alpha-RAO while
// the price after stays ≥ limitPrice, with allowPartial as in BuyAlphaLimit. Swap.In is the
// alpha taken (fee included); the caller refunds the rest.
//
// Errors: those of SellAlpha, and ErrPriceLimitExceeded (the price is already below the
// limit), ErrZeroMaxStakeAmount, ErrSlippageTooHigh.
func SellAlphaLimit(p Pool, alphaIn, limitPrice uint64, allowPartial bool, fee FeeRate) (Swap, error) {
	s, err := limitSwap(p, alphaIn, limitPrice, allowPartial, fee, false)
	if err != nil {
		return Swap{}, fmt.Errorf("sell %d alpha-RAO at limit %d: %w", alphaIn, limitPrice, err)
	}
	return s, nil
}

// MaxBuy returns the largest gross TAO input whose buy leaves the price ≤ limitPrice (the
// reference's get_max_amount_add), bounded by the input guards (MaxInputMultiple and the u64
// range); the MinReserve floor is not part of the bound, so a swap of the result may still
// fail with ErrReservesTooLow.
//
// Errors: ErrFeeRateTooHigh, ErrInsufficientLiquidity, ErrPriceLimitExceeded,
// ErrZeroMaxStakeAmount.
func MaxBuy(p Pool, limitPrice uint64, fee FeeRate) (uint64, error) {
	g, err := maxIn(p, limitPrice, fee, true)
	if err != nil {
		return 0, fmt.Errorf("max buy at limit %d: %w", limitPrice, err)
	}
	return g, nil
}

// MaxSell returns the largest gross alpha input whose sell leaves the price ≥ limitPrice
// (the reference's get_max_amount_remove), bounded as MaxBuy.
//
// Errors: as MaxBuy.
func MaxSell(p Pool, limitPrice uint64, fee FeeRate) (uint64, error) {
	g, err := maxIn(p, limitPrice, fee, false)
	if err != nil {
		return 0, fmt.Errorf("max sell at limit %d: %w", limitPrice, err)
	}
	return g, nil
}

// checkLimit validates the inputs shared by the limit functions and rejects a limit the
// current price has already passed.
func checkLimit(p Pool, limit uint64, r FeeRate, buying bool) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := p.priced(); err != nil {
		return err
	}
	c := p.priceCmp(limit)
	if buying && c > 0 {
		return fmt.Errorf("%w: price %d RAO/alpha is above the buy limit %d", ErrPriceLimitExceeded, p.PriceRAO(), limit)
	}
	if !buying && c < 0 {
		return fmt.Errorf("%w: price %d RAO/alpha is below the sell limit %d", ErrPriceLimitExceeded, p.PriceRAO(), limit)
	}
	return nil
}

func limitSwap(p Pool, amount, limit uint64, allowPartial bool, r FeeRate, buying bool) (Swap, error) {
	if err := checkLimit(p, limit, r, buying); err != nil {
		return Swap{}, err
	}
	if amount == 0 {
		return Swap{}, fmt.Errorf("%w: amount is zero", ErrAmountTooLow)
	}
	in := p.TAO
	if !buying {
		in = p.Alpha
	}
	if amount > math.MaxUint64-in {
		return Swap{}, fmt.Errorf("%w: reserve %d + amount %d", ErrOverflow, in, amount)
	}
	g := maxWithin(p, amount, limit, r, buying)
	if g < amount {
		if g-r.Fee(g) == 0 {
			return Swap{}, fmt.Errorf("%w: price %d RAO/alpha, limit %d", ErrZeroMaxStakeAmount, p.PriceRAO(), limit)
		}
		if !allowPartial {
			return Swap{}, fmt.Errorf("%w: only %d of %d fits within the limit", ErrSlippageTooHigh, g, amount)
		}
	}
	if buying {
		return buy(p, g, r)
	}
	return sell(p, g, r)
}

func maxIn(p Pool, limit uint64, r FeeRate, buying bool) (uint64, error) {
	if err := checkLimit(p, limit, r, buying); err != nil {
		return 0, err
	}
	in := p.TAO
	if !buying {
		in = p.Alpha
	}
	// The gross inputs exactIn accepts: net ≤ MaxInputMultiple·in and in+gross ≤ 2^64−1.
	netCap := uint64(math.MaxUint64)
	if c := mul64(in, MaxInputMultiple); c.hi == 0 {
		netCap = c.lo
	}
	hi := min(grossForNet(netCap, r), math.MaxUint64-in)
	g := maxWithin(p, hi, limit, r, buying)
	if g-r.Fee(g) == 0 {
		return 0, fmt.Errorf("%w: price %d RAO/alpha, limit %d", ErrZeroMaxStakeAmount, p.PriceRAO(), limit)
	}
	return g, nil
}

// grossForNet returns the largest gross g with net(g) = floor(g·(D−r)/D) ≤ n, saturating at
// 2^64−1: g = floor(((n+1)·D − 1)/(D−r)). r must be valid (< D).
func grossForNet(n uint64, r FeeRate) uint64 {
	const d = FeeRateDenominator
	num, _ := mul64(n, d).add(u128{lo: d - 1}) // < 2^84, no overflow
	q, _, ok := num.div64(d - uint64(r))
	if !ok {
		return math.MaxUint64
	}
	return q
}

// maxWithin returns the largest g ≤ hi with within(g); within(0) holds once checkLimit
// passed, and within is monotone (true up to a point, false after).
func maxWithin(p Pool, hi, limit uint64, r FeeRate, buying bool) uint64 {
	if within(p, hi, limit, r, buying) {
		return hi
	}
	lo := uint64(0) // within(lo) && !within(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if within(p, mid, limit, r, buying) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// within reports whether swapping the gross input g leaves the price within the limit,
// using exactly the arithmetic of exactIn. A net input that would overflow the reserve
// counts as beyond the limit.
func within(p Pool, g, limit uint64, r FeeRate, buying bool) bool {
	net := g - r.Fee(g)
	if net == 0 {
		return true // nothing enters the pool, the price does not move
	}
	if buying {
		if net > math.MaxUint64-p.TAO {
			return false
		}
		y := p.TAO + net
		out, _ := mulDiv(p.Alpha, net, y)
		x := p.Alpha - out // ≥ 1: out < Alpha
		return mul64(y, PriceScale).cmp(mul64(limit, x)) <= 0
	}
	if net > math.MaxUint64-p.Alpha {
		return false
	}
	x := p.Alpha + net
	out, _ := mulDiv(p.TAO, net, x)
	y := p.TAO - out
	return mul64(y, PriceScale).cmp(mul64(limit, x)) >= 0
}
