package store

import (
	"fmt"
	"slices"
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

// The branch's iteration must equal a sorted merge of the parent and the
// writes, also when writes and deletes come after the branch was first
// iterated (its keys are then kept in order incrementally).
func TestCacheIterationMatchesModel(t *testing.T) {
	tree := NewMemTree()
	defer tree.Close()
	model := map[string]string{}
	for i := 0; i < 60; i += 3 {
		k := fmt.Sprintf("k%02d", i)
		tree.Set([]byte(k), []byte("t"))
		model[k] = "t"
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		t.Fatal(err)
	}
	c := NewCache(tree)
	seed := uint64(7)
	next := func(n int) int { // a fixed sequence, so a failure repeats
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	for step := 0; step < 3000; step++ {
		k := fmt.Sprintf("k%02d", next(64))
		switch next(4) {
		case 0:
			c.Delete([]byte(k))
			delete(model, k)
		case 1, 2:
			v := fmt.Sprintf("v%d", step)
			c.Set([]byte(k), []byte(v))
			model[k] = v
		case 3:
			lo, hi := fmt.Sprintf("k%02d", next(64)), fmt.Sprintf("k%02d", next(64))
			var start, end []byte
			if next(3) > 0 {
				start = []byte(lo)
			}
			if next(3) > 0 {
				end = []byte(hi)
			}
			var want []string
			for _, mk := range sortedModelKeys(model) {
				if (start == nil || mk >= lo) && (end == nil || mk < hi) {
					want = append(want, mk+"="+model[mk])
				}
			}
			if got := collect(c, start, end); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("step %d range [%s, %s): got %v, want %v", step, start, end, got, want)
			}
		}
	}
	// Write applies the same in order and empties the branch, which can be used again.
	c.Write(tree)
	if got, want := collect(tree, nil, nil), collectModel(model); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after Write: got %v, want %v", got, want)
	}
	c.Set([]byte("k99"), []byte("x"))
	if got := collect(c, []byte("k98"), nil); fmt.Sprint(got) != "[k99=x]" {
		t.Fatalf("reused branch: %v", got)
	}
}

func sortedModelKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func collectModel(m map[string]string) []string {
	var out []string
	for _, k := range sortedModelKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return out
}

// BenchmarkCacheWriteThenIterate alternates two writes with a small range
// read on a branch that already holds n writes: what an end block does when
// it settles deposits voter by voter. The cost per step should not grow with n.
func BenchmarkCacheWriteThenIterate(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("written=%d", n), func(b *testing.B) {
			c := NewCache(NewMemTree())
			for i := 0; i < n; i++ {
				c.Set([]byte(fmt.Sprintf("a%08d", i)), []byte("v"))
			}
			c.Iterate(nil, []byte("a"), func(k, v []byte) bool { return true }) // orders the branch once
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Set([]byte(fmt.Sprintf("b%08d", i)), []byte("v"))
				c.Set([]byte(fmt.Sprintf("c%08d", i)), []byte("v"))
				c.Iterate([]byte("z"), []byte("z\xff"), func(k, v []byte) bool { return true })
			}
		})
	}
}
