// Package codec holds the fixed-width encoders used for state keys and
// small values, so every node writes identical bytes.
package codec

import (
	"encoding/binary"
	"fmt"
)

// U64 encodes v big-endian in 8 bytes.
func U64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// AppendU64 appends v big-endian.
func AppendU64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }

// AppendU16 appends v big-endian.
func AppendU16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }

// ParseU64 decodes an 8-byte value; nil or empty decodes as 0.
func ParseU64(b []byte) (uint64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("codec: u64 value has %d bytes", len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// Key joins a module byte, a collection byte and parts into a state key.
func Key(module, collection byte, parts ...[]byte) []byte {
	n := 2
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	k = append(k, module, collection)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}
