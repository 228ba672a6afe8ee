package swap

import (
	"fmt"
	"math"
)

// Swap is the outcome of a swap: what the trader paid and received, the fee, and the pool
// afterwards. In = the net input that entered the pool + Fee.
type Swap struct {
	In    uint64 // gross input taken from the trader (TAO for a buy, alpha for a sell)
	Out   uint64 // output paid to the trader (alpha for a buy, TAO for a sell)
	Fee   uint64 // fee in input units, for the block author; not part of After
	After Pool   // reserves after the swap
}

// BuyAlpha swaps taoIn RAO for alpha. The fee, fee.Fee(taoIn) RAO, is taken from the input
// and does not enter the pool: the chain pays it to the block author. The rest, the net
// input Δ, buys floor(Alpha·Δ/(TAO+Δ)) alpha-RAO. On error the other results are zero.
//
// Errors: ErrFeeRateTooHigh, ErrInsufficientLiquidity (a reserve is 0), ErrAmountTooLow
// (taoIn is 0, all fee, or buys nothing), ErrSwapInputTooLarge (Δ > 1000·TAO), ErrOverflow
// (TAO+taoIn > 2^64−1), ErrReservesTooLow (Alpha would fall below MinReserve).
func BuyAlpha(p Pool, taoIn uint64, fee FeeRate) (alphaOut, feeTAO uint64, after Pool, err error) {
	s, err := buy(p, taoIn, fee)
	if err != nil {
		return 0, 0, Pool{}, err
	}
	return s.Out, s.Fee, s.After, nil
}

// SellAlpha swaps alphaIn alpha-RAO for TAO. The fee, fee.Fee(alphaIn) alpha-RAO, is taken
// from the input and does not enter the pool: the chain pays it to the block author, as TAO
// through FeeToTAO (the reference's fee-less swap of the alpha fee). The net input Δ sells for
// floor(TAO·Δ/(Alpha+Δ)) RAO. On error the other results are zero.
//
// Errors: as BuyAlpha with the sides exchanged; ErrOverflow when Alpha+alphaIn (fee
// included, so that FeeToTAO cannot overflow afterwards) exceeds 2^64−1.
func SellAlpha(p Pool, alphaIn uint64, fee FeeRate) (taoOut, feeAlpha uint64, after Pool, err error) {
	s, err := sell(p, alphaIn, fee)
	if err != nil {
		return 0, 0, Pool{}, err
	}
	return s.Out, s.Fee, s.After, nil
}

func buy(p Pool, taoIn uint64, fee FeeRate) (Swap, error) {
	out, f, newTAO, newAlpha, err := exactIn(p.TAO, p.Alpha, taoIn, fee)
	if err != nil {
		return Swap{}, fmt.Errorf("buy alpha with %d RAO from %v: %w", taoIn, p, err)
	}
	return Swap{In: taoIn, Out: out, Fee: f, After: Pool{TAO: newTAO, Alpha: newAlpha}}, nil
}

func sell(p Pool, alphaIn uint64, fee FeeRate) (Swap, error) {
	out, f, newAlpha, newTAO, err := exactIn(p.Alpha, p.TAO, alphaIn, fee)
	if err != nil {
		return Swap{}, fmt.Errorf("sell %d alpha-RAO to %v: %w", alphaIn, p, err)
	}
	return Swap{In: alphaIn, Out: out, Fee: f, After: Pool{TAO: newTAO, Alpha: newAlpha}}, nil
}

// exactIn swaps a gross input into the reserves in (input side) and out (output side).
func exactIn(in, out, gross uint64, r FeeRate) (amount, fee, newIn, newOut uint64, err error) {
	if err := r.Validate(); err != nil {
		return 0, 0, 0, 0, err
	}
	if in == 0 || out == 0 {
		return 0, 0, 0, 0, fmt.Errorf("%w: a reserve is empty", ErrInsufficientLiquidity)
	}
	if gross == 0 {
		return 0, 0, 0, 0, fmt.Errorf("%w: amount is zero", ErrAmountTooLow)
	}
	fee = r.Fee(gross)
	net := gross - fee // Fee(gross) ≤ gross
	if net == 0 {
		return 0, 0, 0, 0, fmt.Errorf("%w: the whole amount %d is fee", ErrAmountTooLow, gross)
	}
	if mul64(in, MaxInputMultiple).cmp(u128{lo: net}) < 0 {
		return 0, 0, 0, 0, fmt.Errorf("%w: net input %d > %d × reserve %d", ErrSwapInputTooLarge, net, MaxInputMultiple, in)
	}
	if gross > math.MaxUint64-in {
		return 0, 0, 0, 0, fmt.Errorf("%w: reserve %d + amount %d", ErrOverflow, in, gross)
	}
	newIn = in + net
	// out·net/newIn < out, so the quotient always fits.
	amount, _ = mulDiv(out, net, newIn)
	if amount == 0 {
		return 0, 0, 0, 0, fmt.Errorf("%w: net input %d buys nothing", ErrAmountTooLow, net)
	}
	newOut = out - amount
	if newOut < MinReserve {
		return 0, 0, 0, 0, fmt.Errorf("%w: output reserve would be %d < %d", ErrReservesTooLow, newOut, MinReserve)
	}
	return amount, fee, newIn, newOut, nil
}

// FeeToTAO sells a sell's alpha fee into the pool without a fee and returns the TAO it
// fetches, for the block author: floor(TAO·f/(Alpha+f)), capped so the TAO reserve stays at
// or above MinReserve. The whole fee joins the alpha reserve even when the TAO it fetches
// rounds to 0, so no alpha is lost (alpha issuance = reserve + stake still holds). After a
// successful SellAlpha, FeeToTAO on its pool and fee cannot fail.
//
// Errors: ErrInsufficientLiquidity (a reserve is 0), ErrOverflow (Alpha+feeAlpha > 2^64−1).
func FeeToTAO(p Pool, feeAlpha uint64) (taoOut uint64, after Pool, err error) {
	if feeAlpha == 0 {
		return 0, p, nil
	}
	if err := p.priced(); err != nil {
		return 0, Pool{}, fmt.Errorf("fee to TAO: %w", err)
	}
	if feeAlpha > math.MaxUint64-p.Alpha {
		return 0, Pool{}, fmt.Errorf("fee to TAO: %w: alpha reserve %d + fee %d", ErrOverflow, p.Alpha, feeAlpha)
	}
	newAlpha := p.Alpha + feeAlpha
	taoOut, _ = mulDiv(p.TAO, feeAlpha, newAlpha)
	room := uint64(0)
	if p.TAO > MinReserve {
		room = p.TAO - MinReserve
	}
	taoOut = min(taoOut, room)
	return taoOut, Pool{TAO: p.TAO - taoOut, Alpha: newAlpha}, nil
}

// RootSwap is the root network's (netuid 0) "swap": TAO staked on root is held 1:1 as root
// stake with no fee and no pool, so out = amount. The staking module may equally bypass
// the package for netuid 0; RootSwap exists so the rule lives in one place.
//
// Errors: ErrAmountTooLow for a zero amount.
func RootSwap(amount uint64) (out uint64, err error) {
	if amount == 0 {
		return 0, fmt.Errorf("root swap: %w: amount is zero", ErrAmountTooLow)
	}
	return amount, nil
}
