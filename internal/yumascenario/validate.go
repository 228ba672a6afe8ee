package yumascenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"github.com/gotensor/gotensor/chain/yuma"
)

// required is a field the format requires and what it holds, for the error when it is absent.
type required struct{ name, want string }

// Fields vectors/README.md requires. The README gives defaults only for "format" (scenario),
// a neuron's "last_update" (its registered_at), an epoch's "note", "tolerance" (exact) and
// "asserted_upstream" (information), a math case's "tolerance" (0); "owner_uid" may be null,
// and absent reads as null. Params marked "recorded for reference" are not used and not
// required. Every other field has no default: absent, it would silently read as 0.
var (
	requiredParams = []required{
		{"activity_cutoff", "blocks after its last weight update during which a neuron counts as active"},
		{"kappa", "u16; consensus majority = kappa / 65535"},
		{"bonds_moving_average", "parts per million, 0..1000000"},
		{"bonds_penalty", "u16; 65535 = fully clipped weights for bonds"},
		{"max_allowed_validators", "the number of validator permits"},
		{"stake_threshold", "stake below this counts as 0"},
		{"yuma3", "true for Yuma3 bonds, false for Yuma2"},
	}
	requiredYuma3Params = []required{
		{"liquid_alpha", "true for the liquid alpha bond rate (Yuma3 only)"},
	}
	requiredLiquidAlphaParams = []required{
		{"alpha_low", "u16; low end of the liquid alpha range"},
		{"alpha_high", "u16; high end of the liquid alpha range"},
		{"alpha_sigmoid_steepness", "the liquid alpha sigmoid steepness"},
	}
	requiredNeuron = []required{
		{"stake", "the neuron's stake, an integer"},
		{"registered_at", "the block it registered at"},
	}
	requiredStep = map[string][]required{
		OpSetWeights: {
			{"block", "the block of the call, not below the previous step's block"},
			{"uid", "the uid setting weights"},
			{"uids", "the uids the weights are set on"},
			{"weights", "the u16 weights, one per entry of uids"},
		},
		OpRegister: {
			{"block", "the registration block, not below the previous step's block"},
			{"uid", "the uid the new neuron replaces"},
			{"stake", "the new neuron's stake"},
		},
		OpSetStake: {
			{"uid", "the uid whose stake changes"},
			{"stake", "the new stake"},
		},
		OpResetBonds: {
			{"uid", "the uid whose column of bonds is cleared"},
		},
		OpEpoch: {
			{"block", "the block the epoch runs at, not below the previous step's block"},
			{"last_tempo", "the first block of the current tempo (LastMechanismStepBlock + 1, or block - tempo floored at 0)"},
			{"emission", "the amount the epoch distributes, in RAO"},
		},
	}
	requiredCase = []required{
		{"fn", "the function: " + strings.Join(mathFns, ", ")},
		{"args", "the function's arguments, an object"},
		{"expect", "the expected result"},
	}
	stepOps = []string{OpSetWeights, OpRegister, OpSetStake, OpResetBonds, OpEpoch}
	mathFns = []string{FnWeightedMedian, FnWeightedMedianCol, FnVecMaxUpscaleToU16, FnWeightsMaxUpscale, FnMatEMAAlpha}
)

// missing returns the first field of fields that obj lacks or holds as null, as an error
// that says where (what), which field and what it holds.
func missing(what string, obj map[string]json.RawMessage, fields []required) error {
	for _, r := range fields {
		v, ok := obj[r.name]
		if !ok {
			return fmt.Errorf("%s: %w: missing required field %q: %s", what, ErrFormat, r.name, r.want)
		}
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return fmt.Errorf("%s: %w: field %q is null, want %s", what, ErrFormat, r.name, r.want)
		}
	}
	return nil
}

// object decodes one JSON object's members; null gives an empty map.
func object(what string, raw json.RawMessage) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("%s: %w: want a JSON object: %v", what, ErrFormat, err)
	}
	return obj, nil
}

// checkPresence checks that a scenario has params, neurons and steps and that every field
// the format requires of them is present and not null (f is the decoded file).
func checkPresence(params json.RawMessage, neurons, steps []json.RawMessage, f *File) error {
	if len(params) == 0 || bytes.Equal(bytes.TrimSpace(params), []byte("null")) {
		return fmt.Errorf("%w: missing required field %q: the subnet's hyperparameters (vectors/README.md \"params\")", ErrFormat, "params")
	}
	p, err := object("params", params)
	if err != nil {
		return err
	}
	fields := requiredParams
	if f.Params.Yuma3 {
		fields = append(slices.Clone(fields), requiredYuma3Params...)
		if f.Params.LiquidAlpha {
			fields = append(fields, requiredLiquidAlphaParams...)
		}
	}
	if err := missing("params", p, fields); err != nil {
		return err
	}
	if neurons == nil {
		return fmt.Errorf("%w: missing required field %q: one object per uid", ErrFormat, "neurons")
	}
	for i, r := range neurons {
		what := fmt.Sprintf("neuron %d", i)
		obj, err := object(what, r)
		if err != nil {
			return err
		}
		if err := missing(what, obj, requiredNeuron); err != nil {
			return err
		}
	}
	if steps == nil {
		return fmt.Errorf("%w: missing required field %q: the steps to run, in order", ErrFormat, "steps")
	}
	for k, r := range steps {
		obj, err := object(fmt.Sprintf("step %d", k), r)
		if err != nil {
			return err
		}
		op := f.Steps[k].Op
		fields, ok := requiredStep[op]
		if !ok {
			return unknownOp(k, obj, op)
		}
		if err := missing(fmt.Sprintf("step %d (%s)", k, op), obj, fields); err != nil {
			return err
		}
	}
	return nil
}

