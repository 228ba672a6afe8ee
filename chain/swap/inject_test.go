package swap

import (
	"testing"

	"github.com/gotensor/gotensor/chain/fixed"
)

func TestInject(t *testing.T) {
	for _, c := range []struct {
		name  string
		p     Pool
		tao   uint64
		alpha uint64
		after Pool
		err   error
	}{
		{"price 1", Pool{1e12, 1e12}, 1e9, 1e9, Pool{1e12 + 1e9, 1e12 + 1e9}, nil},
		{"price 1/3 floors alpha", Pool{1e12, 3e12 + 1}, 1e9, 3000000000, Pool{1e12 + 1e9, 3e12 + 1 + 3000000000}, nil},
		{"zero", Pool{1e12, 1e12}, 0, 0, Pool{1e12, 1e12}, nil},
		{"dust", Pool{1e12, 1e9}, 1, 0, Pool{1e12 + 1, 1e9}, nil},
		{"no price", Pool{0, 1e12}, 1e9, 0, Pool{}, ErrInsufficientLiquidity},
		{"TAO overflow", Pool{maxU64, maxU64}, 1, 0, Pool{}, ErrOverflow},
		{"alpha overflow", Pool{1, maxU64 - 1}, 2, 0, Pool{}, ErrOverflow},
		{"ratio overflow", Pool{1, 1 << 40}, 1 << 30, 0, Pool{}, ErrOverflow},
	} {
		alpha, after, err := Inject(c.p, c.tao)
		checkErr(t, err, c.err)
		if alpha != c.alpha || after != c.after {
			t.Errorf("%s: Inject(%v, %d) = %d, %v; want %d, %v", c.name, c.p, c.tao, alpha, after, c.alpha, c.after)
		}
	}
	tao, after, err := InjectAlpha(Pool{1e12, 3e12}, 1e9)
	checkErr(t, err, nil)
	if tao != 333333333 || after != (Pool{1e12 + 333333333, 3e12 + 1e9}) {
		t.Fatalf("InjectAlpha = %d, %v", tao, after)
	}
	_, _, err = InjectAlpha(Pool{1e12, 0}, 1)
	checkErr(t, err, ErrInsufficientLiquidity)
}

func TestSeed(t *testing.T) {
	half := fixed.U64F64FromBits(0, 1<<63)
	for _, c := range []struct {
		name  string
		tao   uint64
		price fixed.U64F64
		want  Pool
		err   error
	}{
		{"first subnet at 1.0", 1000e9, fixed.U64F64One, Pool{1000e9, 1000e9}, nil},
		{"median 0.5", 1000e9, half, Pool{1000e9, 2000e9}, nil},
		{"median 2", 1000e9, fixed.U64F64FromU64(2), Pool{1000e9, 500e9}, nil},
		{"median 1/3 floors", 10, fixed.U64F64FromBits(0, 0x5555555555555555), Pool{}, ErrReservesTooLow},
		{"zero price", 1000e9, fixed.U64F64Zero, Pool{}, ErrOverflow},
		{"alpha beyond u64", maxU64, half, Pool{}, ErrOverflow},
		{"too little TAO", MinReserve - 1, fixed.U64F64One, Pool{}, ErrReservesTooLow},
		{"too little alpha", 1000e9, fixed.U64F64FromU64(1e6 + 1), Pool{}, ErrReservesTooLow},
		{"alpha at the floor", 1000e9, fixed.U64F64FromU64(1e6), Pool{1000e9, 1e6}, nil},
	} {
		got, err := Seed(c.tao, c.price)
		checkErr(t, err, c.err)
		if got != c.want {
			t.Errorf("%s: Seed(%d, %s) = %v, want %v", c.name, c.tao, c.price, got, c.want)
		}
	}
}

func TestMedianPrice(t *testing.T) {
	pool := func(tao uint64) Pool { return Pool{TAO: tao, Alpha: 100} }
	for _, c := range []struct {
		name  string
		pools []Pool
		want  fixed.U64F64
	}{
		{"none", nil, fixed.U64F64One},
		{"only unpriced", []Pool{{0, 100}, {100, 0}, {}}, fixed.U64F64One},
		{"odd, unsorted", []Pool{pool(700), pool(200), pool(500)}, fixed.U64F64FromU64(5)},
		{"even averages", []Pool{pool(800), {0, 100}, pool(200)}, fixed.U64F64FromU64(5)},
		{"even, odd raw sum rounds down", []Pool{{1, maxU64}, {2, maxU64}}, fixed.U64F64FromBits(0, 1)},
		{"even near max", []Pool{{maxU64, 1}, {maxU64, 1}}, fixed.U64F64FromU64(maxU64)},
		{"even, max and next", []Pool{{maxU64, 1}, {maxU64 - 1, 1}}, fixed.U64F64FromBits(maxU64-1, 1<<63)},
	} {
		if got := MedianPrice(c.pools); got != c.want {
			t.Errorf("%s: MedianPrice = %s, want %s", c.name, got, c.want)
		}
	}
	// Order does not matter.
	a := []Pool{pool(1), pool(9), pool(4), pool(7)}
	b := []Pool{pool(7), pool(4), pool(9), pool(1)}
	if MedianPrice(a) != MedianPrice(b) {
		t.Fatal("MedianPrice depends on order")
	}
}
