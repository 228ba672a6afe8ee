package fixed

import "math/bits"

// expOneBits is exp(1) as substrate-fixed's exp returns it: e with 23 fractional bits
// (22802601/2^23), widened to I32F32.
const expOneBits int64 = 22802601 << 9

// Exp returns e^x by substrate-fixed's series (transcendental::exp), as the epoch's liquid
// alpha sigmoid uses it:
//
//   - exp(0) = 1 and exp(1) = 22802601/2^23 exactly;
//   - otherwise, with y = |x|: result = 1 + y, term = y, and for i = 2..31:
//     term = Mul(term, y), term = floor(term/i), result += term;
//   - for negative x the value is 1/result (Div).
//
// ok is false when a step overflows (substrate-fixed's checked operations fail); the value is
// then 0. For |x| ≤ 20, the range the epoch clamps to, no step overflows.
func Exp(x I32F32) (v I32F32, ok bool) {
	switch x.bits {
	case 0:
		return I32F32One, true
	case one32:
		return I32F32{expOneBits}, true
	}
	if x.bits == I32F32Min.bits {
		return I32F32{}, false // |x| does not fit
	}
	y := x.Abs()
	result, ok := checkedAdd(I32F32One, y)
	if !ok {
		return I32F32{}, false
	}
	term := uint64(y.bits)
	for i := uint64(2); i < frac32; i++ {
		if term == 0 {
			break // every later term is 0 too: Mul(0, y) = 0 and 0/i = 0
		}
		// term = Mul(term, y), checked: both are non-negative, so the product shifted right by
		// 32 must stay below 2^63.
		hi, lo := bits.Mul64(term, uint64(y.bits))
		if hi >= 1<<(63-frac32) {
			return I32F32{}, false
		}
		term = divSmall(hi<<frac32|lo>>frac32, i) // term ≥ 0, so truncation is floor
		if result, ok = checkedAdd(result, I32F32{int64(term)}); !ok {
			return I32F32{}, false
		}
	}
	if x.bits < 0 {
		return I32F32One.Div(result)
	}
	return result, true
}

func checkedAdd(x, y I32F32) (I32F32, bool) {
	s := x.bits + y.bits
	if (x.bits^s)&(y.bits^s) < 0 {
		return I32F32{}, false
	}
	return I32F32{s}, true
}

// divSmall returns t/i for 2 ≤ i ≤ 31. Each case divides by a constant, which the compiler
// turns into an exact multiply and shift; the series spends most of its time here otherwise.
func divSmall(t, i uint64) uint64 {
	switch i {
	case 2:
		return t / 2
	case 3:
		return t / 3
	case 4:
		return t / 4
	case 5:
		return t / 5
	case 6:
		return t / 6
	case 7:
		return t / 7
	case 8:
		return t / 8
	case 9:
		return t / 9
	case 10:
		return t / 10
	case 11:
		return t / 11
	case 12:
		return t / 12
	case 13:
		return t / 13
	case 14:
		return t / 14
	case 15:
		return t / 15
	case 16:
		return t / 16
	case 17:
		return t / 17
	case 18:
		return t / 18
	case 19:
		return t / 19
	case 20:
		return t / 20
	case 21:
		return t / 21
	case 22:
		return t / 22
	case 23:
		return t / 23
	case 24:
		return t / 24
	case 25:
		return t / 25
	case 26:
		return t / 26
	case 27:
		return t / 27
	case 28:
		return t / 28
	case 29:
		return t / 29
	case 30:
		return t / 30
	case 31:
		return t / 31
	}
	return t / i
}
