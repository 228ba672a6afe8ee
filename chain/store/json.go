package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
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

// JSONMemo decodes records like GetJSON but remembers, per key, the last
// encoding it decoded and the value: records read by nearly every
// transaction and written rarely (a subnet, module parameters) are decoded
// once per change instead of on every read. The answer depends only on the
// bytes read, so it changes nothing a block computes. T must be a plain value
// (no slices, maps or pointers): each caller gets its own copy.
type JSONMemo[T any] struct {
	mu sync.Mutex
	m  map[string]memoEntry[T]
}

type memoEntry[T any] struct {
	raw []byte
	v   T
}

// memoKeys bounds a memo; past it, the memo starts over.
const memoKeys = 4096

// Get decodes the record at key into v; false when absent (v untouched).
func (m *JSONMemo[T]) Get(r Reader, key []byte, v *T) bool {
	b := r.Get(key)
	if b == nil {
		return false
	}
	m.mu.Lock()
	e, ok := m.m[string(key)]
	m.mu.Unlock()
	if ok && bytes.Equal(e.raw, b) {
		*v = e.v
		return true
	}
	var fresh T
	if err := json.Unmarshal(b, &fresh); err != nil {
		panic(fmt.Errorf("%w: corrupt record at %x: %v", ErrStorage, key, err))
	}
	m.mu.Lock()
	if m.m == nil || len(m.m) >= memoKeys {
		m.m = make(map[string]memoEntry[T])
	}
	m.m[string(key)] = memoEntry[T]{raw: bytes.Clone(b), v: fresh}
	m.mu.Unlock()
	*v = fresh
	return true
}
