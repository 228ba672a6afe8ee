package epoch

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/yuma"
	"github.com/gotensor/gotensor/keys"
)

// Events.
const (
	EventWeightsSet       = "epoch.WeightsSet"
	EventWeightsCommitted = "epoch.WeightsCommitted"
	EventWeightsRevealed  = "epoch.WeightsRevealed"
	EventBondsReset       = "epoch.BondsReset"
)

// WeightsCall is set_weights' or reveal_weights' payload.
type WeightsCall struct {
	Netuid     uint16
	UIDs       []uint32
	Values     []uint32
	VersionKey uint64
}

// checkWeights runs §6.1's checks in order and returns the row to store.
// reveal skips the commit-reveal and rate-limit checks (the commit paid them).
func checkWeights(r store.Reader, hotkey keys.PublicKey, c WeightsCall, now uint64, reveal bool) (uint16, yuma.Row, error) {
	if c.Netuid == subnets.RootNetuid {
		return 0, nil, ErrCanNotSetRootNetworkWeights
	}
	sn, ok := subnets.Get(r, c.Netuid)
	if !ok {
		return 0, nil, fmt.Errorf("%w: netuid %d", ErrSubnetNotExists, c.Netuid)
	}
	h := subnets.Hyper(r, c.Netuid)
	if !reveal && h.CommitRevealEnabled == 1 {
		return 0, nil, fmt.Errorf("%w: subnet %d", ErrCommitRevealEnabled, c.Netuid)
	}
	if len(c.UIDs) != len(c.Values) {
		return 0, nil, fmt.Errorf("%w: %d uids, %d weights", ErrWeightVecNotEqualSize, len(c.UIDs), len(c.Values))
	}
	n := uint64(neurons.Count(r, c.Netuid))
	if uint64(len(c.UIDs)) > n {
		return 0, nil, fmt.Errorf("%w: %d uids, subnet has %d", ErrUidsLengthExceedUids, len(c.UIDs), n)
	}
	uid, ok := neurons.UID(r, c.Netuid, hotkey)
	if !ok {
		return 0, nil, fmt.Errorf("%w: %s on subnet %d", ErrHotKeyNotRegisteredInSubNet, hotkey.SS58(), c.Netuid)
	}
	isOwner := hotkey == sn.OwnerHotkey
	if w := staking.StakeWeight(r, hotkey, c.Netuid); !isOwner && w < h.StakeThreshold {
		return 0, nil, fmt.Errorf("%w: %d below %d", ErrNotEnoughStakeToSetWeights, w, h.StakeThreshold)
	}
	if h.WeightsVersionKey != 0 && c.VersionKey < h.WeightsVersionKey {
		return 0, nil, fmt.Errorf("%w: sent %d, subnet requires ≥ %d", ErrIncorrectWeightVersionKey, c.VersionKey, h.WeightsVersionKey)
	}
	if !reveal {
		if last := lastUpdateOrRegistration(r, c.Netuid, uid); now-min(now, last) < h.WeightsSetRateLimit {
			return 0, nil, fmt.Errorf("%w: next allowed at block %d", ErrSettingWeightsTooFast, last+h.WeightsSetRateLimit)
		}
	}
	self := len(c.UIDs) == 1 && c.UIDs[0] == uint32(uid)
	if !self && !isOwner && !GetResult(r, c.Netuid, uid).Permit {
		return 0, nil, fmt.Errorf("%w: uid %d on subnet %d", ErrNeuronNoValidatorPermit, uid, c.Netuid)
	}
	seen := make([]bool, n)
	for _, u := range c.UIDs {
		if u >= uint32(n) {
			return 0, nil, fmt.Errorf("%w: uid %d, subnet has %d", ErrUidVecContainInvalidOne, u, n)
		}
		if seen[u] {
			return 0, nil, fmt.Errorf("%w: uid %d", ErrDuplicateUids, u)
		}
		seen[u] = true
	}
	if !self && uint64(len(c.Values)) < min(h.MinAllowedWeights, n) {
		return 0, nil, fmt.Errorf("%w: %d weights, at least %d", ErrWeightVecLengthIsLow, len(c.Values), min(h.MinAllowedWeights, n))
	}
	vals := make([]uint16, len(c.Values))
	for i, v := range c.Values {
		if v > 65535 {
			return 0, nil, fmt.Errorf("%w: weight %d exceeds 65535", ErrMaxWeightExceeded, v)
		}
		vals[i] = uint16(v)
	}
	up := yuma.MaxUpscaleWeights(vals)
	if !self && h.MaxWeightsLimit < 65535 {
		var sum, mx uint64
		for _, v := range up {
			sum += uint64(v)
			mx = max(mx, uint64(v))
		}
		// max/sum ≤ limit/65535, compared without division.
		if sum > 0 && mx*65535 > h.MaxWeightsLimit*sum {
			return 0, nil, fmt.Errorf("%w: largest weight is %d/%d of the total, limit %d/65535", ErrMaxWeightExceeded, mx, sum, h.MaxWeightsLimit)
		}
	}
	row := make(yuma.Row, len(up))
	for i, v := range up {
		row[i] = yuma.Entry{UID: uint16(c.UIDs[i]), Value: v}
	}
	return uid, row, nil
}

