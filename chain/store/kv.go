package store

import "errors"

// ErrStorage marks a panic raised because the database failed underneath
// the state machine. It is never returned to a transaction.
var ErrStorage = errors.New("store: database failure")

// Reader reads state.
type Reader interface {
	// Get returns the value for key, or nil when absent.
	Get(key []byte) []byte
	// Iterate calls fn for each key in [start, end) in ascending order
	// until fn returns false. A nil end means no upper bound.
	Iterate(start, end []byte, fn func(key, value []byte) bool)
}

// KV reads and writes state.
type KV interface {
	Reader
	// Set stores value under key. Neither may be nil; value may be empty.
	Set(key, value []byte)
	// Delete removes key; deleting an absent key is a no-op.
	Delete(key []byte)
}

// PrefixEnd returns the smallest key greater than every key with the
// given prefix, or nil when none exists (prefix all 0xff).
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
