package neurons

import (
	"encoding/json"
	"fmt"

	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// Reads for queries: one prefix iteration per collection instead of one
// lookup per uid (a 256-uid metagraph made thousands of tree lookups).

// EachNeuron calls fn with every neuron record of a subnet in uid order.
func EachNeuron(r store.Reader, netuid uint16, fn func(Neuron)) {
	p := netuidPrefix(colNeuron, netuid)
	r.Iterate(p, store.PrefixEnd(p), func(k, v []byte) bool {
		var n Neuron
		if err := json.Unmarshal(v, &n); err != nil {
			panic(fmt.Errorf("%w: corrupt neuron record at %x: %v", store.ErrStorage, k, err))
		}
		fn(n)
		return true
	})
}

// EachAxon calls fn with every served axon of a subnet, in hotkey order.
func EachAxon(r store.Reader, netuid uint16, fn func(keys.PublicKey, AxonInfo)) {
	p := netuidPrefix(colAxon, netuid)
	r.Iterate(p, store.PrefixEnd(p), func(k, v []byte) bool {
		var a AxonInfo
		if len(k) != len(p)+32 {
			panic(fmt.Errorf("%w: axon key %x", store.ErrStorage, k))
		}
		if err := json.Unmarshal(v, &a); err != nil {
			panic(fmt.Errorf("%w: corrupt axon record at %x: %v", store.ErrStorage, k, err))
		}
		fn(keys.PublicKey(k[len(p):]), a)
		return true
	})
}
