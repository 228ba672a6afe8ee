package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	jsonrpc "github.com/cometbft/cometbft/rpc/jsonrpc/client"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
	cmttypes "github.com/cometbft/cometbft/types"
)

// Block is a committed block, as SubscribeBlocks delivers it.
type Block struct {
	Height int64
	Hash   string // hex, as CometBFT's RPC prints it
	Time   time.Time
}

// newHeaderQuery selects one event per committed block. CometBFT publishes
// it after the application's Commit, so a query at Height already sees the
// block's state.
const newHeaderQuery = "tm.event='NewBlockHeader'"

// maxRedial caps the wait between websocket dials while polling instead.
const maxRedial = 30 * time.Second

// SubscribeBlocks delivers every new committed block, in increasing height
// order, until ctx ends; then it closes the channel once every goroutine
// and connection it started is gone.
//
// Blocks come from the node's websocket event stream (/websocket,
// NewBlockHeader). While the websocket is unavailable (refused, dropped,
// silent while the head moves) blocks come from polling the head every
// Config.PollInterval, and the websocket is redialled with backoff.
// Heights are consecutive while the websocket is up and the reader keeps
// up; a reader that falls behind gets the newest block, not a backlog, and
// polling may skip heights.
func (c *Client) SubscribeBlocks(ctx context.Context) <-chan Block {
	out := make(chan Block)
	f := &follower{c: c, out: out, poll: c.cfg.PollInterval}
	if f.poll <= 0 {
		f.poll = time.Second
	}
	go f.run(ctx)
	return out
}

// follower is one SubscribeBlocks stream; run owns every field.
type follower struct {
	c    *Client
	out  chan<- Block
	poll time.Duration

	sub       *jsonrpc.WSClient // nil while polling
	lastEvent time.Time         // when sub last delivered a block (or came up)
	interval  time.Duration     // block interval seen on the websocket, smoothed
	seen      int64             // highest height seen from any source
}

func (f *follower) run(ctx context.Context) {
	defer close(f.out)
	defer f.drop()
	tick := time.NewTicker(f.poll)
	defer tick.Stop()
	var (
		delivered int64
		pending   Block
		has       bool
		retryAt   time.Time
		backoff   = f.poll
	)
	offer := func(b Block) {
		if b.Height > f.seen {
			f.seen = b.Height
		}
		if b.Height > delivered && (!has || b.Height > pending.Height) {
			pending, has = b, true // a slow reader gets the newest block, not a backlog
		}
	}
	for {
		if f.sub == nil && !time.Now().Before(retryAt) {
			if err := f.dial(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				f.c.log.Warn("block subscription: websocket unavailable, polling the head instead", "retry_in", backoff, "err", err)
				retryAt = time.Now().Add(backoff)
				backoff = min(2*backoff, maxRedial)
			} else {
				backoff = f.poll
			}
			// Catch up on blocks committed while the websocket was down.
			if b, err := f.head(ctx); err == nil {
				offer(b)
			}
		}
		var (
			outc   chan<- Block
			events <-chan rpctypes.RPCResponse
		)
		if has {
			outc = f.out
		}
		if f.sub != nil {
			events = f.sub.ResponsesCh
		}
		select {
		case <-ctx.Done():
			return
		case outc <- pending:
			delivered, has = pending.Height, false
		case resp, ok := <-events:
			if !ok { // the client gave up after a failed reconnect
				f.c.log.Warn("block subscription: websocket closed, polling until it is back")
				f.drop()
				continue
			}
			b, err := parseHeaderEvent(resp)
			if err != nil {
				f.c.log.Warn("block subscription: websocket error, polling until it is back", "err", err)
				f.drop()
				retryAt = time.Now().Add(backoff)
				continue
			}
			if b.Height == 0 { // subscription acknowledgement
				continue
			}
			now := time.Now()
			if d := now.Sub(f.lastEvent); f.interval == 0 {
				f.interval = d
			} else {
				f.interval = (3*f.interval + d) / 4
			}
			f.lastEvent = now
			offer(b)
		case <-tick.C:
			if f.sub != nil && time.Since(f.lastEvent) < 3*max(f.interval, f.poll) {
				continue // the websocket is delivering; nothing to check
			}
			b, err := f.head(ctx)
			if err != nil {
				continue // the next tick tries again
			}
			if f.sub != nil {
				if b.Height <= f.seen { // silent because the chain is: it is alive
					f.lastEvent = time.Now()
					continue
				}
				// The head moved and the websocket said nothing: its connection is gone
				// without a close (a reset the client does not report).
				f.c.log.Warn("block subscription: websocket silent while the chain moved, redialling", "head", b.Height, "last_seen", f.seen)
				f.drop()
				retryAt = time.Time{}
			}
			offer(b)
		}
	}
}

