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
		var res Result
		if err := json.Unmarshal(v, &res); err != nil {
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
