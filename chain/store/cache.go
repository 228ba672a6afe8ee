package store

import (
	"bytes"

	"github.com/google/btree"
)

// Cache is a write branch over a parent Reader. Writes stay in the branch
// until Write copies them into a KV; dropping the Cache discards them.
type Cache struct {
	parent Reader
	writes map[string]*[]byte // nil value pointer target means deleted
	// order holds the written keys in order once the branch has been
	// iterated: from then on each new key is inserted in O(log n), so a block
	// that alternates writes and iterations (a tally reading each voter's
	// stake and settling deposits) does not re-sort every key it wrote on
	// every iteration. Nil until the first Iterate or Write, as most
	// transaction branches never iterate.
	order *btree.BTreeG[string]
}

func lessString(a, b string) bool { return a < b }

// NewCache returns an empty branch over parent.
func NewCache(parent Reader) *Cache {
	return &Cache{parent: parent, writes: make(map[string]*[]byte)}
}

// Get implements Reader.
func (c *Cache) Get(key []byte) []byte {
	if v, ok := c.writes[string(key)]; ok {
		return *v
	}
	return c.parent.Get(key)
}

// Set implements KV.
func (c *Cache) Set(key, value []byte) {
	v := append([]byte{}, value...)
	c.put(string(key), &v)
}

// Delete implements KV.
func (c *Cache) Delete(key []byte) {
	c.put(string(key), new([]byte))
}

func (c *Cache) put(k string, v *[]byte) {
	if _, seen := c.writes[k]; !seen && c.order != nil {
		c.order.ReplaceOrInsert(k)
	}
	c.writes[k] = v
}

// Len reports how many keys the branch has written or deleted.
func (c *Cache) Len() int { return len(c.writes) }

// sortedKeys returns the branch's written keys within [start, end), sorted
// (start and end nil mean unbounded).
func (c *Cache) sortedKeys(start, end []byte) []string {
	if c.order == nil {
		c.order = btree.NewG(32, lessString)
		for k := range c.writes {
			c.order.ReplaceOrInsert(k)
		}
	}
	var keys []string
	add := func(k string) bool {
		keys = append(keys, k)
		return true
	}
	switch {
	case start == nil && end == nil:
		c.order.Ascend(add)
	case end == nil:
		c.order.AscendGreaterOrEqual(string(start), add)
	case start == nil:
		c.order.AscendLessThan(string(end), add)
	case bytes.Compare(start, end) < 0:
		c.order.AscendRange(string(start), string(end), add)
	}
	return keys
}

// Iterate implements Reader: the parent's keys merged with the branch's
// writes, in ascending order.
func (c *Cache) Iterate(start, end []byte, fn func(key, value []byte) bool) {
	own := c.sortedKeys(start, end)
	i := 0
	stopped := false
	// emitOwn yields branch keys below limit (all when limit is nil).
	emitOwn := func(limit []byte) bool {
		for i < len(own) && (limit == nil || own[i] < string(limit)) {
			v := *c.writes[own[i]]
			k := own[i]
			i++
			if v == nil {
				continue
			}
			if !fn([]byte(k), v) {
				return false
			}
		}
		return true
	}
	c.parent.Iterate(start, end, func(key, value []byte) bool {
		if !emitOwn(key) {
			stopped = true
			return false
		}
		if i < len(own) && own[i] == string(key) {
			v := *c.writes[own[i]]
			i++
			if v == nil {
				return true
			}
			if !fn(key, v) {
				stopped = true
				return false
			}
			return true
		}
		if !fn(key, value) {
			stopped = true
			return false
		}
		return true
	})
	if !stopped {
		emitOwn(nil)
	}
}

// Write copies the branch's writes into dst in ascending key order and
// empties the branch.
func (c *Cache) Write(dst KV) {
	for _, k := range c.sortedKeys(nil, nil) {
		v := *c.writes[k]
		if v == nil {
			dst.Delete([]byte(k))
		} else {
			dst.Set([]byte(k), v)
		}
	}
	clear(c.writes)
	c.order = nil
}
