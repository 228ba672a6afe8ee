package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/keys"
)

// Version is reported in Info.
const Version = "0.1.0"

// AppVersion is the state machine's protocol version.
const AppVersion = 1

// Config configures the application.
type Config struct {
	// ChainID is the chain's id; transactions naming another are rejected.
	ChainID string
	// KeepVersions is how many recent state versions stay queryable;
	// zero keeps every version.
	KeepVersions int64
	// Logger receives a line per block; nil discards.
	Logger *slog.Logger
	// Upgrades names the software upgrades this binary implements; the
	// chain halts at a governance-scheduled upgrade it does not name.
	Upgrades []string
	// OnUpgradeNeeded, when set, is called each time FinalizeBlock refuses a
	// block because of a scheduled upgrade this binary does not declare,
	// after the application is unlocked and before the error is returned.
	// It is a side effect outside the state machine: it sees only what the
	// error says and changes nothing the chain computes, so the chain stays
	// deterministic whatever it does. It may end the process (subtensor does
	// while block-syncing, where CometBFT would panic on the error; see
	// node.Config.OnUpgradeHaltWhileSyncing): every state up to the block
	// before is committed by then.
	OnUpgradeNeeded func(UpgradeHalt)
}

// UpgradeHalt describes a block FinalizeBlock refused because governance
// scheduled an upgrade this binary does not declare.
type UpgradeHalt struct {
	Name, Info string // the plan's name and info
	Height     uint64 // the plan's height
	Block      uint64 // the refused block (≥ Height)
}

func (a *App) declares(name string) bool {
	for _, u := range a.cfg.Upgrades {
		if u == name {
			return true
		}
	}
	return false
}

// App is the ABCI application.
type App struct {
	abci.BaseApplication

	cfg  Config
	log  *slog.Logger
	tree *store.Tree

	// checkMu guards check and checkHeight. CheckTx runs on CometBFT's
	// mempool connection, concurrently with block execution on the
	// consensus connection; CometBFT holds the mempool lock across Commit,
	// so the reset below never races a CheckTx.
	checkMu sync.Mutex
	// check is the mempool's view: committed state plus the fees and nonces
	// of transactions accepted since the last commit.
	check *store.Cache
	// checkHeight is the height the next block will have.
	checkHeight int64

	// block is the branch of the block being finalized, nil between
	// Commit and the next FinalizeBlock.
	block *store.Cache

	sigs *sigCache
	// verifiers keeps decoded signer keys: decoding one costs a tenth of
	// a verification, and busy senders sign again and again.
	verifiers *keys.VerifierCache

	// metagraphs memoizes encoded metagraph answers of the latest queried
	// height (read path only).
	metagraphs metagraphMemo

	// mu guards the tree: FinalizeBlock and Commit write it (exclusive);
	// queries, CheckTx and PrepareProposal read it (shared). IAVL versions
	// share nodes, so reading an old version while the working tree is
	// written is a data race.
	mu sync.RWMutex
}

var _ abci.Application = (*App)(nil)

// New opens an application over tree.
func New(tree *store.Tree, cfg Config) *App {
	l := cfg.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	a := &App{cfg: cfg, log: l, tree: tree, sigs: newSigCache(1 << 17), verifiers: keys.NewVerifierCache(1 << 14)}
	a.resetCheck()
	return a
}

func (a *App) resetCheck() {
	a.mu.RLock()
	v := a.tree.Version()
	var snap store.Reader = emptyReader{}
	if v > 0 {
		s, err := a.tree.At(v)
		if err != nil {
			a.mu.RUnlock()
			panic(fmt.Sprintf("app: latest version %d unreadable: %v", v, err))
		}
		snap = store.NewReadCache(s, checkReadCacheSize)
	}
	a.mu.RUnlock()
	a.checkMu.Lock()
	a.check, a.checkHeight = store.NewCache(snap), v+1
	a.checkMu.Unlock()
}

// checkReadCacheSize bounds the caches of state reads kept by the mempool's
// view (per saved version) and by block building and execution (per block):
// a few tens of MB at most, for values of a few hundred bytes.
const checkReadCacheSize = 1 << 16

type emptyReader struct{}

