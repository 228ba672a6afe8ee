package system

import (
	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/keys"
)

// Module is this module's first key byte (see chain/app's table).
const Module byte = 0x01

// Collections. Retired bytes are never reused.
const (
	colNonce      byte = 0x01 // account → u64 next nonce
	colParams     byte = 0x02 // → JSON Params
	colSudo       byte = 0x03 // → 32-byte sudo key (absent: retired)
	colValidators byte = 0x04 // consensus address → 32-byte reward account
	colProfile    byte = 0x05 // → profile name
)

func nonceKey(who keys.PublicKey) []byte { return codec.Key(Module, colNonce, who[:]) }
func validatorKey(addr []byte) []byte    { return codec.Key(Module, colValidators, addr) }

var (
	paramsKey       = codec.Key(Module, colParams)
	sudoKey         = codec.Key(Module, colSudo)
	profileKey      = codec.Key(Module, colProfile)
	noncePrefix     = codec.Key(Module, colNonce)
	validatorPrefix = codec.Key(Module, colValidators)
)
