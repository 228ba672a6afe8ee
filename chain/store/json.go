package store

import (
	"encoding/json"
	"fmt"
)

// GetJSON decodes the record at key into v; false when absent. Records are
// Go structs encoded by SetJSON (field order is fixed, so the bytes are
// deterministic); a record that does not decode is corruption, a broken
// invariant, and panics with ErrStorage.
func GetJSON(r Reader, key []byte, v any) bool {
	b := r.Get(key)
	if b == nil {
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		panic(fmt.Errorf("%w: corrupt record at %x: %v", ErrStorage, key, err))
	}
	return true
}

// SetJSON stores v (a struct, never a map) at key.
func SetJSON(kv KV, key []byte, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("%w: encode record at %x: %v", ErrStorage, key, err))
	}
	kv.Set(key, b)
}
