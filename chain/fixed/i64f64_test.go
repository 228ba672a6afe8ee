package fixed

import (
	"math"
	"math/big"
	"testing"
)

func bigOf128(hi int64, lo uint64) *big.Int {
	v := new(big.Int).Lsh(big.NewInt(hi), 64)
	return v.Add(v, new(big.Int).SetUint64(lo))
}

func i64f64Of(v *big.Int) I64F64 {
	m := new(big.Int).And(v, new(big.Int).SetUint64(math.MaxUint64))
	h := new(big.Int).Rsh(v, 64)
	return I64F64FromBits(h.Int64(), m.Uint64())
}

func TestI64F64Basics(t *testing.T) {
	if got := I64F64FromU64(7).ToU64(); got != 7 {
		t.Fatalf("ToU64 = %d", got)
	}
	if I64F64FromU64(math.MaxUint64) != I64F64Max {
		t.Fatal("FromU64 does not saturate")
	}
	if got := I64F64FromInt(-3).ToU64(); got != 0 {
		t.Fatalf("negative ToU64 = %d", got)
	}
	if got := I64F64FromI32F32(I32F32FromBits(-one - half)).String(); got != "-1.5" {
		t.Fatalf("FromI32F32(-1.5) = %s", got)
	}
	if got := I64F64One.Add(I64F64One).String(); got != "2" {
		t.Fatalf("1+1 = %s", got)
	}
	if I64F64Max.Add(I64F64One) != I64F64Max || I64F64Min.Sub(I64F64One) != I64F64Min {
		t.Fatal("Add/Sub do not saturate")
	}
	if I64F64Min.Neg() != I64F64Max {
		t.Fatal("Neg(Min)")
	}
	if I64F64FromInt(-1).Cmp(I64F64One) != -1 || I64F64One.Cmp(I64F64FromInt(-1)) != 1 || I64F64One.Cmp(I64F64One) != 0 {
		t.Fatal("Cmp")
	}
	third, ok := I64F64One.Div(I64F64FromInt(3))
	if !ok || third.String() != "0.3333333333333333333152632971252415927665424533188343048095703125" {
		t.Fatalf("1/3 = %s, %v", third, ok)
	}
	if _, ok := I64F64One.Div(I64F64Zero); ok {
		t.Fatal("division by zero reported ok")
	}
	if I64F64One.SafeDiv(I64F64Zero) != I64F64Zero {
		t.Fatal("SafeDiv by zero")
	}
	// ToI32F32 drops 32 bits toward −∞ and saturates.
	tests := []struct {
		hi   int64
		lo   uint64
		want int64
	}{
		{0, 1 << 32, 1}, {0, 1<<32 - 1, 0}, {-1, math.MaxUint64, -1}, {1, 0, one},
		{1 << 31, 0, maxI}, {-(1 << 31) - 1, 0, minI}, {-(1 << 31), 0, minI}, {1<<31 - 1, math.MaxUint64, maxI},
	}
	for _, tt := range tests {
		if got := I64F64FromBits(tt.hi, tt.lo).ToI32F32().Bits(); got != tt.want {
			t.Errorf("ToI32F32(%d, %d) = %d, want %d", tt.hi, tt.lo, got, tt.want)
		}
	}
}

