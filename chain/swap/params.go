package swap

// Units and bounds of the pool math. The guards follow docs/reference/subtensor.md §12.
const (
	// PriceScale is the unit of limit prices: RAO per whole alpha (10^9 alpha-RAO), so
	// PriceScale itself is a price of 1.0 TAO per alpha, as the reference's limit_price.
	PriceScale = 1_000_000_000

	// MinReserve is the least a swap may leave on its output side: a buy may not drain the
	// alpha reserve, nor a sell the TAO reserve, below 1,000,000 units (§12 ReservesTooLow).
	MinReserve = 1_000_000

	// MaxInputMultiple caps a swap's net input at this multiple of the pool's reserve on the
	// input side (§12 SwapInputTooLarge).
	MaxInputMultiple = 1000
)

// FeeRate is a swap fee in parts per million of the gross input.
type FeeRate uint32

const (
	// FeeRateDenominator is one whole (100%) in FeeRate units.
	FeeRateDenominator = 1_000_000

	// DefaultFeeRate is 0.05% (CHAIN-SPEC "Pools"), the reference's 33/65535 rounded to ppm.
	DefaultFeeRate FeeRate = 500

	// MaxFeeRate is 15%, close to the reference's ceiling of 10000/65535 (15.26%). It keeps
	// the net input of any swap above 85% of the gross.
	MaxFeeRate FeeRate = 150_000
)

// Validate reports ErrFeeRateTooHigh for a rate above MaxFeeRate.
func (r FeeRate) Validate() error {
	if r > MaxFeeRate {
		return feeRateError(r)
	}
	return nil
}

// Fee returns the fee on a gross input: ceil(amount·r/10^6). Rounding up means a trade of
// any size pays at least one unit when the rate is not zero, and the net input
// amount − Fee(amount) equals floor(amount·(10^6 − r)/10^6). The fee never exceeds amount,
// even for a rate above 100% (which Validate rejects).
func (r FeeRate) Fee(amount uint64) uint64 {
	if r == 0 || amount == 0 {
		return 0
	}
	q, ok := mulDivCeil(amount, uint64(r), FeeRateDenominator)
	if !ok || q > amount {
		return amount
	}
	return q
}
