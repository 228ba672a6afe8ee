package swap

import "math/bits"

// u128 is an unsigned 128-bit integer for intermediate products; no amount the package
// returns is wider than 64 bits except share counts, which travel as fixed.U64F64 raw values.
type u128 struct{ hi, lo uint64 }

// mul64 returns the full product a·b.
func mul64(a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	return u128{hi, lo}
}

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

// add returns a+b and whether it overflowed 128 bits.
func (a u128) add(b u128) (u128, bool) {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, c := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}, c != 0
}

// sub returns a−b and whether it borrowed (a < b).
func (a u128) sub(b u128) (u128, bool) {
	lo, c := bits.Sub64(a.lo, b.lo, 0)
	hi, c := bits.Sub64(a.hi, b.hi, c)
	return u128{hi, lo}, c != 0
}

// div64 returns a/d and a%d when the quotient fits 64 bits; ok is false when d is zero or
// the quotient needs more.
func (a u128) div64(d uint64) (q, r uint64, ok bool) {
	if d == 0 || a.hi >= d {
		return 0, 0, false
	}
	q, r = bits.Div64(a.hi, a.lo, d)
	return q, r, true
}

// mulDiv returns floor(a·b/d); ok is false when d is zero or the quotient needs more than
// 64 bits.
func mulDiv(a, b, d uint64) (uint64, bool) {
	q, _, ok := mul64(a, b).div64(d)
	return q, ok
}

// mulDivCeil returns ceil(a·b/d); ok is false when d is zero or the quotient needs more than
// 64 bits.
func mulDivCeil(a, b, d uint64) (uint64, bool) {
	q, r, ok := mul64(a, b).div64(d)
	if !ok {
		return 0, false
	}
	if r != 0 {
		if q == ^uint64(0) {
			return 0, false
		}
		q++
	}
	return q, true
}

// mulDiv128 returns floor(a·b/d) for a 128-bit a, with the remainder; ok is false when d is
// zero or the quotient needs more than 128 bits.
func mulDiv128(a u128, b, d uint64) (q u128, r uint64, ok bool) {
	if d == 0 {
		return u128{}, 0, false
	}
	// a·b as three words w2:w1:w0.
	h0, w0 := bits.Mul64(a.lo, b)
	h1, l1 := bits.Mul64(a.hi, b)
	w1, c := bits.Add64(h0, l1, 0)
	w2 := h1 + c // cannot wrap: a·b < 2^192
	if w2 >= d {
		return u128{}, 0, false
	}
	q.hi, r = bits.Div64(w2, w1, d)
	q.lo, r = bits.Div64(r, w0, d)
	return q, r, true
}

// mulDivTo64 returns floor(a·b/d) for 128-bit a and d; ok is false when d is zero or the
// quotient needs more than 64 bits.
func mulDivTo64(a u128, b uint64, d u128) (uint64, bool) {
	if d.hi == 0 {
		q, _, ok := mulDiv128(a, b, d.lo)
		if !ok || q.hi != 0 {
			return 0, false
		}
		return q.lo, true
	}
	h0, n0 := bits.Mul64(a.lo, b)
	h1, l1 := bits.Mul64(a.hi, b)
	n1, c := bits.Add64(h0, l1, 0)
	n2 := h1 + c
	return div192by128(n2, n1, n0, d)
}

// div192by128 returns floor(n/d) for the 192-bit n = n2:n1:n0 and a divisor with d.hi ≠ 0,
// when the quotient fits 64 bits (ok false otherwise). It is one step of Knuth's algorithm D:
// normalise so d's top bit is set, estimate the quotient digit from the top words, then
// correct it at most twice.
func div192by128(n2, n1, n0 uint64, d u128) (uint64, bool) {
	if d.hi == 0 {
		return 0, false
	}
	s := uint(bits.LeadingZeros64(d.hi))
	// Shifts by 64 give 0 in Go, so s == 0 needs no special case.
	dh := d.hi<<s | d.lo>>(64-s)
	dl := d.lo << s
	m3 := n2 >> (64 - s)
	m2 := n2<<s | n1>>(64-s)
	m1 := n1<<s | n0>>(64-s)
	m0 := n0 << s
	// The quotient fits 64 bits iff m3:m2:m1 < dh:dl.
	if m3 != 0 || m2 > dh || (m2 == dh && m1 >= dl) {
		return 0, false
	}
	var qh uint64
	if m2 == dh {
		qh = ^uint64(0)
	} else {
		qh, _ = bits.Div64(m2, m1, dh)
	}
	// p = qh·(dh:dl) as p2:p1:p0; compare with m2:m1:m0 and step qh down while too big.
	ph0, p0 := bits.Mul64(qh, dl)
	ph1, pl1 := bits.Mul64(qh, dh)
	p1, c := bits.Add64(ph0, pl1, 0)
	p2 := ph1 + c
	for i := 0; i < 2 && gt192(p2, p1, p0, m2, m1, m0); i++ {
		qh--
		var b uint64
		p0, b = bits.Sub64(p0, dl, 0)
		p1, b = bits.Sub64(p1, dh, b)
		p2 -= b
	}
	return qh, true
}

func gt192(a2, a1, a0, b2, b1, b0 uint64) bool {
	if a2 != b2 {
		return a2 > b2
	}
	if a1 != b1 {
		return a1 > b1
	}
	return a0 > b0
}
