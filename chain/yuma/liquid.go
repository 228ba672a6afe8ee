package yuma

import "github.com/gotensor/gotensor/chain/fixed"

// sigmoid holds the per-epoch constants of the liquid alpha sigmoid.
type sigmoid struct {
	k      fixed.I32F32 // steepness / −100
	lo, hi fixed.I32F32 // prop(alpha_low), prop(alpha_high)
	span   fixed.I32F32 // hi − lo
}

var (
	expClampHi = fixed.I32F32FromInt(20)
	expClampLo = fixed.I32F32FromInt(-20)
	halfFixed  = fixed.I32F32FromBits(1 << 31)
)

func newSigmoid(p Params) sigmoid {
	k := fixed.I32F32FromInt(int64(p.AlphaSigmoidSteepness)).SafeDiv(fixed.I32F32FromInt(-100))
	lo, hi := fixed.U16Proportion(p.AlphaLow), fixed.U16Proportion(p.AlphaHigh)
	return sigmoid{k: k, lo: lo, hi: hi, span: hi.Sub(lo)}
}

// alpha is subtensor's alpha_sigmoid (HEAD §9.3 step 12b) for consensus c, weight w and bond
// b: buy = clamp(w − c, 0, 1), sell = clamp(b − w, 0, 1), d = buy when w ≥ b else sell;
// σ = 1/(1 + exp(clamp(k·(d − 0.5), −20, 20))); α = clamp(lo + σ·(hi − lo), lo, hi).
func (s sigmoid) alpha(c, w, b fixed.I32F32) fixed.I32F32 {
	var d fixed.I32F32
	if w.Cmp(b) >= 0 {
		d = w.Sub(c).Clamp(fixed.I32F32Zero, fixed.I32F32One)
	} else {
		d = b.Sub(w).Clamp(fixed.I32F32Zero, fixed.I32F32One)
	}
	x := s.k.Mul(d.Sub(halfFixed)).Clamp(expClampLo, expClampHi)
	e, _ := fixed.Exp(x) // |x| ≤ 20: the series cannot overflow
	sigma := fixed.I32F32One.SafeDiv(fixed.I32F32One.Add(e))
	return s.lo.Add(sigma.Mul(s.span)).Clamp(s.lo, s.hi)
}

// liquidEMA is one cell of the liquid-alpha bond EMA (HEAD §9.3 step 12b):
// min(1, (1 − α)·b + max(0, α·w)).
func liquidEMA(alpha, w, b fixed.I32F32) fixed.I32F32 {
	return fixed.I32F32One.Sub(alpha).Mul(b).Add(alpha.Mul(w).Max(fixed.I32F32Zero)).Min(fixed.I32F32One)
}

// Cell is one entry of a sparse fixed-point row: a column and its value.
type Cell struct {
	Col   int
	Value fixed.I32F32
}

// MatEMAAlpha is the liquid-alpha bond EMA of step 12b on given rows, for the `mat_ema_alpha`
// math case: for each entry (j, w) of newRows[i], α = alpha[i][j] and the result is
// min(1, (1 − α)·B_ij + max(0, α·w)) with B_ij from oldRows[i] (0 when absent); cells with
// no entry in the new row are 0. The result has len(alpha) rows of len(alpha[i]) columns;
// entries outside them are ignored.
func MatEMAAlpha(newRows, oldRows [][]Cell, alpha [][]fixed.I32F32) [][]fixed.I32F32 {
	out := make([][]fixed.I32F32, len(alpha))
	for i := range alpha {
		cols := len(alpha[i])
		out[i] = make([]fixed.I32F32, cols)
		if i >= len(newRows) {
			continue
		}
		old := make([]fixed.I32F32, cols)
		if i < len(oldRows) {
			for _, c := range oldRows[i] {
				if c.Col >= 0 && c.Col < cols {
					old[c.Col] = c.Value
				}
			}
		}
		for _, c := range newRows[i] {
			if c.Col < 0 || c.Col >= cols {
				continue
			}
			if v := liquidEMA(alpha[i][c.Col], c.Value, old[c.Col]); v.Sign() > 0 {
				out[i][c.Col] = v // the sparse EMA keeps positive cells only
			}
		}
	}
	return out
}
