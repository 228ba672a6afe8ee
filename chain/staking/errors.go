package staking

import "github.com/gotensor/gotensor/chain/errs"

const codespace = "staking"

// Errors, with subtensor's names.
var (
	ErrSubtokenDisabled                 = errs.Register(codespace, 1, "SubtokenDisabled", "the subnet has not been started; its owner must call start_call")
	ErrAmountTooLow                     = errs.Register(codespace, 2, "AmountTooLow", "stake at least the minimum (0.002 TAO, plus the swap fee)")
	ErrNotEnoughBalanceToStake          = errs.Register(codespace, 3, "NotEnoughBalanceToStake", "the coldkey's free balance is below the amount")
	ErrHotKeyAccountNotExists           = errs.Register(codespace, 4, "HotKeyAccountNotExists", "the hotkey has never been registered; register it on a subnet first")
	ErrNotEnoughStakeToWithdraw         = errs.Register(codespace, 5, "NotEnoughStakeToWithdraw", "the coldkey holds less stake on that hotkey and subnet; see `btcli stake list`")
	ErrSameNetuid                       = errs.Register(codespace, 6, "SameNetuid", "origin and destination are the same position")
	ErrTransferDisallowed               = errs.Register(codespace, 7, "TransferDisallowed", "stake transfers are turned off on one of the subnets")
	ErrNonAssociatedColdKey             = errs.Register(codespace, 8, "NonAssociatedColdKey", "only the hotkey's owner coldkey may do this")
	ErrDelegateTakeTooLow               = errs.Register(codespace, 9, "DelegateTakeTooLow", "the new take must be below the current one (decrease) and at least the minimum")
	ErrDelegateTakeTooHigh              = errs.Register(codespace, 10, "DelegateTakeTooHigh", "the take may not exceed the maximum (18%)")
	ErrDelegateTxRateLimit              = errs.Register(codespace, 11, "DelegateTxRateLimitExceeded", "the take may rise once per rate-limit period; wait for the block named")
	ErrStakeTooLowForRoot               = errs.Register(codespace, 12, "StakeTooLowForRoot", "the root network is full; the hotkey needs more root stake than its lowest member")
	ErrAlreadyRegistered                = errs.Register(codespace, 13, "HotKeyAlreadyRegisteredInSubNet", "the hotkey is already on the root network")
	ErrInvalidHotkey                    = errs.Register(codespace, 14, "InvalidHotkey", "give the hotkey as an SS58 address with prefix 42")
	ErrTooManyRegistrationsThisBlock    = errs.Register(codespace, 15, "TooManyRegistrationsThisBlock", "the root network took its registrations for this block; try next block")
	ErrTooManyRegistrationsThisInterval = errs.Register(codespace, 16, "TooManyRegistrationsThisInterval", "the root network took three times its target registrations this interval (root tempo blocks); try again at the block named")
)
