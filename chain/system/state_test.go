package system

import (
	"testing"

	"github.com/gotensor/gotensor/chain/store"
)

// GetParams remembers the last encoding it decoded: a change, and a change
// back, must still be read.
func TestGetParamsFollowsChanges(t *testing.T) {
	kv := store.NewMemTree()
	defer kv.Close()
	if got := GetParams(kv); got != DefaultParams() {
		t.Fatalf("unset: %+v", got)
	}
	a, b := DefaultParams(), DefaultParams()
	b.FeeBase, b.MaxValidity = 7, 9
	for i, want := range []Params{a, b, b, a, b} {
		SetParams(kv, want)
		if got := GetParams(kv); got != want {
			t.Fatalf("step %d: got %+v, want %+v", i, got, want)
		}
	}
}
