package swap

import (
	"errors"
	"math"
	"testing"

	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/fixed"
)

const maxU64 = math.MaxUint64

func checkErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error = %v, want %v", err, want)
	}
}

func TestFeeRate(t *testing.T) {
	for _, c := range []struct {
		r      FeeRate
		amount uint64
		want   uint64
	}{
		{500, 0, 0},
		{0, 1_000_000, 0},
		{500, 1, 1},    // ceil: any non-zero trade pays a unit
		{500, 2000, 1}, // exactly 1
		{500, 2001, 2}, // 1.0005 rounds up
		{500, 1_000_000_000, 500_000},
		{MaxFeeRate, 1_000_000, 150_000},
		{MaxFeeRate, maxU64, 2767011611056432743}, // ceil((2^64−1)·0.15)
		{1, maxU64, 18446744073710},
		{FeeRateDenominator, 12345, 12345}, // 100%: everything
		{math.MaxUint32, 12345, 12345},     // invalid rates never take more than the amount
		{math.MaxUint32, maxU64, maxU64},
	} {
		if got := c.r.Fee(c.amount); got != c.want {
			t.Errorf("FeeRate(%d).Fee(%d) = %d, want %d", c.r, c.amount, got, c.want)
		}
		if c.r > FeeRateDenominator {
			continue
		}
		// net = floor(amount·(D−r)/D)
		net, _ := mulDiv(c.amount, FeeRateDenominator-uint64(c.r), FeeRateDenominator)
		if c.amount-c.r.Fee(c.amount) != net {
			t.Errorf("FeeRate(%d): net of %d = %d, want %d", c.r, c.amount, c.amount-c.r.Fee(c.amount), net)
		}
	}
	checkErr(t, MaxFeeRate.Validate(), nil)
	checkErr(t, (MaxFeeRate + 1).Validate(), ErrFeeRateTooHigh)
}

func TestBuyAlpha(t *testing.T) {
	const h = maxU64 / 2
	for _, c := range []struct {
		name    string
		p       Pool
		in      uint64
		fee     FeeRate
		out     uint64
		feeOut  uint64
		after   Pool
		wantErr error
	}{
		{"1 TAO at 1.0", Pool{1e12, 1e12}, 1e9, DefaultFeeRate, 998501997, 500000, Pool{1e12 + 999500000, 1e12 - 998501997}, nil},
		{"max fee", Pool{1e12, 1e12}, 1e9, MaxFeeRate, 849278113, 150000000, Pool{1e12 + 850000000, 1e12 - 849278113}, nil},
		{"double the TAO, halve the alpha", Pool{1e12, 1e12}, 1e12, 0, 5e11, 0, Pool{2e12, 5e11}, nil},
		{"input cap exactly", Pool{1e6, 1e18}, 1e9, 0, 999000999000999000, 0, Pool{1e9 + 1e6, 1e18 - 999000999000999000}, nil},
		{"reserve floor exactly", Pool{1e12, 2e6}, 1e12, 0, 1e6, 0, Pool{2e12, 1e6}, nil},
		{"reserve sum at 2^64-1", Pool{maxU64 - 10, maxU64}, 10, 0, 10, 0, Pool{maxU64, maxU64 - 10}, nil},
		{"halves near 2^64", Pool{h, h}, h, 0, 4611686018427387903, 0, Pool{2 * h, h - 4611686018427387903}, nil},
		{"zero amount", Pool{1e12, 1e12}, 0, DefaultFeeRate, 0, 0, Pool{}, ErrAmountTooLow},
		{"all fee", Pool{1e12, 1e12}, 1, DefaultFeeRate, 0, 0, Pool{}, ErrAmountTooLow},
		{"buys nothing", Pool{1e12, 1e12}, 1, 0, 0, 0, Pool{}, ErrAmountTooLow},
		{"no TAO", Pool{0, 1e12}, 1e9, 0, 0, 0, Pool{}, ErrInsufficientLiquidity},
		{"no alpha", Pool{1e12, 0}, 1e9, 0, 0, 0, Pool{}, ErrInsufficientLiquidity},
		{"empty", Pool{}, 1e9, 0, 0, 0, Pool{}, ErrInsufficientLiquidity},
		{"fee too high", Pool{1e12, 1e12}, 1e9, MaxFeeRate + 1, 0, 0, Pool{}, ErrFeeRateTooHigh},
		{"input over cap", Pool{1e6, 1e18}, 1e9 + 1, 0, 0, 0, Pool{}, ErrSwapInputTooLarge},
		{"input over cap net of fee", Pool{1e6, 1e18}, 1_000_500_252, DefaultFeeRate, 0, 0, Pool{}, ErrSwapInputTooLarge},
		{"reserve overflow", Pool{maxU64 - 10, maxU64}, 11, 0, 0, 0, Pool{}, ErrOverflow},
		{"max amount", Pool{maxU64, maxU64}, maxU64, 0, 0, 0, Pool{}, ErrOverflow},
		{"below reserve floor", Pool{1e12, 2e6}, 1e12 + 1e9, 0, 0, 0, Pool{}, ErrReservesTooLow},
		{"pool already below floor", Pool{1e12, 1e6 - 1}, 1e12, 0, 0, 0, Pool{}, ErrReservesTooLow},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, fee, after, err := BuyAlpha(c.p, c.in, c.fee)
			checkErr(t, err, c.wantErr)
			if out != c.out || fee != c.feeOut || after != c.after {
				t.Fatalf("BuyAlpha(%v, %d, %d) = %d, %d, %v; want %d, %d, %v", c.p, c.in, c.fee, out, fee, after, c.out, c.feeOut, c.after)
			}
		})
	}
}

