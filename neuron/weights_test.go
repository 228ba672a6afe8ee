package neuron_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gotensor/gotensor/chain/yuma"
	"github.com/gotensor/gotensor/neuron"
)

// chainAccepts applies set_weights' checks on the vector (chain/epoch checkWeights): length,
// uids in range and unique, min_allowed_weights, and max_weights_limit on the max-upscaled
// values.
func chainAccepts(t *testing.T, uids, vals []uint16, r neuron.WeightRules) {
	t.Helper()
	if len(uids) != len(vals) || len(uids) > r.N {
		t.Fatalf("%d uids, %d values, n %d", len(uids), len(vals), r.N)
	}
	seen := map[uint16]bool{}
	for _, u := range uids {
		if int(u) >= r.N || seen[u] {
			t.Fatalf("uid %d invalid or repeated in %v", u, uids)
		}
		seen[u] = true
	}
	if len(vals) < min(r.MinAllowed, r.N) {
		t.Fatalf("%d weights, min_allowed_weights %d", len(vals), r.MinAllowed)
	}
	if r.MaxLimit < 65535 {
		var sum, mx uint64
		for _, v := range yuma.MaxUpscaleWeights(vals) {
			sum += uint64(v)
			mx = max(mx, uint64(v))
		}
		if sum > 0 && mx*65535 > uint64(r.MaxLimit)*sum {
			t.Fatalf("max %d of sum %d exceeds limit %d/65535: %v", mx, sum, r.MaxLimit, vals)
		}
	}
	if !slices.IsSorted(uids) {
		t.Fatalf("uids not sorted: %v", uids)
	}
}

