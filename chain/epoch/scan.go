package epoch

import (
	"encoding/json"
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/yuma"
)

// Reads for queries: one prefix iteration per collection instead of one
// lookup per uid. Uids without a record are skipped (the per-uid getters
// return the zero value for them).

func eachUID(r store.Reader, col byte, netuid uint16, fn func(uid uint16, v []byte)) {
	p := netuidPrefix(col, netuid)
	r.Iterate(p, store.PrefixEnd(p), func(k, v []byte) bool {
		if len(k) != len(p)+2 {
			panic(fmt.Errorf("%w: epoch key %x", store.ErrStorage, k))
		}
		fn(uint16(k[len(p)])<<8|uint16(k[len(p)+1]), v)
		return true
	})
}

// EachResult calls fn with every stored epoch result of a subnet, in uid order.
func EachResult(r store.Reader, netuid uint16, fn func(uid uint16, res Result)) {
	eachUID(r, colResult, netuid, func(uid uint16, v []byte) {
		res, err := decodeResult(v)
		if err != nil {
			panic(fmt.Sprintf("epoch: corrupt result: %v", err))
		}
		fn(uid, res)
	})
}

// EachLastUpdate calls fn with every recorded weight update block of a subnet.
func EachLastUpdate(r store.Reader, netuid uint16, fn func(uid uint16, block uint64)) {
	eachUID(r, colLastUpdate, netuid, func(uid uint16, v []byte) {
		b, err := codec.ParseU64(v)
		if err != nil {
			panic(fmt.Sprintf("epoch: corrupt last update: %v", err))
		}
		fn(uid, b)
	})
}

// EachWeights calls fn with every stored weight row of a subnet.
func EachWeights(r store.Reader, netuid uint16, fn func(uid uint16, row yuma.Row)) {
	eachUID(r, colWeights, netuid, func(uid uint16, v []byte) { fn(uid, decodeRow(v)) })
}

// EachBonds calls fn with every stored bond row of a subnet.
func EachBonds(r store.Reader, netuid uint16, fn func(uid uint16, row yuma.Row)) {
	eachUID(r, colBonds, netuid, func(uid uint16, v []byte) { fn(uid, decodeRow(v)) })
}

// decodeResult reads a result record. Records are what json.Marshal wrote
// for Result, so the fast path accepts exactly that layout and leaves
// anything else to encoding/json: reflection over 256 records was a fifth
// of a metagraph query.
func decodeResult(b []byte) (Result, error) {
	if r, ok := decodeResultCanonical(b); ok {
		return r, nil
	}
	var r Result
	err := json.Unmarshal(b, &r)
	return r, err
}

func decodeResultCanonical(b []byte) (Result, bool) {
	var r Result
	s := canonical{b: b, ok: true}
	s.lit(`{"stake_weight":`)
	r.StakeWeight = s.u16()
	s.lit(`,"rank":`)
	r.Rank = s.u16()
	s.lit(`,"trust":`)
	r.Trust = s.u16()
	s.lit(`,"consensus":`)
	r.Consensus = s.u16()
	s.lit(`,"incentive":`)
	r.Incentive = s.u16()
	s.lit(`,"dividends":`)
	r.Dividends = s.u16()
	s.lit(`,"validator_trust":`)
	r.ValidatorTrust = s.u16()
	s.lit(`,"validator_permit":`)
	r.Permit = s.boolean()
	s.lit(`,"active":`)
	r.Active = s.boolean()
	s.lit(`,"emission":"`)
	r.Emission = s.u64()
	s.lit(`"}`)
	return r, s.ok && s.i == len(b)
}

// canonical scans encoding/json's compact output; ok turns false at the
// first byte it does not expect.
type canonical struct {
	b  []byte
	i  int
	ok bool
}

func (s *canonical) lit(l string) {
	if !s.ok || len(s.b)-s.i < len(l) || string(s.b[s.i:s.i+len(l)]) != l {
		s.ok = false
		return
	}
	s.i += len(l)
}

func (s *canonical) u64() uint64 {
	start := s.i
	var v uint64
	for s.ok && s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		d := uint64(s.b[s.i] - '0')
		if v > (^uint64(0)-d)/10 {
			s.ok = false
			return 0
		}
		v = v*10 + d
		s.i++
	}
	if s.i == start || s.b[start] == '0' && s.i-start > 1 {
		s.ok = false
	}
	return v
}

func (s *canonical) u16() uint16 {
	v := s.u64()
	if v > 0xffff {
		s.ok = false
	}
	return uint16(v)
}

func (s *canonical) boolean() bool {
	switch {
	case s.ok && len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "true":
		s.i += 4
		return true
	case s.ok && len(s.b)-s.i >= 5 && string(s.b[s.i:s.i+5]) == "false":
		s.i += 5
	default:
		s.ok = false
	}
	return false
}
