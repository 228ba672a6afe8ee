package yumascenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// ErrMismatch: an output differs from a step's expect field by more than its tolerance.
var ErrMismatch = errors.New("yumascenario: mismatch")

// Check compares the results of Run with every epoch step's expect fields and returns the
// first difference: the epoch, the field, the index and both values.
func Check(f *File, results []EpochResult) error {
	var epochs []Step
	for _, st := range f.Steps {
		if st.Op == OpEpoch {
			epochs = append(epochs, st)
		}
	}
	if len(epochs) != len(results) {
		return fmt.Errorf("%w: %d epochs, want %d", ErrMismatch, len(results), len(epochs))
	}
	for k, st := range epochs {
		if err := CheckEpoch(st, results[k]); err != nil {
			return fmt.Errorf("epoch %d (block %d): %w", k, st.Block, err)
		}
	}
	return nil
}

// CheckEpoch compares one epoch's result with the step's expect fields, in sorted field
// order. An expect field the README does not define is an error, so a typo cannot pass.
func CheckEpoch(st Step, r EpochResult) error {
	if r.Block != st.Block {
		return fmt.Errorf("%w: result block %d, step block %d", ErrMismatch, r.Block, st.Block)
	}
	for name := range st.Tolerance {
		if _, ok := st.Expect[name]; !ok {
			return fmt.Errorf("%w: tolerance for %q, which expect does not hold", ErrFormat, name)
		}
	}
	fields := make([]string, 0, len(st.Expect))
	for name := range st.Expect {
		fields = append(fields, name)
	}
	slices.Sort(fields)
	for _, name := range fields {
		tol := new(big.Rat)
		if t, ok := st.Tolerance[name]; ok {
			if _, ok := tol.SetString(t.String()); !ok || tol.Sign() < 0 {
				return fmt.Errorf("%w: tolerance %s for %s", ErrFormat, t, name)
			}
		}
		if err := checkField(name, st.Expect[name], r, tol); err != nil {
			return err
		}
	}
	return nil
}

func checkField(name string, raw json.RawMessage, r EpochResult, tol *big.Rat) error {
	switch name {
	case "stake_weight":
		return checkInts(name, raw, r.StakeWeight, tol)
	case "consensus":
		return checkInts(name, raw, r.Consensus, tol)
	case "incentive":
		return checkInts(name, raw, r.Incentive, tol)
	case "dividends":
		return checkInts(name, raw, r.Dividends, tol)
	case "validator_trust":
		return checkInts(name, raw, r.ValidatorTrust, tol)
	case "emission":
		return checkInts(name, raw, r.Emission, tol)
	case "validator_permit":
		return checkBools(name, raw, r.ValidatorPermit)
	case "active":
		return checkBools(name, raw, r.Active)
	case "bonds":
		return checkBonds(raw, r.Bonds, tol)
	case "dividends_prop":
		var want []json.Number
		if err := json.Unmarshal(raw, &want); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrFormat, name, err)
		}
		if len(want) != len(r.Dividends) {
			return fmt.Errorf("%w: %s has %d entries, got %d", ErrMismatch, name, len(want), len(r.Dividends))
		}
		for i, w := range want {
			if err := checkProp(fmt.Sprintf("%s[%d]", name, i), w, r.Dividends[i], tol); err != nil {
				return err
			}
		}
		return nil
	case "bonds_prop":
		want, err := parseSparse[json.Number](raw, len(r.Bonds))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, c := range want {
			if err := checkProp(fmt.Sprintf("%s[%d][%d]", name, c.row, c.col), c.v, r.Bonds[c.row][c.col], tol); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: unknown expect field %q", ErrFormat, name)
}

type integer interface{ ~uint16 | ~uint64 }

func checkInts[T integer](name string, raw json.RawMessage, got []T, tol *big.Rat) error {
	var want []json.Number
	if err := json.Unmarshal(raw, &want); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrFormat, name, err)
	}
	if len(want) != len(got) {
		return fmt.Errorf("%w: %s has %d entries, want %d", ErrMismatch, name, len(got), len(want))
	}
	for i, w := range want {
		if err := within(fmt.Sprintf("%s[%d]", name, i), uint64(got[i]), w, tol); err != nil {
			return err
		}
	}
	return nil
}