// lastUpdateOrRegistration is uid's last update; registration counts as
// one (§8: registration sets LastUpdate), so a new uid waits the rate limit.
func lastUpdateOrRegistration(r store.Reader, netuid, uid uint16) uint64 {
	if last := LastUpdate(r, netuid, uid); last != 0 {
		return last
	}
	n, _ := neurons.Get(r, netuid, uid)
	return n.RegisteredAt
}

// ValidateSetWeights runs set_weights' checks.
func ValidateSetWeights(r store.Reader, hotkey keys.PublicKey, c WeightsCall, now uint64) error {
	_, _, err := checkWeights(r, hotkey, c, now, false)
	return err
}

// SetWeights implements set_weights (signed by the hotkey, free).
func SetWeights(e *env.Env, kv store.KV, c WeightsCall) error {
	now := uint64(e.Block.Height)
	uid, row, err := checkWeights(kv, e.Signer, c, now, false)
	if err != nil {
		return err
	}
	putRow(kv, colWeights, c.Netuid, uid, row)
	setLastUpdate(kv, c.Netuid, uid, now)
	e.Events.Emit(EventWeightsSet, env.U64("netuid", uint64(c.Netuid)), env.U64("uid", uint64(uid)), env.U64("weights", uint64(len(row))))
	return nil
}

// CommitHash is what commit_weights commits to (api.WeightsCommitHash).
func CommitHash(hotkey keys.PublicKey, netuid uint16, uids, values, salt []uint16, versionKey uint64) [32]byte {
	return api.WeightsCommitHash(hotkey, netuid, uids, values, salt, versionKey)
}

func revealPeriod(h subnets.Hyperparams) uint64 { return max(h.RevealPeriodEpochs, 1) }

// live drops commits whose reveal window has passed.
func live(cs []Commit, epoch, period uint64) []Commit {
	out := cs[:0:0]
	for _, c := range cs {
		if epoch <= c.Epoch+period {
			out = append(out, c)
		}
	}
	return out
}

func checkCommit(r store.Reader, hotkey keys.PublicKey, netuid uint16, hash []byte, now uint64) (uint16, []Commit, error) {
	if len(hash) != 32 {
		return 0, nil, fmt.Errorf("%w: %d bytes", ErrInvalidCommitHash, len(hash))
	}
	if !subnets.Exists(r, netuid) || netuid == subnets.RootNetuid {
		return 0, nil, fmt.Errorf("%w: netuid %d", ErrSubnetNotExists, netuid)
	}
	h := subnets.Hyper(r, netuid)
	if h.CommitRevealEnabled == 0 {
		return 0, nil, fmt.Errorf("%w: subnet %d", ErrCommitRevealDisabled, netuid)
	}
	uid, ok := neurons.UID(r, netuid, hotkey)
	if !ok {
		return 0, nil, fmt.Errorf("%w: %s on subnet %d", ErrHotKeyNotRegisteredInSubNet, hotkey.SS58(), netuid)
	}
	if last := lastUpdateOrRegistration(r, netuid, uid); now-min(now, last) < h.WeightsSetRateLimit {
		return 0, nil, fmt.Errorf("%w: next allowed at block %d", ErrCommittingWeightsTooFast, last+h.WeightsSetRateLimit)
	}
	cs := live(Commits(r, netuid, hotkey), GetSchedule(r, netuid).EpochIndex, revealPeriod(h))
	if len(cs) >= MaxUnrevealedCommits {
		return 0, nil, fmt.Errorf("%w: %d pending", ErrTooManyUnrevealedCommits, len(cs))
	}
	return uid, cs, nil
}

