package neuron_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
)

func hk(b byte) keys.PublicKey { return keys.PublicKey{b} }

func near(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return false
		}
	}
	return true
}

func TestScoresMovingAverage(t *testing.T) {
	type update struct {
		uids    []uint16
		rewards []float64
	}
	for _, tc := range []struct {
		name    string
		alpha   float64
		updates []update
		want    []float64
	}{
		{
			name:    "one step is alpha times the reward",
			alpha:   0.1,
			updates: []update{{[]uint16{0, 1, 2}, []float64{1, 0.5, 0}}},
			want:    []float64{0.1, 0.05, 0},
		},
		{
			name:  "s ← α·r + (1−α)·s",
			alpha: 0.5,
			updates: []update{
				{[]uint16{0, 1}, []float64{1, 1}},
				{[]uint16{0, 1}, []float64{1, 0}},
				{[]uint16{0, 1}, []float64{0, 1}},
			},
			want: []float64{0.375, 0.625, 0},
		},
		{
			name:  "an unqueried uid keeps its score",
			alpha: 0.5,
			updates: []update{
				{[]uint16{0, 1}, []float64{1, 1}},
				{[]uint16{1}, []float64{0}},
				{[]uint16{1}, []float64{0}},
			},
			want: []float64{0.5, 0.125, 0},
		},
		{
			name:    "NaN, infinite and negative rewards count as 0",
			alpha:   1,
			updates: []update{{[]uint16{0, 1, 2}, []float64{math.NaN(), math.Inf(1), -1}}},
			want:    []float64{0, 0, 0},
		},
		{
			name:    "uids beyond the metagraph are ignored",
			alpha:   1,
			updates: []update{{[]uint16{2, 7}, []float64{1, 1}}},
			want:    []float64{0, 0, 1},
		},
		{
			name:    "an alpha outside (0, 1] means 0.1",
			alpha:   7,
			updates: []update{{[]uint16{0}, []float64{1}}},
			want:    []float64{0.1, 0, 0},
		},
		{
			name:  "converges to the mean reward",
			alpha: 0.1,
			updates: func() []update {
				var us []update
				for i := 0; i < 400; i++ {
					us = append(us, update{[]uint16{0, 1, 2}, []float64{1, float64(i % 2), 0}})
				}
				return us
			}(),
			want: []float64{1, 0.5, 0},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := neuron.NewScores(tc.alpha)
			s.Resync([]keys.PublicKey{hk(1), hk(2), hk(3)})
			for _, u := range tc.updates {
				s.Update(u.uids, u.rewards)
			}
			got := s.Values()
			if tc.name == "converges to the mean reward" {
				for i := range got {
					if math.Abs(got[i]-tc.want[i]) > 0.06 {
						t.Fatalf("got %v, want about %v", got, tc.want)
					}
				}
				return
			}
			if !near(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestScoresResync(t *testing.T) {
	for _, tc := range []struct {
		name      string
		before    []keys.PublicKey
		after     []keys.PublicKey
		want      []float64
		wantReset []uint16
	}{
		{
			name:   "same hotkeys keep their scores",
			before: []keys.PublicKey{hk(1), hk(2), hk(3)}, after: []keys.PublicKey{hk(1), hk(2), hk(3)},
			want: []float64{1, 1, 1},
		},
		{
			name:   "a uid whose hotkey changed starts from 0",
			before: []keys.PublicKey{hk(1), hk(2), hk(3)}, after: []keys.PublicKey{hk(1), hk(9), hk(3)},
			want: []float64{1, 0, 1}, wantReset: []uint16{1},
		},
		{
			name:   "new uids start from 0",
			before: []keys.PublicKey{hk(1), hk(2)}, after: []keys.PublicKey{hk(1), hk(2), hk(3), hk(4)},
			want: []float64{1, 1, 0, 0},
		},
		{
			name:   "uids past the end are dropped",
			before: []keys.PublicKey{hk(1), hk(2), hk(3)}, after: []keys.PublicKey{hk(1)},
			want: []float64{1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := neuron.NewScores(1)
			s.Resync(tc.before)
			all := make([]uint16, len(tc.before))
			ones := make([]float64, len(tc.before))
			for i := range all {
				all[i], ones[i] = uint16(i), 1
			}
			s.Update(all, ones)
			reset := s.Resync(tc.after)
			if !near(s.Values(), tc.want) || !slices.Equal(reset, tc.wantReset) {
				t.Fatalf("scores %v reset %v, want %v %v", s.Values(), reset, tc.want, tc.wantReset)
			}
			if !slices.Equal(s.Hotkeys(), tc.after) {
				t.Fatalf("hotkeys %v", s.Hotkeys())
			}
		})
	}
}

func TestSampleMiners(t *testing.T) {
	const limit = 4096 * 1_000_000_000
	cands := []neuron.Candidate{
		{UID: 0, Serving: false},                                  // owner, no axon
		{UID: 1, Serving: true},                                   // miner
		{UID: 2, Serving: true, Permit: true, Stake: limit + 1},   // a big validator serving an axon
		{UID: 3, Serving: true, Permit: true, Stake: limit},       // a miner with a permit
		{UID: 4, Serving: true},                                   // self
		{UID: 5, Serving: false},                                  // registered, never served
		{UID: 6, Serving: true},                                   // miner
		{UID: 7, Serving: true, Permit: false, Stake: limit * 10}, // staked miner without a permit
	}
	for _, tc := range []struct {
		name string
		k    int
		want []uint16
	}{
		{"all eligible when k is large", 50, []uint16{1, 3, 6, 7}},
		{"k zero means no cap", 0, []uint16{1, 3, 6, 7}},
		{"k of them", 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := neuron.SampleMiners(cands, 4, tc.k, limit, rand.New(rand.NewPCG(1, 1)))
			if tc.want != nil {
				if !slices.Equal(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				return
			}
			if len(got) != tc.k || !slices.IsSorted(got) {
				t.Fatalf("got %v", got)
			}
			for _, u := range got {
				if !slices.Contains([]uint16{1, 3, 6, 7}, u) {
					t.Fatalf("sampled ineligible uid %d", u)
				}
			}
		})
	}
	// Over many draws every eligible uid is sampled.
	rng := rand.New(rand.NewPCG(2, 2))
	seen := map[uint16]int{}
	for i := 0; i < 200; i++ {
		for _, u := range neuron.SampleMiners(cands, 4, 1, limit, rng) {
			seen[u]++
		}
	}
	if len(seen) != 4 {
		t.Fatalf("sampled %v", seen)
	}
}
