package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
)

// ownerNet: subnet 1 owned by Bob (not sudo), started; admin_freeze_window set
// to 5 by sudo (the localnet profile's 1 freezes only a trigger's countdown).
func ownerNet(t *testing.T) *harness {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100_000 * balances.RAOPerTAO})
	h.ok(bob, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58()})
	h.ok(bob, &txpb.StartCall{Netuid: 1})
	h.ok(alice, &txpb.SudoSetParameter{Name: "admin_freeze_window", Value: 5})
	return h
}

// next is the block the next transaction runs in.
func (h *harness) next() uint64 { return uint64(h.height) + 1 }

// idleUntil runs empty blocks until the next transaction runs at block b.
func (h *harness) idleUntil(b uint64) {
	h.t.Helper()
	if h.next() > b {
		h.t.Fatalf("already past block %d (next %d)", b, h.next())
	}
	for h.next() < b {
		h.block()
	}
}

// TestSetTempo: the owner's set_tempo (§10): owner only, within
// [min_owner_tempo, 50400], once per tempo_rate_limit blocks (the error names the
// block), refused in the admin freeze window; success restarts the cycle so the next
// epoch is tempo blocks after the call. Sudo's tempo hyperparameter is unaffected.
func TestSetTempo(t *testing.T) {
	h := ownerNet(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	p := subnets.GetParams(h.app.tree)
	for _, c := range []struct {
		name   string
		signer string
		c      *txpb.SetTempo
		want   *errs.Error
	}{
		{"not the owner (sudo included)", "Alice", &txpb.SetTempo{Netuid: 1, Tempo: 100}, subnets.ErrNotOwner},
		{"root", "Bob", &txpb.SetTempo{Netuid: 0, Tempo: 100}, subnets.ErrNotPermittedOnRoot},
		{"unknown subnet", "Bob", &txpb.SetTempo{Netuid: 9, Tempo: 100}, subnets.ErrSubnetNotExists},
		{"netuid beyond u16", "Bob", &txpb.SetTempo{Netuid: 70000, Tempo: 100}, subnets.ErrSubnetNotExists},
		{"below min_owner_tempo", "Bob", &txpb.SetTempo{Netuid: 1, Tempo: p.MinOwnerTempo - 1}, epoch.ErrTempoOutOfBounds},
		{"above 50400", "Bob", &txpb.SetTempo{Netuid: 1, Tempo: 50401}, epoch.ErrTempoOutOfBounds},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.fails(dev(t, c.signer), c.c, c.want)
		})
	}

	at := h.next()
	h.ok(bob, &txpb.SetTempo{Netuid: 1, Tempo: 100})
	if got := subnets.Hyper(h.app.tree, 1).Tempo; got != 100 {
		t.Fatalf("tempo %d, want 100", got)
	}
	if s := epoch.GetSchedule(h.app.tree, 1); s.LastEpochBlock != at || epoch.NextEpochBlock(h.app.tree, 1) != at+100 {
		t.Fatalf("cycle not restarted at %d: %+v, next %d", at, s, epoch.NextEpochBlock(h.app.tree, 1))
	}
	log := h.fails(bob, &txpb.SetTempo{Netuid: 1, Tempo: 200}, epoch.ErrTempoRateLimited)
	if !strings.Contains(log, fmt.Sprintf("next allowed at block %d", at+p.TempoRateLimit)) {
		t.Fatalf("rate limit error does not name block %d: %s", at+p.TempoRateLimit, log)
	}
	// Sudo's tempo hyperparameter is not rate-limited by the owner's calls.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "tempo", Value: 100})

	// Freeze window: with the next epoch 4 blocks away (< 5) the owner may neither set
	// the tempo nor change a hyperparameter; sudo may. The errors name the epoch block.
	h.idleUntil(at + p.TempoRateLimit)
	at = h.next()
	h.ok(bob, &txpb.SetTempo{Netuid: 1, Tempo: 20})
	ep := at + 20
	h.idleUntil(ep - 5)
	h.ok(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "immunity_period", Value: 90}) // 5 blocks left: open
	log = h.fails(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "rho", Value: 11}, subnets.ErrAdminFreezeWindow)
	if !strings.Contains(log, fmt.Sprintf("runs at block %d", ep)) {
		t.Fatalf("freeze error does not name block %d: %s", ep, log)
	}
	h.fails(bob, &txpb.SetTempo{Netuid: 1, Tempo: 30}, subnets.ErrAdminFreezeWindow)
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "rho", Value: 12})
	h.idleUntil(ep)
	h.ok(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "rho", Value: 11}) // the epoch ran at ep's start: open again
	if s := epoch.GetSchedule(h.app.tree, 1); s.LastEpochBlock != ep {
		t.Fatalf("epoch did not run at %d: %+v", ep, s)
	}
}

