package wallet

import "errors"

// Errors of this package. Match them with errors.Is; the wrapped error says which file and
// what to do.
var (
	// ErrWrongPassword: the password does not decrypt the keyfile (or the ciphertext was
	// altered, which cannot be told apart).
	ErrWrongPassword = errors.New("wallet: wrong password")
	// ErrNoPassword: the keyfile is encrypted and no password source gave a password (for
	// example --no-prompt without --password-file).
	ErrNoPassword = errors.New("wallet: no password available")
	// ErrWeakPassword: a new password fails the policy (at least 6 characters, not trivial).
	ErrWeakPassword = errors.New("wallet: password too weak")
	// ErrKeyfileNotFound: the keyfile does not exist.
	ErrKeyfileNotFound = errors.New("wallet: keyfile not found")
	// ErrKeyfileCorrupt: the keyfile cannot be parsed, is truncated, or its fields disagree.
	ErrKeyfileCorrupt = errors.New("wallet: keyfile is corrupt")
	// ErrKeyfileExists: writing would replace an existing keyfile and overwrite was not asked.
	ErrKeyfileExists = errors.New("wallet: keyfile already exists")
	// ErrPublicOnly: the keyfile holds only a public key, and a secret was needed.
	ErrPublicOnly = errors.New("wallet: keyfile holds no secret key")
	// ErrBadName: a wallet or hotkey name is empty or not a plain file name.
	ErrBadName = errors.New("wallet: invalid name")
	// ErrUnsupportedFormat: an encrypted keyfile format this package cannot read.
	ErrUnsupportedFormat = errors.New("wallet: unsupported keyfile format")
)
