package swap

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/errs"
)

const codespace = "swap"

// Errors, with subtensor's names (swap pallet and staking) where it has one. Codes are stable;
// a retired code stays here, commented, and is never reused. Each is returned wrapped with
// the facts (amounts, reserves, limits); match with errors.Is.
var (
	// ErrInsufficientLiquidity: the pool has nothing on one side, so it has no price.
	ErrInsufficientLiquidity = errs.Register(codespace, 1, "InsufficientLiquidity",
		"the subnet's pool has no liquidity on one side; wait for it to be seeded or use another subnet")
	// ErrReservesTooLow: the swap would leave less than MinReserve on its output side.
	ErrReservesTooLow = errs.Register(codespace, 2, "ReservesTooLow",
		"the swap would drain the pool below its 1,000,000-unit floor; swap a smaller amount")
	// ErrSwapInputTooLarge: the net input exceeds MaxInputMultiple times the input reserve.
	ErrSwapInputTooLarge = errs.Register(codespace, 3, "SwapInputTooLarge",
		"the amount is more than 1000 times the pool's reserve on the input side; swap a smaller amount")
	// ErrAmountTooLow: the amount is zero, is all fee, or buys nothing at the current price.
	ErrAmountTooLow = errs.Register(codespace, 4, "AmountTooLow",
		"the amount is zero or too small to receive anything after the fee; use a larger amount")
	// ErrPriceLimitExceeded: the pool price is already beyond the limit price.
	ErrPriceLimitExceeded = errs.Register(codespace, 5, "PriceLimitExceeded",
		"the pool price is already past your limit; raise the limit to buy, lower it to sell")
	// ErrSlippageTooHigh: the whole amount would move the price past the limit and a partial
	// fill was not allowed.
	ErrSlippageTooHigh = errs.Register(codespace, 6, "SlippageTooHigh",
		"the full amount would move the price past your limit; swap less, widen the limit or allow a partial fill")
	// ErrZeroMaxStakeAmount: the limit price allows no input at all.
	ErrZeroMaxStakeAmount = errs.Register(codespace, 7, "ZeroMaxStakeAmount",
		"your limit price leaves nothing to swap at the current price; move the limit further from the current price")
	// ErrFeeRateTooHigh: a fee rate above MaxFeeRate.
	ErrFeeRateTooHigh = errs.Register(codespace, 8, "FeeRateTooHigh",
		"the fee rate may be at most 150000 ppm (15%)")
	// ErrOverflow: a reserve, amount or share count would exceed its integer type.
	ErrOverflow = errs.Register(codespace, 9, "Overflow",
		"the result would exceed the largest representable amount; use a smaller amount")
	// ErrNotEnoughStakeToWithdraw: more shares or alpha asked of a share pool than held.
	ErrNotEnoughStakeToWithdraw = errs.Register(codespace, 10, "NotEnoughStakeToWithdraw",
		"withdraw at most the stake you hold")
	// ErrNoShares: alpha distributed to a share pool nobody holds shares in.
	ErrNoShares = errs.Register(codespace, 11, "NoShares",
		"the hotkey has no stake on this subnet to distribute to; stake to it first")
)

func feeRateError(r FeeRate) error {
	return fmt.Errorf("%w: fee rate %d ppm is above %d", ErrFeeRateTooHigh, r, MaxFeeRate)
}
