package fixed

import (
	"math"
	"math/bits"
	"strconv"
)

// I32F32 is a signed fixed-point number with 32 fractional bits: the raw int64 x·2^32.
type I32F32 struct{ bits int64 }

const (
	frac32       = 32
	one32  int64 = 1 << frac32
	mask32       = uint64(1)<<frac32 - 1
)

// Common I32F32 values.
var (
	I32F32Zero = I32F32{}
	I32F32One  = I32F32{one32}
	I32F32Max  = I32F32{math.MaxInt64}
	I32F32Min  = I32F32{math.MinInt64}
)

// I32F32FromBits returns the I32F32 whose raw value is b (b/2^32).
func I32F32FromBits(b int64) I32F32 { return I32F32{b} }

// Bits returns the raw value x·2^32.
func (x I32F32) Bits() int64 { return x.bits }

// I32F32FromU16 returns the integer u exactly.
func I32F32FromU16(u uint16) I32F32 { return I32F32{int64(u) << frac32} }

// I32F32FromInt returns the integer v, saturating outside −2^31..2^31−1.
func I32F32FromInt(v int64) I32F32 {
	switch {
	case v > math.MaxInt32:
		return I32F32Max
	case v < math.MinInt32:
		return I32F32Min
	}
	return I32F32{v << frac32}
}

// I32F32FromU64 returns the integer v, saturating above 2^31−1.
func I32F32FromU64(v uint64) I32F32 {
	if v > math.MaxInt32 {
		return I32F32Max
	}
	return I32F32{int64(v) << frac32}
}

// U16Proportion returns u/65535 as subtensor's u16_proportion_to_fixed does: the I32F32
// division (u·2^32)/(65535·2^32), truncated.
func U16Proportion(u uint16) I32F32 {
	return I32F32{int64((uint64(u) << frac32) / math.MaxUint16)}
}

// ToU16Proportion returns floor(x·65535) clamped to 0..65535 (subtensor's
// fixed_proportion_to_u16).
func (x I32F32) ToU16Proportion() uint16 {
	switch {
	case x.bits <= 0:
		return 0
	case x.bits >= one32:
		return math.MaxUint16
	}
	return uint16((uint64(x.bits) * math.MaxUint16) >> frac32)
}

// Floor returns the integer part of x, rounded toward −∞, as an int64.
func (x I32F32) Floor() int64 { return x.bits >> frac32 }

// IsZero reports whether x == 0.
func (x I32F32) IsZero() bool { return x.bits == 0 }

// Sign returns −1, 0 or +1.
func (x I32F32) Sign() int {
	switch {
	case x.bits < 0:
		return -1
	case x.bits > 0:
		return 1
	}
	return 0
}

// Cmp returns −1, 0 or +1 as x is less than, equal to or greater than y.
func (x I32F32) Cmp(y I32F32) int {
	switch {
	case x.bits < y.bits:
		return -1
	case x.bits > y.bits:
		return 1
	}
	return 0
}

// Less reports whether x < y.
func (x I32F32) Less(y I32F32) bool { return x.bits < y.bits }

// Min returns the smaller of x and y.
func (x I32F32) Min(y I32F32) I32F32 {
	if y.bits < x.bits {
		return y
	}
	return x
}

// Max returns the larger of x and y.
func (x I32F32) Max(y I32F32) I32F32 {
	if y.bits > x.bits {
		return y
	}
	return x
}

// Clamp returns x limited to lo..hi: Max(lo) first, then Min(hi), so hi wins when lo > hi.
func (x I32F32) Clamp(lo, hi I32F32) I32F32 { return x.Max(lo).Min(hi) }

// Add returns x + y, saturating.
func (x I32F32) Add(y I32F32) I32F32 {
	s := x.bits + y.bits
	// Overflow iff both operands have the sign opposite to the sum's.
	if (x.bits^s)&(y.bits^s) < 0 {
		if x.bits < 0 {
			return I32F32Min
		}
		return I32F32Max
	}
	return I32F32{s}
}

// WrappingAdd returns x + y wrapping on overflow: the plain integer sum subtensor's vector
// sums (Iterator::sum in a release build) compute.
func (x I32F32) WrappingAdd(y I32F32) I32F32 { return I32F32{x.bits + y.bits} }

// Sub returns x − y, saturating.
func (x I32F32) Sub(y I32F32) I32F32 {
	d := x.bits - y.bits
	// Overflow iff the operands' signs differ and the result's sign differs from x's.
	if (x.bits^y.bits)&(x.bits^d) < 0 {
		if x.bits < 0 {
			return I32F32Min
		}
		return I32F32Max
	}
	return I32F32{d}
}

// Neg returns −x, saturating (−Min is Max).
func (x I32F32) Neg() I32F32 {
	if x.bits == math.MinInt64 {
		return I32F32Max
	}
	return I32F32{-x.bits}
}

// Abs returns |x|, saturating (|Min| is Max).
func (x I32F32) Abs() I32F32 {
	if x.bits < 0 {
		return x.Neg()
	}
	return x
}

// abs64 returns |v| as a uint64 (|MinInt64| = 2^63 is representable).
func abs64(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // -MinInt64 wraps to MinInt64, whose uint64 is 2^63.
	}
	return uint64(v)
}

