package registration

import "github.com/gotensor/gotensor/chain/errs"

const codespace = "registration"

// Errors, with subtensor's names.
var (
	ErrRegistrationNotPermittedOnRootSubnet = errs.Register(codespace, 1, "RegistrationNotPermittedOnRootSubnet", "register on a subnet netuid; the root network uses root_register")
	ErrNotEnoughBalanceToStake              = errs.Register(codespace, 2, "NotEnoughBalanceToStake", "the coldkey's free balance is below the burn price; fund it or wait for the price to decay")
	ErrRegistrationPriceLimitExceeded       = errs.Register(codespace, 3, "RegistrationPriceLimitExceeded", "the burn price is above your limit; raise the limit or wait for the price to decay")
	ErrTooManyRegistrationsThisBlock        = errs.Register(codespace, 4, "TooManyRegistrationsThisBlock", "the subnet took its max_registrations_per_block; try again next block")
)