func (emptyReader) Get([]byte) []byte                             { return nil }
func (emptyReader) Iterate(_, _ []byte, _ func(k, v []byte) bool) {}

// CommittedHeight is the last height whose state queries can read.
func (a *App) CommittedHeight() int64 {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.tree.Version()
}

// Info reports the last committed height and app hash, so CometBFT can
// replay blocks the application has not committed.
func (a *App) Info(context.Context, *abci.InfoRequest) (*abci.InfoResponse, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return &abci.InfoResponse{
		Data:             "gotensor",
		Version:          Version,
		AppVersion:       AppVersion,
		LastBlockHeight:  a.tree.Version(),
		LastBlockAppHash: a.tree.Hash(),
	}, nil
}

// InitChain writes the genesis state into the working tree.
func (a *App) InitChain(_ context.Context, req *abci.InitChainRequest) (*abci.InitChainResponse, error) {
	if req.ChainId != a.cfg.ChainID {
		return nil, fmt.Errorf("init chain: genesis chain id %q, node configured for %q", req.ChainId, a.cfg.ChainID)
	}
	g, err := ParseGenesis(req.AppStateBytes)
	if err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	if req.InitialHeight > 1 {
		a.tree.SetInitialVersion(uint64(req.InitialHeight))
	}
	kv := store.NewCache(a.tree)
	if err := initGenesis(kv, g, uint64(max(req.InitialHeight, 1))); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	kv.Write(a.tree)
	a.log.Info("genesis loaded", "chain_id", req.ChainId, "profile", g.System.Profile, "accounts", len(g.Balances.Accounts))
	return &abci.InitChainResponse{AppHash: a.tree.WorkingHash()}, nil
}

// CheckTx admits a transaction to the mempool: envelope, signature, chain
// id, mortality, nonce, fee, and the call's own checks.
func (a *App) CheckTx(_ context.Context, req *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	// Decoding and the signature need no state: do them before the lock,
	// so they overlap with block execution.
	d, err := tx.Decode(req.Tx)
	if err == nil {
		a.verify(d)
	}
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	// Reading a saved version while FinalizeBlock writes the working tree
	// races inside IAVL (nodes are shared between versions): reads hold
	// the read lock, block execution the write lock.
	a.mu.RLock()
	defer a.mu.RUnlock()
	kv := store.NewCache(a.check)
	if err == nil {
		err = a.checkOne(kv, d)
	}
	if err != nil {
		space, code := errs.Codes(err)
		return &abci.CheckTxResponse{Code: code, Codespace: space, Log: err.Error()}, nil
	}
	kv.Write(a.check)
	return &abci.CheckTxResponse{Code: abci.CodeTypeOK}, nil
}

// checkOne runs CheckTx's checks on kv. A panic becomes an Internal
// error, as runCall does in block execution: CheckTx runs the handlers
// too (staking calls validate by executing), and a panic on the mempool
// connection would take the node down for a transaction anyone can send.
func (a *App) checkOne(kv store.KV, d *tx.Decoded) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: check panicked: %v", errs.Internal, r)
		}
	}()
	adm, err := a.admitDecoded(kv, d, a.checkHeight, &env.Events{})
	if err != nil {
		return err
	}
	// The call must also pass its own checks now, so that free calls
	// and hopeless calls cannot fill the mempool.
	if err := validate(kv, adm.d.Signer, adm.d.Body.Call, a.checkHeight); err != nil {
		return fmt.Errorf("%s: %w", tx.CallName(adm.d.Body.Call), err)
	}
	if classOf(adm.d.Body.Call) == system.Free {
		// A free call pays nothing, also when it fails in a block. Applying it
		// to the mempool's view makes a second one that the first would make
		// fail (a set_weights within the rate limit, a second reveal) fail
		// here, instead of filling blocks for free.
		e := &env.Env{Block: env.Block{Height: a.checkHeight, ChainID: a.cfg.ChainID}, Signer: adm.d.Signer, Events: &env.Events{}}
		if err := runCall(e, kv, adm.d.Body.Call); err != nil {
			return fmt.Errorf("%s: %w", tx.CallName(adm.d.Body.Call), err)
		}
	}
	return nil
}

