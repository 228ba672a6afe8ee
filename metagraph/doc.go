// Package metagraph keeps a subnet's metagraph in memory for miners and
// validators: every column of SDK-SPEC's Metagraph, fetched from the node
// in one query, refreshed only when the chain moved, saved and loaded as a
// file, with the views neurons use (top validators, top miners, axons).
//
// A *Metagraph is safe for concurrent use and implements axon.Registry, so
// an axon can admit callers by their registration, stake and permit. Stake
// there is total stake as the chain's epoch counts it: alpha on the subnet
// plus TaoWeight (the chain's, carried by the same query) times TAO staked
// on root.
//
//	c, _ := client.Dial(ctx, client.Config{})
//	m := metagraph.New(c, 1, metagraph.Lite)
//	if _, err := m.Sync(ctx); err != nil { ... }
//	for _, uid := range m.TopMiners(10) { ... m.Axon(uid) ... }
//
// Watch keeps it at the head with one query per new block:
//
//	go m.Watch(ctx, c.SubscribeBlocks(ctx), func(err error) { ... })
package metagraph