func TestSellAlpha(t *testing.T) {
	for _, c := range []struct {
		name    string
		p       Pool
		in      uint64
		fee     FeeRate
		out     uint64
		feeOut  uint64
		after   Pool
		wantErr error
	}{
		{"1 alpha at 1.0", Pool{1e12, 1e12}, 1e9, DefaultFeeRate, 998501997, 500000, Pool{1e12 - 998501997, 1e12 + 999500000}, nil},
		{"double the alpha, halve the TAO", Pool{1e12, 1e12}, 1e12, 0, 5e11, 0, Pool{5e11, 2e12}, nil},
		{"input cap exactly", Pool{1e18, 1e6}, 1e9, 0, 999000999000999000, 0, Pool{1e18 - 999000999000999000, 1e9 + 1e6}, nil},
		{"reserve sum at 2^64-1", Pool{maxU64, maxU64 - 10}, 10, 0, 10, 0, Pool{maxU64 - 10, maxU64}, nil},
		{"zero amount", Pool{1e12, 1e12}, 0, 0, 0, 0, Pool{}, ErrAmountTooLow},
		{"all fee", Pool{1e12, 1e12}, 1, MaxFeeRate, 0, 0, Pool{}, ErrAmountTooLow},
		{"sells for nothing", Pool{1e12, 1e18}, 1000, 0, 0, 0, Pool{}, ErrAmountTooLow},
		{"no alpha", Pool{1e12, 0}, 1e9, 0, 0, 0, Pool{}, ErrInsufficientLiquidity},
		{"input over cap", Pool{1e18, 1e6}, 1e9 + 1, 0, 0, 0, Pool{}, ErrSwapInputTooLarge},
		// The fee counts toward the overflow check on sells, so FeeToTAO can follow.
		{"reserve overflow with fee", Pool{maxU64, maxU64 - 10}, 11, MaxFeeRate, 0, 0, Pool{}, ErrOverflow},
		{"below reserve floor", Pool{2e6, 1e12}, 1e12 + 1e9, 0, 0, 0, Pool{}, ErrReservesTooLow},
		{"fee too high", Pool{1e12, 1e12}, 1e9, math.MaxUint32, 0, 0, Pool{}, ErrFeeRateTooHigh},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, fee, after, err := SellAlpha(c.p, c.in, c.fee)
			checkErr(t, err, c.wantErr)
			if out != c.out || fee != c.feeOut || after != c.after {
				t.Fatalf("SellAlpha(%v, %d, %d) = %d, %d, %v; want %d, %d, %v", c.p, c.in, c.fee, out, fee, after, c.out, c.feeOut, c.after)
			}
		})
	}
}

