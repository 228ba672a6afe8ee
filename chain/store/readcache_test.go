package store

import (
	"slices"
	"testing"
)

// countingReader counts the reads that reach it.
type countingReader struct {
	Reader
	gets int
}

func (c *countingReader) Get(key []byte) []byte { c.gets++; return c.Reader.Get(key) }

func TestReadCacheAnswersAsItsReaderAndReadsOnce(t *testing.T) {
	tree := NewMemTree()
	for _, k := range []string{"a", "b", "c"} {
		tree.Set([]byte(k), []byte("v"+k))
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		t.Fatal(err)
	}
	snap, err := tree.At(1)
	if err != nil {
		t.Fatal(err)
	}
	under := &countingReader{Reader: snap}
	rc := NewReadCache(under, 3)
	for range 3 {
		if got := string(rc.Get([]byte("a"))); got != "va" {
			t.Fatalf("a = %q", got)
		}
		if got := rc.Get([]byte("zz")); got != nil {
			t.Fatalf("absent key = %q", got)
		}
	}
	if under.gets != 2 {
		t.Fatalf("%d reads reached the snapshot, want 2 (a and the absent zz, once each)", under.gets)
	}
	// Full (3 entries): the next new key empties it, and answers stay right.
	rc.Get([]byte("b"))
	rc.Get([]byte("c"))
	if got := string(rc.Get([]byte("a"))); got != "va" || len(rc.m) > 3 {
		t.Fatalf("after filling: a = %q, %d cached (max 3)", got, len(rc.m))
	}
	if got := collect(rc, nil, nil); !slices.Equal(got, []string{"a=va", "b=vb", "c=vc"}) {
		t.Fatalf("iterate: %v", got)
	}
	// A branch over it reads through and writes only to itself.
	br := NewCache(rc)
	br.Set([]byte("a"), []byte("new"))
	if string(br.Get([]byte("a"))) != "new" || string(rc.Get([]byte("a"))) != "va" {
		t.Fatal("a branch's write reached the read cache")
	}
}
