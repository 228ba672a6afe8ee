package app

import (
	"context"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// Block-level event types.
const (
	EventTx          = "gotensor.tx"
	EventFeesPaid    = "gotensor.FeesPaid"
	EventFeesBurned  = "gotensor.FeesRecycled"
	AttrSigner       = "signer"
	AttrNonce        = "nonce"
	AttrCall         = "call"
	AttrFee          = "fee"
	AttrProposer     = "proposer"
	AttrRewardAcount = "account"
	AttrAmount       = "amount"
)

// PrepareProposal keeps the mempool's order and drops transactions that
// can no longer be valid in this block (bad envelope, expired, wrong
// nonce), so a proposer does not waste block space.
func (a *App) PrepareProposal(_ context.Context, req *abci.PrepareProposalRequest) (*abci.PrepareProposalResponse, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	// The working tree does not change while the proposal is built (or the
	// block executed): reads of what the block has not written are cached.
	kv := store.NewCache(store.NewReadCache(a.tree, checkReadCacheSize))
	var out [][]byte
	var size int64
	for _, raw := range req.Txs {
		// Each tx costs its bytes plus its protobuf field header in the block.
		cost := int64(len(raw)) + 1 + int64(protowire.SizeVarint(uint64(len(raw))))
		if size+cost > req.MaxTxBytes {
			break
		}
		one := store.NewCache(kv)
		if _, err := a.admit(one, raw, req.Height, &env.Events{}); err != nil {
			continue
		}
		one.Write(kv)
		out = append(out, raw)
		size += cost
	}
	return &abci.PrepareProposalResponse{Txs: out}, nil
}

// ProcessProposal rejects blocks carrying transactions that could never
// execute: undecodable or badly signed ones. Everything else is decided
// at execution, where a failed transaction is recorded with its error.
func (a *App) ProcessProposal(_ context.Context, req *abci.ProcessProposalRequest) (*abci.ProcessProposalResponse, error) {
	for _, raw := range req.Txs {
		d, err := tx.Decode(raw)
		if err == nil {
			err = a.verify(d)
		}
		if err != nil {
			a.log.Warn("rejecting proposal", "height", req.Height, "err", err)
			return &abci.ProcessProposalResponse{Status: abci.PROCESS_PROPOSAL_STATUS_REJECT}, nil
		}
	}
	return &abci.ProcessProposalResponse{Status: abci.PROCESS_PROPOSAL_STATUS_ACCEPT}, nil
}

// FinalizeBlock executes a decided block.
func (a *App) FinalizeBlock(_ context.Context, req *abci.FinalizeBlockRequest) (resp *abci.FinalizeBlockResponse, err error) {
	// Deferred first so that it runs last, after the unlock: the hook may
	// query the node, or end the process.
	var halt *UpgradeHalt
	defer func() {
		if halt != nil && a.cfg.OnUpgradeNeeded != nil {
			a.cfg.OnUpgradeNeeded(*halt)
		}
	}()
	a.mu.Lock()
	defer a.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			// A storage failure or a broken invariant: stop the chain here
			// rather than commit a state nobody can reproduce.
			resp, err = nil, fmt.Errorf("finalize block %d: halting: %v", req.Height, r)
		}
	}()
	if plan, ok := governance.Upgrade(a.tree); ok && uint64(req.Height) >= plan.Height && !a.declares(plan.Name) {
		// Halt: every node without the upgrade stops here, before
		// executing anything, and resumes once restarted with it.
		a.log.Error("upgrade needed", "name", plan.Name, "height", plan.Height, "info", plan.Info)
		halt = &UpgradeHalt{Name: plan.Name, Info: plan.Info, Height: plan.Height, Block: uint64(req.Height)}
		info := ""
		if plan.Info != "" {
			info = " (" + plan.Info + ")"
		}
		return nil, fmt.Errorf("%w: upgrade %q was scheduled for block %d%s; install a binary that declares it and restart",
			governance.ErrUpgradeNotDeclared, plan.Name, plan.Height, info)
	}
	a.block = store.NewCache(store.NewReadCache(a.tree, checkReadCacheSize))
	blk := env.Block{Height: req.Height, TimeUnix: req.Time.Unix(), ChainID: a.cfg.ChainID}
	author, hasAuthor := system.RewardAccount(a.block, req.ProposerAddress)
	blockEvents := &env.Events{}
	a.beginBlock(blk, author, hasAuthor, blockEvents)
	results := make([]*abci.ExecTxResult, len(req.Txs))
	var fees uint64
	var failed int
	for i, raw := range req.Txs {
		res, fee := a.deliver(blk, raw, author, hasAuthor)
		results[i] = res
		fees += fee // each fee ≤ the payer's balance, so the sum ≤ issuance
		if res.Code != abci.CodeTypeOK {
			failed++
		}
	}
	governance.EndBlock(&env.Env{Block: blk, Events: blockEvents, Author: author, HasAuthor: hasAuthor}, a.block, uint64(blk.Height))
	a.payFees(blk, req.ProposerAddress, fees, blockEvents)
	a.block.Write(a.tree)
	a.block = nil
	hash := a.tree.WorkingHash()
	a.log.Info("block", "height", req.Height, "txs", len(req.Txs), "failed", failed, "fees", fees)
	return &abci.FinalizeBlockResponse{
		Events:    toABCI(blockEvents.List()),
		TxResults: results,
		AppHash:   hash,
	}, nil
}

