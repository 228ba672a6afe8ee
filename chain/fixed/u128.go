package fixed

import (
	"math/big"
	"math/bits"
)

// u128 is an unsigned 128-bit integer, the raw storage of I64F64 and U64F64.
type u128 struct{ hi, lo uint64 }

func (a u128) isZero() bool { return a.hi|a.lo == 0 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) add(b u128) (s u128, carry uint64) {
	var c uint64
	s.lo, c = bits.Add64(a.lo, b.lo, 0)
	s.hi, carry = bits.Add64(a.hi, b.hi, c)
	return s, carry
}

func (a u128) sub(b u128) (d u128, borrow uint64) {
	var c uint64
	d.lo, c = bits.Sub64(a.lo, b.lo, 0)
	d.hi, borrow = bits.Sub64(a.hi, b.hi, c)
	return d, borrow
}

// neg returns the two's complement −a.
func (a u128) neg() u128 {
	d, _ := u128{}.sub(a)
	return d
}

// mulShift64 returns the 256-bit product a·b shifted right by 64 bits: q = (a·b) >> 64 when
// over is false, and whether a remainder (the low 64 bits) is non-zero. over is true when the
// shifted product needs more than 128 bits.
func mulShift64(a, b u128) (q u128, rem bool, over bool) {
	// a·b = a.lo·b.lo + (a.lo·b.hi + a.hi·b.lo)·2^64 + a.hi·b.hi·2^128; words w0..w3.
	h00, w0 := bits.Mul64(a.lo, b.lo)
	h01, l01 := bits.Mul64(a.lo, b.hi)
	h10, l10 := bits.Mul64(a.hi, b.lo)
	h11, l11 := bits.Mul64(a.hi, b.hi)

	w1, c1 := bits.Add64(h00, l01, 0)
	w2, c2 := bits.Add64(h01, l11, c1)
	w3, _ := bits.Add64(h11, 0, c2)

	w1, c1 = bits.Add64(w1, l10, 0)
	w2, c2 = bits.Add64(w2, h10, c1)
	w3, _ = bits.Add64(w3, 0, c2)

	return u128{hi: w2, lo: w1}, w0 != 0, w3 != 0
}

// divShift64 returns (a·2^64)/b truncated, and false when b is zero or the quotient needs more
// than 128 bits.
func divShift64(a, b u128) (u128, bool) {
	switch {
	case b.isZero():
		return u128{}, false
	case b.lo == 0:
		// (a·2^64)/(b.hi·2^64) = a/b.hi exactly: a 128-by-64-bit division.
		qh, r := a.hi/b.hi, a.hi%b.hi
		ql, _ := bits.Div64(r, a.lo, b.hi)
		return u128{qh, ql}, true
	case b.hi == 0:
		// 192-by-64-bit long division; the top quotient word must be zero.
		if a.hi >= b.lo {
			return u128{}, false
		}
		qh, r := bits.Div64(a.hi, a.lo, b.lo)
		ql, _ := bits.Div64(r, 0, b.lo)
		return u128{qh, ql}, true
	}
	// General 192-by-128-bit case: rare in the chain (both operands with fractional parts and
	// a divisor ≥ 2^64 raw), so exactness through math/big is worth more than speed here.
	n := new(big.Int).SetUint64(a.hi)
	n.Lsh(n, 64).Or(n, new(big.Int).SetUint64(a.lo)).Lsh(n, 64)
	d := new(big.Int).SetUint64(b.hi)
	d.Lsh(d, 64).Or(d, new(big.Int).SetUint64(b.lo))
	n.Quo(n, d)
	if n.BitLen() > 128 {
		return u128{}, false
	}
	var q u128
	var buf [16]byte
	n.FillBytes(buf[:])
	for i := 0; i < 8; i++ {
		q.hi = q.hi<<8 | uint64(buf[i])
		q.lo = q.lo<<8 | uint64(buf[8+i])
	}
	return q, true
}

// decimal128 returns the exact decimal text of the 128-bit raw value m with 64 fractional bits.
func decimal128(m u128, negative bool) string {
	b := make([]byte, 0, 96)
	if negative {
		b = append(b, '-')
	}
	intPart := new(big.Int).SetUint64(m.hi)
	b = intPart.Append(b, 10)
	f := m.lo
	if f == 0 {
		return string(b)
	}
	b = append(b, '.')
	// f/2^64 has at most 64 decimal digits; multiply by 10 in 128 bits.
	for f != 0 {
		hi, lo := bits.Mul64(f, 10)
		b = append(b, byte('0'+hi))
		f = lo
	}
	return string(b)
}
