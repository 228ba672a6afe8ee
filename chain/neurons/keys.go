package neurons

import (
	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/keys"
)

// Module is this module's first key byte (see chain/app's table).
const Module byte = 0x04

// Collections. Retired bytes are never reused.
const (
	colNeuron     byte = 0x01 // netuid, uid → Neuron (JSON)
	colUID        byte = 0x02 // netuid, hotkey → u16 uid
	colCount      byte = 0x03 // netuid → u64 number of uids
	colAxon       byte = 0x04 // netuid, hotkey → AxonInfo (JSON)
	colPrometheus byte = 0x05 // netuid, hotkey → PrometheusInfo (JSON)
	colOwner      byte = 0x06 // hotkey → 32-byte coldkey
	colOwned      byte = 0x07 // coldkey, hotkey → (empty)
	colCommitment byte = 0x08 // netuid, hotkey → Commitment (JSON)
)

func u16(v uint16) []byte { return codec.AppendU16(nil, v) }

func neuronKey(netuid, uid uint16) []byte { return codec.Key(Module, colNeuron, u16(netuid), u16(uid)) }
func uidKey(netuid uint16, hk keys.PublicKey) []byte {
	return codec.Key(Module, colUID, u16(netuid), hk[:])
}
func countKey(netuid uint16) []byte { return codec.Key(Module, colCount, u16(netuid)) }
func axonKey(netuid uint16, hk keys.PublicKey) []byte {
	return codec.Key(Module, colAxon, u16(netuid), hk[:])
}
func promKey(netuid uint16, hk keys.PublicKey) []byte {
	return codec.Key(Module, colPrometheus, u16(netuid), hk[:])
}
func ownerKey(hk keys.PublicKey) []byte     { return codec.Key(Module, colOwner, hk[:]) }
func ownedKey(ck, hk keys.PublicKey) []byte { return codec.Key(Module, colOwned, ck[:], hk[:]) }
func ownedPrefix(ck keys.PublicKey) []byte  { return codec.Key(Module, colOwned, ck[:]) }
func commitmentKey(netuid uint16, hk keys.PublicKey) []byte {
	return codec.Key(Module, colCommitment, u16(netuid), hk[:])
}
func netuidPrefix(col byte, netuid uint16) []byte { return codec.Key(Module, col, u16(netuid)) }