// ValidateCommit runs commit_weights' checks.
func ValidateCommit(r store.Reader, hotkey keys.PublicKey, netuid uint16, hash []byte, now uint64) error {
	_, _, err := checkCommit(r, hotkey, netuid, hash, now)
	return err
}

// CommitWeights implements commit_weights (signed by the hotkey, free). A
// commit counts as activity: it sets last_update.
func CommitWeights(e *env.Env, kv store.KV, netuid uint16, hash []byte) error {
	now := uint64(e.Block.Height)
	uid, cs, err := checkCommit(kv, e.Signer, netuid, hash, now)
	if err != nil {
		return err
	}
	ep := GetSchedule(kv, netuid).EpochIndex
	cs = append(cs, Commit{Hash: append([]byte(nil), hash...), Epoch: ep, Block: now})
	putCommits(kv, netuid, e.Signer, cs)
	setLastUpdate(kv, netuid, uid, now)
	period := revealPeriod(subnets.Hyper(kv, netuid))
	e.Events.Emit(EventWeightsCommitted, env.U64("netuid", uint64(netuid)), env.U64("uid", uint64(uid)),
		env.U64("epoch", ep), env.U64("reveal_epoch", ep+period))
	return nil
}

func u16s(v []uint32) ([]uint16, bool) {
	out := make([]uint16, len(v))
	for i, x := range v {
		if x > 65535 {
			return nil, false
		}
		out[i] = uint16(x)
	}
	return out, true
}

// checkReveal finds the commit a reveal opens and runs the weights checks; it
// returns the uid, the row to store, the hotkey's commits and the index of the
// matching one.
func checkReveal(r store.Reader, hotkey keys.PublicKey, c WeightsCall, salt []uint32, now uint64) (uint16, yuma.Row, []Commit, int, error) {
	if !subnets.Exists(r, c.Netuid) || c.Netuid == subnets.RootNetuid {
		return 0, nil, nil, 0, fmt.Errorf("%w: netuid %d", ErrSubnetNotExists, c.Netuid)
	}
	h := subnets.Hyper(r, c.Netuid)
	if h.CommitRevealEnabled == 0 {
		return 0, nil, nil, 0, fmt.Errorf("%w: subnet %d", ErrCommitRevealDisabled, c.Netuid)
	}
	all := Commits(r, c.Netuid, hotkey)
	if len(all) == 0 {
		return 0, nil, nil, 0, fmt.Errorf("%w: %s on subnet %d", ErrNoWeightsCommitFound, hotkey.SS58(), c.Netuid)
	}
	uids, ok1 := u16s(c.UIDs)
	vals, ok2 := u16s(c.Values)
	salts, ok3 := u16s(salt)
	if !ok1 || !ok2 || !ok3 {
		return 0, nil, nil, 0, fmt.Errorf("%w: a uid, weight or salt exceeds 65535", ErrInvalidRevealCommitHash)
	}
	want := CommitHash(hotkey, c.Netuid, uids, vals, salts, c.VersionKey)
	cur, period := GetSchedule(r, c.Netuid).EpochIndex, revealPeriod(h)
	// As the reference: expired commits are set aside first, so a matching commit still in
	// its window is found even when an older, expired one has the same hash.
	var expired *Commit
	for i, cm := range all {
		if string(cm.Hash) != string(want[:]) {
			continue
		}
		switch {
		case cur > cm.Epoch+period:
			if expired == nil {
				expired = &all[i]
			}
			continue
		case cur < cm.Epoch+period:
			return 0, nil, nil, 0, fmt.Errorf("%w: committed in epoch %d, reveal in epoch %d (now %d)", ErrRevealTooEarly, cm.Epoch, cm.Epoch+period, cur)
		}
		uid, row, err := checkWeights(r, hotkey, c, now, true)
		if err != nil {
			return 0, nil, nil, 0, err
		}
		return uid, row, all, i, nil
	}
	if expired != nil {
		return 0, nil, nil, 0, fmt.Errorf("%w: reveal window was epoch %d (now %d)", ErrExpiredWeightCommit, expired.Epoch+period, cur)
	}
	return 0, nil, nil, 0, fmt.Errorf("%w: %d pending commits", ErrInvalidRevealCommitHash, len(all))
}