// within checks |got − want| ≤ tol exactly.
func within(what string, got uint64, want json.Number, tol *big.Rat) error {
	w, ok := new(big.Rat).SetString(want.String())
	if !ok {
		return fmt.Errorf("%w: %s: %q is not a number", ErrFormat, what, want)
	}
	g := new(big.Rat).SetInt(new(big.Int).SetUint64(got))
	if d := new(big.Rat).Sub(g, w); d.Abs(d).Cmp(tol) > 0 {
		return fmt.Errorf("%w: %s = %d, want %s (tolerance %s)", ErrMismatch, what, got, want, tol.RatString())
	}
	return nil
}

// checkProp checks |got/65535 − want| ≤ tol exactly.
func checkProp(what string, want json.Number, got uint16, tol *big.Rat) error {
	w, ok := new(big.Rat).SetString(want.String())
	if !ok {
		return fmt.Errorf("%w: %s: %q is not a number", ErrFormat, what, want)
	}
	g := big.NewRat(int64(got), 65535)
	if d := new(big.Rat).Sub(g, w); d.Abs(d).Cmp(tol) > 0 {
		return fmt.Errorf("%w: %s = %d/65535 = %s, want %s (tolerance %s)", ErrMismatch, what, got, g.FloatString(6), want, tol.RatString())
	}
	return nil
}

func checkBools(name string, raw json.RawMessage, got []bool) error {
	var want []bool
	if err := json.Unmarshal(raw, &want); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrFormat, name, err)
	}
	if len(want) != len(got) {
		return fmt.Errorf("%w: %s has %d entries, want %d", ErrMismatch, name, len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			return fmt.Errorf("%w: %s[%d] = %t, want %t", ErrMismatch, name, i, got[i], want[i])
		}
	}
	return nil
}

// checkBonds compares the full matrix, given either as n rows of n values or sparse as
// {"row": {"col": value}} with every unlisted entry 0.
func checkBonds(raw json.RawMessage, got [][]uint16, tol *big.Rat) error {
	n := len(got)
	want := make([][]json.Number, n)
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
		if err := json.Unmarshal(raw, &want); err != nil {
			return fmt.Errorf("%w: bonds: %v", ErrFormat, err)
		}
		if len(want) != n {
			return fmt.Errorf("%w: bonds has %d rows, want %d", ErrMismatch, n, len(want))
		}
	} else {
		cells, err := parseSparse[json.Number](raw, n)
		if err != nil {
			return fmt.Errorf("bonds: %w", err)
		}
		for i := range want {
			want[i] = slices.Repeat([]json.Number{"0"}, n)
		}
		for _, c := range cells {
			want[c.row][c.col] = c.v
		}
	}
	for i := range n {
		if len(want[i]) != len(got[i]) {
			return fmt.Errorf("%w: bonds[%d] has %d entries, want %d", ErrMismatch, i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			if err := within(fmt.Sprintf("bonds[%d][%d]", i, j), uint64(got[i][j]), want[i][j], tol); err != nil {
				return err
			}
		}
	}
	return nil
}

type cell[T any] struct {
	row, col int
	v        T
}

// parseSparse reads {"row": {"col": value}} with row, col < n, in sorted (row, col) order.
func parseSparse[T any](raw json.RawMessage, n int) ([]cell[T], error) {
	var m map[string]map[string]T
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	var out []cell[T]
	for rs, cols := range m {
		r, err := strconv.Atoi(rs)
		if err != nil || r < 0 || r >= n {
			return nil, fmt.Errorf("%w: row %q (n = %d)", ErrFormat, rs, n)
		}
		for cs, v := range cols {
			c, err := strconv.Atoi(cs)
			if err != nil || c < 0 || c >= n {
				return nil, fmt.Errorf("%w: column %q (n = %d)", ErrFormat, cs, n)
			}
			out = append(out, cell[T]{r, c, v})
		}
	}
	slices.SortFunc(out, func(a, b cell[T]) int {
		if a.row != b.row {
			return a.row - b.row
		}
		return a.col - b.col
	})
	return out, nil
}