func TestWeights(t *testing.T) {
	for _, tc := range []struct {
		name       string
		scores     []float64
		self       uint16
		rules      neuron.WeightRules
		wantUIDs   []uint16
		wantValues []uint16
		wantErr    error
	}{
		{
			name:   "normalised to the largest",
			scores: []float64{0, 1, 0.5, 0}, self: 0,
			rules:    neuron.WeightRules{N: 4, MinAllowed: 1, MaxLimit: 65535},
			wantUIDs: []uint16{1, 2}, wantValues: []uint16{65535, 32768},
		},
		{
			name:   "scale free",
			scores: []float64{0, 4, 2, 0}, self: 0,
			rules:    neuron.WeightRules{N: 4, MinAllowed: 1, MaxLimit: 65535},
			wantUIDs: []uint16{1, 2}, wantValues: []uint16{65535, 32768},
		},
		{
			name:   "NaN, infinite and negative scores are not weighted",
			scores: []float64{math.NaN(), 1, math.Inf(1), -3}, self: 0,
			rules:    neuron.WeightRules{N: 4, MinAllowed: 1, MaxLimit: 65535},
			wantUIDs: []uint16{1}, wantValues: []uint16{65535},
		},
		{
			name:   "scores beyond the subnet's uids are ignored",
			scores: []float64{0, 1, 1, 1}, self: 0,
			rules:    neuron.WeightRules{N: 2, MinAllowed: 1, MaxLimit: 65535},
			wantUIDs: []uint16{1}, wantValues: []uint16{65535},
		},
		{
			name:   "min_allowed_weights pads with the lowest other uids, self last",
			scores: []float64{0, 0, 0, 1}, self: 0,
			rules:    neuron.WeightRules{N: 4, MinAllowed: 3, MaxLimit: 65535},
			wantUIDs: []uint16{1, 2, 3}, wantValues: []uint16{1, 1, 65535},
		},
		{
			name:   "padding takes self only when it must",
			scores: []float64{0, 0, 1}, self: 0,
			rules:    neuron.WeightRules{N: 3, MinAllowed: 3, MaxLimit: 65535},
			wantUIDs: []uint16{0, 1, 2}, wantValues: []uint16{1, 1, 65535},
		},
		{
			name:   "min_allowed_weights above n asks for n",
			scores: []float64{0, 1}, self: 0,
			rules:    neuron.WeightRules{N: 2, MinAllowed: 64, MaxLimit: 65535},
			wantUIDs: []uint16{0, 1}, wantValues: []uint16{1, 65535},
		},
		{
			name:   "max_weights_limit half: two uids end equal",
			scores: []float64{0, 3, 1}, self: 0,
			rules:    neuron.WeightRules{N: 3, MinAllowed: 1, MaxLimit: 32768}, // 0.500008
			wantUIDs: []uint16{1, 2}, wantValues: []uint16{65535, 65534},
		},
		{
			name:   "max_weights_limit clips the largest only",
			scores: []float64{0, 10, 1, 1, 1}, self: 0,
			// limit 0.4: the top weight becomes 0.4/0.6·3 = 2 of the others' 3; rounding
			// leaves the sum short of the limit, so two values are raised by one.
			rules:    neuron.WeightRules{N: 5, MinAllowed: 1, MaxLimit: 26214},
			wantUIDs: []uint16{1, 2, 3, 4}, wantValues: []uint16{65535, 32768, 32768, 32767},
		},
		{
			name:   "max_weights_limit forces padding",
			scores: []float64{0, 1, 0, 0}, self: 0,
			rules:    neuron.WeightRules{N: 4, MinAllowed: 1, MaxLimit: 32768},
			wantUIDs: []uint16{1, 2}, wantValues: []uint16{65535, 65534},
		},
		{
			name:    "nothing scored",
			scores:  []float64{0, 0, 0},
			rules:   neuron.WeightRules{N: 3, MinAllowed: 1, MaxLimit: 65535},
			wantErr: neuron.ErrNoScores,
		},
		{
			name:    "max_weights_limit 0",
			scores:  []float64{0, 1},
			rules:   neuron.WeightRules{N: 2, MinAllowed: 1, MaxLimit: 0},
			wantErr: neuron.ErrWeightRules,
		},
		{
			name:    "limit needs more uids than the subnet has",
			scores:  []float64{0, 1, 1},
			rules:   neuron.WeightRules{N: 3, MinAllowed: 1, MaxLimit: 6553},
			wantErr: neuron.ErrWeightRules,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			uids, vals, err := neuron.Weights(tc.scores, tc.self, tc.rules)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if !slices.Equal(uids, tc.wantUIDs) || !slices.Equal(vals, tc.wantValues) {
				t.Fatalf("got %v %v, want %v %v", uids, vals, tc.wantUIDs, tc.wantValues)
			}
			chainAccepts(t, uids, vals, tc.rules)
		})
	}
}

// TestWeightsChainAccepts checks random scores and rules against set_weights' checks, and
// that clipping keeps the order of the scores.
func TestWeightsChainAccepts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		n := 1 + rng.IntN(256)
		scores := make([]float64, n)
		for j := range scores {
			if rng.IntN(3) > 0 {
				scores[j] = rng.Float64() * math.Pow(10, float64(rng.IntN(12)-6))
			}
		}
		limit := uint16(65535)
		if rng.IntN(2) == 0 {
			limit = uint16(1 + rng.IntN(65535))
		}
		r := neuron.WeightRules{N: n, MinAllowed: rng.IntN(n + 8), MaxLimit: limit}
		self := uint16(rng.IntN(n))
		uids, vals, err := neuron.Weights(scores, self, r)
		if errors.Is(err, neuron.ErrNoScores) || errors.Is(err, neuron.ErrWeightRules) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		chainAccepts(t, uids, vals, r)
		for a := range uids {
			for b := range uids {
				if scores[uids[a]] > scores[uids[b]] && int(vals[a])+1 < int(vals[b]) {
					t.Fatalf("case %d: uid %d scored %g > uid %d's %g, but weight %d < %d", i, uids[a], scores[uids[a]], uids[b], scores[uids[b]], vals[a], vals[b])
				}
			}
		}
	}
}
