package swap

import (
	"fmt"
	"math"

	"github.com/gotensor/gotensor/chain/fixed"
)

// Pool is a subnet's reserves: TAO in RAO and alpha in alpha-RAO (10^9 per alpha). The zero
// value is an empty pool, which has price 0 and refuses every swap.
type Pool struct {
	TAO   uint64 // TAO reserve, RAO (SubnetTAO)
	Alpha uint64 // alpha reserve, alpha-RAO (SubnetAlphaIn)
}

// String formats the reserves for logs and error text.
func (p Pool) String() string {
	return fmt.Sprintf("pool{tao %d, alpha %d}", p.TAO, p.Alpha)
}

// Price returns TAO per alpha, TAO/Alpha, as U64F64 rounded down; 0 when either reserve
// is 0 (a pool with no alpha has no price, as the reference's current_price).
func (p Pool) Price() fixed.U64F64 {
	if p.TAO == 0 || p.Alpha == 0 {
		return fixed.U64F64Zero
	}
	// TAO/Alpha < 2^64 because Alpha ≥ 1, so the division cannot fail.
	return fixed.U64F64FromU64(p.TAO).SafeDiv(fixed.U64F64FromU64(p.Alpha))
}

// PriceRAO returns the price in limit-price units, floor(TAO·PriceScale/Alpha) RAO per
// alpha; 0 when either reserve is 0, math.MaxUint64 when the price is above that.
func (p Pool) PriceRAO() uint64 {
	if p.TAO == 0 || p.Alpha == 0 {
		return 0
	}
	q, ok := mulDiv(p.TAO, PriceScale, p.Alpha)
	if !ok {
		return math.MaxUint64
	}
	return q
}

// TAOValue returns alpha's worth at the current price, floor(alpha·TAO/Alpha) RAO, without
// swapping (no fee, no price impact): what governance and stake views count. It is 0 for a
// pool without a price and saturates at math.MaxUint64.
func (p Pool) TAOValue(alpha uint64) uint64 {
	if p.TAO == 0 || p.Alpha == 0 {
		return 0
	}
	q, ok := mulDiv(alpha, p.TAO, p.Alpha)
	if !ok {
		return math.MaxUint64
	}
	return q
}

// k returns the invariant TAO·Alpha.
func (p Pool) k() u128 { return mul64(p.TAO, p.Alpha) }

// priced reports ErrInsufficientLiquidity for a pool with an empty side.
func (p Pool) priced() error {
	if p.TAO == 0 || p.Alpha == 0 {
		return fmt.Errorf("%w: %v", ErrInsufficientLiquidity, p)
	}
	return nil
}

// priceCmp compares the pool's price with a limit price in PriceScale units, exactly:
// the sign of TAO·PriceScale − limit·Alpha.
func (p Pool) priceCmp(limit uint64) int {
	return mul64(p.TAO, PriceScale).cmp(mul64(limit, p.Alpha))
}
