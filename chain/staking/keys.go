package staking

import (
	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/keys"
)

// Module is this module's first key byte (see chain/app's table).
const Module byte = 0x06

// Collections. Retired bytes are never reused.
const (
	colHotPool byte = 0x01 // hotkey, netuid → SharePool (JSON)
	colShares  byte = 0x02 // hotkey, netuid, coldkey → 16-byte shares (U64F64 raw)
	colByCold  byte = 0x03 // coldkey, hotkey, netuid → (empty): a coldkey's positions
	colTake    byte = 0x04 // hotkey → Take (JSON)
	colParams  byte = 0x05 // → Params (JSON)
	colRootReg byte = 0x06 // → rootRegs (JSON): root registrations this interval
)

func u16(v uint16) []byte { return codec.AppendU16(nil, v) }

func hotPoolKey(hk keys.PublicKey, netuid uint16) []byte {
	return codec.Key(Module, colHotPool, hk[:], u16(netuid))
}
func sharesKey(hk keys.PublicKey, netuid uint16, ck keys.PublicKey) []byte {
	return codec.Key(Module, colShares, hk[:], u16(netuid), ck[:])
}
func sharesPrefix(hk keys.PublicKey, netuid uint16) []byte {
	return codec.Key(Module, colShares, hk[:], u16(netuid))
}
func byColdKey(ck, hk keys.PublicKey, netuid uint16) []byte {
	return codec.Key(Module, colByCold, ck[:], hk[:], u16(netuid))
}
func byColdPrefix(ck keys.PublicKey) []byte { return codec.Key(Module, colByCold, ck[:]) }
func takeKey(hk keys.PublicKey) []byte      { return codec.Key(Module, colTake, hk[:]) }

var (
	paramsKey  = codec.Key(Module, colParams)
	rootRegKey = codec.Key(Module, colRootReg)
	takePrefix = codec.Key(Module, colTake)
)
