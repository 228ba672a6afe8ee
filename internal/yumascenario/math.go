package yumascenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/yuma"
)

// Math functions a math file's cases name (vectors/README.md "Math files").
const (
	FnWeightedMedian     = "weighted_median"
	FnWeightedMedianCol  = "weighted_median_col"
	FnVecMaxUpscaleToU16 = "vec_max_upscale_to_u16"
	FnWeightsMaxUpscale  = "weights_max_upscale"
	FnMatEMAAlpha        = "mat_ema_alpha"
	maxMathDimension     = 1 << 16
)

// RunMath evaluates every case of a math file and returns one JSON value per case: a raw
// I32F32 integer, a list of them, a u16 list, or a matrix of raw integers.
func RunMath(f *File) ([]json.RawMessage, error) {
	if f.Format != FormatMath {
		return nil, fmt.Errorf("%w: format %q is not math", ErrFormat, f.Format)
	}
	out := make([]json.RawMessage, 0, len(f.Cases))
	for k, c := range f.Cases {
		v, err := evalCase(c)
		if err != nil {
			return nil, fmt.Errorf("case %d (%s): %w", k, c.Fn, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("case %d (%s): %w", k, c.Fn, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func evalCase(c MathCase) (any, error) {
	switch c.Fn {
	case FnWeightedMedian:
		var a struct {
			Stake, Score     []int64
			Minority, Lo, Hi int64
		}
		if err := args(c, &a, "stake", "score", "minority", "lo", "hi"); err != nil {
			return nil, err
		}
		if len(a.Stake) != len(a.Score) {
			return nil, fmt.Errorf("%w: %d stakes, %d scores", ErrFormat, len(a.Stake), len(a.Score))
		}
		m := yuma.WeightedMedian(fixedVec(a.Stake), fixedVec(a.Score), fixed.I32F32FromBits(a.Minority),
			fixed.I32F32FromBits(a.Lo), fixed.I32F32FromBits(a.Hi))
		return m.Bits(), nil
	case FnWeightedMedianCol:
		var a struct {
			Stake    []int64
			Weights  [][]int64
			Majority int64
		}
		if err := args(c, &a, "stake", "weights", "majority"); err != nil {
			return nil, err
		}
		w := make([][]fixed.I32F32, len(a.Weights))
		for i, r := range a.Weights {
			w[i] = fixedVec(r)
		}
		return bitsVec(yuma.WeightedMedianCol(fixedVec(a.Stake), w, fixed.I32F32FromBits(a.Majority))), nil
	case FnVecMaxUpscaleToU16:
		var a struct{ Values []int64 }
		if err := args(c, &a, "values"); err != nil {
			return nil, err
		}
		return yuma.VecMaxUpscaleToU16(fixedVec(a.Values)), nil
	case FnWeightsMaxUpscale:
		var a struct{ Values []uint16 }
		if err := args(c, &a, "values"); err != nil {
			return nil, err
		}
		return yuma.MaxUpscaleWeights(a.Values), nil
	case FnMatEMAAlpha:
		var a struct {
			New, Old [][][2]int64
			Alpha    [][]int64
		}
		if err := args(c, &a, "new", "old", "alpha"); err != nil {
			return nil, err
		}
		alpha := make([][]fixed.I32F32, len(a.Alpha))
		for i, r := range a.Alpha {
			if len(r) > maxMathDimension {
				return nil, fmt.Errorf("%w: alpha row %d has %d columns", ErrFormat, i, len(r))
			}
			alpha[i] = fixedVec(r)
		}
		res := yuma.MatEMAAlpha(cells(a.New), cells(a.Old), alpha)
		out := make([][]int64, len(res))
		for i, r := range res {
			out[i] = bitsVec(r)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: unknown fn %q", ErrFormat, c.Fn)
}

// args decodes the named arguments of c into the fields of dst (matched by name, case
// insensitively); every name must be present.
func args(c MathCase, dst any, names ...string) error {
	obj := make(map[string]json.RawMessage, len(names))
	for _, n := range names {
		v, ok := c.Args[n]
		if !ok {
			return fmt.Errorf("%w: missing argument %q", ErrFormat, n)
		}
		obj[n] = v
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("%w: arguments: %v", ErrFormat, err)
	}
	return nil
}

func fixedVec(v []int64) []fixed.I32F32 {
	out := make([]fixed.I32F32, len(v))
	for i, b := range v {
		out[i] = fixed.I32F32FromBits(b)
	}
	return out
}

func bitsVec(v []fixed.I32F32) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = x.Bits()
	}
	return out
}

func cells(rows [][][2]int64) [][]yuma.Cell {
	out := make([][]yuma.Cell, len(rows))
	for i, r := range rows {
		out[i] = make([]yuma.Cell, len(r))
		for k, p := range r {
			col := int(min(max(p[0], -1), maxMathDimension)) // out of range either way
			out[i][k] = yuma.Cell{Col: col, Value: fixed.I32F32FromBits(p[1])}
		}
	}
	return out
}

// CheckMath compares RunMath's results with each case's expect within its tolerance.
func CheckMath(f *File, results []json.RawMessage) error {
	if len(results) != len(f.Cases) {
		return fmt.Errorf("%w: %d results, want %d", ErrMismatch, len(results), len(f.Cases))
	}
	for k, c := range f.Cases {
		tol := new(big.Rat)
		if c.Tolerance != "" {
			if _, ok := tol.SetString(c.Tolerance.String()); !ok || tol.Sign() < 0 {
				return fmt.Errorf("case %d: %w: tolerance %q", k, ErrFormat, c.Tolerance)
			}
		}
		got, err := decodeAny(results[k])
		if err != nil {
			return fmt.Errorf("case %d: %w", k, err)
		}
		want, err := decodeAny(c.Expect)
		if err != nil {
			return fmt.Errorf("case %d: expect: %w", k, err)
		}
		if err := compareTree(c.Fn, got, want, tol); err != nil {
			return fmt.Errorf("case %d: %w", k, err)
		}
	}
	return nil
}

func decodeAny(raw json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return v, nil
}

// compareTree compares two decoded JSON values: numbers within tol, lists element by element.
func compareTree(path string, got, want any, tol *big.Rat) error {
	switch w := want.(type) {
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return fmt.Errorf("%w: %s = %v, want the number %s", ErrMismatch, path, got, w)
		}
		gr, ok1 := new(big.Rat).SetString(g.String())
		wr, ok2 := new(big.Rat).SetString(w.String())
		if !ok1 || !ok2 {
			return fmt.Errorf("%w: %s: %s or %s is not a number", ErrFormat, path, g, w)
		}
		if d := new(big.Rat).Sub(gr, wr); d.Abs(d).Cmp(tol) > 0 {
			return fmt.Errorf("%w: %s = %s, want %s (tolerance %s)", ErrMismatch, path, g, w, tol.RatString())
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%w: %s = %v, want %v", ErrMismatch, path, got, want)
		}
		for i := range w {
			if err := compareTree(fmt.Sprintf("%s[%d]", path, i), g[i], w[i], tol); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %s: unsupported expect value %v", ErrFormat, path, want)
}
