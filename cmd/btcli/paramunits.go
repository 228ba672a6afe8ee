package main

import (
	"fmt"
	"math/big"
	"strings"
)

// paramUnit says how a parameter's stored whole number reads. The chain lists names and
// bounds (api.Hyperparameter) but not units, so btcli keeps them here, keyed by name;
// TestParamUnitsMatchChain keeps the names equal to the chain's lists.
type paramUnit struct {
	name  string // the UNIT column: "ppm", "RAO", "blocks", ...
	text  string // said in errors: "parts per million (1.0 = 1000000)"
	scale uint64 // the stored value of one whole unit of what the user means (1.0, 1 TAO); 0: none
	one   string // what scale stands for in examples: "" (a plain number) or " TAO"
}

var (
	unitBlocks = paramUnit{name: "blocks", text: "blocks"}
	unitTempos = paramUnit{name: "tempos", text: "tempos (the subnet's epoch length in blocks)"}
	unitEpochs = paramUnit{name: "epochs", text: "epochs"}
	unitCount  = paramUnit{name: "count", text: "a count"}
	unitBool   = paramUnit{name: "bool", text: "0 or 1 (true/false accepted)"}
	unitRAO    = paramUnit{name: "RAO", text: "RAO (1 TAO = 1000000000 RAO)", scale: 1_000_000_000, one: " TAO"}
	unitPPM    = paramUnit{name: "ppm", text: "parts per million (1.0 = 1000000)", scale: 1_000_000}
	unitU16    = paramUnit{name: "/65535", text: "a fraction of 65535 (1.0 = 65535)", scale: 65535}
	unitMilli  = paramUnit{name: "tempo/1000", text: "thousandths of a tempo (1 tempo = 1000)", scale: 1000}
	unitNone   = paramUnit{name: "-", text: "a plain number"}
)

// paramUnits covers every subnet hyperparameter and global parameter of the chain
// (chain/subnets hyperTable and paramTable).
var paramUnits = map[string]paramUnit{
	// Subnet hyperparameters.
	"tempo":                         unitBlocks,
	"rho":                           unitNone,
	"kappa":                         unitU16,
	"immunity_period":               unitBlocks,
	"min_allowed_weights":           unitCount,
	"max_weights_limit":             unitU16,
	"max_allowed_uids":              unitCount,
	"min_allowed_uids":              unitCount,
	"max_allowed_validators":        unitCount,
	"activity_cutoff_factor_milli":  unitMilli,
	"weights_set_rate_limit":        unitBlocks,
	"weights_version_key":           unitNone,
	"max_registrations_per_block":   unitCount,
	"network_registration_allowed":  unitBool,
	"min_burn":                      unitRAO,
	"max_burn":                      unitRAO,
	"burn_half_life":                unitBlocks,
	"burn_increase_mult":            unitPPM,
	"bonds_moving_average":          unitPPM,
	"bonds_penalty":                 unitU16,
	"bonds_reset_enabled":           unitBool,
	"serving_rate_limit":            unitBlocks,
	"commit_reveal_weights_enabled": unitBool,
	"commit_reveal_period":          unitEpochs,
	"liquid_alpha_enabled":          unitBool,
	"alpha_low":                     unitU16,
	"alpha_high":                    unitU16,
	"alpha_sigmoid_steepness":       unitNone,
	"yuma3_enabled":                 unitBool,
	"owner_immune_neuron_limit":     unitCount,
	"min_non_immune_uids":           unitCount,
	"transfer_enabled":              unitBool,
	"stake_threshold":               unitRAO,
	// Global parameters.
	"subnet_limit":            unitCount,
	"network_min_lock_cost":   unitRAO,
	"lock_reduction_interval": unitBlocks,
	"network_rate_limit":      unitBlocks,
	"network_immunity_period": unitBlocks,
	"start_call_delay":        unitBlocks,
	"subnet_owner_cut":        unitU16,
	"owner_hparam_rate_limit": unitTempos,
	"commitment_rate_limit":   unitBlocks,
	"admin_freeze_window":     unitBlocks,
	"min_owner_tempo":         unitBlocks,
	"tempo_rate_limit":        unitBlocks,
}

// unitOf returns the unit of parameter name; a name the table lacks (a newer chain) reads
// as a plain number.
func unitOf(name string) paramUnit {
	if u, ok := paramUnits[name]; ok {
		return u
	}
	return unitNone
}

// unitNames maps each of names to its unit column, for JSON output.
func unitNames(names []string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = unitOf(n).name
	}
	return out
}

// notWholeHint explains a --value that is a number but not a whole one: the unit the
// chain stores, and for a scaled unit the value to give instead (1.5 -> 1500000 in ppm).
func notWholeHint(s, param string) (string, bool) {
	r, ok := new(big.Rat).SetString(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
	if !ok || r.IsInt() {
		return "", false
	}
	u := unitOf(param)
	msg := fmt.Sprintf("--value %q for %s must be a whole number: %s is stored in %s", s, param, param, u.text)
	if u.scale == 0 || r.Sign() < 0 {
		return msg, true
	}
	conv := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).SetUint64(u.scale)))
	// Round half up to a whole number.
	q := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(conv.Num(), big.NewInt(2)), conv.Denom()), new(big.Int).Mul(conv.Denom(), big.NewInt(2)))
	about := ""
	if !conv.IsInt() {
		about = "about "
	}
	return fmt.Sprintf("%s, so %s%s is %s--value %s", msg, strings.TrimSpace(s), u.one, about, q.String()), true
}
