package store

import "sync"

// ReadCache remembers what an immutable Reader (a saved version) returned, so
// that reading a key again costs a map lookup instead of a walk down the
// tree. The mempool's view is a branch over the last saved version that
// thousands of CheckTx calls read between two blocks, most of them the same
// keys (fee parameters, a subnet's pool, a sender's account); it is replaced
// at every commit, and its cache with it.
//
// It holds at most its capacity of values and empties itself when full. Callers must not
// modify the slices Get returns, as with every Reader. Safe for concurrent use.
type ReadCache struct {
	r   Reader
	max int

	mu sync.Mutex
	m  map[string][]byte // a nil value: the key is absent
}

// NewReadCache caches r's answers, at most capacity of them (at least 1).
func NewReadCache(r Reader, capacity int) *ReadCache {
	return &ReadCache{r: r, max: max(capacity, 1), m: make(map[string][]byte)}
}

// Get implements Reader.
func (c *ReadCache) Get(key []byte) []byte {
	c.mu.Lock()
	v, ok := c.m[string(key)]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = c.r.Get(key)
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[string(key)] = v
	c.mu.Unlock()
	return v
}

// Iterate implements Reader; ranges are not cached.
func (c *ReadCache) Iterate(start, end []byte, fn func(key, value []byte) bool) {
	c.r.Iterate(start, end, fn)
}
