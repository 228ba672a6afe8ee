package swap

import (
	"math/big"
	"testing"

	"github.com/gotensor/gotensor/chain/fixed"
)

// impactRaw is 2^64 − floor(got·2^64/spot), Quote.Impact's raw value.
func impactRaw(got, spot *big.Int) *big.Int {
	ratio := new(big.Int).Lsh(got, 64)
	ratio.Quo(ratio, spot)
	return ratio.Sub(two64, ratio)
}

func rawOf(x fixed.U64F64) *big.Int {
	hi, lo := x.Bits()
	return big128(u128{hi, lo})
}

func TestQuote(t *testing.T) {
	p := Pool{TAO: 1e12, Alpha: 1e12}
	q, err := QuoteBuy(p, 1e9, DefaultFeeRate)
	checkErr(t, err, nil)
	out, fee, after, _ := BuyAlpha(p, 1e9, DefaultFeeRate)
	if q.In != 1e9 || q.Out != out || q.Fee != fee || q.After != after {
		t.Fatalf("QuoteBuy disagrees with BuyAlpha: %+v", q)
	}
	if q.PriceBefore != fixed.U64F64One || q.PriceAfter != after.Price() || q.PriceAfter.Cmp(q.PriceBefore) <= 0 {
		t.Fatalf("prices %s → %s", q.PriceBefore, q.PriceAfter)
	}
	// Impact = 1 − out·TAO/(net·Alpha) ≈ net/(TAO+net) ≈ 0.0009985.
	want := impactRaw(new(big.Int).Mul(bigU(out), bigU(p.TAO)), new(big.Int).Mul(bigU(1e9-fee), bigU(p.Alpha)))
	if rawOf(q.Impact).Cmp(want) != 0 {
		t.Fatalf("impact %s, want raw %s", q.Impact, want)
	}
	if lo, hi := fixed.U64F64FromBits(0, 18419100000000000), fixed.U64F64FromBits(0, 18419200000000000); q.Impact.Cmp(lo) < 0 || q.Impact.Cmp(hi) > 0 {
		t.Fatalf("impact %s not ≈ 0.0009985", q.Impact)
	}

	qs, err := QuoteSell(p, 1e9, DefaultFeeRate)
	checkErr(t, err, nil)
	out, fee, after, _ = SellAlpha(p, 1e9, DefaultFeeRate)
	if qs.Out != out || qs.Fee != fee || qs.After != after || qs.PriceAfter.Cmp(qs.PriceBefore) >= 0 {
		t.Fatalf("QuoteSell disagrees with SellAlpha: %+v", qs)
	}
	if qs.Impact != q.Impact { // the pool is symmetric
		t.Fatalf("sell impact %s, buy impact %s", qs.Impact, q.Impact)
	}

	// Limit quotes report the partial fill.
	ql, err := QuoteBuyLimit(p, 2e12, 4e9, true, 0)
	checkErr(t, err, nil)
	if ql.In != 1e12 || ql.Out != 5e11 || ql.PriceAfter != fixed.U64F64FromU64(4) {
		t.Fatalf("QuoteBuyLimit: %+v", ql)
	}
	// Half the spot output: impact exactly 0.5.
	if ql.Impact != fixed.U64F64FromBits(0, 1<<63) {
		t.Fatalf("QuoteBuyLimit impact %s", ql.Impact)
	}
	qsl, err := QuoteSellLimit(p, 3e12, 25e7, true, 0)
	checkErr(t, err, nil)
	if qsl.In != 1e12 || qsl.Out != 5e11 || qsl.PriceAfter != fixed.U64F64FromBits(0, 1<<62) {
		t.Fatalf("QuoteSellLimit: %+v", qsl)
	}

	// Quotes fail exactly as the swaps do.
	for _, f := range []func() error{
		func() error { _, err := QuoteBuy(p, 0, 0); return err },
		func() error { _, err := QuoteSell(p, 0, 0); return err },
		func() error { _, err := QuoteBuyLimit(p, 0, maxU64, true, 0); return err },
		func() error { _, err := QuoteSellLimit(p, 0, 0, true, 0); return err },
	} {
		checkErr(t, f(), ErrAmountTooLow)
	}
	_, err = QuoteBuyLimit(p, 2e12, 4e9, false, 0)
	checkErr(t, err, ErrSlippageTooHigh)
	_, err = QuoteSellLimit(p, 1e9, 2e9, true, 0)
	checkErr(t, err, ErrPriceLimitExceeded)
}

func oneU64F64() fixed.U64F64 { return fixed.U64F64One }
