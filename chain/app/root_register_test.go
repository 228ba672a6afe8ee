package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
)

// noRootIntervalCap lifts root_register's per-interval cap for tests that
// fill the root network in a few blocks.
func noRootIntervalCap(h *harness) {
	h.t.Helper()
	p := staking.GetParams(h.app.tree)
	p.RootTargetRegistrationsPerInterval = 0
	staking.SetParams(h.app.tree, p)
	h.block()
}

// TestRootRegisterInterval: root_register takes at most 3 ×
// TargetRegistrationsPerInterval per interval (§13,
// TooManyRegistrationsThisInterval), the interval restarting at every block
// that is a multiple of root's tempo; the per-block limit is checked first;
// failed registrations do not count; target 0 turns the cap off.
func TestRootRegisterInterval(t *testing.T) {
	type step struct {
		at   uint64 // block, counted from the first block of an interval
		hks  []int  // one registration per entry, of hotkey keyN(8000+i)
		want []*errs.Error
	}
	ok := (*errs.Error)(nil)
	interval, perBlock, already := staking.ErrTooManyRegistrationsThisInterval, staking.ErrTooManyRegistrationsThisBlock, staking.ErrAlreadyRegistered
	for _, c := range []struct {
		name   string
		target uint64
		steps  []step
	}{
		{"three in one block, the fourth fails", 1, []step{
			{0, []int{1, 2, 3, 4}, []*errs.Error{ok, ok, ok, interval}},
		}},
		{"one a block: the fourth fails up to the interval's last block", 1, []step{
			{0, []int{1}, []*errs.Error{ok}},
			{1, []int{2}, []*errs.Error{ok}},
			{50, []int{3}, []*errs.Error{ok}},
			{51, []int{4}, []*errs.Error{interval}},
			{99, []int{4}, []*errs.Error{interval}},
			{100, []int{4}, []*errs.Error{ok}},
		}},
		{"a multiple of the tempo starts a new interval", 1, []step{
			{99, []int{1, 2, 3, 4}, []*errs.Error{ok, ok, ok, interval}},
			{100, []int{4, 5, 6, 7}, []*errs.Error{ok, ok, ok, interval}},
			{101, []int{7}, []*errs.Error{interval}},
		}},
		{"an interval without registrations in between", 1, []step{
			{0, []int{1, 2, 3}, []*errs.Error{ok, ok, ok}},
			{205, []int{4, 5, 6, 7}, []*errs.Error{ok, ok, ok, interval}},
		}},
		{"failed registrations do not count", 1, []step{
			{0, []int{1, 1, 1}, []*errs.Error{ok, already, already}},
			{1, []int{2, 3, 4}, []*errs.Error{ok, ok, interval}},
		}},
		{"target 2 takes six", 2, []step{
			{0, []int{1, 2, 3, 4}, []*errs.Error{ok, ok, ok, ok}},
			{1, []int{5, 6, 7}, []*errs.Error{ok, ok, interval}},
		}},
		{"target 0: no cap, the per-block limit still holds", 0, []step{
			{0, []int{1, 2, 3, 4}, []*errs.Error{ok, ok, ok, ok}},
			{1, []int{5, 6, 7, 8, 9}, []*errs.Error{ok, ok, ok, ok, perBlock}},
		}},
		{"the per-block limit is checked first", 2, []step{
			{0, []int{1, 2}, []*errs.Error{ok, ok}},
			{1, []int{3, 4, 5, 6, 7}, []*errs.Error{ok, ok, ok, ok, perBlock}},
			{2, []int{7}, []*errs.Error{interval}},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := stakingHarness(t, 1)
			alice := dev(t, "Alice")
			p := staking.GetParams(h.app.tree)
			p.RootTargetRegistrationsPerInterval = c.target
			staking.SetParams(h.app.tree, p)
			root := subnets.Hyper(h.app.tree, staking.RootNetuid)
			if root.Tempo != 100 || root.MaxRegistrationsPerBlock != 4 {
				t.Fatalf("root tempo %d, max registrations per block %d: the table assumes 100 and 4", root.Tempo, root.MaxRegistrationsPerBlock)
			}
			base := (h.next()/root.Tempo + 1) * root.Tempo
			for _, s := range c.steps {
				at := base + s.at
				h.idleUntil(at)
				var txs [][]byte
				n := h.nonce(alice)
				for i, k := range s.hks {
					txs = append(txs, h.sign(alice, n+uint64(i), stakeCall(&txpb.RootRegister{Hotkey: keyN(8000 + k).SS58()})))
				}
				for i, r := range h.block(txs...) {
					got, _ := errs.Lookup(r.Codespace, r.Code)
					if r.Code == 0 {
						got = nil
					}
					if got != s.want[i] {
						t.Fatalf("block %d (interval +%d), registration %d of hotkey %d: %s/%d %q, want %v",
							at, s.at, i, s.hks[i], r.Codespace, r.Code, r.Log, s.want[i])
					}
					if got == interval {
						next := base + (s.at/root.Tempo+1)*root.Tempo
						if !strings.Contains(r.Log, fmt.Sprintf("next allowed at block %d", next)) {
							t.Fatalf("block %d: %q does not name block %d, where the next interval starts", at, r.Log, next)
						}
					}
					_, on := neurons.UID(h.app.tree, staking.RootNetuid, keyN(8000+s.hks[i]).Public())
					if wantOn := got == nil || got == already; on != wantOn {
						t.Fatalf("block %d: hotkey %d on root %v after %v", at, s.hks[i], on, got)
					}
				}
			}
		})
	}
}
