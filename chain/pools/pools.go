package pools

import (
	"encoding/json"
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/store"
)

// Module is this module's first key byte (see chain/app's table).
const Module byte = 0x05

const colPool byte = 0x01 // netuid → Pool (JSON)

func poolKey(netuid uint16) []byte { return codec.Key(Module, colPool, codec.AppendU16(nil, netuid)) }

var poolPrefix = codec.Key(Module, colPool)

// Pool is one subnet's reserves.
type Pool struct {
	TAO      uint64 `json:"tao,string"`       // RAO of TAO in the pool
	AlphaIn  uint64 `json:"alpha_in,string"`  // alpha in the pool
	AlphaOut uint64 `json:"alpha_out,string"` // alpha held as stake
	// MovingPrice is the EMA of the price (capped at 1.0) that emission
	// shares and subnet pruning use (§11.7); it moves once emission runs.
	MovingPrice Price `json:"moving_price"`
}

// Get returns a subnet's pool (zero when none).
func Get(r store.Reader, netuid uint16) Pool {
	var p Pool
	poolMemo.Get(r, poolKey(netuid), &p)
	return p
}

// Put stores a subnet's pool.
func Put(kv store.KV, netuid uint16, p Pool) {
	poolMemo.Set(kv, poolKey(netuid), p)
}

// poolMemo spares the JSON decode of a pool that every stake transaction
// reads right after the one before wrote it.
var poolMemo store.JSONMemo[Pool]

// Remove deletes a subnet's pool.
func Remove(kv store.KV, netuid uint16) { kv.Delete(poolKey(netuid)) }

// TotalTAO sums the TAO in every pool (the issuance invariant's pool part).
func TotalTAO(r store.Reader) uint64 {
	var sum uint64
	r.Iterate(poolPrefix, store.PrefixEnd(poolPrefix), func(k, v []byte) bool {
		var p Pool
		if err := json.Unmarshal(v, &p); err != nil {
			panic(fmt.Sprintf("pools: corrupt pool: %v", err))
		}
		sum += p.TAO
		return true
	})
	return sum
}

// Price is a U64F64 price (TAO per alpha) in a JSON-friendly form.
type Price struct {
	Hi uint64 `json:"hi,string"` // integer part
	Lo uint64 `json:"lo,string"` // fraction, /2^64
}

// Fixed returns the price as a fixed-point value.
func (p Price) Fixed() fixed.U64F64 { return fixed.U64F64FromBits(p.Hi, p.Lo) }

// PriceOf converts a fixed-point price.
func PriceOf(f fixed.U64F64) Price {
	hi, lo := f.Bits()
	return Price{hi, lo}
}

// Cmp orders prices.
func (p Price) Cmp(q Price) int { return p.Fixed().Cmp(q.Fixed()) }
