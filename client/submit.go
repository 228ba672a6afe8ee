package client

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"google.golang.org/protobuf/proto"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// Wait says how long Submit waits.
type Wait int

const (
	// WaitNone returns once the node's mempool accepted the transaction.
	WaitNone Wait = iota
	// WaitIncluded returns once the transaction is in a block.
	WaitIncluded
	// WaitFinal returns once that block is committed. CometBFT blocks are
	// final when committed, so this is the same moment as WaitIncluded.
	WaitFinal
)

// SubmitOptions tune Submit. The zero value waits for the mempool only.
type SubmitOptions struct {
	Wait Wait
	// Tip, in RAO, goes to the block proposer.
	Tip uint64
	// Validity is how many blocks the transaction stays valid; zero uses
	// the chain's default (64 blocks).
	Validity uint64
}

// Receipt describes a submitted transaction.
type Receipt struct {
	Hash    string
	Nonce   uint64
	Height  int64 // 0 with WaitNone
	Success bool
	Events  []abci.Event
}

// Event returns the first event of the given type and whether it exists.
func (r *Receipt) Event(typ string) (map[string]string, bool) {
	for _, e := range r.Events {
		if e.Type == typ {
			m := map[string]string{}
			for _, a := range e.Attributes {
				m[a.Key] = a.Value
			}
			return m, true
		}
	}
	return nil, false
}

// nonceManager hands out consecutive nonces per signer so many
// transactions can be sent back to back; it resyncs from the chain when
// the node says a nonce is stale or ahead.
//
// The mempool accepts a signer's transactions only in nonce order, so
// reserving a nonce, signing and broadcasting happen under the signer's
// lock: concurrent Submits for one signer reach the node in nonce order.
// Waiting for inclusion happens outside the lock.
type nonceManager struct {
	mu    sync.Mutex
	next  map[string]uint64
	locks map[string]*sync.Mutex
}