// TestTriggerEpoch: trigger_epoch (§10) schedules the epoch admin_freeze_window blocks
// ahead and it runs at exactly that block; owner only, commit-reveal off, one pending
// at a time, refused when the automatic epoch is nearer than the window; while it is
// pending owner hyperparameter changes are frozen and sudo's are not.
func TestTriggerEpoch(t *testing.T) {
	h := ownerNet(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	h.fails(alice, &txpb.TriggerEpoch{Netuid: 1}, subnets.ErrNotOwner)
	h.fails(bob, &txpb.TriggerEpoch{Netuid: 0}, subnets.ErrNotPermittedOnRoot)
	h.fails(bob, &txpb.TriggerEpoch{Netuid: 9}, subnets.ErrSubnetNotExists)
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 1})
	h.fails(bob, &txpb.TriggerEpoch{Netuid: 1}, epoch.ErrTriggerBlockedByCommitReveal)
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "commit_reveal_weights_enabled", Value: 0})

	// The automatic epoch nearer than the window: refused, naming it.
	auto := epoch.NextEpochBlock(h.app.tree, 1)
	for auto-h.next() >= 5 || auto < h.next() {
		h.block()
		auto = epoch.NextEpochBlock(h.app.tree, 1)
	}
	log := h.fails(bob, &txpb.TriggerEpoch{Netuid: 1}, epoch.ErrAutoEpochAlreadyImminent)
	if !strings.Contains(log, fmt.Sprintf("at block %d", auto)) {
		t.Fatalf("imminent error does not name block %d: %s", auto, log)
	}
	// Right after an epoch the window is open.
	h.idleUntil(auto + 1)
	at := h.next()
	r := h.run(bob, &txpb.TriggerEpoch{Netuid: 1})
	if r.Code != 0 {
		t.Fatal(r.Log)
	}
	fires := at + 5
	if ev := txEvents(r, epoch.EventEpochTriggered); len(ev) != 1 || ev[0]["fires_at"] != fmt.Sprint(fires) {
		t.Fatalf("EpochTriggered %v, want fires_at %d", ev, fires)
	}
	if s := epoch.GetSchedule(h.app.tree, 1); s.PendingEpochAt != fires {
		t.Fatalf("pending %d, want %d", s.PendingEpochAt, fires)
	}
	log = h.fails(bob, &txpb.TriggerEpoch{Netuid: 1}, epoch.ErrEpochTriggerAlreadyPending)
	if !strings.Contains(log, fmt.Sprintf("block %d", fires)) {
		t.Fatalf("pending error does not name block %d: %s", fires, log)
	}
	h.fails(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "rho", Value: 11}, subnets.ErrAdminFreezeWindow)
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "rho", Value: 12})
	idx := epoch.GetSchedule(h.app.tree, 1).EpochIndex
	for h.next() < fires {
		_, evs := h.blockWithEvents()
		for _, e := range evs {
			if e.typ == epoch.EventEpochRun && e.attrs["netuid"] == "1" {
				t.Fatalf("epoch ran at block %d, before %d", h.height, fires)
			}
		}
	}
	_, evs := h.blockWithEvents()
	ran := false
	for _, e := range evs {
		ran = ran || e.typ == epoch.EventEpochRun && e.attrs["netuid"] == "1"
	}
	if s := epoch.GetSchedule(h.app.tree, 1); !ran || uint64(h.height) != fires || s.EpochIndex != idx+1 || s.PendingEpochAt != 0 || s.LastEpochBlock != fires {
		t.Fatalf("block %d: ran %v, schedule %+v; want the epoch at %d", h.height, ran, s, fires)
	}
	h.ok(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "rho", Value: 11})
	// Triggers are rate-limited like an owner hyperparameter (owner_hparam_rate_limit tempos).
	lim := subnets.GetParams(h.app.tree).OwnerHparamRateLimit * subnets.Hyper(h.app.tree, 1).Tempo
	log = h.fails(bob, &txpb.TriggerEpoch{Netuid: 1}, subnets.ErrOwnerRateLimited)
	if !strings.Contains(log, fmt.Sprintf("next allowed at block %d", at+lim)) {
		t.Fatalf("rate limit error does not name block %d: %s", at+lim, log)
	}
}
