package store

import (
	"fmt"
	"testing"
)

func collect(r Reader, start, end []byte) []string {
	var out []string
	r.Iterate(start, end, func(k, v []byte) bool {
		out = append(out, fmt.Sprintf("%s=%s", k, v))
		return true
	})
	return out
}

func TestCacheBranchesAndIterationMerge(t *testing.T) {
	tree := NewMemTree()
	for _, k := range []string{"a", "c", "e"} {
		tree.Set([]byte(k), []byte("t"+k))
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		t.Fatal(err)
	}
	block := NewCache(tree)
	block.Set([]byte("b"), []byte("bb"))
	block.Delete([]byte("c"))
	tx := NewCache(block)
	tx.Set([]byte("d"), []byte("dd"))
	tx.Set([]byte("e"), []byte(""))
	if got := fmt.Sprint(collect(tx, nil, nil)); got != "[a=ta b=bb d=dd e=]" {
		t.Fatalf("merged iteration: %s", got)
	}
	if got := fmt.Sprint(collect(tx, []byte("b"), []byte("e"))); got != "[b=bb d=dd]" {
		t.Fatalf("range: %s", got)
	}
	// Dropping the tx branch leaves the block untouched.
	if block.Get([]byte("d")) != nil {
		t.Fatal("tx write leaked into the block")
	}
	tx.Write(block)
	block.Write(tree)
	if got := fmt.Sprint(collect(tree, nil, nil)); got != "[a=ta b=bb d=dd e=]" {
		t.Fatalf("tree after write: %s", got)
	}
	// Early stop.
	n := 0
	tree.Iterate(nil, nil, func(k, v []byte) bool { n++; return n < 2 })
	if n != 2 {
		t.Fatalf("stopped after %d", n)
	}
}

func TestWriteOrderGivesSameHash(t *testing.T) {
	hash := func(order []string) string {
		tree := NewMemTree()
		c := NewCache(tree)
		for _, k := range order {
			c.Set([]byte(k), []byte(k))
		}
		c.Write(tree)
		return fmt.Sprintf("%x", tree.WorkingHash())
	}
	if hash([]string{"x", "a", "m", "b"}) != hash([]string{"b", "m", "a", "x"}) {
		t.Fatal("app hash depends on the order writes happened in")
	}
}

func TestSnapshotsAndPrune(t *testing.T) {
	tree := NewMemTree()
	for i := 1; i <= 3; i++ {
		tree.Set([]byte("k"), []byte(fmt.Sprint(i)))
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := tree.At(2)
	if err != nil || string(s.Get([]byte("k"))) != "2" {
		t.Fatalf("version 2: %v %q", err, s.Get([]byte("k")))
	}
	if err := tree.Prune(2); err != nil {
		t.Fatal(err)
	}
	if _, err := tree.At(2); err == nil {
		t.Fatal("pruned version still readable")
	}
	if _, err := tree.At(9); err == nil {
		t.Fatal("future version readable")
	}
}

func TestPrefixEnd(t *testing.T) {
	if got := PrefixEnd([]byte{1, 0xff}); string(got) != string([]byte{2}) {
		t.Fatalf("%x", got)
	}
	if PrefixEnd([]byte{0xff, 0xff}) != nil {
		t.Fatal("all-ff prefix has no end")
	}
}
