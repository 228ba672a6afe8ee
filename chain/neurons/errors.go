package neurons

import "github.com/gotensor/gotensor/chain/errs"

const codespace = "neurons"

// Errors, with subtensor's names.
var (
	ErrHotKeyNotRegisteredInNetwork = errs.Register(codespace, 1, "HotKeyNotRegisteredInNetwork", "register the hotkey on this subnet first (`btcli subnets register`)")
	ErrInvalidIpType                = errs.Register(codespace, 2, "InvalidIpType", "ip_type must be 4 or 6 and match the address length")
	ErrInvalidIpAddress             = errs.Register(codespace, 3, "InvalidIpAddress", "use a routable address: not broadcast, not loopback")
	ErrServingRateLimitExceeded     = errs.Register(codespace, 4, "ServingRateLimitExceeded", "endpoints may change once per serving_rate_limit blocks; wait for the block named")
	ErrInvalidPort                  = errs.Register(codespace, 5, "InvalidPort", "port must be 1..65535")
	ErrNoNeuronIdAvailable          = errs.Register(codespace, 6, "NoNeuronIdAvailable", "the subnet is full and every uid is immune or immortal; try again after immunity ends")
	ErrHotKeyAlreadyRegistered      = errs.Register(codespace, 7, "HotKeyAlreadyRegisteredInSubNet", "this hotkey already has a uid on the subnet")
	ErrNonAssociatedColdKey         = errs.Register(codespace, 8, "NonAssociatedColdKey", "the hotkey belongs to another coldkey; use a hotkey of this coldkey or a new one")
	ErrCommitmentTooLarge           = errs.Register(codespace, 9, "CommitmentTooLarge", "a commitment holds at most 1024 bytes")
	ErrCommitmentRateLimited        = errs.Register(codespace, 10, "CommitmentSetRateLimitExceeded", "commitments may change once per commitment_rate_limit blocks; wait for the block named")
	ErrInvalidVersion               = errs.Register(codespace, 11, "InvalidVersion", "protocol must fit a u8")
)

// MaxCommitment is the largest commitment in bytes.
const MaxCommitment = 1024
