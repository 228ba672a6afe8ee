package validator

import (
	"fmt"
	"testing"
	"time"
)

func TestSeenWindow(t *testing.T) {
	w := newSeenWindow(time.Minute)
	t0 := time.Unix(1_000_000, 0)
	if !w.add("a", t0, t0) || w.add("a", t0, t0.Add(30*time.Second)) {
		t.Fatal("a key is not refused the second time within the window")
	}
	// A later key arrives first; an earlier one after it: neither leaves before its time.
	if !w.add("late", t0.Add(50*time.Second), t0.Add(time.Second)) || !w.add("early", t0.Add(-20*time.Second), t0.Add(2*time.Second)) {
		t.Fatal("new keys refused")
	}
	if w.add("early", t0, t0.Add(39*time.Second)) {
		t.Fatal("a key left before it was keep old")
	}
	// Past every key's time + keep, all leave, and each may come again.
	now := t0.Add(2 * time.Minute)
	for _, k := range []string{"a", "late", "early"} {
		if !w.add(k, now, now) {
			t.Errorf("%s is still remembered past its window", k)
		}
	}
	if w.len() != 3 || len(w.order) != 3 {
		t.Errorf("%d keys, %d in order; want only the 3 new ones", w.len(), len(w.order))
	}
}

// The window holds only what is young enough, however many keys pass through: what the
// old map-scan did in O(n) per check, this does as it goes.
func TestSeenWindowStaysBounded(t *testing.T) {
	w := newSeenWindow(10 * time.Second)
	t0 := time.Unix(1_000_000, 0)
	for i := range 100_000 {
		now := t0.Add(time.Duration(i) * time.Millisecond)
		if !w.add(fmt.Sprint(i), now, now) {
			t.Fatalf("key %d refused", i)
		}
	}
	if n := w.len(); n > 10_001 || len(w.order) > 10_001 {
		t.Errorf("%d keys held (%d in order) for a 10 s window at one a millisecond", n, len(w.order))
	}
}
