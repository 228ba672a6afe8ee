package epoch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// Events of the batch calls (§6.1, §6.2).
const (
	EventBatchWeightItemFailed    = "epoch.BatchWeightItemFailed"
	EventBatchCompletedWithErrors = "epoch.BatchCompletedWithErrors"
	EventBatchWeightsCompleted    = "epoch.BatchWeightsCompleted"
	EventWeightsBatchRevealed     = "epoch.WeightsBatchRevealed"
)

// maxWeightsPerItem bounds one item's vectors (a subnet has ≤ 256 uids).
const maxWeightsPerItem = 4096

// WeightVector is one (uids, values) row of a batch call.
type WeightVector struct {
	UIDs   []uint32
	Values []uint32
}

// batchLens checks that every list of a batch has the same length and the
// batch is within MaxBatchItems.
func batchLens(n int, others ...int) error {
	for _, m := range others {
		if m != n {
			return fmt.Errorf("%w: lists of %d and %d items", ErrInputLengthsUnequal, n, m)
		}
	}
	if n > MaxBatchItems {
		return fmt.Errorf("%w: %d items", ErrBatchTooLarge, n)
	}
	return nil
}

// itemNetuid narrows a batch item's wire netuid.
func itemNetuid(n uint32) (uint16, error) {
	if n > 0xffff {
		return 0, fmt.Errorf("%w: netuid %d", ErrSubnetNotExists, n)
	}
	return uint16(n), nil
}

func itemCall(n uint32, v WeightVector, versionKey uint64) (WeightsCall, error) {
	nu, err := itemNetuid(n)
	if err != nil {
		return WeightsCall{}, err
	}
	if len(v.UIDs) > maxWeightsPerItem || len(v.Values) > maxWeightsPerItem {
		return WeightsCall{}, fmt.Errorf("%w: %d uids", ErrUidsLengthExceedUids, len(v.UIDs))
	}
	return WeightsCall{Netuid: nu, UIDs: v.UIDs, Values: v.Values, VersionKey: versionKey}, nil
}

// errName is a chain error's subtensor name, for events.
func errName(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Name
	}
	return errs.Internal.Name
}

// batchOutcome collects a per-item batch's results and emits its events: one
// BatchWeightItemFailed per failed item, then BatchCompletedWithErrors when any
// failed, else BatchWeightsCompleted with the netuids.
type batchOutcome struct {
	e      *env.Env
	ok     []string
	failed int
}

func (b *batchOutcome) item(i int, netuid uint32, err error) {
	if err == nil {
		b.ok = append(b.ok, strconv.FormatUint(uint64(netuid), 10))
		return
	}
	b.failed++
	b.e.Events.Emit(EventBatchWeightItemFailed, env.U64("index", uint64(i)), env.U64("netuid", uint64(netuid)),
		env.Str("error", errName(err)), env.Str("reason", err.Error()))
}

func (b *batchOutcome) done() {
	if b.failed > 0 {
		b.e.Events.Emit(EventBatchCompletedWithErrors, env.U64("failed", uint64(b.failed)), env.U64("succeeded", uint64(len(b.ok))))
		return
	}
	b.e.Events.Emit(EventBatchWeightsCompleted, env.Str("netuids", strings.Join(b.ok, ",")), env.Account("hotkey", b.e.Signer))
}

// anyPasses is CheckTx's rule for a per-item batch: a free call none of whose
// items would apply is refused with the first item's error, so it cannot fill
// blocks for nothing. An empty batch is refused too.
func anyPasses(n int, check func(i int) (uint32, error)) error {
	if n == 0 {
		return fmt.Errorf("%w: the batch has no items", ErrInputLengthsUnequal)
	}
	var first error
	for i := 0; i < n; i++ {
		netuid, err := check(i)
		if err == nil {
			return nil
		}
		if first == nil {
			first = fmt.Errorf("no item of the batch would apply; item %d (netuid %d): %w", i, netuid, err)
		}
	}
	return first
}

// ValidateBatchSetWeights runs batch_set_weights' checks: equal lengths, and
// at least one item that passes set_weights' checks.
func ValidateBatchSetWeights(r store.Reader, hotkey keys.PublicKey, netuids []uint32, weights []WeightVector, versionKeys []uint64, now uint64) error {
	if err := batchLens(len(netuids), len(weights), len(versionKeys)); err != nil {
		return err
	}
	return anyPasses(len(netuids), func(i int) (uint32, error) {
		c, err := itemCall(netuids[i], weights[i], versionKeys[i])
		if err == nil {
			_, _, err = checkWeights(r, hotkey, c, now, false)
		}
		return netuids[i], err
	})
}

