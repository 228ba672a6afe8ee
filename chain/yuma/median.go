package yuma

import "github.com/gotensor/gotensor/chain/fixed"

// position is one voter in a weighted median: its stake and its score, raw I32F32.
type position struct{ stake, score int64 }

// medianScratch holds the two partition buffers weightedMedian ping-pongs between, so a
// column's median allocates nothing.
type medianScratch struct{ lower, upper []position }

func (s *medianScratch) grow(n int) {
	if cap(s.lower) < n {
		s.lower = make([]position, n)
		s.upper = make([]position, n)
	}
	s.lower, s.upper = s.lower[:n], s.upper[:n]
}

// weightedMedian is subtensor's weighted_median (HEAD §9.3 step 6) on the positions in list
// order, implemented literally: empty → 0; one position → its score; otherwise the pivot is
// the score at index len/2, lower/upper are the positions scoring below/above it (in list
// order, equal ones dropped) with stake sums lo_s/hi_s; continue with lower and hi = lo+lo_s
// when minority < lo+lo_s and lower is non-empty, else with upper and lo = hi−hi_s when
// hi−hi_s ≤ minority and upper is non-empty, else return the pivot. Sums are plain integer
// sums. The loop shrinks the list every round, so it runs at most len(pos) times. pos is not
// modified.
func weightedMedian(pos []position, minority, lo, hi int64, s *medianScratch) int64 {
	s.grow(len(pos))
	cur := pos
	for range len(pos) + 1 {
		switch len(cur) {
		case 0:
			return 0
		case 1:
			return cur[0].score
		}
		pivot := cur[len(cur)/2].score
		// Stable partition. cur is pos, s.lower or s.upper; writing lower into s.lower and
		// upper into s.upper never overtakes the read index when cur aliases one of them.
		nl, nu := 0, 0
		var loS, hiS int64
		for _, p := range cur {
			switch {
			case p.score < pivot:
				s.lower[nl] = p
				nl++
				loS += p.stake
			case p.score > pivot:
				s.upper[nu] = p
				nu++
				hiS += p.stake
			}
		}
		switch {
		case nl > 0 && minority < lo+loS:
			hi = lo + loS
			cur = s.lower[:nl]
		case nu > 0 && hi-hiS <= minority:
			lo = hi - hiS
			cur = s.upper[:nu]
		default:
			return pivot
		}
	}
	return 0 // unreachable: every round shrinks cur
}

// WeightedMedian is subtensor's weighted_median over all positions with the given stakes and
// scores (HEAD §9.3 step 6), for the `weighted_median` math case. stake and score must have
// the same length; extra entries of the longer one are ignored.
func WeightedMedian(stake, score []fixed.I32F32, minority, lo, hi fixed.I32F32) fixed.I32F32 {
	n := min(len(stake), len(score))
	pos := make([]position, n)
	for i := range n {
		pos[i] = position{stake[i].Bits(), score[i].Bits()}
	}
	var s medianScratch
	return fixed.I32F32FromBits(weightedMedian(pos, minority.Bits(), lo.Bits(), hi.Bits(), &s))
}

// WeightedMedianCol is step 6 of the epoch on a dense matrix, as subtensor's
// weighted_median_col computes it: the positions are the rows with stake > 0, in row order,
// their stakes normalised to u (U = Σu); every column's median uses minority = U − majority,
// lo = 0, hi = U, and a missing or short row scores 0. It returns one value per column,
// cols being the longest row's length.
func WeightedMedianCol(stake []fixed.I32F32, weights [][]fixed.I32F32, majority fixed.I32F32) []fixed.I32F32 {
	cols := 0
	for _, r := range weights {
		cols = max(cols, len(r))
	}
	var rows []int
	var u []fixed.I32F32
	for i, s := range stake {
		if s.Sign() > 0 {
			rows = append(rows, i)
			u = append(u, s)
		}
	}
	normalize(u)
	var total int64
	for _, v := range u {
		total += v.Bits()
	}
	minority := fixed.I32F32FromBits(total).Sub(majority).Bits()
	out := make([]fixed.I32F32, cols)
	pos := make([]position, len(rows))
	var s medianScratch
	for j := range cols {
		for k, i := range rows {
			var w int64
			if i < len(weights) && j < len(weights[i]) {
				w = weights[i][j].Bits()
			}
			pos[k] = position{u[k].Bits(), w}
		}
		out[j] = fixed.I32F32FromBits(weightedMedian(pos, minority, 0, total, &s))
	}
	return out
}
