// Package node runs a Gotensor node: CometBFT in-process with the chain's
// ABCI application, the REST facade and Prometheus metrics. It also lays
// out node homes (init, testnet) and exports state as a genesis.
//
// A node home is CometBFT's layout plus the application state:
//
//	config/config.toml            CometBFT configuration
//	config/genesis.json           chain id, validators, app_state
//	config/node_key.json          p2p identity
//	config/priv_validator_key.json consensus key
//	data/                         CometBFT block store and state
//	data/state.db                 application state (IAVL on LevelDB)
package node
