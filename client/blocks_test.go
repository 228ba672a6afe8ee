package client_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/node/nodetest"
)

func TestSubscribeBlocks(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{BlockTime: 200 * time.Millisecond})
	rpc, err := rpchttp.New(n.RPC)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("websocket delivers consecutive blocks", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		// Polling every 10 s cannot deliver consecutive 200 ms blocks: these come from
		// the websocket.
		c, warns := dial(t, ctx, n.RPC, 10*time.Second)
		ch := c.SubscribeBlocks(ctx)
		var prev client.Block
		for i := 0; i < 6; i++ {
			b := next(t, ctx, ch)
			if i > 0 && b.Height != prev.Height+1 {
				t.Fatalf("height %d after %d", b.Height, prev.Height)
			}
			hdr, err := rpc.Header(ctx, &b.Height)
			if err != nil {
				t.Fatal(err)
			}
			if b.Hash != hdr.Header.Hash().String() || !b.Time.Equal(hdr.Header.Time) {
				t.Fatalf("block %d: hash %s time %v; node has %s %v", b.Height, b.Hash, b.Time, hdr.Header.Hash(), hdr.Header.Time)
			}
			// The state of a delivered block is committed: a query at its height answers.
			if _, err := c.Metagraph(ctx, 0, b.Height, false); err != nil {
				t.Fatalf("query at delivered height %d: %v", b.Height, err)
			}
			prev = b
		}
		if warns.Load() != 0 {
			t.Fatalf("%d warnings on a healthy websocket", warns.Load())
		}
		cancel()
		closed(t, ch)
		noLeak(t)
	})

	t.Run("polls while the websocket is refused, then switches to it", func(t *testing.T) {
		p := newProxy(t, n.RPC)
		p.refuse.Store(true)
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		c, _ := dial(t, ctx, p.URL, 100*time.Millisecond)
		ch := c.SubscribeBlocks(ctx)
		last := increasing(t, ctx, ch, 0, 4)
		if p.upgrades.Load() != 0 || p.refused.Load() == 0 {
			t.Fatalf("upgrades %d, refused %d", p.upgrades.Load(), p.refused.Load())
		}
		p.refuse.Store(false)
		for p.upgrades.Load() == 0 {
			last = increasing(t, ctx, ch, last, 1)
		}
		increasing(t, ctx, ch, last, 3)
		cancel()
		closed(t, ch)
		noLeak(t)
	})

	t.Run("redials after the connection is cut", func(t *testing.T) {
		p := newProxy(t, n.RPC)
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		c, _ := dial(t, ctx, p.URL, 100*time.Millisecond)
		ch := c.SubscribeBlocks(ctx)
		last := increasing(t, ctx, ch, 0, 3)
		if p.upgrades.Load() != 1 {
			t.Fatalf("%d websocket upgrades, want 1", p.upgrades.Load())
		}
		p.cut()
		for p.upgrades.Load() < 2 {
			last = increasing(t, ctx, ch, last, 1)
		}
		increasing(t, ctx, ch, last, 3)
		cancel()
		closed(t, ch)
		noLeak(t)
	})
}

func dial(t *testing.T, ctx context.Context, url string, poll time.Duration) (*client.Client, *atomic.Int64) {
	t.Helper()
	warns := &warnCounter{t: t}
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{url}, PollInterval: poll, Logger: slog.New(warns)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, &warns.n
}

// warnCounter logs records to the test and counts warnings.
type warnCounter struct {
	t *testing.T
	n atomic.Int64
}

func (w *warnCounter) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		w.n.Add(1)
	}
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	w.t.Log(msg)
	return nil
}
func (w *warnCounter) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnCounter) WithGroup(string) slog.Handler      { return w }

func next(t *testing.T, ctx context.Context, ch <-chan client.Block) client.Block {
	t.Helper()
	select {
	case b, ok := <-ch:
		if !ok {
			t.Fatal("subscription closed while ctx is live")
		}
		return b
	case <-ctx.Done():
		t.Fatal("no block before the test's deadline")
	}
	return client.Block{}
}

// increasing reads k blocks, each above the one before (the first above after).
func increasing(t *testing.T, ctx context.Context, ch <-chan client.Block, after int64, k int) int64 {
	t.Helper()
	for range k {
		b := next(t, ctx, ch)
		if b.Height <= after || b.Hash == "" || b.Time.IsZero() {
			t.Fatalf("block %+v after height %d", b, after)
		}
		after = b.Height
	}
	return after
}

// closed checks the channel closes once ctx ended.
func closed(t *testing.T, ch <-chan client.Block) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("subscription not closed 10 s after its context ended")
		}
	}
}

// noLeak checks that no goroutine of a subscription or its websocket client
// outlives it. The node runs in this process, so its own goroutines are
// told apart by function, not counted.
func noLeak(t *testing.T) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		left = left[:0]
		for _, g := range goroutines() {
			if strings.Contains(g, "gotensor/client.(*follower)") || strings.Contains(g, "rpc/jsonrpc/client.(*WSClient)") {
				left = append(left, g)
			}
		}
		if len(left) == 0 {
			return
		}
	}
	t.Fatalf("%d goroutines left after the subscription closed:\n%s", len(left), strings.Join(left, "\n\n"))
}

func goroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Split(string(buf[:n]), "\n\n")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// proxy is a reverse proxy in front of the node's RPC that can refuse the
// websocket and cut the connections it carries.
type proxy struct {
	URL               string
	refuse            atomic.Bool
	upgrades, refused atomic.Int64

	mu       sync.Mutex
	hijacked []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &proxy{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/websocket" {
			if p.refuse.Load() {
				p.refused.Add(1)
				http.Error(w, "websocket refused by the test proxy", http.StatusServiceUnavailable)
				return
			}
			p.upgrades.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateHijacked { // the proxy hijacks websocket upgrades
			p.mu.Lock()
			p.hijacked = append(p.hijacked, c)
			p.mu.Unlock()
		}
	}
	srv.Start()
	t.Cleanup(func() { p.cut(); srv.Close() })
	p.URL = srv.URL
	return p
}

// cut closes every websocket connection, as a network failure would.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.hijacked {
		c.Close()
	}
	p.hijacked = nil
}
