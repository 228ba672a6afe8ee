package epoch

import (
	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/keys"
)

// Module is this module's first key byte (see chain/app's table).
const Module byte = 0x07

// Collections. Retired bytes are never reused.
const (
	colWeights    byte = 0x01 // netuid, uid → row (4 bytes an entry: uid, value)
	colBonds      byte = 0x02 // netuid, uid → row
	colLastUpdate byte = 0x03 // netuid, uid → u64 block
	colCommits    byte = 0x04 // netuid, hotkey → []Commit (JSON)
	colResult     byte = 0x05 // netuid, uid → Result (JSON)
	colSchedule   byte = 0x06 // netuid → Schedule (JSON)
	colParams     byte = 0x07 // → Params (JSON)
)

func u16(v uint16) []byte { return codec.AppendU16(nil, v) }

func uidKey(col byte, netuid, uid uint16) []byte {
	return codec.Key(Module, col, u16(netuid), u16(uid))
}
func commitsKey(netuid uint16, hk keys.PublicKey) []byte {
	return codec.Key(Module, colCommits, u16(netuid), hk[:])
}
func scheduleKey(netuid uint16) []byte            { return codec.Key(Module, colSchedule, u16(netuid)) }
func netuidPrefix(col byte, netuid uint16) []byte { return codec.Key(Module, col, u16(netuid)) }

var paramsKey = codec.Key(Module, colParams)