// admitted is a transaction that passed the envelope checks and paid.
type admitted struct {
	d   *tx.Decoded
	fee uint64
}

// admit runs every check that does not execute the call, then takes the
// fee and bumps the nonce on kv.
func (a *App) admit(kv store.KV, raw []byte, height int64, ev *env.Events) (admitted, error) {
	d, err := tx.Decode(raw)
	if err != nil {
		return admitted{}, err
	}
	return a.admitDecoded(kv, d, height, ev)
}

// admitDecoded is admit for a transaction already decoded.
func (a *App) admitDecoded(kv store.KV, d *tx.Decoded, height int64, ev *env.Events) (admitted, error) {
	if err := a.verify(d); err != nil {
		return admitted{}, err
	}
	b := d.Body
	if b.ChainId != a.cfg.ChainID {
		return admitted{}, fmt.Errorf("%w: transaction is for %q, this chain is %q", tx.ErrWrongChain, b.ChainId, a.cfg.ChainID)
	}
	if b.ValidUntil < uint64(height) {
		return admitted{}, fmt.Errorf("%w: valid until block %d, current block %d", tx.ErrExpired, b.ValidUntil, height)
	}
	params := system.GetParams(kv)
	if b.ValidUntil-uint64(height) > params.MaxValidity {
		return admitted{}, fmt.Errorf("%w: valid until block %d, at most %d blocks after %d", tx.ErrValidTooLong, b.ValidUntil, params.MaxValidity, height)
	}
	next := system.Nonce(kv, d.Signer)
	switch {
	case b.Nonce < next:
		return admitted{}, fmt.Errorf("%w: nonce %d, account %s is at %d", tx.ErrStale, b.Nonce, d.Signer.SS58(), next)
	case b.Nonce > next:
		return admitted{}, fmt.Errorf("%w: nonce %d, account %s expects %d", tx.ErrFuture, b.Nonce, d.Signer.SS58(), next)
	}
	fee, ok := params.Fee(classOf(b.Call), len(d.Raw), b.Tip)
	if !ok {
		return admitted{}, fmt.Errorf("%w: tip %d RAO overflows the fee", tx.ErrCannotPayFee, b.Tip)
	}
	if free := balances.Free(kv, d.Signer); free < fee {
		return admitted{}, fmt.Errorf("%w: fee %s, free balance of %s is %s", tx.ErrCannotPayFee, balances.FormatTAO(fee), d.Signer.SS58(), balances.FormatTAO(free))
	}
	e := &env.Env{Signer: d.Signer, Events: ev}
	if err := balances.Withdraw(e, kv, d.Signer, fee, "fee"); err != nil {
		return admitted{}, fmt.Errorf("%w: %v", tx.ErrCannotPayFee, err)
	}
	system.SetNonce(kv, d.Signer, next+1)
	return admitted{d: d, fee: fee}, nil
}

// verify checks the signature once per distinct transaction.
func (a *App) verify(d *tx.Decoded) error { return a.verifyWith(d, a.verifiers.Verify) }

// verifyWith is verify with the given checker for a signature not yet seen.
func (a *App) verifyWith(d *tx.Decoded, check func(pub keys.PublicKey, msg, sig []byte) bool) error {
	h := d.Hash()
	if a.sigs.has(h) {
		return nil
	}
	if err := d.VerifySignatureWith(check); err != nil {
		return err
	}
	a.sigs.add(h)
	return nil
}

// Preverify checks raw's signature with verify and, when it holds, remembers
// it, so that CheckTx and block execution skip the check. verify must answer
// as keys.Verify does; it is meant to be faster (keys.BatchingVerifier, which
// batches the checks of concurrent callers). Submission paths call Preverify
// from their own goroutines, where checks run in parallel, before handing the
// transaction to the mempool, whose CheckTx runs one transaction at a time.
// The error is the one CheckTx would give for a malformed transaction or a
// bad signature; nothing else is checked.
func (a *App) Preverify(raw []byte, verify func(pub keys.PublicKey, msg, sig []byte) bool) error {
	d, err := tx.Decode(raw)
	if err != nil {
		return err
	}
	return a.verifyWith(d, verify)
}
