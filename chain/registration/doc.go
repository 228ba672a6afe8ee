// Package registration creates subnets and neurons: register_network,
// burned_register, register_limit and sudo_dissolve_network. It spans
// several modules (balances pays, pools hold the lock and the burn, subnets
// and neurons record the result), so it owns no state of its own.
//
// CHAIN-SPEC rows "register_network ..." (reference §3.1) and "Neuron
// registration" (§4.1 HEAD plus legacy MaxRegistrationsPerBlock).
package registration
