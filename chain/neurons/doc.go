// Package neurons owns the members of subnets: uid ↔ hotkey, registration
// blocks, axon and prometheus endpoints, commitments, per-uid epoch
// results, and which coldkey owns each hotkey.
//
// Calls: serve_axon, serve_prometheus, set_commitment. Registration itself
// (burned_register, register_limit) is in package registration, which
// appends or replaces neurons through Append and Replace here.
// Queries: neurons (lite and full) and one neuron, commitments.
// Events: neurons.AxonServed, neurons.PrometheusServed,
// neurons.CommitmentSet, neurons.NeuronRegistered.
//
// CHAIN-SPEC rows "UID assignment, replacement, immunity" (reference §4.3:
// append while below max_allowed_uids, else replace the HEAD pruning
// choice; the owner hotkey is immortal; replacement clears exactly what
// §4.3 lists), "serve_axon / serve_prometheus" (§5) and "Commitments".
package neurons
