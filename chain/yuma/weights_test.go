package yuma

import (
	"slices"
	"testing"

	"github.com/gotensor/gotensor/chain/fixed"
)

// TestMaxUpscaleWeights holds vectors/README.md's set_weights examples.
func TestMaxUpscaleWeights(t *testing.T) {
	tests := []struct{ in, want []uint16 }{
		{[]uint16{16383, 32767, 49149, 65535}, []uint16{16383, 32767, 49149, 65535}},
		{[]uint16{43690, 21845}, []uint16{65535, 32768}},
		{[]uint16{32767, 32767}, []uint16{65535, 65535}},
		{[]uint16{127, 127, 127}, []uint16{65535, 65535, 65535}},
		{[]uint16{19660, 45875}, []uint16{28085, 65535}},
		{[]uint16{32768, 1}, []uint16{65535, 2}},
		{[]uint16{0, 0}, []uint16{0, 0}},
		{[]uint16{}, []uint16{}},
		{[]uint16{1}, []uint16{65535}},
		{[]uint16{0, 65535, 1}, []uint16{0, 65535, 1}},
		{[]uint16{32769, 1}, []uint16{65535, 2}}, // factor path: 65535/32769 ≈ 1.99991
	}
	for _, tt := range tests {
		if got := MaxUpscaleWeights(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("MaxUpscaleWeights(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestMaxUpscaleProperties: the maximum always becomes 65535, order is kept, and every value
// is within one step of the exact ratio w·65535/max.
func TestMaxUpscaleProperties(t *testing.T) {
	r := &rng{s: 11}
	for range 20000 {
		n := 1 + r.intn(8)
		in := make([]uint16, n)
		for i := range in {
			in[i] = uint16(r.next() >> uint(r.intn(64)))
		}
		got := MaxUpscaleWeights(in)
		m := slices.Max(in)
		for i, w := range in {
			if m == 0 {
				if got[i] != 0 {
					t.Fatalf("%v → %v", in, got)
				}
				continue
			}
			if w == m && got[i] != 65535 {
				t.Fatalf("%v → %v: max not 65535", in, got)
			}
			exact2 := 2 * uint64(w) * 65535 / uint64(m) // twice the exact ratio, floored
			lo, hi := exact2/2, (exact2+3)/2
			if uint64(got[i])+1 < lo || uint64(got[i]) > hi {
				t.Fatalf("%v → %v: entry %d off the ratio (%d..%d)", in, got, i, lo, hi)
			}
			for j, v := range in {
				if v < w && got[j] > got[i] {
					t.Fatalf("%v → %v: order broken", in, got)
				}
			}
		}
	}
}

func TestVecMaxUpscaleToU16(t *testing.T) {
	tests := []struct {
		in   []int64
		want []uint16
	}{
		{[]int64{q2, q1}, []uint16{65535, 32768}},
		{[]int64{40000 * one, 20000 * one, one}, []uint16{65535, 32767, 2}},
		{[]int64{-one, q2}, []uint16{0, 65535}},
		{nil, []uint16{}},
	}
	for _, tt := range tests {
		if got := VecMaxUpscaleToU16(fxs(tt.in...)); !slices.Equal(got, tt.want) {
			t.Errorf("VecMaxUpscaleToU16(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   []int64
		want []int64
	}{
		{"halves", []int64{one, one}, []int64{q2, q2}},
		{"thirds truncate", []int64{one, one, one}, []int64{1431655765, 1431655765, 1431655765}},
		{"zero sum unchanged", []int64{0, 0}, []int64{0, 0}},
		{"signed zero sum unchanged", []int64{one, -one}, []int64{one, -one}},
		{"empty", nil, []int64{}},
		{"single", []int64{7}, []int64{one}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fxs(tt.in...)
			got := Normalize(in)
			if !slices.Equal(got, fxs(tt.want...)) {
				t.Fatalf("Normalize = %v, want %v", got, fxs(tt.want...))
			}
			if !slices.Equal(in, fxs(tt.in...)) {
				t.Fatal("Normalize modified its input")
			}
		})
	}
	// The sum of a normalised vector never exceeds 1 and falls short by less than n ulps.
	r := &rng{s: 3}
	for range 5000 {
		n := 1 + r.intn(20)
		v := make([]fixed.I32F32, n)
		for i := range v {
			v[i] = fx(int64(r.next() >> 34))
		}
		var s int64
		for _, x := range Normalize(v) {
			s += x.Bits()
		}
		if s != 0 && (s > one || s <= one-int64(n)) {
			t.Fatalf("normalised sum %d, n = %d", s, n)
		}
	}
}

func TestNormalizeToU16(t *testing.T) {
	tests := []struct{ in, want []uint16 }{
		{[]uint16{1, 1}, []uint16{32767, 32767}},
		{[]uint16{65535}, []uint16{65535}},
		{[]uint16{0, 0, 0}, []uint16{0, 0, 0}},
		{[]uint16{1, 3}, []uint16{16383, 49151}},
		{[]uint16{65535, 65535, 65535, 65535}, []uint16{16383, 16383, 16383, 16383}},
	}
	for _, tt := range tests {
		if got := NormalizeToU16(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("NormalizeToU16(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
