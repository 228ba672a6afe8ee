package yumascenario

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckDetectsMismatch perturbs one output at a time in a passing run and requires Check
// to report it, so a field that is silently skipped cannot hide.
func TestCheckDetectsMismatch(t *testing.T) {
	dir := vectorDir(t)
	for _, name := range []string{"v01-bonds-ema.json", "v11-yuma3-one-epoch-switch.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		fresh := func() []EpochResult {
			r, err := Run(f)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		last := len(fresh()) - 1
		mutations := []struct {
			field  string
			mutate func(r *EpochResult)
		}{
			{"stake_weight", func(r *EpochResult) { r.StakeWeight[0]++ }},
			{"consensus", func(r *EpochResult) { r.Consensus[len(r.Consensus)-1]++ }},
			{"incentive", func(r *EpochResult) { r.Incentive[len(r.Incentive)-1]++ }},
			{"dividends", func(r *EpochResult) { r.Dividends[0] += 200 }}, // also breaks dividends_prop
			{"validator_trust", func(r *EpochResult) { r.ValidatorTrust[0]++ }},
			{"emission", func(r *EpochResult) { r.Emission[0]++ }},
			{"validator_permit", func(r *EpochResult) { r.ValidatorPermit[0] = !r.ValidatorPermit[0] }},
			{"active", func(r *EpochResult) { r.Active[0] = !r.Active[0] }},
			{"bonds", func(r *EpochResult) { r.Bonds[0][len(r.Bonds)-1]++ }},
			{"epoch count", nil},
		}
		for _, m := range mutations {
			t.Run(name+"/"+m.field, func(t *testing.T) {
				r := fresh()
				if m.mutate == nil {
					r = r[:last]
				} else {
					m.mutate(&r[last])
				}
				err := Check(f, r)
				if !errors.Is(err, ErrMismatch) {
					t.Fatalf("Check = %v, want ErrMismatch", err)
				}
				if m.mutate != nil && !strings.Contains(err.Error(), m.field) {
					t.Fatalf("error %q does not name %s", err, m.field)
				}
			})
		}
	}
}

// testParams gives every parameter the format requires (Yuma2).
const testParams = `{"activity_cutoff": 100, "kappa": 32767, "bonds_moving_average": 900000, "bonds_penalty": 0,
	"max_allowed_validators": 4, "stake_threshold": 0, "yuma3": false, "bonds_reset": true}`