func TestI64F64AgainstBig(t *testing.T) {
	r := newRNG(2)
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	maxB, minB := bigOf128(math.MaxInt64, math.MaxUint64), bigOf128(math.MinInt64, 0)
	for range 20000 {
		a := bigOf128(r.i64(), r.next())
		b := bigOf128(r.i64(), r.next())
		if r.next()%4 == 0 { // integer-valued divisors hit the b.lo == 0 path
			b = bigOf128(r.i64()>>(r.next()%64), 0)
		}
		if r.next()%4 == 0 { // small divisors hit the b.hi == 0 path
			b = bigOf128(0, r.next()>>(r.next()%64))
		}
		x, y := i64f64Of(a), i64f64Of(b)

		p := new(big.Int).Mul(a, b)
		p.Div(p, two64)
		if p.Cmp(maxB) > 0 {
			p.Set(maxB)
		} else if p.Cmp(minB) < 0 {
			p.Set(minB)
		}
		if got := x.Mul(y); got != i64f64Of(p) {
			t.Fatalf("Mul(%s, %s) = %s, want %s", a, b, got, p)
		}
		if b.Sign() == 0 {
			continue
		}
		q := new(big.Int).Mul(a, two64)
		q.Quo(q, b)
		wantOK := q.Cmp(maxB) <= 0 && q.Cmp(minB) >= 0
		got, ok := x.Div(y)
		if ok != wantOK || (ok && got != i64f64Of(q)) {
			t.Fatalf("Div(%s, %s) = %s, %v; want %s, %v", a, b, got, ok, q, wantOK)
		}
		s := new(big.Int).Add(a, b)
		if s.Cmp(maxB) > 0 {
			s.Set(maxB)
		} else if s.Cmp(minB) < 0 {
			s.Set(minB)
		}
		if got := x.Add(y); got != i64f64Of(s) {
			t.Fatalf("Add(%s, %s) = %s, want %s", a, b, got, s)
		}
		d := new(big.Int).Sub(a, b)
		if d.Cmp(maxB) > 0 {
			d.Set(maxB)
		} else if d.Cmp(minB) < 0 {
			d.Set(minB)
		}
		if got := x.Sub(y); got != i64f64Of(d) {
			t.Fatalf("Sub(%s, %s) = %s, want %s", a, b, got, d)
		}
	}
}

func TestU64F64AgainstBig(t *testing.T) {
	r := newRNG(3)
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	maxB := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	u := func() *big.Int {
		v := new(big.Int).SetUint64(r.next() >> (r.next() % 64))
		v.Lsh(v, 64)
		return v.Add(v, new(big.Int).SetUint64(r.next()>>(r.next()%64)))
	}
	of := func(v *big.Int) U64F64 {
		m := new(big.Int).And(v, new(big.Int).SetUint64(math.MaxUint64))
		return U64F64FromBits(new(big.Int).Rsh(v, 64).Uint64(), m.Uint64())
	}
	for range 20000 {
		a, b := u(), u()
		x, y := of(a), of(b)
		p := new(big.Int).Mul(a, b)
		p.Rsh(p, 64)
		if p.Cmp(maxB) > 0 {
			p.Set(maxB)
		}
		if got := x.Mul(y); got != of(p) {
			t.Fatalf("Mul(%s, %s) = %s, want %s", a, b, got, p)
		}
		if b.Sign() != 0 {
			q := new(big.Int).Mul(a, two64)
			q.Quo(q, b)
			wantOK := q.Cmp(maxB) <= 0
			got, ok := x.Div(y)
			if ok != wantOK || (ok && got != of(q)) {
				t.Fatalf("Div(%s, %s) = %s, %v; want %s, %v", a, b, got, ok, q, wantOK)
			}
		}
		s := new(big.Int).Add(a, b)
		if s.Cmp(maxB) > 0 {
			s.Set(maxB)
		}
		if got := x.Add(y); got != of(s) {
			t.Fatalf("Add = %s, want %s", got, s)
		}
		d := new(big.Int).Sub(a, b)
		if d.Sign() < 0 {
			d.SetInt64(0)
		}
		if got := x.Sub(y); got != of(d) {
			t.Fatalf("Sub = %s, want %s", got, d)
		}
	}
	if got := U64F64FromU64(3).String(); got != "3" {
		t.Fatalf("String = %s", got)
	}
	if got, _ := U64F64FromU64(1).Div(U64F64FromU64(4)); got.String() != "0.25" || got.ToU64() != 0 {
		t.Fatalf("1/4 = %s", got)
	}
	if U64F64One.Cmp(U64F64Zero) != 1 || !U64F64Zero.IsZero() || U64F64One.SafeDiv(U64F64Zero) != U64F64Zero {
		t.Fatal("Cmp/IsZero/SafeDiv")
	}
}
