// Package subnets owns subnets as a whole: their existence, owner, lock,
// start, identity, hyperparameters, the global network parameters, and the
// per-subnet registration price (burn).
//
// Calls: register_network (with identity), start_call, set_subnet_identity,
// set_identity, set_hyperparameter (owner or sudo), sudo_set_parameter,
// sudo_dissolve_network. Queries: subnets list and info, hyperparameters,
// identities, lock cost, burn price. Events: subnets.NetworkAdded,
// subnets.NetworkRemoved, subnets.StartCalled, subnets.IdentitySet,
// subnets.HyperparameterSet, subnets.ParameterSet.
//
// CHAIN-SPEC rows "register_network ..." (reference §3.1: lock cost doubling
// and linear decay, minimum lock, rate limit, subnet limit with pruning of
// the lowest-EMA-price non-immune subnet, netuid reuse) and "Neuron
// registration" for the burn price (§4.1: per-block decay by half-life,
// ×1.26 per registration, clamped to [min_burn, max_burn]); hyperparameters
// and their bounds from §14 and §16. Neurons live in package neurons, pool
// reserves in package pools.
package subnets