func (m *nonceManager) lock(who string) func() {
	m.mu.Lock()
	if m.locks == nil {
		m.locks = map[string]*sync.Mutex{}
	}
	l, ok := m.locks[who]
	if !ok {
		l = &sync.Mutex{}
		m.locks[who] = l
	}
	m.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func (c *Client) txParams(ctx context.Context) (chainID string, p api.TxParams, err error) {
	c.mu.Lock()
	chainID, cached := c.chainID, c.params
	c.mu.Unlock()
	if cached != nil && chainID != "" {
		return chainID, *cached, nil
	}
	params, err := c.Params(ctx)
	if err != nil {
		return "", api.TxParams{}, err
	}
	c.mu.Lock()
	c.chainID, c.params = params.ChainID, &params.System
	c.mu.Unlock()
	return params.ChainID, params.System, nil
}

// Submit signs call with signer, broadcasts it and waits as asked. A
// failure reported by the chain is a *ChainError; when the mempool rejects
// a nonce, Submit resyncs the signer's nonce and tries once more.
func (c *Client) Submit(ctx context.Context, signer tx.Signer, call *txpb.Call, o SubmitOptions) (*Receipt, error) {
	chainID, params, err := c.txParams(ctx)
	if err != nil {
		return nil, err
	}
	who := signer.Public().SS58()
	for attempt := 0; ; attempt++ {
		st, err := c.Status(ctx)
		if err != nil {
			return nil, err
		}
		unlock := c.nonces.lock(who)
		validity := o.Validity
		if validity == 0 {
			validity = params.DefaultValidity
		}
		validUntil := uint64(st.Height) + validity
		nonce, hash, err := c.signAndBroadcast(ctx, signer, who, tx.Build{ChainID: chainID, ValidUntil: validUntil, Tip: o.Tip, Call: call})
		unlock()
		if (errors.Is(err, tx.ErrStale) || errors.Is(err, tx.ErrFuture)) && attempt == 0 {
			continue // signAndBroadcast forgot the cached nonce; resync once
		}
		if err != nil {
			return nil, err
		}
		r := &Receipt{Hash: hash, Nonce: nonce}
		if o.Wait == WaitNone {
			return r, nil
		}
		return c.waitIncluded(ctx, r, validUntil)
	}
}

// signAndBroadcast runs under the signer's lock.
func (c *Client) signAndBroadcast(ctx context.Context, signer tx.Signer, who string, b tx.Build) (uint64, string, error) {
	nonce, err := c.reserveNonce(ctx, who)
	if err != nil {
		return 0, "", err
	}
	b.Nonce = nonce
	raw, err := tx.Sign(signer, b)
	if err != nil {
		c.releaseNonce(who, nonce)
		return 0, "", err
	}
	hash, err := c.broadcast(ctx, raw)
	switch {
	case errors.Is(err, tx.ErrStale) || errors.Is(err, tx.ErrFuture):
		c.forgetNonce(who)
	case err != nil:
		c.releaseNonce(who, nonce)
	}
	return nonce, hash, err
}

func (c *Client) reserveNonce(ctx context.Context, who string) (uint64, error) {
	c.nonces.mu.Lock()
	n, ok := c.nonces.next[who]
	c.nonces.mu.Unlock()
	if !ok {
		acct, err := c.Account(ctx, who)
		if err != nil {
			return 0, err
		}
		n = acct.Nonce
	}
	c.nonces.mu.Lock()
	defer c.nonces.mu.Unlock()
	if cur, ok := c.nonces.next[who]; ok && cur > n {
		n = cur // another goroutine moved it meanwhile
	}
	c.nonces.next[who] = n + 1
	return n, nil
}

// releaseNonce gives back a nonce that never reached the mempool, if it is
// still the last one handed out.
func (c *Client) releaseNonce(who string, n uint64) {
	c.nonces.mu.Lock()
	defer c.nonces.mu.Unlock()
	if c.nonces.next[who] == n+1 {
		c.nonces.next[who] = n
	}
}

func (c *Client) forgetNonce(who string) {
	c.nonces.mu.Lock()
	delete(c.nonces.next, who)
	c.nonces.mu.Unlock()
}

// SubmitRaw broadcasts signed bytes and waits for the mempool's verdict.
func (c *Client) SubmitRaw(ctx context.Context, raw []byte) (string, error) {
	return c.broadcast(ctx, raw)
}

func (c *Client) broadcast(ctx context.Context, raw []byte) (string, error) {
	var res *ctypes.ResultBroadcastTx
	err := c.do(ctx, "broadcast", func(r *rpchttp.HTTP) (err error) {
		res, err = r.BroadcastTxSync(ctx, raw)
		return err
	})
	if err != nil {
		if strings.Contains(err.Error(), "tx already exists in cache") {
			return "", chainError(tx.ErrAlreadyKnown.Codespace, tx.ErrAlreadyKnown.Code, "AlreadyInMempool: the same transaction was already submitted")
		}
		if ce := parseRejection(err); ce != nil {
			return "", ce
		}
		return "", err
	}
	hash := hex.EncodeToString(res.Hash)
	if res.Code != abci.CodeTypeOK {
		e := chainError(res.Codespace, res.Code, res.Log)
		e.TxHash = hash
		return "", e
	}
	return hash, nil
}

// waitIncluded polls for the transaction until it is in a committed
// block, or the chain passes validUntil without it.
func (c *Client) waitIncluded(ctx context.Context, r *Receipt, validUntil uint64) (*Receipt, error) {
	hash, _ := hex.DecodeString(r.Hash)
	delay := 50 * time.Millisecond
	for {
		var got *ctypes.ResultTx
		err := c.do(ctx, "tx", func(rc *rpchttp.HTTP) (err error) {
			got, err = rc.Tx(ctx, hash, false)
			return err
		})
		if err == nil {
			r.Height = got.Height
			r.Events = got.TxResult.Events
			if got.TxResult.Code != abci.CodeTypeOK {
				e := chainError(got.TxResult.Codespace, got.TxResult.Code, got.TxResult.Log)
				e.TxHash, e.Height = r.Hash, got.Height
				return r, e
			}
			r.Success = true
			return r, nil
		}
		if errors.Is(err, ErrUnreachable) {
			return r, err
		}
		if st, serr := c.Status(ctx); serr == nil && uint64(st.Height) > validUntil+1 {
			return r, fmt.Errorf("%w: %s, valid until block %d, chain at %d", ErrNotIncluded, r.Hash, validUntil, st.Height)
		}
		select {
		case <-ctx.Done():
			return r, fmt.Errorf("waiting for %s: %w", r.Hash, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*3/2, 500*time.Millisecond)
	}
}

// rejection matches CometBFT v1's broadcast_tx_sync error for a
// transaction the application refused in CheckTx.
var rejection = regexp.MustCompile(`(?s)tx ([0-9A-Fa-f]+) is invalid: code=(\d+), data=.*?, log='(.*)', codespace='([^']*)'`)

func parseRejection(err error) *ChainError {
	m := rejection.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	code, perr := strconv.ParseUint(m[2], 10, 32)
	if perr != nil {
		return nil
	}
	e := chainError(m[4], uint32(code), m[3])
	e.TxHash = strings.ToLower(m[1])
	return e
}

// EstimateFee returns the fee (tip included) that signer would pay for
// call now: the chain's base fee plus its per-byte fee for the exact size
// the signed transaction will have.
func (c *Client) EstimateFee(ctx context.Context, signer keys.PublicKey, call *txpb.Call, o SubmitOptions) (uint64, error) {
	chainID, params, err := c.txParams(ctx)
	if err != nil {
		return 0, err
	}
	acct, err := c.Account(ctx, signer.SS58())
	if err != nil {
		return 0, err
	}
	st, err := c.Status(ctx)
	if err != nil {
		return 0, err
	}
	validity := o.Validity
	if validity == 0 {
		validity = params.DefaultValidity
	}
	body, err := proto.Marshal(&txpb.TxBody{Signer: signer[:], Nonce: acct.Nonce, ChainId: chainID,
		ValidUntil: uint64(st.Height) + validity, Tip: o.Tip, Call: call})
	if err != nil {
		return 0, err
	}
	if api.IsFreeCall(tx.CallName(call)) {
		return o.Tip, nil
	}
	size := proto.Size(&txpb.Tx{Body: body, Signature: make([]byte, 64)})
	fee := params.FeeBase + params.FeePerByte*uint64(size)
	if o.Tip > ^uint64(0)-fee {
		return 0, fmt.Errorf("tip %d RAO overflows the fee", o.Tip)
	}
	return fee + o.Tip, nil
}
