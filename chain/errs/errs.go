// Package errs gives chain errors a stable code and subtensor's name.
//
// Each module declares its sentinels with Register in its errors.go; a
// call wraps one with the facts and the way out:
//
//	fmt.Errorf("%w: next allowed at block %d", ErrSettingWeightsTooFast, next)
//
// The application reports Codespace and Code in the transaction result, so
// clients map failures back to the same sentinel without parsing text.
package errs

import (
	"errors"
	"fmt"
)

// Error is a registered chain error.
type Error struct {
	Codespace string // module name, e.g. "balances"
	Code      uint32 // stable within the codespace; never reused
	Name      string // subtensor's name, e.g. "NotEnoughBalanceToStake"
	Hint      string // what the user can do about it
}

func (e *Error) Error() string {
	if e.Hint == "" {
		return e.Name
	}
	return e.Name + " (" + e.Hint + ")"
}

// Is matches errors with the same codespace and code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Codespace == e.Codespace && t.Code == e.Code
}

var registry = map[string]*Error{}

// Register declares an error. Registering a codespace/code twice panics at
// program start, so clashes never reach a running chain.
func Register(codespace string, code uint32, name, hint string) *Error {
	if code == 0 {
		panic("errs: code 0 means success")
	}
	k := fmt.Sprintf("%s/%d", codespace, code)
	if prev, ok := registry[k]; ok {
		panic(fmt.Sprintf("errs: %s registered twice (%s, %s)", k, prev.Name, name))
	}
	e := &Error{Codespace: codespace, Code: code, Name: name, Hint: hint}
	registry[k] = e
	return e
}

// Lookup returns the registered error for a result code, if any.
func Lookup(codespace string, code uint32) (*Error, bool) {
	e, ok := registry[fmt.Sprintf("%s/%d", codespace, code)]
	return e, ok
}

// Codes returns the codespace and code of err; an unregistered error is
// reported as the "internal" codespace, code 1.
func Codes(err error) (codespace string, code uint32) {
	var e *Error
	if errors.As(err, &e) {
		return e.Codespace, e.Code
	}
	return Internal.Codespace, Internal.Code
}

// Errors every module may return.
var (
	Internal  = Register("internal", 1, "Internal", "a bug in the node; report it with the transaction hash")
	BadOrigin = Register("system", 1, "BadOrigin", "the signer may not make this call")
)