// deliver executes one transaction on the block branch.
func (a *App) deliver(blk env.Block, raw []byte, author keys.PublicKey, hasAuthor bool) (*abci.ExecTxResult, uint64) {
	ev := &env.Events{}
	paid := store.NewCache(a.block)
	adm, err := a.admit(paid, raw, blk.Height, ev)
	if err != nil {
		return failure(err, nil), 0
	}
	paid.Write(a.block)
	b := adm.d.Body
	name := tx.CallName(b.Call)
	ev.Emit(EventTx, env.Account(AttrSigner, adm.d.Signer), env.U64(AttrNonce, b.Nonce), env.Str(AttrCall, name), env.U64(AttrFee, adm.fee))
	feeEvents := len(ev.List())

	callKV := store.NewCache(a.block)
	e := &env.Env{Block: blk, Signer: adm.d.Signer, Events: ev, Author: author, HasAuthor: hasAuthor}
	if err := runCall(e, callKV, b.Call); err != nil {
		a.log.Debug("tx failed", "height", blk.Height, "call", name, "signer", adm.d.Signer.SS58(), "err", err)
		return failure(fmt.Errorf("%s: %w", name, err), ev.List()[:feeEvents]), adm.fee
	}
	callKV.Write(a.block)
	return &abci.ExecTxResult{Code: abci.CodeTypeOK, Events: toABCI(ev.List())}, adm.fee
}

// runCall executes a call, turning a handler panic that is not a storage
// failure into an Internal error: every node panics alike, so failing the
// transaction keeps the chain live and deterministic.
func runCall(e *env.Env, kv store.KV, c *txpb.Call) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if re, ok := r.(error); ok && errors.Is(re, store.ErrStorage) {
				panic(r)
			}
			err = fmt.Errorf("%w: handler panicked: %v", errs.Internal, r)
		}
	}()
	return execute(e, kv, c)
}

func failure(err error, events []env.Event) *abci.ExecTxResult {
	space, code := errs.Codes(err)
	return &abci.ExecTxResult{Code: code, Codespace: space, Log: err.Error(), Events: toABCI(events)}
}

// payFees credits the block's fees to the proposer's reward account, or
// recycles them when the proposer has none.
func (a *App) payFees(blk env.Block, proposer []byte, fees uint64, ev *env.Events) {
	if fees == 0 {
		return
	}
	e := &env.Env{Block: blk, Events: ev}
	if who, ok := system.RewardAccount(a.block, proposer); ok {
		if err := balances.Deposit(e, a.block, who, fees, "fees"); err == nil {
			ev.Emit(EventFeesPaid, env.Str(AttrProposer, fmt.Sprintf("%X", proposer)), env.Account(AttrRewardAcount, who), env.U64(AttrAmount, fees))
			return
		}
	}
	balances.Recycle(a.block, fees)
	ev.Emit(EventFeesBurned, env.Str(AttrProposer, fmt.Sprintf("%X", proposer)), env.U64(AttrAmount, fees))
}

// Commit saves the block's state as a new version.
func (a *App) Commit(context.Context, *abci.CommitRequest) (*abci.CommitResponse, error) {
	a.mu.Lock()
	_, v, err := a.tree.SaveVersion()
	if err == nil && a.cfg.KeepVersions > 0 && v > a.cfg.KeepVersions {
		err = a.tree.Prune(v - a.cfg.KeepVersions)
	}
	a.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	a.resetCheck()
	return &abci.CommitResponse{}, nil
}

// indexedAttrs are the event attributes CometBFT's transaction and block
// indexers index, so tx_search and block_search can find them: the ones
// that say who (accounts and hotkeys), what (the call) and where (the
// subnet, the proposal). Amounts, fees and nonces are left out: each indexed
// attribute is a key written to the index database per transaction, and
// indexing every attribute cost about a third of the node's CPU under a
// load of transfers (cmd/bench).
var indexedAttrs = map[string]bool{
	AttrSigner: true, AttrCall: true, AttrProposer: true, "account": true, "from": true, "to": true,
	"coldkey": true, "hotkey": true, "from_hotkey": true, "to_hotkey": true, "old_hotkey": true,
	"to_coldkey": true, "owner": true, "owner_hotkey": true, "depositor": true, "voter": true,
	"netuid": true, "id": true,
}

func toABCI(list []env.Event) []abci.Event {
	out := make([]abci.Event, 0, len(list))
	for _, e := range list {
		ae := abci.Event{Type: e.Type, Attributes: make([]abci.EventAttribute, len(e.Attrs))}
		for i, at := range e.Attrs {
			ae.Attributes[i] = abci.EventAttribute{Key: at.Key, Value: at.Value, Index: indexedAttrs[at.Key]}
		}
		out = append(out, ae)
	}
	return out
}

// beginBlock runs the per-block steps before transactions (§2): the
// registration prices decay, then coinbase mints and injects emission,
// runs due epochs and pays them, and moves the EMA prices. The events are
// the block's own (FinalizeBlock events).
func (a *App) beginBlock(blk env.Block, author keys.PublicKey, hasAuthor bool, ev *env.Events) error {
	subnets.DecayBurns(a.block, uint64(blk.Height))
	e := &env.Env{Block: blk, Events: ev, Author: author, HasAuthor: hasAuthor}
	step := store.NewCache(a.block)
	if err := coinbase.Step(e, step); err != nil {
		// A failed step changes nothing; the next block tries again.
		a.log.Error("coinbase step failed", "height", blk.Height, "err", err)
		ev.Emit("coinbase.StepFailed", env.Str("error", err.Error()))
		return err
	}
	step.Write(a.block)
	return nil
}
