// Package yumascenario runs the reference vector files of vectors/yuma (format described in
// vectors/README.md) against chain/yuma: it parses a scenario or math file, simulates the
// subnet state a scenario's steps build (set_weights, register, set_stake, reset_bonds,
// epoch), returns every epoch's outputs, and checks them against a step's expect fields with
// their tolerances. cmd/yuma and the tests use it; the chain does not.
//
// Expectations are compared in exact rational arithmetic (math/big), so the proportion
// fields (dividends_prop, bonds_prop) need no floats either.
package yumascenario
