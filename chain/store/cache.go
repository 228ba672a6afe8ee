package store

import (
	"bytes"
	"slices"
)

// Cache is a write branch over a parent Reader. Writes stay in the branch
// until Write copies them into a KV; dropping the Cache discards them.
type Cache struct {
	parent Reader
	writes map[string]*[]byte // nil value pointer target means deleted
}

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
	c.writes[string(key)] = &v
}

// Delete implements KV.
func (c *Cache) Delete(key []byte) {
	c.writes[string(key)] = new([]byte)
}

// Len reports how many keys the branch has written or deleted.
func (c *Cache) Len() int { return len(c.writes) }

// sortedKeys returns the branch's written keys within [start, end), sorted.
func (c *Cache) sortedKeys(start, end []byte) []string {
	keys := make([]string, 0, len(c.writes))
	for k := range c.writes {
		kb := []byte(k)
		if start != nil && bytes.Compare(kb, start) < 0 {
			continue
		}
		if end != nil && bytes.Compare(kb, end) >= 0 {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
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
}
