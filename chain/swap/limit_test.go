package swap

import (
	"math/big"
	"testing"
)

// refSwap is an independent big-integer model of exactIn's arithmetic (no guards): the pool
// after swapping gross g, and the output.
func refSwap(p Pool, g uint64, r FeeRate, buying bool) (out *big.Int, tao, alpha *big.Int) {
	fee := new(big.Int).Mul(bigU(g), bigU(uint64(r)))
	fee.Add(fee, bigU(FeeRateDenominator-1)).Quo(fee, bigU(FeeRateDenominator))
	net := new(big.Int).Sub(bigU(g), fee)
	in, other := bigU(p.TAO), bigU(p.Alpha)
	if !buying {
		in, other = other, in
	}
	newIn := new(big.Int).Add(in, net)
	out = new(big.Int).Mul(other, net)
	out.Quo(out, newIn)
	newOther := new(big.Int).Sub(other, out)
	if buying {
		return out, newIn, newOther
	}
	return out, newOther, newIn
}

// refWithin reports whether the post-swap price of the big model is within the limit.
func refWithin(p Pool, g, limit uint64, r FeeRate, buying bool) bool {
	_, tao, alpha := refSwap(p, g, r, buying)
	c := new(big.Int).Mul(tao, bigU(PriceScale)).Cmp(new(big.Int).Mul(bigU(limit), alpha))
	if buying {
		return c <= 0
	}
	return c >= 0
}

func TestLimitSwaps(t *testing.T) {
	p := Pool{TAO: 1e12, Alpha: 1e12} // price 1.0 = 1e9 RAO/alpha
	for _, c := range []struct {
		name    string
		buying  bool
		amount  uint64
		limit   uint64
		partial bool
		fee     FeeRate
		in      uint64
		out     uint64
		after   Pool
		err     error
	}{
		{"buy fits", true, 1e9, 4e9, false, DefaultFeeRate, 1e9, 998501997, Pool{1e12 + 999500000, 1e12 - 998501997}, nil},
		{"buy ends exactly at limit", true, 1e12, 4e9, false, 0, 1e12, 5e11, Pool{2e12, 5e11}, nil},
		{"buy crosses, no partial", true, 2e12, 4e9, false, 0, 0, 0, Pool{}, ErrSlippageTooHigh},
		{"buy crosses, partial", true, 2e12, 4e9, true, 0, 1e12, 5e11, Pool{2e12, 5e11}, nil},
		{"buy partial with fee", true, 2e12, 4e9, true, DefaultFeeRate, 1000500250126, 5e11, Pool{2e12, 5e11}, nil},
		{"buy limit at price", true, 1e9, 1e9, true, DefaultFeeRate, 0, 0, Pool{}, ErrZeroMaxStakeAmount},
		{"buy limit below price", true, 1e9, 1e9 - 1, true, DefaultFeeRate, 0, 0, Pool{}, ErrPriceLimitExceeded},
		{"buy no limit", true, 1e9, maxU64, false, DefaultFeeRate, 1e9, 998501997, Pool{1e12 + 999500000, 1e12 - 998501997}, nil},
		{"buy zero", true, 0, maxU64, true, DefaultFeeRate, 0, 0, Pool{}, ErrAmountTooLow},
		{"buy all fee", true, 1, maxU64, true, DefaultFeeRate, 0, 0, Pool{}, ErrAmountTooLow},
		{"buy overflow", true, maxU64, maxU64, true, 0, 0, 0, Pool{}, ErrOverflow},
		{"buy guards still apply", true, 1e16, maxU64, true, 0, 0, 0, Pool{}, ErrSwapInputTooLarge},
		{"sell fits", false, 1e9, 25e7, false, DefaultFeeRate, 1e9, 998501997, Pool{1e12 - 998501997, 1e12 + 999500000}, nil},
		{"sell ends exactly at limit", false, 1e12, 25e7, false, 0, 1e12, 5e11, Pool{5e11, 2e12}, nil},
		{"sell crosses, no partial", false, 3e12, 25e7, false, 0, 0, 0, Pool{}, ErrSlippageTooHigh},
		{"sell crosses, partial", false, 3e12, 25e7, true, 0, 1e12, 5e11, Pool{5e11, 2e12}, nil},
		{"sell limit at price", false, 1e9, 1e9, true, 0, 0, 0, Pool{}, ErrZeroMaxStakeAmount},
		{"sell limit above price", false, 1e9, 1e9 + 1, true, 0, 0, 0, Pool{}, ErrPriceLimitExceeded},
		{"sell no limit", false, 1e9, 0, false, DefaultFeeRate, 1e9, 998501997, Pool{1e12 - 998501997, 1e12 + 999500000}, nil},
		{"sell fee too high", false, 1e9, 0, false, MaxFeeRate + 1, 0, 0, Pool{}, ErrFeeRateTooHigh},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s Swap
			var err error
			if c.buying {
				s, err = BuyAlphaLimit(p, c.amount, c.limit, c.partial, c.fee)
			} else {
				s, err = SellAlphaLimit(p, c.amount, c.limit, c.partial, c.fee)
			}
			checkErr(t, err, c.err)
			if s.In != c.in || s.Out != c.out || s.After != c.after {
				t.Fatalf("got %+v, want in %d out %d after %v", s, c.in, c.out, c.after)
			}
		})
	}
	_, err := BuyAlphaLimit(Pool{}, 1, maxU64, true, 0)
	checkErr(t, err, ErrInsufficientLiquidity)
}

