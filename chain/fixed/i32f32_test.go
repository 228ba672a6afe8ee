package fixed

import (
	"math"
	"math/big"
	"testing"
)

const (
	one  = int64(1) << 32
	half = int64(1) << 31
	maxI = int64(math.MaxInt64)
	minI = int64(math.MinInt64)
)

func TestI32F32Mul(t *testing.T) {
	tests := []struct {
		name string
		a, b int64
		want int64
	}{
		{"zero", 0, 5 * one, 0},
		{"one times one", one, one, one},
		{"half times half", half, half, one / 4},
		{"neg times pos", -3 * one, 2 * one, -6 * one},
		{"neg times neg", -3 * one, -2 * one, 6 * one},
		{"floor positive", 1, 1, 0},
		{"floor negative rounds down", -1, 1, -1},
		{"floor negative exact", -one, 3, -3},
		{"floor negative inexact", -3, half, -2}, // −1.5 ulp → −2
		{"saturate max", maxI, 2 * one, maxI},
		{"saturate min", maxI, -2 * one, minI},
		{"saturate neg neg", minI, minI, maxI},
		{"min times one", minI, one, minI},
		{"min times minus one", minI, -one, maxI},
		{"max times one", maxI, one, maxI},
		{"just fits", 1 << 47, 1 << 47, 1 << 62},
		{"overflow by one bit", 1 << 48, 1 << 47, maxI},
		{"negative boundary exact", -(1 << 48), 1 << 47, minI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := I32F32FromBits(tt.a).Mul(I32F32FromBits(tt.b)).Bits()
			if got != tt.want {
				t.Fatalf("Mul(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestI32F32Div(t *testing.T) {
	tests := []struct {
		name   string
		a, b   int64
		want   int64
		wantOK bool
	}{
		{"by zero", one, 0, 0, false},
		{"zero by x", 0, 7, 0, true},
		{"one by two", one, 2 * one, half, true},
		{"one third truncates", one, 3 * one, 1431655765, true},
		{"minus one third truncates toward zero", -one, 3 * one, -1431655765, true},
		{"neg by neg", -one, -3 * one, 1431655765, true},
		{"overflow", maxI, 1, 0, false},
		{"overflow to 2^63 positive", 1 << 62, half, 0, false}, // 2^30 / 0.5 = 2^31
		{"exactly min", -(int64(1) << 62), half, minI, true},
		{"min by minus one ulp", minI, -1, 0, false},
		{"min by one", minI, one, minI, true},
		{"u16 props", 65535 * one, 65535 * one, one, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, ok := I32F32FromBits(tt.a).Div(I32F32FromBits(tt.b))
			if q.Bits() != tt.want || ok != tt.wantOK {
				t.Fatalf("Div(%d, %d) = %d, %v; want %d, %v", tt.a, tt.b, q.Bits(), ok, tt.want, tt.wantOK)
			}
			if s := I32F32FromBits(tt.a).SafeDiv(I32F32FromBits(tt.b)).Bits(); s != tt.want {
				t.Fatalf("SafeDiv = %d, want %d", s, tt.want)
			}
		})
	}
}

func TestI32F32AddSub(t *testing.T) {
	tests := []struct {
		name          string
		a, b          int64
		add, sub, wra int64
	}{
		{"small", one, half, one + half, half, one + half},
		{"max plus one", maxI, 1, maxI, maxI - 1, minI},
		{"min minus one", minI, -1, minI, minI + 1, maxI},
		{"min minus pos", minI, 1, minI + 1, minI, minI + 1},
		{"max minus neg", maxI, -1, maxI - 1, maxI, maxI - 1},
		{"opposite", -one, one, 0, -2 * one, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := I32F32FromBits(tt.a), I32F32FromBits(tt.b)
			if got := a.Add(b).Bits(); got != tt.add {
				t.Errorf("Add = %d, want %d", got, tt.add)
			}
			if got := a.Sub(b).Bits(); got != tt.sub {
				t.Errorf("Sub = %d, want %d", got, tt.sub)
			}
			if got := a.WrappingAdd(b).Bits(); got != tt.wra {
				t.Errorf("WrappingAdd = %d, want %d", got, tt.wra)
			}
		})
	}
}

func TestI32F32Conversions(t *testing.T) {
	if got := I32F32FromU16(65535).Bits(); got != 65535*one {
		t.Errorf("FromU16(65535) = %d", got)
	}
	if got := I32F32FromU64(math.MaxUint64); got != I32F32Max {
		t.Errorf("FromU64(max) = %v, want saturated", got)
	}
	if got := I32F32FromU64(1 << 31); got != I32F32Max {
		t.Errorf("FromU64(2^31) = %v, want saturated", got)
	}
	if got := I32F32FromU64(1<<31 - 1).Bits(); got != (1<<31-1)*one {
		t.Errorf("FromU64(2^31-1) = %d", got)
	}
	if got := I32F32FromInt(-5).Bits(); got != -5*one {
		t.Errorf("FromInt(-5) = %d", got)
	}
	if got := I32F32FromInt(math.MinInt64); got != I32F32Min {
		t.Errorf("FromInt(min) = %v", got)
	}
	props := []struct {
		u    uint16
		bits int64
	}{
		{0, 0}, {1, 65537}, {32767, 2147450879}, {65535, one}, {6553, 429463961},
	}
	for _, p := range props {
		if got := U16Proportion(p.u).Bits(); got != p.bits {
			t.Errorf("U16Proportion(%d) = %d, want %d", p.u, got, p.bits)
		}
	}
	u16s := []struct {
		bits int64
		want uint16
	}{
		{minI, 0}, {-1, 0}, {0, 0}, {65537, 0}, {65538, 1}, {half, 32767},
		{one - 1, 65534}, {one, 65535}, {maxI, 65535}, {429490176, 6553},
	}
	for _, c := range u16s {
		if got := I32F32FromBits(c.bits).ToU16Proportion(); got != c.want {
			t.Errorf("ToU16Proportion(%d) = %d, want %d", c.bits, got, c.want)
		}
	}
	// Every u16 survives the round trip prop → u16 except where the truncated proportion
	// lands just below the value; check the documented floor behaviour against big integers.
	for u := 0; u <= 65535; u++ {
		p := U16Proportion(uint16(u)).Bits()
		want := uint16((uint64(p) * 65535) >> 32)
		if got := U16Proportion(uint16(u)).ToU16Proportion(); got != want {
			t.Fatalf("round trip %d: got %d want %d", u, got, want)
		}
	}
}

func TestI32F32Round(t *testing.T) {
	tests := []struct{ in, want int64 }{
		{0, 0}, {half - 1, 0}, {half, one}, {one + half, 2 * one}, {one + half - 1, one},
		{-half, -one}, {-half + 1, 0}, {-one - half, -2 * one}, {maxI, maxI}, {minI, minI},
		{5*one + 1, 5 * one},
	}
	for _, tt := range tests {
		if got := I32F32FromBits(tt.in).Round().Bits(); got != tt.want {
			t.Errorf("Round(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestI32F32MulU64(t *testing.T) {
	tests := []struct {
		x    int64
		e    uint64
		want uint64
	}{
		{one, 1_000_000_000, 1_000_000_000},
		{-one, 5, 0},
		{0, 5, 0},
		{429496729, 1_000_000_000, 99_999_999}, // 0.1 truncated → 99 999 999
		{maxI, math.MaxUint64, math.MaxUint64},
		{one, math.MaxUint64, math.MaxUint64},
		{half, 3, 1},
	}
	for _, tt := range tests {
		if got := I32F32FromBits(tt.x).MulU64(tt.e); got != tt.want {
			t.Errorf("MulU64(%d, %d) = %d, want %d", tt.x, tt.e, got, tt.want)
		}
	}
}

func TestI32F32String(t *testing.T) {
	tests := []struct {
		bits int64
		want string
	}{
		{0, "0"}, {one, "1"}, {half, "0.5"}, {-one - one/4, "-1.25"}, {1, "0.00000000023283064365386962890625"},
		{minI, "-2147483648"},
	}
	for _, tt := range tests {
		if got := I32F32FromBits(tt.bits).String(); got != tt.want {
			t.Errorf("String(%d) = %q, want %q", tt.bits, got, tt.want)
		}
	}
}

func TestI32F32Compare(t *testing.T) {
	a, b := I32F32FromBits(-1), I32F32FromBits(2)
	if a.Cmp(b) != -1 || b.Cmp(a) != 1 || a.Cmp(a) != 0 || !a.Less(b) {
		t.Fatal("Cmp/Less")
	}
	if a.Min(b) != a || a.Max(b) != b || a.Sign() != -1 || b.Sign() != 1 || I32F32Zero.Sign() != 0 {
		t.Fatal("Min/Max/Sign")
	}
	if got := I32F32FromBits(5).Clamp(I32F32FromBits(7), I32F32FromBits(9)).Bits(); got != 7 {
		t.Fatalf("Clamp low = %d", got)
	}
	if got := I32F32FromBits(11).Clamp(I32F32FromBits(7), I32F32FromBits(9)).Bits(); got != 9 {
		t.Fatalf("Clamp high = %d", got)
	}
	if I32F32Min.Neg() != I32F32Max || I32F32Min.Abs() != I32F32Max || I32F32FromBits(-3).Abs().Bits() != 3 {
		t.Fatal("Neg/Abs")
	}
	if I32F32FromBits(-1).Floor() != -1 || I32F32FromBits(3*one+5).Floor() != 3 {
		t.Fatal("Floor")
	}
}

// TestI32F32AgainstBig checks Mul and Div against exact big-integer arithmetic on
// pseudo-random operands that cover every magnitude.
func TestI32F32AgainstBig(t *testing.T) {
	r := newRNG(1)
	two32 := big.NewInt(one)
	maxB, minB := big.NewInt(maxI), big.NewInt(minI)
	for range 20000 {
		a, b := r.i64(), r.i64()
		x, y := I32F32FromBits(a), I32F32FromBits(b)

		// Mul: floor(a·b / 2^32), saturated.
		p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		p.Div(p, two32) // Euclidean division by a positive divisor is floor
		if p.Cmp(maxB) > 0 {
			p.Set(maxB)
		} else if p.Cmp(minB) < 0 {
			p.Set(minB)
		}
		if got := x.Mul(y).Bits(); got != p.Int64() {
			t.Fatalf("Mul(%d, %d) = %d, want %s", a, b, got, p)
		}

		// Div: trunc(a·2^32 / b), 0 on overflow or zero.
		if b == 0 {
			continue
		}
		q := new(big.Int).Mul(big.NewInt(a), two32)
		q.Quo(q, big.NewInt(b)) // Quo truncates toward zero
		wantOK := q.Cmp(maxB) <= 0 && q.Cmp(minB) >= 0
		got, ok := x.Div(y)
		if ok != wantOK || (ok && got.Bits() != q.Int64()) {
			t.Fatalf("Div(%d, %d) = %d, %v; want %s, %v", a, b, got.Bits(), ok, q, wantOK)
		}
	}
}

// rng is a splitmix64 generator: deterministic test operands without math/rand (banned in
// chain/).
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng { return &rng{seed} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// i64 returns a value of random bit length and sign, so small and huge magnitudes both occur.
func (r *rng) i64() int64 {
	v := int64(r.next() >> (r.next() % 64))
	if r.next()&1 == 1 {
		v = -v
	}
	switch r.next() % 16 {
	case 0:
		return 0
	case 1:
		return maxI
	case 2:
		return minI
	}
	return v
}
