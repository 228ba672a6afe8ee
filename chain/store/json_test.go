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
