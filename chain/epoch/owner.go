package epoch

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/keys"
)

// Events of the owner's schedule calls.
const (
	EventTempoSet       = "epoch.TempoSet"
	EventEpochTriggered = "epoch.EpochTriggered"
)

// Owner rate-limit record names (subnets.OwnerSetAt).
const (
	setTempoName     = "set_tempo"
	triggerEpochName = "trigger_epoch"
)

// FreezeWindow reports whether netuid is in its admin freeze window at block
// now (§10, §14): a triggered epoch is pending, or fewer than
// admin_freeze_window blocks remain before the next automatic epoch. until is
// the block of the epoch that ends it; owner changes are accepted again from
// that block on. A subnet with tempo 0 runs no epochs and never freezes.
func FreezeWindow(r store.Reader, netuid uint16, now uint64) (frozen bool, until uint64) {
	tempo := subnets.Hyper(r, netuid).Tempo
	if tempo == 0 {
		return false, 0
	}
	s := GetSchedule(r, netuid)
	if s.PendingEpochAt > now {
		return true, s.PendingEpochAt
	}
	next := s.LastEpochBlock + tempo
	if next-min(next, now) < subnets.GetParams(r).AdminFreezeWindow {
		return true, max(next, now+1)
	}
	return false, 0
}

// SetTempoCall is set_tempo's payload.
type SetTempoCall struct {
	Netuid uint16
	Tempo  uint64
}

// ValidateSetTempo runs set_tempo's checks (§10): owner only, the tempo within
// [min_owner_tempo, 50400], outside the freeze window, once per
// tempo_rate_limit blocks.
func ValidateSetTempo(r store.Reader, signer keys.PublicKey, c SetTempoCall, now uint64) error {
	if _, err := subnets.RequireOwner(r, c.Netuid, signer); err != nil {
		return err
	}
	p := subnets.GetParams(r)
	if lo := max(p.MinOwnerTempo, 1); c.Tempo < lo || c.Tempo > subnets.MaxTempo {
		return fmt.Errorf("%w: tempo %d, allowed %d..%d", ErrTempoOutOfBounds, c.Tempo, lo, subnets.MaxTempo)
	}
	if frozen, until := FreezeWindow(r, c.Netuid, now); frozen {
		return fmt.Errorf("%w: subnet %d's epoch runs at block %d; set the tempo from block %d", subnets.ErrAdminFreezeWindow, c.Netuid, until, until)
	}
	if last := subnets.OwnerSetAt(r, c.Netuid, setTempoName); last > 0 && p.TempoRateLimit > 0 && now-min(now, last) < p.TempoRateLimit {
		return fmt.Errorf("%w: tempo last set at block %d, next allowed at block %d", ErrTempoRateLimited, last, last+p.TempoRateLimit)
	}
	return nil
}

// SetTempo implements the owner's set_tempo: the tempo changes and the cycle
// restarts here, so the next automatic epoch is tempo blocks from now.
func SetTempo(e *env.Env, kv store.KV, c SetTempoCall) error {
	now := uint64(e.Block.Height)
	if err := ValidateSetTempo(kv, e.Signer, c, now); err != nil {
		return err
	}
	h := subnets.Hyper(kv, c.Netuid)
	h.Tempo = c.Tempo
	subnets.SetHyper(kv, c.Netuid, h)
	s := GetSchedule(kv, c.Netuid)
	s.LastEpochBlock = now
	PutSchedule(kv, c.Netuid, s)
	subnets.MarkOwnerSet(kv, c.Netuid, setTempoName, now)
	e.Events.Emit(EventTempoSet, env.U64("netuid", uint64(c.Netuid)), env.U64("tempo", c.Tempo),
		env.U64("next_epoch_block", now+c.Tempo))
	return nil
}

// TriggerAt is the block a trigger_epoch sent at block now fires: now +
// admin_freeze_window, and at least the next block (epochs run at a block's
// start, before its transactions).
func TriggerAt(r store.Reader, now uint64) uint64 {
	return now + max(subnets.GetParams(r).AdminFreezeWindow, 1)
}

// ValidateTriggerEpoch runs trigger_epoch's checks (§10): owner only,
// commit-reveal off, no trigger pending, the automatic epoch at least
// admin_freeze_window blocks away, and the owner's hyperparameter rate limit
// (owner_hparam_rate_limit tempos between triggers).
func ValidateTriggerEpoch(r store.Reader, signer keys.PublicKey, netuid uint16, now uint64) error {
	if _, err := subnets.RequireOwner(r, netuid, signer); err != nil {
		return err
	}
	h := subnets.Hyper(r, netuid)
	if h.CommitRevealEnabled == 1 {
		return fmt.Errorf("%w: subnet %d has commit-reveal on", ErrTriggerBlockedByCommitReveal, netuid)
	}
	s := GetSchedule(r, netuid)
	if s.PendingEpochAt != 0 {
		return fmt.Errorf("%w: subnet %d's epoch is due at block %d", ErrEpochTriggerAlreadyPending, netuid, s.PendingEpochAt)
	}
	p := subnets.GetParams(r)
	next := s.LastEpochBlock + h.Tempo
	if next-min(next, now) < p.AdminFreezeWindow {
		return fmt.Errorf("%w: subnet %d's next automatic epoch is at block %d, within %d blocks", ErrAutoEpochAlreadyImminent, netuid, next, p.AdminFreezeWindow)
	}
	limit := p.OwnerHparamRateLimit * h.Tempo
	if last := subnets.OwnerSetAt(r, netuid, triggerEpochName); last > 0 && limit > 0 && now-min(now, last) < limit {
		return fmt.Errorf("%w: trigger_epoch next allowed at block %d", subnets.ErrOwnerRateLimited, last+limit)
	}
	return nil
}

// TriggerEpoch implements the owner's trigger_epoch: the subnet's epoch is
// scheduled for TriggerAt(now) (PendingEpochAt), which also freezes owner
// changes until it runs.
func TriggerEpoch(e *env.Env, kv store.KV, netuid uint16) error {
	now := uint64(e.Block.Height)
	if err := ValidateTriggerEpoch(kv, e.Signer, netuid, now); err != nil {
		return err
	}
	at := TriggerAt(kv, now)
	s := GetSchedule(kv, netuid)
	s.PendingEpochAt = at
	PutSchedule(kv, netuid, s)
	subnets.MarkOwnerSet(kv, netuid, triggerEpochName, now)
	e.Events.Emit(EventEpochTriggered, env.U64("netuid", uint64(netuid)), env.Account("by", e.Signer), env.U64("fires_at", at))
	return nil
}
