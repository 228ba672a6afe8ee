package epoch

import "github.com/gotensor/gotensor/chain/errs"

const codespace = "epoch"

// Errors, with subtensor's names (§17).
var (
	ErrCommitRevealEnabled          = errs.Register(codespace, 1, "CommitRevealEnabled", "this subnet uses commit-reveal: use commit_weights, then reveal_weights")
	ErrCanNotSetRootNetworkWeights  = errs.Register(codespace, 2, "CanNotSetRootNetworkWeights", "weights are set on subnets, not on the root network")
	ErrWeightVecNotEqualSize        = errs.Register(codespace, 3, "WeightVecNotEqualSize", "give one weight per uid")
	ErrUidsLengthExceedUids         = errs.Register(codespace, 4, "UidsLengthExceedUidsInSubNet", "more uids than the subnet has")
	ErrHotKeyNotRegisteredInSubNet  = errs.Register(codespace, 5, "HotKeyNotRegisteredInSubNet", "register the hotkey on this subnet first")
	ErrNotEnoughStakeToSetWeights   = errs.Register(codespace, 6, "NotEnoughStakeToSetWeights", "the hotkey's stake weight is below stake_threshold; stake more")
	ErrIncorrectWeightVersionKey    = errs.Register(codespace, 7, "IncorrectWeightVersionKey", "upgrade your validator: the subnet requires a newer weights_version_key")
	ErrSettingWeightsTooFast        = errs.Register(codespace, 8, "SettingWeightsTooFast", "weights may be set once per weights_set_rate_limit blocks; wait for the block named")
	ErrNeuronNoValidatorPermit      = errs.Register(codespace, 9, "NeuronNoValidatorPermit", "only uids with a validator permit may weight others; stake more to get one")
	ErrDuplicateUids                = errs.Register(codespace, 10, "DuplicateUids", "each uid may appear once")
	ErrUidVecContainInvalidOne      = errs.Register(codespace, 11, "UidVecContainInvalidOne", "a uid is not registered on the subnet")
	ErrWeightVecLengthIsLow         = errs.Register(codespace, 12, "WeightVecLengthIsLow", "weight at least min_allowed_weights uids")
	ErrMaxWeightExceeded            = errs.Register(codespace, 13, "MaxWeightExceeded", "no single weight may exceed max_weights_limit of the total")
	ErrCommitRevealDisabled         = errs.Register(codespace, 14, "CommitRevealDisabled", "this subnet takes weights directly: use set_weights")
	ErrCommittingWeightsTooFast     = errs.Register(codespace, 15, "CommittingWeightsTooFast", "commits are rate-limited like weights; wait for the block named")
	ErrTooManyUnrevealedCommits     = errs.Register(codespace, 16, "TooManyUnrevealedCommits", "reveal or let expire some of your 10 pending commits first")
	ErrNoWeightsCommitFound         = errs.Register(codespace, 17, "NoWeightsCommitFound", "commit weights before revealing them")
	ErrExpiredWeightCommit          = errs.Register(codespace, 18, "ExpiredWeightCommit", "the reveal window of that commit has passed; commit again")
	ErrRevealTooEarly               = errs.Register(codespace, 19, "RevealTooEarly", "reveal in the epoch the commit's reveal period ends; wait for the epoch named")
	ErrInvalidRevealCommitHash      = errs.Register(codespace, 20, "InvalidRevealCommitHashNotMatch", "the revealed uids, values, salt and version key do not match any commit")
	ErrSubnetNotExists              = errs.Register(codespace, 21, "SubnetNotExists", "check the netuid")
	ErrInvalidCommitHash            = errs.Register(codespace, 22, "InvalidCommitHash", "a commit is a 32-byte BLAKE2b-256 hash")
	ErrInputLengthsUnequal          = errs.Register(codespace, 23, "InputLengthsUnequal", "give one entry per item in every list of the batch")
	ErrBatchTooLarge                = errs.Register(codespace, 24, "BatchTooLarge", "split the batch: at most 128 items a call")
	ErrTempoOutOfBounds             = errs.Register(codespace, 25, "TempoOutOfBounds", "the owner's tempo must lie between min_owner_tempo and 50400 blocks")
	ErrTempoRateLimited             = errs.Register(codespace, 26, "TxRateLimitExceeded", "the owner may change the tempo once per tempo_rate_limit blocks; wait for the block named")
	ErrTriggerBlockedByCommitReveal = errs.Register(codespace, 27, "DynamicTempoBlockedByCommitReveal", "trigger_epoch needs commit-reveal off (commit_reveal_weights_enabled false): reveal windows count epochs")
	ErrEpochTriggerAlreadyPending   = errs.Register(codespace, 28, "EpochTriggerAlreadyPending", "an epoch is already scheduled for the block named; wait for it to run")
	ErrAutoEpochAlreadyImminent     = errs.Register(codespace, 29, "AutoEpochAlreadyImminent", "the automatic epoch runs within admin_freeze_window blocks anyway; wait for it")
)

// MaxBatchItems bounds a batch call's items.
const MaxBatchItems = 128

// MaxUnrevealedCommits bounds a hotkey's pending commits (§6.2).
const MaxUnrevealedCommits = 10
