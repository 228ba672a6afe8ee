package gateway_test

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/prometheus/client_golang/prometheus"
)

// A miner whose on-chain address is private (127.0.0.2 here: the chain refuses only
// 127.0.0.1) is left out of routing by default: never dialled, logged once, counted in
// the gauge, and taking no fan-out slot from the miners the gateway may call. With
// AllowPrivateMiners it is called.
func TestPrivateMinerAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("this system has no 127.0.0.2 to listen on: %v", err)
	}
	cl := &axontest.CountingListener{Listener: ln}
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
	axontest.Serve(t, a, cl)
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
	// config is a gateway whose miners are the private one and, with override, miner 1
	// (on chain at 0.0.0.0, called at its loopback address by AddrOverride). The breaker
	// never opens here, so a refused miner that still got a slot would take one on every
	// request.
	config := func(allow, override bool) (gateway.Config, *logtest.Buffer, *prometheus.Registry) {
		cfg := baseConfig(nw, false)
		if !override {
			cfg.AddrOverride = nil // only the private miner serves (the others publish 0.0.0.0)
		}
		cfg.AllowPrivateMiners = allow
		cfg.K, cfg.Policy, cfg.BreakerFailures = 3, gateway.PolicyBest, 1000
		logs := &logtest.Buffer{}
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
		reg := prometheus.NewRegistry()
		cfg.Metrics = reg
		return cfg, logs, reg
	}
	const skipMsg = "gateway skips a miner whose on-chain address is private"
	checkSkipLog := func(out string) {
		t.Helper()
		if n := strings.Count(out, skipMsg); n != 1 || !strings.Contains(out, "127.0.0.2:"+strconv.Itoa(port)) ||
			!strings.Contains(out, "--allow-private-miners") || !strings.Contains(out, m.SS58()) {
			t.Errorf("want the skipped miner logged once, naming its hotkey, address and --allow-private-miners; got %d:\n%s", n, out)
		}
		if n := strings.Count(out, "refused an axon's private address"); n != 0 {
			t.Errorf("the dendrite refused %d calls: the private miner was still routed to:\n%s", n, out)
		}
	}

	// Only the private miner serves: no miner answers, and the log says why.
	cfg, logs, reg := config(false, false)
	g := startGateway(t, nw, cfg)
	_, key, _ := createKey(t, g, "free")
	for range 3 {
		resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", false))
		if e, _ := out["error"].(map[string]any); resp.StatusCode != 502 || e["code"] != "upstream_error" {
			t.Fatalf("a request with only a private miner: %d %v; want the no-miner error (502 upstream_error)", resp.StatusCode, out)
		}
	}
	if v := skippedGauge(t, reg); v != 1 {
		t.Errorf("gateway_miners_skipped_private{netuid=1} = %v; want 1", v)
	}
	g.stop()
	if n := cl.Accepted(); n != 0 || served.Load() != 0 {
		t.Fatalf("the private miner's listener accepted %d connections (served %d) by default; want none", n, served.Load())
	}
	out := logs.String()
	checkSkipLog(out)
	if n := strings.Count(out, "every serving miner of the subnet is at a private address"); n != 1 {
		t.Errorf("want the subnet's lack of a callable miner logged once; got %d:\n%s", n, out)
	}
	if !strings.Contains(out, "1 skipped: their on-chain addresses are private") {
		t.Errorf("the requests' logged cause does not say the miner was skipped for its private address:\n%s", out)
	}

	// With miner 1 overridden and K = 3, miner 1 answers every request alone: the private
	// miner is in no fan-out.
	cfg, logs, reg = config(false, true)
	samples := make(chan gateway.Sample, 8)
	cfg.OnSample = func(s gateway.Sample) { samples <- s }
	g = startGateway(t, nw, cfg)
	_, key, _ = createKey(t, g, "free")
	for i := range 5 {
		resp, body := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", false))
		if resp.StatusCode != 200 || !strings.Contains(strings.Join(completions(body), ""), "echo hi") {
			t.Fatalf("request %d with miner 1 overridden: %d %v", i, resp.StatusCode, body)
		}
		var s gateway.Sample
		select {
		case s = <-samples:
		case <-time.After(30 * time.Second): // a bound on a hang, not a measurement
			t.Fatal("no sample within 30 s")
		}
		if len(s.Answers) != 1 || s.Answers[0].Hotkey != nw.m1.SS58() || s.Answers[0].Err != nil {
			t.Fatalf("request %d fanned out to %+v; want miner 1 alone", i, s.Answers)
		}
	}
	if v := skippedGauge(t, reg); v != 1 {
		t.Errorf("gateway_miners_skipped_private{netuid=1} = %v; want 1", v)
	}
	g.stop()
	if n := cl.Accepted(); n != 0 || served.Load() != 0 {
		t.Fatalf("the private miner's listener accepted %d connections (served %d) beside miner 1; want none", n, served.Load())
	}
	checkSkipLog(logs.String())
	if strings.Contains(logs.String(), "every serving miner of the subnet is at a private address") {
		t.Errorf("logged that every miner is private while miner 1 serves:\n%s", logs.String())
	}

	cfg, logs, reg = config(true, false)
	g = startGateway(t, nw, cfg)
	_, key, _ = createKey(t, g, "free")
	resp, body := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", false))
	if resp.StatusCode != 200 || !strings.Contains(strings.Join(completions(body), ""), "private hi") {
		t.Fatalf("with AllowPrivateMiners: %d %v", resp.StatusCode, body)
	}
	if cl.Accepted() == 0 || served.Load() != 1 {
		t.Errorf("the private miner accepted %d connections and served %d calls; want some and 1", cl.Accepted(), served.Load())
	}
	if v := skippedGauge(t, reg); v != 0 {
		t.Errorf("gateway_miners_skipped_private{netuid=1} = %v with AllowPrivateMiners; want 0", v)
	}
	if strings.Contains(logs.String(), skipMsg) {
		t.Errorf("a miner was skipped with AllowPrivateMiners:\n%s", logs.String())
	}
}

// skippedGauge reads gateway_miners_skipped_private for subnet 1 from reg.
func skippedGauge(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gateway_miners_skipped_private" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "netuid" && l.GetValue() == "1" {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatal("no gateway_miners_skipped_private{netuid=\"1\"} gauge")
	return 0
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