// signed returns the int64 with magnitude m and the given sign, and false if it does not fit.
func signed(m uint64, neg bool) (int64, bool) {
	if neg {
		if m > 1<<63 {
			return 0, false
		}
		return int64(-m), true // m == 2^63 gives MinInt64.
	}
	if m > math.MaxInt64 {
		return 0, false
	}
	return int64(m), true
}

func saturate32(neg bool) I32F32 {
	if neg {
		return I32F32Min
	}
	return I32F32Max
}

// Mul returns x·y rounded toward −∞ (the full 128-bit product shifted right arithmetically by
// 32), saturating.
func (x I32F32) Mul(y I32F32) I32F32 {
	if uint64(x.bits)|uint64(y.bits) < 1<<frac32 {
		// Both in [0, 1), the epoch's common case: the product fits in 64 bits. Inlined.
		return I32F32{int64(uint64(x.bits) * uint64(y.bits) >> frac32)}
	}
	return x.mulSlow(y)
}

func (x I32F32) mulSlow(y I32F32) I32F32 {
	p, ok := x.CheckedMul(y)
	if !ok {
		return saturate32((x.bits < 0) != (y.bits < 0))
	}
	return p
}

// CheckedMul returns x·y as Mul does, and false (with 0) when the product does not fit.
func (x I32F32) CheckedMul(y I32F32) (I32F32, bool) {
	neg := (x.bits < 0) != (y.bits < 0)
	hi, lo := bits.Mul64(abs64(x.bits), abs64(y.bits))
	if hi>>frac32 != 0 {
		return I32F32{}, false
	}
	q := hi<<frac32 | lo>>frac32
	if neg && lo&mask32 != 0 {
		// floor(−m/2^32) = −ceil(m/2^32); q < 2^64−1 here because hi < 2^32.
		q++
	}
	v, ok := signed(q, neg)
	if !ok {
		return I32F32{}, false
	}
	return I32F32{v}, true
}

// Div returns x/y truncated toward zero ((x·2^32)/y on the raw values). ok is false when y is
// zero or the quotient does not fit; q is then 0.
func (x I32F32) Div(y I32F32) (q I32F32, ok bool) {
	if uint64(x.bits) < 1<<frac32 && y.bits > 0 {
		// x in [0, 1) and y > 0, the epoch's common case: x·2^32 fits in 64 bits. Inlined.
		if m := uint64(x.bits) << frac32 / uint64(y.bits); m <= math.MaxInt64 {
			return I32F32{int64(m)}, true
		}
		return I32F32{}, false
	}
	return x.divSlow(y)
}

func (x I32F32) divSlow(y I32F32) (q I32F32, ok bool) {
	if y.bits == 0 {
		return I32F32{}, false
	}
	neg := (x.bits < 0) != (y.bits < 0)
	ux, uy := abs64(x.bits), abs64(y.bits)
	hi, lo := ux>>frac32, ux<<frac32
	if hi >= uy {
		return I32F32{}, false // the quotient needs 64 bits or more
	}
	m, _ := bits.Div64(hi, lo, uy)
	v, ok := signed(m, neg)
	if !ok {
		return I32F32{}, false
	}
	return I32F32{v}, true
}

// SafeDiv returns x/y as Div does, or 0 when y is zero or the quotient overflows (subtensor's
// safe_div).
func (x I32F32) SafeDiv(y I32F32) I32F32 {
	q, _ := x.Div(y)
	return q
}

// Round returns x rounded to the nearest integer, halves away from zero, saturating.
func (x I32F32) Round() I32F32 {
	const half = uint64(1) << (frac32 - 1)
	m := abs64(x.bits)
	r := (m + half) &^ mask32 // m ≤ 2^63, so no wrap
	v, ok := signed(r, x.bits < 0)
	if !ok {
		return saturate32(x.bits < 0)
	}
	return I32F32{v}
}

// MulU64 returns floor(x·e) for an integer amount e, as subtensor computes an emission amount
// in I96F32 and converts it to u64: floor(x_bits·e / 2^32), saturating at MaxUint64; a
// negative x gives 0.
func (x I32F32) MulU64(e uint64) uint64 {
	if x.bits <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(x.bits), e)
	if hi>>frac32 != 0 {
		return math.MaxUint64
	}
	return hi<<frac32 | lo>>frac32
}

// String returns the exact decimal value of x, e.g. "0.5", "-1.25".
func (x I32F32) String() string {
	m := abs64(x.bits)
	b := make([]byte, 0, 48)
	if x.bits < 0 {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, m>>frac32, 10)
	return string(appendFrac(b, m&mask32, frac32))
}

// appendFrac appends the exact decimal digits of f/2^n (f < 2^n, n ≤ 60), if f ≠ 0.
func appendFrac(b []byte, f uint64, n uint) []byte {
	if f == 0 {
		return b
	}
	b = append(b, '.')
	mask := uint64(1)<<n - 1
	for f != 0 { // at most n iterations: each step clears the lowest set bit's weight
		f *= 10
		b = append(b, byte('0'+f>>n))
		f &= mask
	}
	return b
}
