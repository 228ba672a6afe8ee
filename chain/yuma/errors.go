package yuma

import "errors"

// Errors Inputs.Validate (and so Epoch) returns, wrapped with the facts; match them with
// errors.Is.
var (
	// ErrTooManyNeurons: N is negative or above MaxNeurons.
	ErrTooManyNeurons = errors.New("yuma: neuron count out of range")
	// ErrLength: a per-uid slice does not have N entries.
	ErrLength = errors.New("yuma: per-uid slice length differs from n")
	// ErrUIDOutOfRange: a weight or bond entry, or the owner, names a uid ≥ N. The loader must
	// drop entries for uids that no longer exist, as subtensor does when it reads them.
	ErrUIDOutOfRange = errors.New("yuma: uid out of range")
	// ErrDuplicateUID: a weight or bond row names the same uid twice.
	ErrDuplicateUID = errors.New("yuma: duplicate uid in row")
	// ErrStakeOverflow: the stakes sum past 2^63 − 1, beyond subtensor's I64F64.
	ErrStakeOverflow = errors.New("yuma: total stake overflows")
	// ErrParam: a hyperparameter is outside the range the epoch is defined for.
	ErrParam = errors.New("yuma: hyperparameter out of range")
)
