package fixed

import "math/bits"

// MulDiv is floor(a·b/c) with a 128-bit intermediate: the integer
// proportion the chain's modules take of amounts (a share of a pot, a
// parts-per-million rate). It saturates at the largest uint64 when the
// quotient does not fit and is 0 when c is 0.
func MulDiv(a, b, c uint64) uint64 {
	if c == 0 {
		return 0
	}
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}
