// Package app is the ABCI application: it owns the state tree and its
// branches, checks transactions for the mempool, executes blocks and routes
// each call to its module.
//
// Module key bytes (the first byte of every state key):
//
//	0x01 system    nonces, params, sudo, validator reward accounts
//	0x02 balances  free balances, total issuance
//	0x03 subnets   subnets, hyperparameters, identities, lock and burn prices
//	0x04 neurons   uids, hotkey owners, axons, commitments
//	0x05 pools     subnet pool reserves
//	0x06 staking   share pools, stake shares, delegate takes
//	0x07 epoch     weights, bonds, commits, epoch results, schedules
//	0x08 coinbase  pending emission, emission parameters
//	0x09 governance proposals, votes, deposits, safe mode, upgrade plan
//
// Retired bytes are never reused.
//
// Execution of a block: a cache branch over the IAVL working tree; each
// transaction runs in its own branch over it, after its fee and nonce are
// taken in the block branch, so a failed call changes nothing but those.
// The block branch is written into the tree in key order at the end of
// FinalizeBlock (the app hash is the tree's working hash) and saved as a
// new version in Commit.
package app
