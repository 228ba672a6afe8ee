package swap

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotensor/gotensor/chain/fixed"
)

// Inject adds the protocol's per-block TAO injection (§11.3 tao_in) with alpha in the pool's
// price ratio, alphaIn = floor(tao·Alpha/TAO), so the price does not move and no weight
// adjustment is needed (CHAIN-SPEC "Pools"). Flooring mints at most one alpha-RAO less than
// the exact ratio: the price after is ≥ the price before and within one alpha-RAO of it
// (TAO'·Alpha ≥ Alpha'·TAO > TAO'·Alpha − TAO). tao = 0 changes nothing.
//
// Errors: ErrInsufficientLiquidity (the pool has no price, so there is no ratio; the caller
// recycles the TAO), ErrOverflow (a reserve or alphaIn would exceed 2^64−1).
func Inject(p Pool, tao uint64) (alphaIn uint64, after Pool, err error) {
	return inject(p, tao, true)
}

// InjectAlpha is Inject from the alpha side, for §11.3's capped case (alpha_in capped, tao_in
// = alpha_in·price): taoIn = floor(alpha·TAO/Alpha), so the price after is ≤ the price
// before and within one RAO of it. alpha = 0 changes nothing.
//
// Errors: as Inject.
func InjectAlpha(p Pool, alpha uint64) (taoIn uint64, after Pool, err error) {
	return inject(p, alpha, false)
}

func inject(p Pool, amount uint64, taoSide bool) (uint64, Pool, error) {
	if amount == 0 {
		return 0, p, nil
	}
	if err := p.priced(); err != nil {
		return 0, Pool{}, fmt.Errorf("inject %d: %w", amount, err)
	}
	in, other := p.TAO, p.Alpha
	if !taoSide {
		in, other = p.Alpha, p.TAO
	}
	match, ok := mulDiv(amount, other, in)
	if !ok || amount > math.MaxUint64-in || match > math.MaxUint64-other {
		return 0, Pool{}, fmt.Errorf("inject %d into %v: %w", amount, p, ErrOverflow)
	}
	if taoSide {
		return match, Pool{TAO: p.TAO + amount, Alpha: p.Alpha + match}, nil
	}
	return match, Pool{TAO: p.TAO + match, Alpha: p.Alpha + amount}, nil
}

// Seed returns a new subnet's pool (§3.1): TAO = taoIn and Alpha = floor(taoIn/price), so
// the new subnet starts at price (within rounding). The caller passes taoIn =
// max(lock, NetworkMinLockCost) and price = MedianPrice of the existing subnets' pools, as
// the reference does; the lock's TAO moves into the pool and no alpha is outstanding.
//
// Errors: ErrOverflow (price is 0 or so small that the alpha does not fit u64),
// ErrReservesTooLow (either reserve below MinReserve: the pool could not be traded).
func Seed(taoIn uint64, price fixed.U64F64) (Pool, error) {
	q, ok := fixed.U64F64FromU64(taoIn).Div(price)
	if !ok {
		return Pool{}, fmt.Errorf("seed %d RAO at price %s: %w", taoIn, price, ErrOverflow)
	}
	p := Pool{TAO: taoIn, Alpha: q.ToU64()}
	if p.TAO < MinReserve || p.Alpha < MinReserve {
		return Pool{}, fmt.Errorf("seed %d RAO at price %s: %w: %v", taoIn, price, ErrReservesTooLow, p)
	}
	return p, nil
}

// MedianPrice returns the median Price of the pools that have one (pools with a zero price
// are skipped), the mean of the two middle prices (rounded down) for an even count, and 1.0
// when no pool has a price, as the reference's get_median_subnet_alpha_price. The order of
// pools does not matter. Pass the non-root subnets' pools.
func MedianPrice(pools []Pool) fixed.U64F64 {
	prices := make([]fixed.U64F64, 0, len(pools))
	for _, p := range pools {
		if pr := p.Price(); !pr.IsZero() {
			prices = append(prices, pr)
		}
	}
	n := len(prices)
	if n == 0 {
		return fixed.U64F64One
	}
	slices.SortFunc(prices, fixed.U64F64.Cmp)
	if n%2 == 1 {
		return prices[n/2]
	}
	a, b := prices[n/2-1], prices[n/2]
	// floor((a+b)/2) without the 129th bit: a/2 + b/2 + (both odd).
	ah, al := a.Bits()
	bh, bl := b.Bits()
	sum, _ := u128{ah >> 1, ah<<63 | al>>1}.add(u128{bh >> 1, bh<<63 | bl>>1})
	sum, _ = sum.add(u128{lo: al & bl & 1})
	return fixed.U64F64FromBits(sum.hi, sum.lo)
}