func unknownOp(k int, obj map[string]json.RawMessage, op string) error {
	if _, ok := obj["op"]; !ok || op == "" {
		return fmt.Errorf("step %d: %w: missing required field %q: one of %s", k, ErrFormat, "op", strings.Join(stepOps, ", "))
	}
	return fmt.Errorf("step %d: %w: unknown op %q, want one of %s", k, ErrFormat, op, strings.Join(stepOps, ", "))
}

// checkMathPresence checks that every case of a math file has fn, args and expect.
func checkMathPresence(cases []json.RawMessage) error {
	for k, r := range cases {
		what := fmt.Sprintf("case %d", k)
		obj, err := object(what, r)
		if err != nil {
			return err
		}
		if err := missing(what, obj, requiredCase); err != nil {
			return err
		}
	}
	return nil
}

// expectFields are the fields an epoch's expect may hold (vectors/README.md "expect").
var expectFields = []string{
	"stake_weight", "consensus", "incentive", "dividends", "validator_trust", "emission",
	"validator_permit", "active", "bonds", "dividends_prop", "bonds_prop",
}

// Validate checks what the scenario format rules out, independently of which fields were
// present in the file: at most yuma.MaxNeurons neurons; owner_uid below n; parameters in
// their ranges; every step a known op naming uids below n; set_weights with one weight per
// uid and no uid twice (the steps are calls the chain accepted); blocks that never decrease
// from one step to the next; expect fields the README defines, tolerances only for them and
// not negative. Run calls it before executing any step. Parameters the epoch does not use
// (tempo, commit_reveal, bonds_reset, ...) are recorded for reference and not checked: the
// steps say what happens.
func (f *File) Validate() error {
	if f.Format != FormatScenario {
		return fmt.Errorf("%w: format %q is not a scenario", ErrFormat, f.Format)
	}
	n := len(f.Neurons)
	if n > yuma.MaxNeurons {
		return fmt.Errorf("%w: %d neurons, at most %d", ErrFormat, n, yuma.MaxNeurons)
	}
	p := f.Params
	if p.OwnerUID != nil && int(*p.OwnerUID) >= n {
		return fmt.Errorf("params: %w: owner_uid %d, but there are %d neurons (uids 0..%d); use null for no owner", ErrFormat, *p.OwnerUID, n, n-1)
	}
	if p.BondsMovingAverage > 1_000_000 {
		return fmt.Errorf("params: %w: bonds_moving_average %d, want parts per million in 0..1000000", ErrFormat, p.BondsMovingAverage)
	}
	if p.Yuma3 && p.LiquidAlpha && p.AlphaLow > p.AlphaHigh {
		return fmt.Errorf("params: %w: alpha_low %d above alpha_high %d", ErrFormat, p.AlphaLow, p.AlphaHigh)
	}
	prev := -1 // index of the last step with a block
	for k, st := range f.Steps {
		where := fmt.Sprintf("step %d (%s)", k, st.Op)
		if !slices.Contains(stepOps, st.Op) {
			return unknownOp(k, map[string]json.RawMessage{"op": nil}, st.Op)
		}
		if st.Op != OpEpoch && int(st.UID) >= n {
			return fmt.Errorf("%s: %w: uid %d, want a uid below n = %d", where, ErrFormat, st.UID, n)
		}
		if st.Op == OpSetWeights {
			if len(st.UIDs) != len(st.Weights) {
				return fmt.Errorf("%s: %w: %d uids but %d weights, want one weight per uid", where, ErrFormat, len(st.UIDs), len(st.Weights))
			}
			seen := make(map[uint16]bool, len(st.UIDs))
			for i, u := range st.UIDs {
				if int(u) >= n {
					return fmt.Errorf("%s: %w: uids[%d] = %d, want a uid below n = %d", where, ErrFormat, i, u, n)
				}
				if seen[u] {
					return fmt.Errorf("%s: %w: uids lists uid %d twice; the chain rejects such a call", where, ErrFormat, u)
				}
				seen[u] = true
			}
		}
		if st.Op == OpSetWeights || st.Op == OpRegister || st.Op == OpEpoch {
			if prev >= 0 && st.Block < f.Steps[prev].Block {
				return fmt.Errorf("%s: %w: block %d is lower than block %d of step %d (%s); blocks never decrease from one step to the next",
					where, ErrFormat, st.Block, f.Steps[prev].Block, prev, f.Steps[prev].Op)
			}
			prev = k
		}
		if st.Op == OpEpoch {
			if err := validateExpect(st); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return nil
}

func validateExpect(st Step) error {
	for _, name := range slices.Sorted(maps.Keys(st.Expect)) {
		if !slices.Contains(expectFields, name) {
			return fmt.Errorf("%w: unknown expect field %q, want one of %s", ErrFormat, name, strings.Join(expectFields, ", "))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(st.Tolerance)) {
		t := st.Tolerance[name]
		if _, ok := st.Expect[name]; !ok {
			return fmt.Errorf("%w: tolerance for %q, which expect does not hold", ErrFormat, name)
		}
		if r, ok := new(big.Rat).SetString(t.String()); !ok || r.Sign() < 0 {
			return fmt.Errorf("%w: tolerance %q for %s, want a number >= 0", ErrFormat, t, name)
		}
	}
	return nil
}