func TestFeeToTAO(t *testing.T) {
	p := Pool{TAO: 1e12, Alpha: 1e12}
	_, fee, after, err := SellAlpha(p, 1e9, DefaultFeeRate)
	checkErr(t, err, nil)
	tao, after2, err := FeeToTAO(after, fee)
	checkErr(t, err, nil)
	// The two legs together pay about what selling the gross input at once pays.
	whole, _, _, _ := SellAlpha(p, 1e9, 0)
	userOut, _, _, _ := SellAlpha(p, 1e9, DefaultFeeRate)
	if tao == 0 || userOut+tao > whole {
		t.Fatalf("fee %d fetched %d RAO; user %d + fee %d > one-swap %d", fee, tao, userOut, tao, whole)
	}
	if after2.Alpha != p.Alpha+1e9 || after2.TAO != after.TAO-tao {
		t.Fatalf("after fee: %v", after2)
	}

	for _, c := range []struct {
		name  string
		p     Pool
		fee   uint64
		tao   uint64
		after Pool
		err   error
	}{
		{"zero fee", p, 0, 0, p, nil},
		{"dust fee joins the reserve", Pool{1e6, 1e12}, 1, 0, Pool{1e6, 1e12 + 1}, nil},
		{"capped at the floor", Pool{1e6 + 5, 1e6}, 1e6, 5, Pool{1e6, 2e6}, nil},
		{"empty pool", Pool{}, 1, 0, Pool{}, ErrInsufficientLiquidity},
		{"overflow", Pool{1e12, maxU64}, 1, 0, Pool{}, ErrOverflow},
	} {
		tao, after, err := FeeToTAO(c.p, c.fee)
		checkErr(t, err, c.err)
		if tao != c.tao || after != c.after {
			t.Errorf("%s: FeeToTAO(%v, %d) = %d, %v; want %d, %v", c.name, c.p, c.fee, tao, after, c.tao, c.after)
		}
	}
}

func TestRootSwap(t *testing.T) {
	for _, a := range []uint64{1, 2_000_000, maxU64} {
		out, err := RootSwap(a)
		if err != nil || out != a {
			t.Fatalf("RootSwap(%d) = %d, %v", a, out, err)
		}
	}
	_, err := RootSwap(0)
	checkErr(t, err, ErrAmountTooLow)
}

func TestPrice(t *testing.T) {
	for _, c := range []struct {
		p     Pool
		price fixed.U64F64
		rao   uint64
		value uint64 // TAOValue(1e9)
	}{
		{Pool{}, fixed.U64F64Zero, 0, 0},
		{Pool{1e12, 0}, fixed.U64F64Zero, 0, 0},
		{Pool{0, 1e12}, fixed.U64F64Zero, 0, 0},
		{Pool{1e12, 1e12}, fixed.U64F64One, 1e9, 1e9},
		{Pool{1e12, 4e12}, fixed.U64F64FromBits(0, 1<<62), 25e7, 25e7},
		{Pool{1e12, 3e12}, fixed.U64F64FromBits(0, 0x5555555555555555), 333333333, 333333333},
		{Pool{maxU64, 1}, fixed.U64F64FromU64(maxU64), maxU64, maxU64},
		{Pool{1, maxU64}, fixed.U64F64FromBits(0, 1), 0, 0},
	} {
		if got := c.p.Price(); got != c.price {
			t.Errorf("%v.Price() = %s, want %s", c.p, got, c.price)
		}
		if got := c.p.PriceRAO(); got != c.rao {
			t.Errorf("%v.PriceRAO() = %d, want %d", c.p, got, c.rao)
		}
		if got := c.p.TAOValue(1e9); got != c.value {
			t.Errorf("%v.TAOValue(1e9) = %d, want %d", c.p, got, c.value)
		}
	}
}

func TestErrorsRegistered(t *testing.T) {
	for _, e := range []*errs.Error{
		ErrInsufficientLiquidity, ErrReservesTooLow, ErrSwapInputTooLarge, ErrAmountTooLow,
		ErrPriceLimitExceeded, ErrSlippageTooHigh, ErrZeroMaxStakeAmount, ErrFeeRateTooHigh,
		ErrOverflow, ErrNotEnoughStakeToWithdraw, ErrNoShares,
	} {
		got, ok := errs.Lookup(codespace, e.Code)
		if !ok || got != e || e.Hint == "" {
			t.Errorf("%s: lookup %v %v, hint %q", e.Name, got, ok, e.Hint)
		}
		cs, code := errs.Codes(wrap(e))
		if cs != codespace || code != e.Code {
			t.Errorf("%s: Codes = %s/%d", e.Name, cs, code)
		}
	}
}

// wrap wraps e with context, as callers do.
func wrap(e error) error { return errors.Join(errors.New("context"), e) }
