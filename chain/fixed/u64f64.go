package fixed

import "math"

// U64F64 is an unsigned fixed-point number with 64 fractional bits: the raw 128-bit value
// x·2^64. Subtensor's coinbase and swap pallet use it.
type U64F64 struct{ v u128 }

// Common U64F64 values.
var (
	U64F64Zero = U64F64{}
	U64F64One  = U64F64{u128{hi: 1}}
	U64F64Max  = U64F64{u128{hi: math.MaxUint64, lo: math.MaxUint64}}
)

// U64F64FromBits returns the U64F64 whose raw value is hi·2^64 + lo.
func U64F64FromBits(hi, lo uint64) U64F64 { return U64F64{u128{hi, lo}} }

// Bits returns the raw value as its high and low 64-bit words.
func (x U64F64) Bits() (hi, lo uint64) { return x.v.hi, x.v.lo }

// U64F64FromU64 returns the integer v exactly.
func U64F64FromU64(v uint64) U64F64 { return U64F64{u128{hi: v}} }

// ToU64 returns the integer part of x (floor).
func (x U64F64) ToU64() uint64 { return x.v.hi }

// IsZero reports whether x == 0.
func (x U64F64) IsZero() bool { return x.v.isZero() }

// Cmp returns −1, 0 or +1 as x is less than, equal to or greater than y.
func (x U64F64) Cmp(y U64F64) int { return x.v.cmp(y.v) }

// Add returns x + y, saturating at Max.
func (x U64F64) Add(y U64F64) U64F64 {
	s, c := x.v.add(y.v)
	if c != 0 {
		return U64F64Max
	}
	return U64F64{s}
}

// Sub returns x − y, saturating at 0.
func (x U64F64) Sub(y U64F64) U64F64 {
	d, b := x.v.sub(y.v)
	if b != 0 {
		return U64F64Zero
	}
	return U64F64{d}
}

// Mul returns x·y rounded down (the 256-bit product shifted right by 64), saturating at Max.
func (x U64F64) Mul(y U64F64) U64F64 {
	q, _, over := mulShift64(x.v, y.v)
	if over {
		return U64F64Max
	}
	return U64F64{q}
}

// Div returns x/y truncated ((x·2^64)/y on the raw values). ok is false when y is zero or the
// quotient does not fit; q is then 0.
func (x U64F64) Div(y U64F64) (q U64F64, ok bool) {
	m, ok := divShift64(x.v, y.v)
	if !ok {
		return U64F64{}, false
	}
	return U64F64{m}, true
}

// SafeDiv returns x/y as Div does, or 0 when y is zero or the quotient overflows.
func (x U64F64) SafeDiv(y U64F64) U64F64 {
	q, _ := x.Div(y)
	return q
}

// String returns the exact decimal value of x.
func (x U64F64) String() string { return decimal128(x.v, false) }