func TestMaxBuySell(t *testing.T) {
	p := Pool{TAO: 1e12, Alpha: 1e12}
	for _, c := range []struct {
		name   string
		buying bool
		limit  uint64
		fee    FeeRate
		want   uint64
		err    error
	}{
		{"buy to 4.0", true, 4e9, 0, 1e12, nil},
		{"buy to 4.0 with fee", true, 4e9, DefaultFeeRate, 1000500250126, nil},
		{"buy unlimited: input cap", true, maxU64, 0, 1e15, nil},
		{"buy at price", true, 1e9, DefaultFeeRate, 0, ErrZeroMaxStakeAmount},
		{"buy below price", true, 1, 0, 0, ErrPriceLimitExceeded},
		{"sell to 0.25", false, 25e7, 0, 1e12, nil},
		{"sell unlimited: input cap", false, 0, 0, 1e15, nil},
		{"sell above price", false, 2e9, 0, 0, ErrPriceLimitExceeded},
	} {
		var got uint64
		var err error
		if c.buying {
			got, err = MaxBuy(p, c.limit, c.fee)
		} else {
			got, err = MaxSell(p, c.limit, c.fee)
		}
		checkErr(t, err, c.err)
		if got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
	// Near 2^64 the cap is the u64 range, not 1000× the reserve.
	big := Pool{TAO: maxU64 / 2, Alpha: maxU64 / 2}
	g, err := MaxBuy(big, maxU64, 0)
	checkErr(t, err, nil)
	if g != maxU64-big.TAO {
		t.Fatalf("MaxBuy near 2^64 = %d, want %d", g, maxU64-big.TAO)
	}
	if _, _, _, err := BuyAlpha(big, g, 0); err != nil {
		t.Fatalf("BuyAlpha(MaxBuy): %v", err)
	}
}

func TestGrossForNet(t *testing.T) {
	for _, r := range []FeeRate{0, 1, DefaultFeeRate, 3333, MaxFeeRate} {
		for _, n := range []uint64{0, 1, 2, 999, 1e9, 1e15, maxU64 / 2, maxU64 - 1, maxU64} {
			g := grossForNet(n, r)
			if net := g - r.Fee(g); net > n {
				t.Fatalf("r %d n %d: gross %d nets %d", r, n, g, net)
			}
			if g < maxU64 {
				if net := g + 1 - r.Fee(g+1); net <= n {
					t.Fatalf("r %d n %d: gross %d+1 still nets %d", r, n, g, net)
				}
			}
		}
	}
}
