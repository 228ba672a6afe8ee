package subnets

import (
	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/keys"
)

// Module is this module's first key byte (see chain/app's table).
const Module byte = 0x03

// Collections. Retired bytes are never reused.
const (
	colSubnet     byte = 0x01 // netuid → Subnet (JSON)
	colHyper      byte = 0x02 // netuid → Hyperparams (JSON)
	colIdentity   byte = 0x03 // netuid → SubnetIdentity (JSON)
	colColdIdent  byte = 0x04 // coldkey → ChainIdentity (JSON)
	colParams     byte = 0x05 // → Params (JSON)
	colNetwork    byte = 0x06 // → NetworkState (JSON)
	colBurn       byte = 0x07 // netuid → BurnState (JSON)
	colOwnerSetAt byte = 0x08 // netuid, name → u64 block of the owner's last change
)

func netuidKey(col byte, netuid uint16) []byte {
	return codec.Key(Module, col, codec.AppendU16(nil, netuid))
}
func coldIdentKey(who keys.PublicKey) []byte { return codec.Key(Module, colColdIdent, who[:]) }
func ownerSetKey(netuid uint16, name string) []byte {
	return codec.Key(Module, colOwnerSetAt, codec.AppendU16(nil, netuid), []byte(name))
}

var (
	paramsKey    = codec.Key(Module, colParams)
	networkKey   = codec.Key(Module, colNetwork)
	subnetPrefix = codec.Key(Module, colSubnet)
)
