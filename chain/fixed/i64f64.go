package fixed

import "math"

// I64F64 is a signed fixed-point number with 64 fractional bits: the raw 128-bit two's
// complement value x·2^64. Subtensor normalises stake in it (HEAD §9.3 step 2).
type I64F64 struct{ v u128 }

// Common I64F64 values.
var (
	I64F64Zero = I64F64{}
	I64F64One  = I64F64{u128{hi: 1}}
	I64F64Max  = I64F64{u128{hi: math.MaxInt64, lo: math.MaxUint64}}
	I64F64Min  = I64F64{u128{hi: 1 << 63}}
)

// I64F64FromBits returns the I64F64 whose raw two's complement value is hi·2^64 + lo.
func I64F64FromBits(hi int64, lo uint64) I64F64 { return I64F64{u128{uint64(hi), lo}} }

// Bits returns the raw value as its high (signed) and low 64-bit words.
func (x I64F64) Bits() (hi int64, lo uint64) { return int64(x.v.hi), x.v.lo }

// I64F64FromU64 returns the integer v, saturating above 2^63−1.
func I64F64FromU64(v uint64) I64F64 {
	if v > math.MaxInt64 {
		return I64F64Max
	}
	return I64F64{u128{hi: v}}
}

// I64F64FromInt returns the integer v exactly.
func I64F64FromInt(v int64) I64F64 { return I64F64{u128{hi: uint64(v)}} }

// I64F64FromI32F32 returns x exactly.
func I64F64FromI32F32(x I32F32) I64F64 {
	// x·2^64 = x_bits·2^32: sign-extend the raw value shifted left by 32.
	return I64F64{u128{hi: uint64(x.bits >> 32), lo: uint64(x.bits) << 32}}
}

// ToI32F32 drops the low 32 fractional bits (rounding toward −∞), saturating.
func (x I64F64) ToI32F32() I32F32 {
	hi := int64(x.v.hi)
	// raw >> 32 as a 96-bit signed value; it fits in int64 iff hi >> 31 is 0 or −1.
	if top := hi >> 31; top != 0 && top != -1 {
		if hi < 0 {
			return I32F32Min
		}
		return I32F32Max
	}
	return I32F32{int64(x.v.hi<<32 | x.v.lo>>32)}
}

// ToU64 returns the integer part of x rounded toward −∞, saturating to 0..MaxUint64 (a
// non-negative x always fits).
func (x I64F64) ToU64() uint64 {
	if x.negative() {
		return 0
	}
	return x.v.hi
}

func (x I64F64) negative() bool { return int64(x.v.hi) < 0 }

// magnitude returns |x| as an unsigned 128-bit value (|Min| = 2^127 fits).
func (x I64F64) magnitude() u128 {
	if x.negative() {
		return x.v.neg()
	}
	return x.v
}

// fromMagnitude returns the value with magnitude m and the given sign, and false when it does
// not fit.
func i64f64FromMagnitude(m u128, neg bool) (I64F64, bool) {
	limit := u128{hi: 1 << 63} // 2^127: allowed only for a negative result
	if c := m.cmp(limit); c > 0 || (c == 0 && !neg) {
		return I64F64{}, false
	}
	if neg {
		return I64F64{m.neg()}, true
	}
	return I64F64{m}, true
}

func saturate64(neg bool) I64F64 {
	if neg {
		return I64F64Min
	}
	return I64F64Max
}

// IsZero reports whether x == 0.
func (x I64F64) IsZero() bool { return x.v.isZero() }

// Cmp returns −1, 0 or +1 as x is less than, equal to or greater than y.
func (x I64F64) Cmp(y I64F64) int {
	xn, yn := x.negative(), y.negative()
	switch {
	case xn && !yn:
		return -1
	case !xn && yn:
		return 1
	}
	return x.v.cmp(y.v) // same sign: two's complement order matches unsigned order
}

// Add returns x + y, saturating.
func (x I64F64) Add(y I64F64) I64F64 {
	s, _ := x.v.add(y.v)
	r := I64F64{s}
	if x.negative() == y.negative() && r.negative() != x.negative() {
		return saturate64(x.negative())
	}
	return r
}

// Sub returns x − y, saturating.
func (x I64F64) Sub(y I64F64) I64F64 {
	d, _ := x.v.sub(y.v)
	r := I64F64{d}
	if x.negative() != y.negative() && r.negative() != x.negative() {
		return saturate64(x.negative())
	}
	return r
}

// Neg returns −x, saturating (−Min is Max).
func (x I64F64) Neg() I64F64 {
	if x == I64F64Min {
		return I64F64Max
	}
	return I64F64{x.v.neg()}
}

// Mul returns x·y rounded toward −∞ (the 256-bit product shifted right arithmetically by 64),
// saturating.
func (x I64F64) Mul(y I64F64) I64F64 {
	neg := x.negative() != y.negative()
	q, rem, over := mulShift64(x.magnitude(), y.magnitude())
	if over {
		return saturate64(neg)
	}
	if neg && rem {
		var c uint64
		if q, c = q.add(u128{lo: 1}); c != 0 {
			return saturate64(neg)
		}
	}
	r, ok := i64f64FromMagnitude(q, neg)
	if !ok {
		return saturate64(neg)
	}
	return r
}

// Div returns x/y truncated toward zero ((x·2^64)/y on the raw values). ok is false when y is
// zero or the quotient does not fit; q is then 0.
func (x I64F64) Div(y I64F64) (q I64F64, ok bool) {
	neg := x.negative() != y.negative()
	m, ok := divShift64(x.magnitude(), y.magnitude())
	if !ok {
		return I64F64{}, false
	}
	return i64f64FromMagnitude(m, neg)
}

// SafeDiv returns x/y as Div does, or 0 when y is zero or the quotient overflows.
func (x I64F64) SafeDiv(y I64F64) I64F64 {
	q, _ := x.Div(y)
	return q
}

// String returns the exact decimal value of x.
func (x I64F64) String() string { return decimal128(x.magnitude(), x.negative()) }
