package system

import "github.com/gotensor/gotensor/chain/errs"

// ErrNotSudo is returned for a sudo call by another key, or after sudo was retired.
var ErrNotSudo = errs.BadOrigin
