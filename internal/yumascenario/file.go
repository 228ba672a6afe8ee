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
// (the README says extra fields are ignored).
func Parse(data []byte) (*File, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var f File
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrFormat)
	}
	if f.Format == "" {
		f.Format = FormatScenario
	}
	if f.Format != FormatScenario && f.Format != FormatMath {
		return nil, fmt.Errorf("%w: unknown format %q (want %q or %q)", ErrFormat, f.Format, FormatScenario, FormatMath)
	}
	return &f, nil
}
