package yuma

import (
	"slices"
	"testing"

	"github.com/gotensor/gotensor/chain/fixed"
)

func fx(b int64) fixed.I32F32 { return fixed.I32F32FromBits(b) }

func fxs(b ...int64) []fixed.I32F32 {
	out := make([]fixed.I32F32, len(b))
	for i, v := range b {
		out[i] = fx(v)
	}
	return out
}

const (
	q1   = int64(1) << 30 // 0.25
	q2   = int64(1) << 31 // 0.5
	one  = int64(1) << 32
	q3   = q1 + q2
	zero = int64(0)
)

func TestWeightedMedian(t *testing.T) {
	tests := []struct {
		name         string
		stake, score []int64
		minority, hi int64
		want         int64
	}{
		{"empty", nil, nil, q2, 0, 0},
		{"single", []int64{one}, []int64{7}, q2, one, 7},
		{"quarters, minority 0.5", []int64{q1, q1, q1, q1}, []int64{1, 2, 3, 4}, q2, one, 3},
		{"quarters, minority just below 0.5", []int64{q1, q1, q1, q1}, []int64{1, 2, 3, 4}, q2 - 1, one, 2},
		{"unsorted scores", []int64{q1, q1, q1, q1}, []int64{4, 1, 3, 2}, q2 - 1, one, 2},
		{"heavy voter decides", []int64{q3, q1 / 2, q1 / 2}, []int64{9, 1, 2}, q2, one, 9},
		{"all equal", []int64{q1, q1, q2}, []int64{5, 5, 5}, q2, one, 5},
		{"minority negative gives the minimum", []int64{q2, q2}, []int64{3, 8}, -1, one, 3},
		{"minority at total gives the maximum", []int64{q2, q2}, []int64{3, 8}, one, one, 8},
		// Zero stakes make the result depend on list order, which the literal procedure keeps:
		// pivot index 1 (score 1) has nothing below and no stake above.
		{"zero stake, pivot order", []int64{0, one}, []int64{5, 1}, q2, one, 1},
		{"zero stake above", []int64{one, 0, 0}, []int64{1, 5, 6}, q2, one, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WeightedMedian(fxs(tt.stake...), fxs(tt.score...), fx(tt.minority), fx(0), fx(tt.hi))
			if got.Bits() != tt.want {
				t.Fatalf("median = %d, want %d", got.Bits(), tt.want)
			}
		})
	}
}

// TestWeightedMedianThreshold checks the property consensus relies on: with positive stakes
// the literal median is the smallest score whose cumulative stake exceeds the minority (the
// largest score if none does), whatever the list order.
func TestWeightedMedianThreshold(t *testing.T) {
	r := &rng{s: 5}
	for range 20000 {
		n := 1 + r.intn(9)
		stake := make([]int64, n)
		score := make([]int64, n)
		var total int64
		for i := range n {
			stake[i] = 1 + int64(r.next()%uint64(one))
			score[i] = int64(r.intn(5)) * q1
			total += stake[i]
		}
		minority := int64(r.next()%uint64(total+2)) - 1
		got := WeightedMedian(fxs(stake...), fxs(score...), fx(minority), fx(0), fx(total)).Bits()

		want := int64(-1)
		for _, p := range []int64{0, q1, q2, q3, one} {
			var cum int64
			present := false
			for i := range n {
				if score[i] <= p {
					cum += stake[i]
				}
				present = present || score[i] == p
			}
			if present && cum > minority {
				want = p
				break
			}
		}
		if want < 0 {
			for _, s := range score {
				want = max(want, s)
			}
		}
		if got != want {
			t.Fatalf("stake %v score %v minority %d: median %d, want %d", stake, score, minority, got, want)
		}
	}
}

func TestWeightedMedianCol(t *testing.T) {
	// Rows with zero stake are left out; missing and short rows score 0.
	got := WeightedMedianCol(fxs(q2, q2, 0), [][]fixed.I32F32{fxs(one, 0), fxs(q2, q2), fxs(one, one)}, fx(q2))
	if want := fxs(one, q2); got[0] != want[0] || got[1] != want[1] || len(got) != 2 {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Row 1 is missing, so it scores 0 everywhere: the cumulative stake at 0 is 0.5, not
	// above the minority 0.5, so every column's median is row 0's 1.0.
	got = WeightedMedianCol(fxs(q2, q2), [][]fixed.I32F32{fxs(one, one, one)}, fx(q2))
	if want := fxs(one, one, one); !slices.Equal(got, want) {
		t.Fatalf("short row: %v, want %v", got, want)
	}
	if got := WeightedMedianCol(nil, nil, fx(q2)); len(got) != 0 {
		t.Fatalf("empty: %v", got)
	}
}

func TestMatEMAAlpha(t *testing.T) {
	newRows := [][]Cell{{{0, fx(one)}, {1, fx(0)}, {9, fx(one)}}}
	oldRows := [][]Cell{{{1, fx(q2)}, {2, fx(q2)}}}
	got := MatEMAAlpha(newRows, oldRows, [][]fixed.I32F32{fxs(q2, q1, q2)})
	// (0): 0.5·1; (1): 0.75·0.5 = 0.375; (2): not in the new row → 0; column 9 is outside.
	want := []int64{q2, q1 + q1/2, 0}
	for j, w := range want {
		if got[0][j].Bits() != w {
			t.Fatalf("col %d = %d, want %d", j, got[0][j].Bits(), w)
		}
	}
	// min(1, ·) caps; α > 1 with a big bond makes the first term negative, and only positive
	// results are kept.
	got = MatEMAAlpha([][]Cell{{{0, fx(4 * one)}, {1, fx(0)}}}, [][]Cell{{{1, fx(one)}}}, [][]fixed.I32F32{fxs(q2, 2*one)})
	if got[0][0].Bits() != one || got[0][1].Bits() != 0 {
		t.Fatalf("caps: %v", got)
	}
}
