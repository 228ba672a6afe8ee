package coinbase

import "testing"

func TestSplitNeverPaysMoreThanThePot(t *testing.T) {
	parts, paid := split(1000, []uint64{1, 1, 1})
	if paid != 999 || parts[0] != 333 {
		t.Fatalf("%v %d", parts, paid)
	}
	if _, paid := split(1000, []uint64{0, 0}); paid != 0 {
		t.Fatal("zero weights paid")
	}
	parts, paid = split(^uint64(0), []uint64{^uint64(0), ^uint64(0)})
	if paid > ^uint64(0) || parts[0] != ^uint64(0)/2 {
		t.Fatalf("%v %d", parts, paid)
	}
}
