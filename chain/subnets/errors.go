package subnets

import "github.com/gotensor/gotensor/chain/errs"

const codespace = "subnets"

// Errors, with subtensor's names.
var (
	ErrSubnetNotExists                = errs.Register(codespace, 1, "SubnetNotExists", "check the netuid with `btcli subnets list`")
	ErrNonAssociatedColdKey           = errs.Register(codespace, 2, "NonAssociatedColdKey", "the hotkey belongs to another coldkey; use a hotkey of this coldkey or a new one")
	ErrSubNetRegistrationDisabled     = errs.Register(codespace, 3, "SubNetRegistrationDisabled", "registration is turned off on this subnet")
	ErrNetworkTxRateLimitExceeded     = errs.Register(codespace, 4, "NetworkTxRateLimitExceeded", "subnets are created at most once per network_rate_limit blocks; wait for the block named")
	ErrSubnetLimitReached             = errs.Register(codespace, 5, "SubnetLimitReached", "every subnet is still immune from pruning; wait until one's immunity ends")
	ErrCannotAffordLockCost           = errs.Register(codespace, 6, "CannotAffordLockCost", "the free balance is below the lock cost; see `btcli subnets lock-cost`")
	ErrInvalidIdentity                = errs.Register(codespace, 7, "InvalidIdentity", "an identity field is longer than its limit")
	ErrNotOwner                       = errs.Register(codespace, 8, "NotSubnetOwner", "only the subnet owner's coldkey (or sudo) may do this")
	ErrFirstEmissionAlreadySet        = errs.Register(codespace, 9, "FirstEmissionBlockNumberAlreadySet", "the subnet was already started")
	ErrStartCallTooEarly              = errs.Register(codespace, 10, "NeedWaitingMoreBlocksToStarCall", "start_call is allowed start_call_delay blocks after registration; wait for the block named")
	ErrUnknownParameter               = errs.Register(codespace, 11, "InvalidValue", "unknown parameter name; see `btcli sudo get` for the list")
	ErrValueNotInBounds               = errs.Register(codespace, 12, "ValueNotInBounds", "the value is outside the parameter's bounds")
	ErrOwnerRateLimited               = errs.Register(codespace, 13, "TxRateLimitExceeded", "the owner may change this hyperparameter once per owner_hparam_rate_limit tempos; wait for the block named")
	ErrNotPermittedOnRoot             = errs.Register(codespace, 14, "NotPermittedOnRootSubnet", "netuid 0 is the root network; use a subnet netuid")
	ErrSudoOnly                       = errs.Register(codespace, 15, "BadOrigin", "only sudo may set this parameter")
	ErrMaxValidatorsLargerThanMaxUids = errs.Register(codespace, 16, "MaxValidatorsLargerThanMaxUIds", "max_allowed_validators must not exceed max_allowed_uids")
	ErrMaxUidsLessThanCurrent         = errs.Register(codespace, 17, "MaxAllowedUIdsLessThanCurrentUIds", "the subnet already has more neurons than that")
	ErrAlphaLowHigh                   = errs.Register(codespace, 18, "AlphaLowOutOfRange", "alpha_low must be ≥ 1638 and ≤ alpha_high")
	ErrInvalidHotkey                  = errs.Register(codespace, 19, "InvalidHotkey", "give the hotkey as an SS58 address with prefix 42")
	ErrCannotUseSystemAccount         = errs.Register(codespace, 20, "CannotUseSystemAccount", "a subnet's own account cannot be a hotkey")
	ErrMaxUidsLessThanMinUids         = errs.Register(codespace, 21, "MaxAllowedUidsLessThanMinAllowedUids", "max_allowed_uids may not go below min_allowed_uids; sudo lowers min_allowed_uids first")
	ErrLiquidAlphaDisabled            = errs.Register(codespace, 22, "LiquidAlphaDisabled", "alpha_low and alpha_high can be set only while liquid alpha is on; set liquid_alpha_enabled to true first")
	ErrAdminFreezeWindow              = errs.Register(codespace, 23, "AdminActionProhibitedDuringWeightsWindow", "owner changes are frozen from admin_freeze_window blocks before the subnet's epoch (and while a triggered epoch is pending) until it runs; retry from the block named")
)
