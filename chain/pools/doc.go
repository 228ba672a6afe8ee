// Package pools keeps each subnet's AMM reserves: TAO in the pool
// (SubnetTAO), alpha in the pool (SubnetAlphaIn) and alpha outstanding as
// stake (SubnetAlphaOut). The swap arithmetic is in package swap; this
// package stores its results and seeds new pools.
//
// CHAIN-SPEC row "Pools (dTAO AMM)": constant product, price = TAO/alpha;
// a new pool is seeded with the owner's lock and alpha at the median price
// of the existing subnets (1.0 when there are none), reference §3.1.
package pools
