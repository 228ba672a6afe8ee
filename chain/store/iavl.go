package store

import (
	"errors"
	"fmt"
	"os"

	"github.com/cosmos/iavl"
	iavldb "github.com/cosmos/iavl/db"
)

// Tree is the chain's versioned state: an IAVL tree on a LevelDB database.
type Tree struct {
	db   iavldb.DB
	tree *iavl.MutableTree
}

// cacheNodes is how many IAVL nodes stay in memory.
const cacheNodes = 200_000

// OpenTree opens (or creates) the state database in dir and loads its
// latest version.
func OpenTree(dir string) (*Tree, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	db, err := iavldb.NewGoLevelDB("state", dir)
	if err != nil {
		return nil, fmt.Errorf("open state database in %s: %w", dir, err)
	}
	return newTree(db)
}

// NewMemTree returns a tree in memory, for tests and tools.
func NewMemTree() *Tree {
	t, err := newTree(iavldb.NewMemDB())
	if err != nil {
		panic(fmt.Sprintf("store: in-memory tree: %v", err))
	}
	return t
}

func newTree(db iavldb.DB) (*Tree, error) {
	tree := iavl.NewMutableTree(db, cacheNodes, true, iavl.NewNopLogger())
	if _, err := tree.Load(); err != nil {
		db.Close()
		return nil, fmt.Errorf("load state tree: %w", err)
	}
	return &Tree{db: db, tree: tree}, nil
}

// Version is the last saved version (0 before the first save).
func (t *Tree) Version() int64 { return t.tree.Version() }

// Hash is the root hash of the last saved version.
func (t *Tree) Hash() []byte { return t.tree.Hash() }

// WorkingHash is the root hash including unsaved writes.
func (t *Tree) WorkingHash() []byte { return t.tree.WorkingHash() }

// SetInitialVersion makes the first saved version v instead of 1.
func (t *Tree) SetInitialVersion(v uint64) { t.tree.SetInitialVersion(v) }

// SaveVersion persists the working tree as the next version.
func (t *Tree) SaveVersion() ([]byte, int64, error) { return t.tree.SaveVersion() }

// Rollback discards unsaved writes.
func (t *Tree) Rollback() { t.tree.Rollback() }

// LoadVersionForOverwriting drops every version above v, so that a
// block can be executed again on top of v.
func (t *Tree) LoadVersionForOverwriting(v int64) error {
	return t.tree.LoadVersionForOverwriting(v)
}

// Prune deletes versions up to and including v.
func (t *Tree) Prune(v int64) error {
	if v <= 0 {
		return nil
	}
	return t.tree.DeleteVersionsTo(v)
}

// Close releases the database.
func (t *Tree) Close() error { return t.db.Close() }

// Get implements Reader over the working tree.
func (t *Tree) Get(key []byte) []byte {
	v, err := t.tree.Get(key)
	if err != nil {
		panic(fmt.Errorf("%w: get: %v", ErrStorage, err))
	}
	return v
}

// Set implements KV over the working tree.
func (t *Tree) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	if _, err := t.tree.Set(key, value); err != nil {
		panic(fmt.Errorf("%w: set: %v", ErrStorage, err))
	}
}

// Delete implements KV over the working tree.
func (t *Tree) Delete(key []byte) {
	if _, _, err := t.tree.Remove(key); err != nil {
		panic(fmt.Errorf("%w: remove: %v", ErrStorage, err))
	}
}

// Iterate implements Reader over the working tree.
func (t *Tree) Iterate(start, end []byte, fn func(key, value []byte) bool) {
	it, err := t.tree.Iterator(start, end, true)
	if err != nil {
		panic(fmt.Errorf("%w: iterator: %v", ErrStorage, err))
	}
	iterate(it, fn)
}

// ErrVersionGone is returned for a version that was pruned or never saved.
var ErrVersionGone = errors.New("state version not available")

// At returns a read-only view of a saved version.
func (t *Tree) At(version int64) (*Snapshot, error) {
	if version == 0 {
		version = t.tree.Version()
	}
	if !t.tree.VersionExists(version) {
		return nil, fmt.Errorf("%w: height %d (latest %d)", ErrVersionGone, version, t.tree.Version())
	}
	im, err := t.tree.GetImmutable(version)
	if err != nil {
		return nil, fmt.Errorf("%w: height %d: %v", ErrVersionGone, version, err)
	}
	return &Snapshot{tree: im, version: version}, nil
}

// Snapshot is a read-only saved version of the state.
type Snapshot struct {
	tree    *iavl.ImmutableTree
	version int64
}

// Version is the height the snapshot was saved at.
func (s *Snapshot) Version() int64 { return s.version }

// Get implements Reader.
func (s *Snapshot) Get(key []byte) []byte {
	v, err := s.tree.Get(key)
	if err != nil {
		panic(fmt.Errorf("%w: get: %v", ErrStorage, err))
	}
	return v
}

// Iterate implements Reader.
func (s *Snapshot) Iterate(start, end []byte, fn func(key, value []byte) bool) {
	it, err := s.tree.Iterator(start, end, true)
	if err != nil {
		panic(fmt.Errorf("%w: iterator: %v", ErrStorage, err))
	}
	iterate(it, fn)
}

type iavlIterator interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Error() error
	Close() error
}

func iterate(it iavlIterator, fn func(key, value []byte) bool) {
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if !fn(it.Key(), it.Value()) {
			return
		}
	}
	if err := it.Error(); err != nil {
		panic(fmt.Errorf("%w: iterate: %v", ErrStorage, err))
	}
}
