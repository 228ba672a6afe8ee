package yumascenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Formats a file's "format" field names.
const (
	FormatScenario = "scenario"
	FormatMath     = "math"
)

// ErrFormat: the file is not valid JSON of the expected shape, or names an unknown format,
// step op or math function.
var ErrFormat = errors.New("yumascenario: bad file")

// File is a parsed vector file.
type File struct {
	Format      string     `json:"format"`
	Name        string     `json:"name"`
	Source      string     `json:"source"`
	Description string     `json:"description"`
	Params      Params     `json:"params"`
	Neurons     []Neuron   `json:"neurons"`
	Steps       []Step     `json:"steps"`
	Cases       []MathCase `json:"cases"`
}

// Params are a scenario's hyperparameters; fields the epoch does not use are recorded only.
type Params struct {
	ActivityCutoff        uint64  `json:"activity_cutoff"`
	Kappa                 uint16  `json:"kappa"`
	BondsMovingAverage    uint64  `json:"bonds_moving_average"`
	BondsPenalty          uint16  `json:"bonds_penalty"`
	MaxAllowedValidators  uint16  `json:"max_allowed_validators"`
	StakeThreshold        uint64  `json:"stake_threshold"`
	Yuma3                 bool    `json:"yuma3"`
	LiquidAlpha           bool    `json:"liquid_alpha"`
	AlphaLow              uint16  `json:"alpha_low"`
	AlphaHigh             uint16  `json:"alpha_high"`
	AlphaSigmoidSteepness int16   `json:"alpha_sigmoid_steepness"`
	OwnerUID              *uint16 `json:"owner_uid"`

	// Recorded for reference, unused by the epoch.
	Tempo             uint64 `json:"tempo"`
	MinAllowedWeights uint64 `json:"min_allowed_weights"`
	ImmunityPeriod    uint64 `json:"immunity_period"`
	MaxAllowedUids    uint64 `json:"max_allowed_uids"`
	BondsReset        bool   `json:"bonds_reset"`
	CommitReveal      bool   `json:"commit_reveal"`
}

// Neuron is one uid's initial state; LastUpdate defaults to RegisteredAt.
type Neuron struct {
	Stake        uint64  `json:"stake"`
	RegisteredAt uint64  `json:"registered_at"`
	LastUpdate   *uint64 `json:"last_update"`
}

// Step is one scenario step; which fields apply depends on Op.
type Step struct {
	Op        string   `json:"op"`
	Block     uint64   `json:"block"`
	UID       uint16   `json:"uid"`
	UIDs      []uint16 `json:"uids"`
	Weights   []uint16 `json:"weights"`
	Stake     uint64   `json:"stake"`
	LastTempo uint64   `json:"last_tempo"`
	Emission  uint64   `json:"emission"`
	// Expect maps an output field to its expected value; Tolerance a field to the largest
	// allowed absolute difference (decimal text, exact).
	Expect           map[string]json.RawMessage `json:"expect"`
	Tolerance        map[string]json.Number     `json:"tolerance"`
	AssertedUpstream []string                   `json:"asserted_upstream"`
	Note             string                     `json:"note"`
}

// Step ops.
const (
	OpSetWeights = "set_weights"
	OpRegister   = "register"
	OpSetStake   = "set_stake"
	OpResetBonds = "reset_bonds"
	OpEpoch      = "epoch"
)

// MathCase is one unit case of a math file.
type MathCase struct {
	Fn               string                     `json:"fn"`
	Args             map[string]json.RawMessage `json:"args"`
	Expect           json.RawMessage            `json:"expect"`
	Tolerance        json.Number                `json:"tolerance"`
	Note             string                     `json:"note"`
	AssertedUpstream bool                       `json:"asserted_upstream"`
}

// Parse decodes a vector file. A missing format means scenario. Unknown fields are allowed
// (the README says extra fields are ignored). Each params object, neuron, step and case is
// decoded on its own, so a type error names where it is; a scenario is then checked by
// checkPresence (every field the format requires is there, and not null: an absent block,
// last_tempo or emission would otherwise read as 0) and Validate (what the format rules out);
// every case of a math file needs fn, args and expect.
func Parse(data []byte) (*File, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var raw struct {
		Format      string            `json:"format"`
		Name        string            `json:"name"`
		Source      string            `json:"source"`
		Description string            `json:"description"`
		Params      json.RawMessage   `json:"params"`
		Neurons     []json.RawMessage `json:"neurons"`
		Steps       []json.RawMessage `json:"steps"`
		Cases       []json.RawMessage `json:"cases"`
	}
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrFormat)
	}
	f := &File{Format: raw.Format, Name: raw.Name, Source: raw.Source, Description: raw.Description}
	if f.Format == "" {
		f.Format = FormatScenario
	}
	if f.Format != FormatScenario && f.Format != FormatMath {
		return nil, fmt.Errorf("%w: unknown format %q (want %q or %q)", ErrFormat, f.Format, FormatScenario, FormatMath)
	}
	if len(raw.Params) > 0 {
		if err := json.Unmarshal(raw.Params, &f.Params); err != nil {
			return nil, fmt.Errorf("params: %w: %v", ErrFormat, err)
		}
	}
	f.Neurons = make([]Neuron, len(raw.Neurons))
	for i, r := range raw.Neurons {
		if err := json.Unmarshal(r, &f.Neurons[i]); err != nil {
			return nil, fmt.Errorf("neuron %d: %w: %v", i, ErrFormat, err)
		}
	}
	f.Steps = make([]Step, len(raw.Steps))
	for k, r := range raw.Steps {
		if err := unmarshalNumbers(r, &f.Steps[k]); err != nil {
			return nil, fmt.Errorf("step %d: %w: %v", k, ErrFormat, err)
		}
	}
	f.Cases = make([]MathCase, len(raw.Cases))
	for k, r := range raw.Cases {
		if err := unmarshalNumbers(r, &f.Cases[k]); err != nil {
			return nil, fmt.Errorf("case %d: %w: %v", k, ErrFormat, err)
		}
	}
	if f.Format == FormatMath {
		if err := checkMathPresence(raw.Cases); err != nil {
			return nil, err
		}
		return f, nil
	}
	if err := checkPresence(raw.Params, raw.Neurons, raw.Steps, f); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

func unmarshalNumbers(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	return d.Decode(v)
}
