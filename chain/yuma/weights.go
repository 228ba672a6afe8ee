package yuma

import (
	"math"

	"github.com/gotensor/gotensor/chain/fixed"
)

// normalize divides every v_i by Σv (plain integer sum) when the sum is not zero, in place:
// subtensor's inplace_normalize.
func normalize(v []fixed.I32F32) {
	var sum int64
	for _, x := range v {
		sum += x.Bits()
	}
	if sum == 0 {
		return
	}
	s := fixed.I32F32FromBits(sum)
	for i, x := range v {
		v[i] = x.SafeDiv(s)
	}
}

// Normalize returns a copy of v divided by its sum (plain integer sum), or an unchanged copy
// when the sum is 0: subtensor's normalize on I32F32 vectors.
func Normalize(v []fixed.I32F32) []fixed.I32F32 {
	out := append([]fixed.I32F32(nil), v...)
	normalize(out)
	return out
}

// NormalizeToU16 returns the u16 proportions of values: each value taken as the integer
// w (w·2^32 raw) is divided by the sum, then converted with floor(x·65535). A zero sum gives
// all zeros. This is how the chain turns a stored weight row into the proportions the max
// weight limit and queries use (HEAD §6.1 step 14).
func NormalizeToU16(values []uint16) []uint16 {
	v := make([]fixed.I32F32, len(values))
	for i, w := range values {
		v[i] = fixed.I32F32FromU16(w)
	}
	normalize(v)
	out := make([]uint16, len(v))
	for i, x := range v {
		out[i] = x.ToU16Proportion()
	}
	return out
}

// upscaleThreshold is 32768 in I32F32: above it, x·65535 would overflow, so the row is scaled
// by the factor 65535/m instead.
const upscaleThreshold = int64(32768) << 32

// VecMaxUpscaleToU16 scales values so the largest becomes 65535 (subtensor's
// vec_max_upscale_to_u16, I32F32): with m = max(values), m = 0 leaves every value 0; m above
// 32768 multiplies each by f = 65535/m; otherwise each becomes (x·65535)/m. Results are
// rounded half away from zero and clamped to 0..65535 (values are meant to be non-negative;
// negative ones come out as 0).
func VecMaxUpscaleToU16(values []fixed.I32F32) []uint16 {
	out := make([]uint16, len(values))
	if len(values) == 0 {
		return out
	}
	m := values[0]
	for _, x := range values[1:] {
		m = m.Max(x)
	}
	if m.IsZero() {
		return out
	}
	u16max := fixed.I32F32FromU16(math.MaxUint16)
	if m.Bits() > upscaleThreshold {
		f := u16max.SafeDiv(m)
		for i, x := range values {
			out[i] = clampU16(x.Mul(f).Round())
		}
		return out
	}
	for i, x := range values {
		out[i] = clampU16(x.Mul(u16max).SafeDiv(m).Round())
	}
	return out
}

// MaxUpscaleWeights is set_weights' max-upscale of the caller's u16 values (HEAD §6.1,
// vec_u16_max_upscale_to_u16): the largest becomes 65535, the rest keep their ratios,
// rounded half away from zero. [43690 21845] becomes [65535 32768]; all zeros stay zeros.
func MaxUpscaleWeights(weights []uint16) []uint16 {
	v := make([]fixed.I32F32, len(weights))
	for i, w := range weights {
		v[i] = fixed.I32F32FromU16(w)
	}
	return VecMaxUpscaleToU16(v)
}

// clampU16 returns the integer part of the (already rounded) x clamped to 0..65535.
func clampU16(x fixed.I32F32) uint16 {
	switch v := x.Floor(); {
	case v <= 0:
		return 0
	case v >= math.MaxUint16:
		return math.MaxUint16
	default:
		return uint16(v)
	}
}