// dial opens the websocket to the current endpoint and subscribes. The
// client's own reconnect is cut to one attempt that fails at once (see
// Dialer below): run redials with its own backoff, and a stopped client
// leaves no goroutine sleeping through reconnect attempts.
func (f *follower) dial(ctx context.Context) error {
	f.c.mu.Lock()
	ep := Network(f.c.cfg.Endpoints[f.c.current])
	f.c.mu.Unlock()
	ws, err := jsonrpc.NewWS(ep, "/websocket", jsonrpc.MaxReconnectAttempts(0), jsonrpc.PingPeriod(15*time.Second))
	if err != nil {
		return fmt.Errorf("websocket %s: %w", ep, err)
	}
	base := ws.Dialer
	var (
		dialed    atomic.Bool
		stopWatch = func() bool { return false }
	)
	timeout := f.c.cfg.Timeout
	ws.Dialer = func(network, addr string) (net.Conn, error) {
		if dialed.Swap(true) {
			return nil, errors.New("redial left to SubscribeBlocks")
		}
		conn, err := base(network, addr)
		if err != nil {
			return nil, err
		}
		// Bounds the handshake (gorilla clears the deadline after it) and lets ctx
		// interrupt it.
		_ = conn.SetDeadline(time.Now().Add(timeout))
		stopWatch = context.AfterFunc(ctx, func() { conn.Close() })
		return conn, nil
	}
	err = ws.Start() // dials and shakes hands before returning
	stopWatch()
	if err != nil {
		return fmt.Errorf("websocket %s/websocket: %w (a proxy in front of the node must pass websocket upgrades; polling meanwhile)", ep, err)
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := ws.Subscribe(sctx, newHeaderQuery); err != nil {
		_ = ws.Stop()
		return fmt.Errorf("websocket %s: subscribe: %w", ep, err)
	}
	f.sub, f.lastEvent, f.interval = ws, time.Now(), 0
	return nil
}

// drop closes the websocket, if any. Stop waits for the client's reader
// and writer; it fails only when the client already stopped itself.
func (f *follower) drop() {
	if f.sub != nil {
		_ = f.sub.Stop()
		f.sub = nil
	}
}

// head reads the application's last committed height (not the block
// store's, which runs one block ahead of Commit) and that block's header.
func (f *follower) head(ctx context.Context) (Block, error) {
	h, err := f.c.LatestHeight(ctx)
	if err != nil || h <= f.seen {
		return Block{Height: h}, err
	}
	var hdr *ctypes.ResultHeader
	err = f.c.do(ctx, "header", func(r *rpchttp.HTTP) (err error) {
		hdr, err = r.Header(ctx, &h)
		return err
	})
	if err != nil {
		return Block{}, err
	}
	return blockOf(hdr.Header), nil
}

func blockOf(h *cmttypes.Header) Block {
	return Block{Height: h.Height, Hash: h.Hash().String(), Time: h.Time}
}

// parseHeaderEvent decodes one websocket response: a NewBlockHeader event,
// or the subscription's acknowledgement (Height 0).
func parseHeaderEvent(resp rpctypes.RPCResponse) (Block, error) {
	if resp.Error != nil {
		return Block{}, resp.Error
	}
	var ev ctypes.ResultEvent
	if err := cmtjson.Unmarshal(resp.Result, &ev); err != nil {
		return Block{}, fmt.Errorf("decode event: %w", err)
	}
	switch d := ev.Data.(type) {
	case cmttypes.EventDataNewBlockHeader:
		return blockOf(&d.Header), nil
	case *cmttypes.EventDataNewBlockHeader:
		return blockOf(&d.Header), nil
	}
	return Block{}, nil
}
