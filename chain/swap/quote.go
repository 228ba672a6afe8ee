package swap

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/fixed"
)

// Quote previews a swap for a user before they sign: the same numbers the chain will compute
// on the same pool, plus prices.
type Quote struct {
	Swap
	PriceBefore fixed.U64F64 // TAO per alpha before the swap
	PriceAfter  fixed.U64F64 // TAO per alpha after the swap
	// Impact is the share of the output lost to the curve against a trade of the same net
	// input at the spot price (fee excluded; Fee says what the fee costs), between 0 and 1:
	// 1 − Out/(net·Alpha/TAO) for a buy, 1 − Out/(net·TAO/Alpha) for a sell.
	Impact fixed.U64F64
}

// QuoteBuy previews BuyAlpha(p, taoIn, fee); it fails exactly when BuyAlpha does.
func QuoteBuy(p Pool, taoIn uint64, fee FeeRate) (Quote, error) {
	s, err := buy(p, taoIn, fee)
	if err != nil {
		return Quote{}, fmt.Errorf("quote: %w", err)
	}
	// Spot output of the net input is net·Alpha/TAO, so Out/spot = Out·TAO/(net·Alpha).
	return quote(p, s, mul64(s.Out, p.TAO), mul64(s.In-s.Fee, p.Alpha)), nil
}

// QuoteSell previews SellAlpha(p, alphaIn, fee); it fails exactly when SellAlpha does. The fee
// is in alpha; FeeToTAO on Quote.After tells what it fetches for the author.
func QuoteSell(p Pool, alphaIn uint64, fee FeeRate) (Quote, error) {
	s, err := sell(p, alphaIn, fee)
	if err != nil {
		return Quote{}, fmt.Errorf("quote: %w", err)
	}
	return quote(p, s, mul64(s.Out, p.Alpha), mul64(s.In-s.Fee, p.TAO)), nil
}

// quote fills the prices; got/spot is the ratio of the output to its spot-price value, both
// as 128-bit integers (got < spot, since the curve always pays less than spot).
func quote(p Pool, s Swap, got, spot u128) Quote {
	// As U64F64 raw values both are scaled by 2^-64, which cancels in the division.
	ratio := fixed.U64F64FromBits(got.hi, got.lo).SafeDiv(fixed.U64F64FromBits(spot.hi, spot.lo))
	return Quote{
		Swap:        s,
		PriceBefore: p.Price(),
		PriceAfter:  s.After.Price(),
		Impact:      fixed.U64F64One.Sub(ratio),
	}
}

// QuoteBuyLimit previews BuyAlphaLimit; Quote.In is the part of taoIn that would be swapped.
func QuoteBuyLimit(p Pool, taoIn, limitPrice uint64, allowPartial bool, fee FeeRate) (Quote, error) {
	s, err := BuyAlphaLimit(p, taoIn, limitPrice, allowPartial, fee)
	if err != nil {
		return Quote{}, fmt.Errorf("quote: %w", err)
	}
	return quote(p, s, mul64(s.Out, p.TAO), mul64(s.In-s.Fee, p.Alpha)), nil
}

// QuoteSellLimit previews SellAlphaLimit; Quote.In is the part of alphaIn that would be sold.
func QuoteSellLimit(p Pool, alphaIn, limitPrice uint64, allowPartial bool, fee FeeRate) (Quote, error) {
	s, err := SellAlphaLimit(p, alphaIn, limitPrice, allowPartial, fee)
	if err != nil {
		return Quote{}, fmt.Errorf("quote: %w", err)
	}
	return quote(p, s, mul64(s.Out, p.Alpha), mul64(s.In-s.Fee, p.TAO)), nil
}
