// Package balances owns free TAO balances and total issuance.
//
// Calls: transfer, transfer_keep_alive, transfer_all, sudo_set_balance.
// Queries: account, total issuance. Events: balances.Transfer,
// balances.Endowed, balances.DustLost, balances.BalanceSet, balances.Withdraw
// and balances.Deposit (fees).
//
// CHAIN-SPEC row "Units, supply" (reference §1): balances are u64 RAO, the
// existential deposit is 500 RAO; an account whose balance would fall
// below it after a transfer is reaped and its dust leaves total issuance.
// A transfer may not create an account with less than the existential
// deposit. Nonces live in package system and survive reaping, so a reaped
// account's old transactions cannot be replayed.
package balances
