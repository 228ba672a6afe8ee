package app

import (
	"bytes"
	"fmt"

	"github.com/gotensor/gotensor/chain/store"
)

// RawEntry is one state key and value, carried through export for modules
// whose state has no typed genesis form (subnets created after genesis,
// neurons, pools, stake).
type RawEntry struct {
	Key   []byte `json:"k"` // base64 in JSON
	Value []byte `json:"v"`
}

// rawModules are the module key bytes exported raw.
var rawModules = []byte{0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09}

func exportRaw(r store.Reader) []RawEntry {
	var out []RawEntry
	for _, m := range rawModules {
		r.Iterate([]byte{m}, []byte{m + 1}, func(k, v []byte) bool {
			out = append(out, RawEntry{Key: bytes.Clone(k), Value: bytes.Clone(v)})
			return true
		})
	}
	return out
}

func validateRaw(entries []RawEntry) error {
	for i, e := range entries {
		if len(e.Key) < 2 || bytes.IndexByte(rawModules, e.Key[0]) < 0 {
			return fmt.Errorf("app_state raw entry %d: key %x is not in a raw-exported module", i, e.Key)
		}
		if e.Value == nil {
			return fmt.Errorf("app_state raw entry %d: no value", i)
		}
	}
	return nil
}

func importRaw(kv store.KV, entries []RawEntry) {
	for _, e := range entries {
		kv.Set(e.Key, e.Value)
	}
}
