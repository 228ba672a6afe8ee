package swap_test

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/swap"
)

// add_stake: TAO in, alpha out; the fee goes to the block author.
func ExampleBuyAlpha() {
	p := swap.Pool{TAO: 1000e9, Alpha: 1000e9} // 1000 TAO and 1000 alpha: price 1.0
	alpha, fee, after, err := swap.BuyAlpha(p, 10e9, swap.DefaultFeeRate)
	if err != nil {
		panic(err)
	}
	fmt.Println(alpha, fee, after.PriceRAO())
	// Output: 9896088594 5000000 1020089900
}

// remove_stake: alpha in, TAO out; the alpha fee is sold without a fee for the author.
func ExampleSellAlpha() {
	p := swap.Pool{TAO: 1000e9, Alpha: 1000e9}
	tao, feeAlpha, after, err := swap.SellAlpha(p, 10e9, swap.DefaultFeeRate)
	if err != nil {
		panic(err)
	}
	authorTAO, after, err := swap.FeeToTAO(after, feeAlpha)
	if err != nil {
		panic(err)
	}
	fmt.Println(tao, feeAlpha, authorTAO, after)
	// Output: 9896088594 5000000 4901504 pool{tao 990099009902, alpha 1010000000000}
}

// add_stake_limit with allow_partial: buy up to 2000 TAO while the price stays ≤ 4.0.
func ExampleBuyAlphaLimit() {
	p := swap.Pool{TAO: 1000e9, Alpha: 1000e9}
	s, err := swap.BuyAlphaLimit(p, 2000e9, 4*swap.PriceScale, true, swap.DefaultFeeRate)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.In, s.Out, s.Fee, s.After.PriceRAO())
	// Output: 1000500250126 500000000000 500250126 4000000000
}

// Stake of one hotkey on one subnet: two coldkeys, emission in between.
func ExampleSharePool() {
	var p swap.SharePool
	a, _ := p.Deposit(100e9)
	_ = p.Distribute(50e9) // emission for all nominators: a is worth 150 alpha
	b, _ := p.Deposit(30e9)
	fmt.Println(p.ValueOf(a), p.ValueOf(b), p.TotalAlpha)
	// Output: 150000000000 30000000000 180000000000
}
