package balances

import "github.com/gotensor/gotensor/chain/errs"

const codespace = "balances"

// Errors, with subtensor's (pallet-balances') names.
var (
	ErrInsufficientBalance = errs.Register(codespace, 1, "InsufficientBalance", "the free balance is too low; transfer less or fund the account")
	ErrExistentialDeposit  = errs.Register(codespace, 2, "ExistentialDeposit", "a new account must receive at least the existential deposit (500 RAO)")
	ErrExpendability       = errs.Register(codespace, 3, "Expendability", "the transfer would leave the sender below the existential deposit; send less, or use transfer (allow death)")
	ErrOverflow            = errs.Register(codespace, 4, "Overflow", "the amount would overflow u64 RAO; use a smaller amount")
	ErrTransferToSelf      = errs.Register(codespace, 5, "TransferToSelf", "sender and destination are the same account")
	ErrInvalidDestination  = errs.Register(codespace, 6, "InvalidDestination", "give the destination as an SS58 address with prefix 42")
	ErrZeroAmount          = errs.Register(codespace, 7, "ZeroAmount", "the amount must be greater than zero")
	ErrIssuanceCapExceeded = errs.Register(codespace, 8, "IssuanceCapExceeded", "total issuance may not exceed 21,000,000 TAO")
)
