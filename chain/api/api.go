// Package api holds the JSON views the chain's ABCI queries return and the
// query paths, so clients can decode them without linking the state
// machine. Amounts are decimal strings of RAO: no client loses precision
// above 2^53.
package api

// Query paths.
const (
	PathParams   = "/params"   // → Params
	PathAccount  = "/account/" // + address → Account
	PathAccounts = "/accounts" // ?after=address&limit=n → Accounts
	PathGenesis  = "/genesis"  // → the state as genesis app_state
)

// Query result codes (codespace "query").
const (
	QueryCodeNotFound   = 1
	QueryCodeBadRequest = 2
	QueryCodeGone       = 3
)

// TxParams are the fee and mortality parameters.
type TxParams struct {
	FeeBase         uint64 `json:"fee_base,string"`
	FeePerByte      uint64 `json:"fee_per_byte,string"`
	MaxValidity     uint64 `json:"max_validity,string"`
	DefaultValidity uint64 `json:"default_validity,string"`
}

// Params is the chain's parameters and supply.
type Params struct {
	ChainID            string   `json:"chain_id"`
	Profile            string   `json:"profile"`
	Height             int64    `json:"height"`
	System             TxParams `json:"system"`
	Sudo               string   `json:"sudo,omitempty"`
	ExistentialDeposit uint64   `json:"existential_deposit,string"`
	TotalIssuance      uint64   `json:"total_issuance,string"`
	MaxSupply          uint64   `json:"max_supply,string"`
	Accounts           uint64   `json:"accounts,string"`
}

// Account is one account.
type Account struct {
	Address string `json:"address"`
	Free    uint64 `json:"free,string"`
	Nonce   uint64 `json:"nonce,string"`
}

// Accounts is a page of accounts with a balance.
type Accounts struct {
	Accounts []Account `json:"accounts"`
	Next     string    `json:"next,omitempty"`
}
