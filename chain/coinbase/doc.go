// Package coinbase mints and pays emission every block (reference §2,
// §11): the block emission with halving, each subnet's TAO share by EMA
// price, the injection of TAO and alpha into subnet pools at their price,
// the alpha split into owner cut, miner, validator and root pending
// amounts, the drain of those amounts at each subnet's epoch, and the
// moving price.
//
// It owns the pending amounts and the emission parameters. Package epoch
// runs Yuma Consensus; package staking holds the stake that payments
// become. Events: coinbase.Emission (per subnet per block), coinbase.EpochPaid and
// coinbase.Burned (per epoch), and one per payout of an epoch: coinbase.IncentivePaid,
// coinbase.IncentiveBurned, coinbase.DividendsPaid, coinbase.OwnerCutPaid.
//
// Ours, where CHAIN-SPEC says so: the injection adds TAO and alpha in the
// pool's price ratio (constant product, no weights to adjust); root
// dividends are credited at once as alpha stake on the paying subnet to the
// root hotkey's stakers pro rata (no claim step); start_call enables
// emission; if every EMA price is 0, shares are equal. Payments that
// rounding or the owner-hotkey rule keep back are burned (never minted),
// so what an epoch pays plus what it burns equals what it drained.
package coinbase
