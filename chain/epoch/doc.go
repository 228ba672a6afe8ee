// Package epoch owns what validators tell the chain and what Yuma
// Consensus makes of it: weight rows, bond rows, last-update blocks,
// hash commits, each uid's last epoch results, and the per-subnet epoch
// schedule.
//
// Calls: set_weights, commit_weights, reveal_weights. The epoch itself is
// the pure chain/yuma.Epoch; Run loads its inputs from state, calls it and
// stores the outputs (STYLE §2: read, compute, write); package coinbase
// decides when and pays what it returns. Queries: metagraph, weights,
// bonds, pending commits. Events: epoch.WeightsSet, epoch.WeightsCommitted,
// epoch.WeightsRevealed, epoch.EpochRun, epoch.EpochDeferred.
//
// CHAIN-SPEC rows "set_weights and its checks" (reference §6.1),
// "Commit-reveal" (§6.2 hash commits, reveal window by epochs), "Yuma
// Consensus epoch" (§9, with rank and trust kept for the metagraph),
// "Epoch scheduling" (§10 HEAD: LastEpochBlock, PendingEpochAt,
// SubnetEpochIndex, MaxEpochsPerBlock with deferral, new subnets
// staggered) and "Validator permits, activity" (§8).
package epoch
