// Package store is the state storage of the chain: an IAVL tree on an
// embedded database, and cache branches over it.
//
// The application writes through a stack of branches: one per transaction
// over one per block over the IAVL working tree. A failed transaction drops
// its branch; a finished block writes its branch into the tree in sorted key
// order (IAVL's shape, and so the app hash, depends on insertion order), and
// Commit saves the tree as a new version.
//
// Read and write errors of the underlying database are not recoverable
// for a state machine; they panic with ErrStorage, and the application turns
// that into a chain halt.
package store