// ValidateReveal runs reveal_weights' checks.
func ValidateReveal(r store.Reader, hotkey keys.PublicKey, c WeightsCall, salt []uint32, now uint64) error {
	_, _, _, _, err := checkReveal(r, hotkey, c, salt, now)
	return err
}

// RevealWeights implements reveal_weights: the matching commit and every
// older one are removed, then the weights are stored as set_weights would.
func RevealWeights(e *env.Env, kv store.KV, c WeightsCall, salt []uint32) error {
	uid, row, all, i, err := checkReveal(kv, e.Signer, c, salt, uint64(e.Block.Height))
	if err != nil {
		return err
	}
	putCommits(kv, c.Netuid, e.Signer, all[i+1:])
	putRow(kv, colWeights, c.Netuid, uid, row)
	e.Events.Emit(EventWeightsRevealed, env.U64("netuid", uint64(c.Netuid)), env.U64("uid", uint64(uid)), env.U64("weights", uint64(len(row))))
	return nil
}

// UIDReplaced clears what §4.3 lists for a uid that changed hands: its
// weight and bond rows, every weight pointing to it (set to 0), its
// result; its last update becomes the registration block.
func UIDReplaced(kv store.KV, netuid, uid uint16, block uint64) {
	putRow(kv, colWeights, netuid, uid, nil)
	putRow(kv, colBonds, netuid, uid, nil)
	kv.Delete(uidKey(colResult, netuid, uid))
	setLastUpdate(kv, netuid, uid, block)
	n := neurons.Count(kv, netuid)
	for i := uint16(0); i < n; i++ {
		row := Weights(kv, netuid, i)
		changed := false
		for k := range row {
			if row[k].UID == uid && row[k].Value != 0 {
				row[k].Value = 0
				changed = true
			}
		}
		if changed {
			putRow(kv, colWeights, netuid, i, row)
		}
	}
}

// ResetBondsOnCommitment applies bonds_reset_enabled (§16 BondsResetOn): when it is on, a
// hotkey that sets a commitment on the subnet loses every bond held on its uid, the column
// in every validator's bond row (the reference's on_metadata_commitment → do_reset_bonds).
// Off, or for a hotkey not registered on the subnet, it does nothing.
func ResetBondsOnCommitment(e *env.Env, kv store.KV, netuid uint16, hotkey keys.PublicKey) {
	if subnets.Hyper(kv, netuid).BondsResetOn != 1 {
		return
	}
	uid, ok := neurons.UID(kv, netuid, hotkey)
	if !ok {
		return
	}
	n := neurons.Count(kv, netuid)
	var rows uint64
	for i := uint16(0); i < n; i++ {
		row := Bonds(kv, netuid, i)
		kept := row[:0:0]
		for _, b := range row {
			if b.UID != uid {
				kept = append(kept, b)
			}
		}
		if len(kept) != len(row) {
			putRow(kv, colBonds, netuid, i, kept)
			rows++
		}
	}
	e.Events.Emit(EventBondsReset, env.U64("netuid", uint64(netuid)), env.U64("uid", uint64(uid)), env.Account("hotkey", hotkey), env.U64("rows", rows))
}