func TestCheckFormats(t *testing.T) {
	r := EpochResult{
		Block:     3,
		Dividends: []uint16{32768, 32767},
		Bonds:     [][]uint16{{0, 6640}, {0, 0}},
	}
	tests := []struct {
		name      string
		expect    string
		tolerance string
		wantErr   error
	}{
		{"sparse bonds match", `{"bonds": {"0": {"1": 6640}}}`, `{}`, nil},
		{"sparse bonds unlisted must be 0", `{"bonds": {"1": {"1": 0}}}`, `{}`, ErrMismatch},
		{"sparse bonds wrong", `{"bonds": {"0": {"1": 6641}}}`, `{}`, ErrMismatch},
		{"sparse bonds out of range", `{"bonds": {"2": {"1": 1}}}`, `{}`, ErrFormat},
		{"bonds_prop within", `{"bonds_prop": {"0": {"1": 0.1013}}}`, `{"bonds_prop": 0.001}`, nil},
		{"bonds_prop outside", `{"bonds_prop": {"0": {"1": 0.1030}}}`, `{"bonds_prop": 0.001}`, ErrMismatch},
		{"bonds_prop exact without tolerance", `{"bonds_prop": {"0": {"0": 0}}}`, `{}`, nil},
		{"dividends_prop within", `{"dividends_prop": [0.5, 0.5]}`, `{"dividends_prop": 0.001}`, nil},
		{"dividends_prop outside", `{"dividends_prop": [0.5, 0.4]}`, `{"dividends_prop": 0.001}`, ErrMismatch},
		{"dividends exact", `{"dividends": [32768, 32767]}`, `{}`, nil},
		{"dividends off by one", `{"dividends": [32769, 32767]}`, `{}`, ErrMismatch},
		{"dividends tolerance", `{"dividends": [32769, 32766]}`, `{"dividends": 1}`, nil},
		{"dividends length", `{"dividends": [32768]}`, `{}`, ErrMismatch},
		{"unknown field", `{"divdends": [1, 2]}`, `{}`, ErrFormat},
		{"tolerance without field", `{"dividends": [32768, 32767]}`, `{"bonds": 1}`, ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := `{"op": "epoch", "block": 3, "last_tempo": 0, "emission": 0, ` +
				`"expect": ` + tt.expect + `, "tolerance": ` + tt.tolerance + `}`
			src := `{"format": "scenario", "params": ` + testParams + `, ` +
				`"neurons": [{"stake": 1, "registered_at": 0}, {"stake": 1, "registered_at": 0}], "steps": [` + step + `]}`
			f, err := Parse([]byte(src))
			if err != nil {
				// Parse rejects expect fields the README does not define up front; Check
				// must reject them as well when it is given such a step directly.
				if tt.wantErr != ErrFormat || !errors.Is(err, ErrFormat) {
					t.Fatalf("Parse(%s): %v", src, err)
				}
				var st Step
				if err := json.Unmarshal([]byte(step), &st); err != nil {
					t.Fatal(err)
				}
				if err := CheckEpoch(st, r); !errors.Is(err, ErrFormat) {
					t.Fatalf("CheckEpoch = %v, want ErrFormat", err)
				}
				return
			}
			err = Check(f, []EpochResult{r})
			if tt.wantErr == nil && err != nil {
				t.Fatalf("Check = %v, want nil", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Check = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestRunSteps(t *testing.T) {
	src := `{"params": ` + testParams + `,
	 "neurons": [{"stake": 10, "registered_at": 0}, {"stake": 0, "registered_at": 0}, {"stake": 0, "registered_at": 0, "last_update": 5}],
	 "steps": [
	   {"op": "epoch", "block": 1, "last_tempo": 0, "emission": 100},
	   {"op": "set_weights", "block": 2, "uid": 0, "uids": [1, 2], "weights": [1, 3]},
	   {"op": "epoch", "block": 3, "last_tempo": 2, "emission": 100},
	   {"op": "reset_bonds", "uid": 2},
	   {"op": "register", "block": 4, "uid": 1, "stake": 0},
	   {"op": "set_stake", "uid": 2, "stake": 5},
	   {"op": "epoch", "block": 5, "last_tempo": 4, "emission": 100}
	 ]}`
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 3 {
		t.Fatalf("%d epochs", len(r))
	}
	// Epoch 2: uid 0 alone weights 1:3 → incentive split 1:3, bonds on both servers.
	if got := r[1].Incentive; got[1] != 16383 || got[2] != 49151 {
		t.Fatalf("incentive %v", got)
	}
	if r[1].Bonds[0][1] == 0 || r[1].Bonds[0][2] == 0 {
		t.Fatalf("bonds %v", r[1].Bonds)
	}
	// After reset_bonds(2) and register(1): uid 0's weight on 1 is 0, the bond on 2 is gone,
	// and the bond on 1 (registered at 4 ≥ last_tempo 4) is dropped by the epoch.
	if r[2].Bonds[0][1] != 0 || r[2].Incentive[1] != 0 || r[2].Incentive[2] != 65535 {
		t.Fatalf("after register: incentive %v bonds %v", r[2].Incentive, r[2].Bonds)
	}
	if r[2].StakeWeight[2] == 0 {
		t.Fatalf("set_stake ignored: %v", r[2].StakeWeight)
	}

	head := `{"params": ` + testParams + `, "neurons": [{"stake": 1, "registered_at": 0}], "steps": `
	bad := []string{
		`{"format": "nope"}`,
		head + `[{"op": "set_weights", "block": 1, "uid": 1, "uids": [], "weights": []}]}`,
		head + `[{"op": "set_weights", "block": 1, "uid": 0, "uids": [3], "weights": [1]}]}`,
		head + `[{"op": "set_weights", "block": 1, "uid": 0, "uids": [0], "weights": []}]}`,
		head + `[{"op": "dance"}]}`,
		head + `[]} trailing`,
	}
	for _, src := range bad {
		f, err := Parse([]byte(src))
		if err == nil {
			_, err = Run(f)
		}
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", src, err)
		}
	}
}
