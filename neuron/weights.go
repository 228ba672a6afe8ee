package neuron

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Errors of turning scores into weights.
var (
	// ErrNoScores: no uid has a positive score yet, so there is nothing to weigh.
	ErrNoScores = errors.New("neuron: no uid has a positive score")
	// ErrWeightRules: the subnet's min_allowed_weights or max_weights_limit cannot be met
	// with the uids it has.
	ErrWeightRules = errors.New("neuron: the subnet's weight rules cannot be met")
)

// WeightRules are the subnet's limits on a weight vector, as set_weights checks them.
type WeightRules struct {
	// N is the number of uids on the subnet.
	N int
	// MinAllowed is min_allowed_weights: a vector has at least min(MinAllowed, N) entries.
	MinAllowed int
	// MaxLimit is max_weights_limit: the largest weight is at most MaxLimit/65535 of the sum.
	// 65535 means no limit.
	MaxLimit uint16
}

// Weights turns scores (indexed by uid) into set_weights' uids and values, as Bittensor's
// process_weights_for_netuid and convert_weights_and_uids_for_emit do:
//
//  1. uids with a positive, finite score are weighted by it (w_i = s_i / Σ s);
//  2. when fewer than max(MinAllowed, ⌈65535/MaxLimit⌉) uids qualify, the lowest other uids
//     are added with a weight of 1/65535 of the largest (at most the smallest score), self
//     last;
//  3. weights above the cap are lowered to it (water-filling), so that max_i w_i ≤
//     MaxLimit/65535 · Σ w;
//  4. values are w_i/max(w)·65535 rounded, so the largest is 65535 and the chain's
//     max-upscale changes nothing; entries are nudged up by one where rounding would break
//     the cap.
//
// The result is sorted by uid. ErrNoScores when no score is positive; ErrWeightRules when
// the subnet has too few uids for its rules.
func Weights(scores []float64, self uint16, r WeightRules) (uids, values []uint16, err error) {
	n := min(len(scores), r.N)
	if r.MaxLimit == 0 {
		return nil, nil, fmt.Errorf("%w: max_weights_limit is 0, so no weight is allowed", ErrWeightRules)
	}
	need := min(max(r.MinAllowed, 0), r.N)
	if r.MaxLimit < math.MaxUint16 {
		k := (math.MaxUint16 + int(r.MaxLimit) - 1) / int(r.MaxLimit) // ⌈65535/limit⌉
		if k > r.N {
			return nil, nil, fmt.Errorf("%w: max_weights_limit %d/65535 needs at least %d uids, the subnet has %d", ErrWeightRules, r.MaxLimit, k, r.N)
		}
		need = max(need, k)
	}
	type entry struct {
		uid uint16
		w   float64
	}
	var es []entry
	top, low := 0.0, math.Inf(1)
	for uid := 0; uid < n; uid++ {
		if s := scores[uid]; s > 0 && !math.IsInf(s, 0) {
			es = append(es, entry{uint16(uid), s})
			top, low = max(top, s), min(low, s)
		}
	}
	if len(es) == 0 {
		return nil, nil, ErrNoScores
	}
	if len(es) < need {
		have := make([]bool, r.N)
		for _, e := range es {
			have[e.uid] = true
		}
		padding := min(top/math.MaxUint16, low) // never above a scored uid
		pad := func(uid int) {
			if len(es) < need && !have[uid] {
				es = append(es, entry{uint16(uid), padding})
				have[uid] = true
			}
		}
		for uid := 0; uid < r.N; uid++ {
			if uid != int(self) {
				pad(uid)
			}
		}
		if int(self) < r.N {
			pad(int(self))
		}
	}
	// Water-filling: with the k largest clipped to c, c = L·Σ_{rest} w / (1 − k·L); the first
	// k for which the largest unclipped weight is ≤ c is the answer.
	if r.MaxLimit < math.MaxUint16 {
		L := float64(r.MaxLimit) / math.MaxUint16
		slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(b.w, a.w) })
		suffix := make([]float64, len(es)+1)
		for i := len(es) - 1; i >= 0; i-- {
			suffix[i] = suffix[i+1] + es[i].w
		}
		for k := 0; k <= len(es); k++ {
			if k == len(es) || float64(k)*L >= 1 {
				// k equal weights on top already meet the cap: lower them to the next one
				// (all equal when every weight is clipped).
				v := 1.0
				if k < len(es) {
					v = es[k].w
				}
				for i := 0; i < k; i++ {
					es[i].w = v
				}
				break
			}
			if c := L * suffix[k] / (1 - float64(k)*L); es[k].w <= c {
				for i := 0; i < k; i++ {
					es[i].w = c
				}
				break
			}
		}
	}
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.uid, b.uid) })
	var mx float64
	for _, e := range es {
		mx = max(mx, e.w)
	}
	uids, values = make([]uint16, len(es)), make([]uint16, len(es))
	var sum uint64
	for i, e := range es {
		uids[i] = e.uid
		values[i] = uint16(math.Round(e.w / mx * math.MaxUint16))
		sum += uint64(values[i])
	}
	// The chain checks max·65535 ≤ limit·Σ on integers (max is 65535 here); rounding down
	// may leave Σ a little short. Raise the smallest entries below the max by one until it
	// holds; each raise moves a share by at most 1/65535.
	if r.MaxLimit < math.MaxUint16 {
		for sum*uint64(r.MaxLimit) < math.MaxUint16*math.MaxUint16 {
			i := -1
			for j, v := range values {
				if v < math.MaxUint16 && (i < 0 || v < values[i]) {
					i = j
				}
			}
			if i < 0 {
				return nil, nil, fmt.Errorf("%w: max_weights_limit %d/65535 with %d uids", ErrWeightRules, r.MaxLimit, len(values))
			}
			values[i]++
			sum++
		}
	}
	return uids, values, nil
}
