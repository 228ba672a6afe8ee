package store

import (
	"errors"
	"testing"
)

type memoRecord struct {
	A uint64 `json:"a"`
	B string `json:"b"`
}

// A memo must follow every change of a record, a change back included, keep
// keys apart, leave v alone for an absent key, and panic on corruption as
// GetJSON does.
func TestJSONMemoFollowsChanges(t *testing.T) {
	kv := NewMemTree()
	defer kv.Close()
	var m JSONMemo[memoRecord]
	var got memoRecord
	if m.Get(kv, []byte("k1"), &got) || got != (memoRecord{}) {
		t.Fatalf("absent: %+v", got)
	}
	x, y := memoRecord{1, "x"}, memoRecord{2, "y"}
	for i, step := range []struct {
		key  string
		want memoRecord
	}{{"k1", x}, {"k1", y}, {"k1", y}, {"k1", x}, {"k2", y}, {"k1", x}} {
		SetJSON(kv, []byte(step.key), step.want)
		if !m.Get(kv, []byte(step.key), &got) || got != step.want {
			t.Fatalf("step %d %s: got %+v, want %+v", i, step.key, got, step.want)
		}
	}
	// A caller changing its copy does not change what the next caller gets.
	got.A = 99
	var again memoRecord
	m.Get(kv, []byte("k1"), &again)
	if again != x {
		t.Fatalf("memo shared with a caller: %+v", again)
	}
	kv.Set([]byte("k3"), []byte("{not json"))
	defer func() {
		if err, _ := recover().(error); !errors.Is(err, ErrStorage) {
			t.Fatalf("corrupt record: recovered %v", err)
		}
	}()
	m.Get(kv, []byte("k3"), &got)
	t.Fatal("corrupt record decoded")
}

// Set writes what SetJSON writes and remembers it: a read of the same bytes
// gives the value without decoding; a write by anyone else (other bytes)
// is decoded afresh; a branch's write that was dropped does not leak.
func TestJSONMemoSetRemembers(t *testing.T) {
	tree := NewMemTree()
	defer tree.Close()
	var m JSONMemo[memoRecord]
	x, y := memoRecord{1, "x"}, memoRecord{2, "y"}
	m.Set(tree, []byte("k"), x)
	plain := NewMemTree()
	defer plain.Close()
	SetJSON(plain, []byte("k"), x)
	if string(tree.Get([]byte("k"))) != string(plain.Get([]byte("k"))) {
		t.Fatalf("Set wrote %s, SetJSON %s", tree.Get([]byte("k")), plain.Get([]byte("k")))
	}
	if e := m.m["k"]; e == nil || e.v[0] != x || string(e.raw[0]) != string(tree.Get([]byte("k"))) {
		t.Fatalf("not remembered: %+v", e)
	}
	var got memoRecord
	if !m.Get(tree, []byte("k"), &got) || got != x {
		t.Fatalf("read after Set: %+v", got)
	}
	SetJSON(tree, []byte("k"), y) // written without the memo
	if !m.Get(tree, []byte("k"), &got) || got != y {
		t.Fatalf("read after another writer: %+v", got)
	}
	branch := NewCache(tree)
	m.Set(branch, []byte("k"), x) // remembered, but the branch is dropped
	if !m.Get(tree, []byte("k"), &got) || got != y {
		t.Fatalf("read of the tree after a dropped branch's Set: %+v", got)
	}
}

// Versions of one record written in turn by different branches (the
// mempool's view, the block) are all remembered: reading each back decodes
// nothing, and each read gives its own branch's value.
func TestJSONMemoKeepsRecentVersions(t *testing.T) {
	tree := NewMemTree()
	defer tree.Close()
	var m JSONMemo[memoRecord]
	a, b := NewCache(tree), NewCache(tree)
	m.Set(a, []byte("k"), memoRecord{1, "a"})
	m.Set(b, []byte("k"), memoRecord{2, "b"})
	for range 2 {
		var got memoRecord
		if !m.Get(a, []byte("k"), &got) || got != (memoRecord{1, "a"}) {
			t.Fatalf("branch a: %+v", got)
		}
		if !m.Get(b, []byte("k"), &got) || got != (memoRecord{2, "b"}) {
			t.Fatalf("branch b: %+v", got)
		}
	}
	if e := m.m["k"]; e.n != 2 {
		t.Fatalf("%d versions remembered, want 2 (no decode added one)", e.n)
	}
	for i := range memoDepth + 2 { // more versions than the memo keeps: bounded
		m.Set(a, []byte("k"), memoRecord{uint64(10 + i), "a"})
	}
	if e := m.m["k"]; e.n != memoDepth || e.v[0] != (memoRecord{uint64(10 + memoDepth + 1), "a"}) {
		t.Fatalf("after many writes: %d kept, newest %+v", e.n, e.v[0])
	}
}
