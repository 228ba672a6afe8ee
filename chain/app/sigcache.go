package app

import "sync"

// sigCache remembers transactions whose signature verified, so a
// transaction checked for the mempool is not verified again when its block
// executes. Verification is a pure function of the bytes, so the cache
// cannot change any result. Bounded: when full it starts over.
type sigCache struct {
	mu  sync.Mutex
	max int
	m   map[[32]byte]struct{}
}

func newSigCache(max int) *sigCache {
	return &sigCache{max: max, m: make(map[[32]byte]struct{}, 1024)}
}

func (c *sigCache) has(h [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.m[h]
	return ok
}

func (c *sigCache) add(h [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[h] = struct{}{}
}
