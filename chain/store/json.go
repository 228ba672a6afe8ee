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
	m  map[string]*memoEntries[T]
}

// memoEntries are the last few encodings of one key, newest first: the
// mempool's view, the block being built and the block being executed each
// write their own version of a busy record, and read it back in turn.
type memoEntries[T any] struct {
	n   int
	raw [memoDepth][]byte
	v   [memoDepth]T
}

const memoDepth = 4

// memoKeys bounds a memo; past it, the memo starts over.
const memoKeys = 4096

// Get decodes the record at key into v; false when absent (v untouched).
func (m *JSONMemo[T]) Get(r Reader, key []byte, v *T) bool {
	b := r.Get(key)
	if b == nil {
		return false
	}
	m.mu.Lock()
	if e := m.m[string(key)]; e != nil {
		for i := range e.n {
			if bytes.Equal(e.raw[i], b) {
				*v = e.v[i]
				m.mu.Unlock()
				return true
			}
		}
	}
	m.mu.Unlock()
	var fresh T
	if err := json.Unmarshal(b, &fresh); err != nil {
		panic(fmt.Errorf("%w: corrupt record at %x: %v", ErrStorage, key, err))
	}
	m.remember(key, bytes.Clone(b), fresh)
	*v = fresh
	return true
}

// Set stores v at key as SetJSON does and remembers the encoding with the
// value, so that the next read of these bytes decodes nothing: for records
// that nearly every transaction writes (a subnet's pool, a hotkey's share
// pool) and the next one reads.
func (m *JSONMemo[T]) Set(kv KV, key []byte, v T) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("%w: encode record at %x: %v", ErrStorage, key, err))
	}
	kv.Set(key, b)
	m.remember(key, b, v) // b is not modified after this: KV.Set copies or keeps it as is
}

func (m *JSONMemo[T]) remember(key, raw []byte, v T) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= memoKeys {
		m.m = make(map[string]*memoEntries[T])
	}
	e := m.m[string(key)]
	if e == nil {
		e = new(memoEntries[T])
		m.m[string(key)] = e
	}
	// Newest first; the oldest falls off.
	copy(e.raw[1:], e.raw[:memoDepth-1])
	copy(e.v[1:], e.v[:memoDepth-1])
	e.raw[0], e.v[0] = raw, v
	e.n = min(e.n+1, memoDepth)
}
