// Package swap is the subnet pools' math (dTAO AMM): constant-product swaps with fees, limit
// prices and quotes, protocol injection, pool seeding, and the share accounting of stake.
// It implements CHAIN-SPEC rows "Pools (dTAO AMM)", "Staking" (§7.1–7.3 share pools and
// limit prices), "Root network" (netuid 0 is 1:1) and the injection of "Injection, alpha
// split, ..." (§11.3), with the guards of docs/reference/subtensor.md §12.
//
// The package is pure: it imports the standard library, chain/fixed and chain/errs only,
// keeps no state and touches no store. The staking and coinbase modules load a Pool or a
// SharePool from state, call these functions, and store what comes back (STYLE §2).
//
// # Units
//
// TAO amounts are RAO (10^9 per TAO) and alpha amounts alpha-RAO (10^9 per alpha), both
// uint64. Pool.Price is TAO per alpha as fixed.U64F64 (the two units cancel). Limit prices
// are uint64 in PriceScale units, RAO per whole alpha, so 1_000_000_000 is 1.0 TAO per alpha,
// as the reference's limit_price. Fee rates are parts per million (FeeRate); the default is
// 500 (0.05%).
//
// # Model
//
// A pool holds x = Alpha and y = TAO with invariant k = x·y (the reference's Balancer pool
// at equal weights, which is constant product); its price is y/x.
//
//   - Buy: the trader pays g RAO; the fee f = ceil(g·rate) goes to the block author and does
//     NOT stay in the pool; the net input Δ = g − f buys floor(x·Δ/(y+Δ)) alpha.
//   - Sell: the trader pays g alpha; the fee f = ceil(g·rate), in alpha, is taken from the
//     input and does NOT stay in the pool; Δ = g − f sells for floor(y·Δ/(x+Δ)) RAO. The
//     staking module pays the author in TAO by selling f into the pool without a fee
//     (FeeToTAO), as the reference does.
//   - Limit prices (add_stake_limit, remove_stake_limit): a buy may end at a price ≤ the
//     limit, a sell at a price ≥ it; the largest gross input that does is found by binary
//     search over the exact swap, so the fee and rounding are included. allow_partial swaps
//     that much; otherwise the whole amount must fit (ErrSlippageTooHigh).
//   - Injection: the protocol adds TAO and alpha in the pool's price ratio (Inject,
//     InjectAlpha), so the price does not move (up to one unit of rounding) and, unlike the
//     reference's Balancer, no weights need adjusting.
//   - Seeding (§3.1): a new subnet's pool gets TAO = max(lock, NetworkMinLockCost) and alpha
//     = TAO / median price of the existing subnets (1.0 if none): Seed and MedianPrice.
//   - Root (netuid 0) has no pool: stake is TAO held 1:1 with no fee (RootSwap); the staking
//     module does not call BuyAlpha or SellAlpha for netuid 0.
//
// # Rounding
//
// Every rounding favours the pool (and with it every other holder) over the trader: outputs
// are floored, fees and shares burned are ceiled, and share payouts are floored, so k never
// decreases, a buy followed by a sell never returns more than was put in, and the dust of
// share accounting stays in the share pool. Products are taken in 128 bits (math/bits) and
// compared exactly; nothing wraps: amounts near 2^64 are refused with ErrOverflow or
// ErrSwapInputTooLarge. There are no floats, maps, or panics on any input.
//
// # Guards (§12)
//
//   - A swap may not leave less than MinReserve (1,000,000) on its output side
//     (ErrReservesTooLow).
//   - The net input may not exceed MaxInputMultiple (1000) times the input reserve
//     (ErrSwapInputTooLarge), and input reserve plus gross input must fit uint64.
//   - A zero amount, an amount that is all fee, and a swap whose output rounds to 0 are
//     refused (ErrAmountTooLow); a pool with an empty side refuses swaps
//     (ErrInsufficientLiquidity).
//   - A limit the price has already passed is ErrPriceLimitExceeded; a limit admitting no
//     input, ErrZeroMaxStakeAmount.
//
// # Share pools (§7.1)
//
// SharePool is one (hotkey, netuid)'s stake: TotalAlpha owned by coldkeys in proportion to
// 128-bit shares (fixed.U64F64 raw values). Deposits get shares rounded down, payouts are
// rounded down and shares burned for an exact payout rounded up, so the holders' values never
// sum past TotalAlpha. Distribute credits every holder at once (emission to nominators).
//
// Errors are registered in codespace "swap" with subtensor's names (errors.go) and are
// returned wrapped with the facts; match them with errors.Is.
package swap
