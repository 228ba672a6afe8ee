package gateway_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// A miner whose on-chain address is private (127.0.0.2 here: the chain refuses only
// 127.0.0.1) is refused by default, before any connection, and called when
// AllowPrivateMiners is on.
func TestPrivateMinerAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("this system has no 127.0.0.2 to listen on: %v", err)
	}
	cl := &countingListener{Listener: ln}
	nw := startNetwork(t)
	m := kp(t, "//Alice/private-miner")
	acfg := axon.TestConfig()
	acfg.Logger = slog.New(slog.DiscardHandler)
	a, err := axon.New(m, acfg)
	if err != nil {
		t.Fatal(err)
	}
	var served atomic.Int64
	if err := axon.Handle(a, axon.HandlerFunc[*protocol.Chat](func(ctx context.Context, syn *protocol.Chat) error {
		served.Add(1)
		s := "private " + syn.Messages[len(syn.Messages)-1].Content
		syn.Completion, syn.Model = &s, "private"
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { a.Serve(cl) })
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.Shutdown(ctx)
		wg.Wait()
	})
	port := ln.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	for _, step := range []struct {
		signer *keys.Keypair
		call   *txpb.Call
	}{
		{kp(t, "//Alice"), client.BurnedRegister(1, m.SS58())},
		{m, client.ServeAxon(1, 1, []byte{127, 0, 0, 2}, uint16(port), 4)},
	} {
		if _, err := nw.c.Submit(ctx, step.signer, step.call, client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
			t.Fatal(err)
		}
	}
	config := func(allow bool) (gateway.Config, *syncBuffer) {
		cfg := baseConfig(nw, false)
		cfg.AddrOverride = nil // only the private miner serves (the others publish 0.0.0.0)
		cfg.AllowPrivateMiners = allow
		logs := &syncBuffer{}
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
		return cfg, logs
	}

	cfg, logs := config(false)
	g := startGateway(t, nw, cfg)
	_, key, _ := createKey(t, g, "free")
	for range 2 {
		resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", false))
		if resp.StatusCode == 200 {
			t.Fatalf("a private miner answered by default: %v", out)
		}
	}
	g.stop()
	if n := cl.n.Load(); n != 0 || served.Load() != 0 {
		t.Fatalf("the private miner's listener accepted %d connections (served %d) by default; want none", n, served.Load())
	}
	out := logs.String()
	if n := strings.Count(out, "refused an axon's private address"); n != 1 || !strings.Contains(out, "127.0.0.2") ||
		!strings.Contains(out, "--allow-private-miners") {
		t.Errorf("want the refusal logged once, naming the address and --allow-private-miners; got %d:\n%s", n, out)
	}

	cfg, _ = config(true)
	g = startGateway(t, nw, cfg)
	_, key, _ = createKey(t, g, "free")
	resp, body := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", false))
	if resp.StatusCode != 200 || !strings.Contains(strings.Join(completions(body), ""), "private hi") {
		t.Fatalf("with AllowPrivateMiners: %d %v", resp.StatusCode, body)
	}
	if cl.n.Load() == 0 || served.Load() != 1 {
		t.Errorf("the private miner accepted %d connections and served %d calls; want some and 1", cl.n.Load(), served.Load())
	}
}

// completions are the message contents of a chat completion's choices.
func completions(body map[string]any) []string {
	var out []string
	choices, _ := body["choices"].([]any)
	for _, c := range choices {
		msg, _ := c.(map[string]any)["message"].(map[string]any)
		s, _ := msg["content"].(string)
		out = append(out, s)
	}
	return out
}
