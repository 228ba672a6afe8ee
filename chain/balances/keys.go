package balances

import (
	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/keys"
)

// Module is this module's first key byte (see chain/app's table).
const Module byte = 0x02

// Collections. Retired bytes are never reused.
const (
	colFree        byte = 0x01 // account → u64 free balance
	colIssuance    byte = 0x02 // → u64 total issuance
	colAccountsNum byte = 0x03 // → u64 number of accounts with a balance
)

func freeKey(who keys.PublicKey) []byte { return codec.Key(Module, colFree, who[:]) }

var (
	issuanceKey    = codec.Key(Module, colIssuance)
	accountsNumKey = codec.Key(Module, colAccountsNum)
	freePrefix     = codec.Key(Module, colFree)
)
