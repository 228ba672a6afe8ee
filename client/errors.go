package client

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gotensor/gotensor/chain/errs"
)

// ChainError is a failure reported by the chain for a transaction or query.
type ChainError struct {
	Codespace string
	Code      uint32
	// Name is subtensor's error name, e.g. "InsufficientBalance".
	Name string
	// Log is the chain's full message, with the facts and what to do.
	Log string
	// TxHash is set for transaction failures.
	TxHash string
	// Height is set when the transaction failed inside a block.
	Height int64
}

func (e *ChainError) Error() string {
	if e.Height > 0 {
		return fmt.Sprintf("transaction failed in block %d: %s", e.Height, e.Log)
	}
	return e.Log
}

// Is matches a chain sentinel (*errs.Error) by codespace and code.
func (e *ChainError) Is(target error) bool {
	var t *errs.Error
	if errors.As(target, &t) {
		return t.Codespace == e.Codespace && t.Code == e.Code
	}
	return false
}

func chainError(codespace string, code uint32, log string) *ChainError {
	// The chain prefixes a failed call's log with the call's name
	// ("set_weights: NeuronNoValidatorPermit (...)"): skip it.
	name := log
	if call, rest, ok := strings.Cut(name, ": "); ok && !strings.ContainsAny(call, " (") && strings.ToLower(call) == call {
		name = rest
	}
	if i := strings.IndexAny(name, " :("); i > 0 {
		name = name[:i]
	}
	if e, ok := errs.Lookup(codespace, code); ok {
		name = e.Name
	}
	return &ChainError{Codespace: codespace, Code: code, Name: name, Log: log}
}

// ErrUnreachable is returned when no endpoint answered.
var ErrUnreachable = errors.New("node unreachable")

// ErrNotIncluded is returned when a transaction was accepted by the
// mempool but no block included it before its valid_until height.
var ErrNotIncluded = errors.New("transaction not included before it expired")

// ParseChainError builds a ChainError from a result's codespace, code and
// log, as the client does for every failure.
func ParseChainError(codespace string, code uint32, log string) *ChainError {
	return chainError(codespace, code, log)
}
