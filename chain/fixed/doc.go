// Package fixed implements the binary fixed-point numbers subtensor's epoch and coinbase use
// (substrate-fixed v0.6.0, encointer fork), bit for bit, on integers only.
//
// Types:
//
//   - [I32F32]: a signed 64-bit raw value x·2^32 (32 integer bits including the sign, 32
//     fractional bits). The epoch's working type.
//   - [I64F64]: a signed 128-bit raw value x·2^64, used to normalise stake.
//   - [U64F64]: an unsigned 128-bit raw value x·2^64, used by coinbase and the swap pallet.
//
// Rounding follows HEAD §9.1 of docs/reference/subtensor.md and the "Fixed point" section of
// vectors/README.md:
//
//   - Mul is (a·b) >> frac with an arithmetic shift, so it rounds toward −∞; it saturates at
//     the type's bounds.
//   - Div is (a << frac) / b truncated toward zero; it reports overflow and division by zero,
//     and SafeDiv turns both into 0 as subtensor's safe_div does.
//   - Add and Sub saturate; WrappingAdd is the plain integer sum subtensor's vector sums use.
//   - Round goes to the nearest integer, halves away from zero (weight max-upscaling only).
//   - Conversions from integers are exact or saturate; ToU16Proportion is floor(x·65535)
//     clamped to 0..65535, and U16Proportion(u) is u/65535 truncated.
//
// Values are plain structs compared with ==; the zero value is 0. Every operation is a pure
// function on its operands: no floats, no allocation on the common paths, no panics.
package fixed
