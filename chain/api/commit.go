package api

import (
	"encoding/binary"

	"golang.org/x/crypto/blake2b"
)

// WeightsCommitHash is what commit_weights commits to (reference §6.2):
// BLAKE2b-256 of the SCALE encoding of (hotkey AccountId32, netuid u16,
// uids Vec<u16>, values Vec<u16>, salt Vec<u16>, version_key u64). Clients
// compute it before committing; the chain recomputes it at reveal.
func WeightsCommitHash(hotkey [32]byte, netuid uint16, uids, values, salt []uint16, versionKey uint64) [32]byte {
	b := make([]byte, 0, 32+2+8+2*(len(uids)+len(values)+len(salt))+15)
	b = append(b, hotkey[:]...)
	b = binary.LittleEndian.AppendUint16(b, netuid)
	for _, v := range [][]uint16{uids, values, salt} {
		b = appendCompact(b, uint64(len(v)))
		for _, x := range v {
			b = binary.LittleEndian.AppendUint16(b, x)
		}
	}
	b = binary.LittleEndian.AppendUint64(b, versionKey)
	return blake2b.Sum256(b)
}

// appendCompact is SCALE's compact integer encoding.
func appendCompact(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n<<2))
	case n < 1<<14:
		return binary.LittleEndian.AppendUint16(b, uint16(n<<2|1))
	case n < 1<<30:
		return binary.LittleEndian.AppendUint32(b, uint32(n<<2|2))
	}
	var tmp [8]byte
	binary.LittleEndian.PutUint64(tmp[:], n)
	l := 8
	for l > 4 && tmp[l-1] == 0 {
		l--
	}
	b = append(b, byte((l-4)<<2|3))
	return append(b, tmp[:l]...)
}
