package fixed

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
	term := y
	for i := int64(2); i < frac32; i++ {
		if term.bits == 0 {
			break // every later term is 0 too: Mul(0, y) = 0 and 0/i = 0
		}
		t, ok := term.CheckedMul(y)
		if !ok {
			return I32F32{}, false
		}
		term = I32F32{t.bits / i} // term ≥ 0, so truncation is floor
		if result, ok = checkedAdd(result, term); !ok {
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