// BatchSetWeights implements batch_set_weights (§6.1; signed by the hotkey,
// free): each item runs as set_weights would, in order; a failing item emits
// BatchWeightItemFailed and the others still apply. Only unequal lengths (or
// more than MaxBatchItems items) fail the call.
func BatchSetWeights(e *env.Env, kv store.KV, netuids []uint32, weights []WeightVector, versionKeys []uint64) error {
	if err := batchLens(len(netuids), len(weights), len(versionKeys)); err != nil {
		return err
	}
	b := batchOutcome{e: e}
	for i, n := range netuids {
		c, err := itemCall(n, weights[i], versionKeys[i])
		if err == nil {
			err = SetWeights(e, kv, c)
		}
		b.item(i, n, err)
	}
	b.done()
	return nil
}

// ValidateBatchCommitWeights runs batch_commit_weights' checks: equal lengths,
// and at least one item that passes commit_weights' checks.
func ValidateBatchCommitWeights(r store.Reader, hotkey keys.PublicKey, netuids []uint32, hashes [][]byte, now uint64) error {
	if err := batchLens(len(netuids), len(hashes)); err != nil {
		return err
	}
	return anyPasses(len(netuids), func(i int) (uint32, error) {
		n, err := itemNetuid(netuids[i])
		if err == nil {
			_, _, err = checkCommit(r, hotkey, n, hashes[i], now)
		}
		return netuids[i], err
	})
}

// BatchCommitWeights implements batch_commit_weights (§6.2; free): each item
// runs as commit_weights would, failures reported per item like
// BatchSetWeights.
func BatchCommitWeights(e *env.Env, kv store.KV, netuids []uint32, hashes [][]byte) error {
	if err := batchLens(len(netuids), len(hashes)); err != nil {
		return err
	}
	b := batchOutcome{e: e}
	for i, n := range netuids {
		nu, err := itemNetuid(n)
		if err == nil {
			err = CommitWeights(e, kv, nu, hashes[i])
		}
		b.item(i, n, err)
	}
	b.done()
	return nil
}

// batchReveal reveals every item on kv in order, removing only each matched
// commit (the reference's batch reveal leaves older commits in place); the
// first failure is returned and the caller discards kv.
func batchReveal(e *env.Env, kv store.KV, netuid uint32, weights []WeightVector, salts [][]uint32, versionKeys []uint64) ([]string, error) {
	if err := batchLens(len(weights), len(salts), len(versionKeys)); err != nil {
		return nil, err
	}
	if len(weights) == 0 {
		return nil, fmt.Errorf("%w: the batch has no reveals", ErrInputLengthsUnequal)
	}
	now := uint64(e.Block.Height)
	hashes := make([]string, 0, len(weights))
	for i := range weights {
		c, err := itemCall(netuid, weights[i], versionKeys[i])
		if err != nil {
			return nil, fmt.Errorf("reveal %d: %w", i, err)
		}
		uid, row, all, k, err := checkReveal(kv, e.Signer, c, salts[i], now)
		if err != nil {
			return nil, fmt.Errorf("reveal %d: %w", i, err)
		}
		hashes = append(hashes, fmt.Sprintf("%x", all[k].Hash))
		putCommits(kv, c.Netuid, e.Signer, append(all[:k:k], all[k+1:]...))
		putRow(kv, colWeights, c.Netuid, uid, row)
		e.Events.Emit(EventWeightsRevealed, env.U64("netuid", uint64(c.Netuid)), env.U64("uid", uint64(uid)), env.U64("weights", uint64(len(row))))
	}
	return hashes, nil
}

// ValidateBatchRevealWeights runs batch_reveal_weights' checks by revealing on a
// scratch branch of r.
func ValidateBatchRevealWeights(r store.Reader, hotkey keys.PublicKey, netuid uint32, weights []WeightVector, salts [][]uint32, versionKeys []uint64, now uint64) error {
	e := &env.Env{Block: env.Block{Height: int64(now)}, Signer: hotkey, Events: &env.Events{}}
	_, err := batchReveal(e, store.NewCache(r), netuid, weights, salts, versionKeys)
	return err
}

// BatchRevealWeights implements batch_reveal_weights (§6.2; free): several
// reveals on one subnet, all or nothing. Each must match a commit in its
// reveal epoch; each matched commit is removed and its weights stored as
// reveal_weights would.
func BatchRevealWeights(e *env.Env, kv store.KV, netuid uint32, weights []WeightVector, salts [][]uint32, versionKeys []uint64) error {
	hashes, err := batchReveal(e, kv, netuid, weights, salts, versionKeys)
	if err != nil {
		return err
	}
	e.Events.Emit(EventWeightsBatchRevealed, env.U64("netuid", uint64(netuid)), env.Account("hotkey", e.Signer),
		env.Str("hashes", strings.Join(hashes, ",")))
	return nil
}
