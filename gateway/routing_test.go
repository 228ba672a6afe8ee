package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// serveMiner runs an axon with hotkey on loopback, with the handlers register attaches,
// until the test ends, and returns its address. Pointing Config.AddrOverride at it makes
// the gateway call it in place of the hotkey's on-chain axon.
func serveMiner(t testing.TB, hotkey *keys.Keypair, register func(a *axon.Axon) error) string {
	t.Helper()
	cfg := axon.TestConfig()
	cfg.Logger = slog.New(slog.DiscardHandler)
	a, err := axon.New(hotkey, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := register(a); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { a.Serve(ln) })
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.Shutdown(ctx)
		wg.Wait()
	})
	return ln.Addr().String()
}

func chatMiner(f func(ctx context.Context, syn *protocol.Chat) error) func(*axon.Axon) error {
	return func(a *axon.Axon) error { return axon.Handle(a, axon.HandlerFunc[*protocol.Chat](f)) }
}

func answer(syn *protocol.Chat, s string) {
	syn.Completion, syn.Model = &s, "test"
}

// minerCalls reads the gateway's gateway_miner_calls_total{outcome} counter.
func minerCalls(t testing.TB, reg *prometheus.Registry, outcome string) float64 {
	mfs, err := reg.Gather()
	if err != nil {
		t.Error(err)
		return 0
	}
	for _, mf := range mfs {
		if mf.GetName() != "gateway_miner_calls_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// clock is time.Now moved forward by what the test adds: the breaker's cooldown passes
// without the test sleeping through it.
type clock struct{ ahead atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *clock) advance(d time.Duration) { c.ahead.Add(int64(d)) }

// samples collects the gateway's organic-scoring samples; a sample is handed over after
// the request's usage is recorded, so receiving one says the request is done.
type samples chan gateway.Sample

func (s samples) hook(x gateway.Sample) { s <- x }

func (s samples) next(t *testing.T) gateway.Sample {
	t.Helper()
	select {
	case x := <-s:
		return x
	case <-t.Context().Done():
		t.Fatal("no sample")
	case <-time.After(30 * time.Second): // a bound on a hang, not a measurement
		t.Fatal("no sample within 30 s of the request")
	}
	return gateway.Sample{}
}

// TestRouting covers the router over a real node and real miners (axons on loopback under
// the registered miners' hotkeys): the best policy, the circuit breaker, every miner
// failing, and a client leaving mid-stream.
func TestRouting(t *testing.T) {
	nw := startNetwork(t)

	t.Run("best policy returns the configured scorer's pick", func(t *testing.T) {
		// uid 0 answers at once with a long answer (what PolicyFirst and the default,
		// longest-wins scorer would return); uid 1 answers a short one, which the configured
		// scorer ranks first, only once the gateway has taken uid 0's answer (its miner-call
		// counter says so): under PolicyFirst that answer would be returned and uid 1's call
		// cancelled.
		reg := prometheus.NewRegistry()
		verbose := serveMiner(t, nw.m1, chatMiner(func(ctx context.Context, syn *protocol.Chat) error {
			answer(syn, "well, it depends on many things, but probably forty-two")
			return nil
		}))
		terse := serveMiner(t, nw.m2, chatMiner(func(ctx context.Context, syn *protocol.Chat) error {
			for minerCalls(t, reg, "ok") < 1 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(5 * time.Millisecond): // polling the gateway's counter
				}
			}
			answer(syn, "42")
			return nil
		}))
		ss := make(samples, 4)
		cfg := baseConfig(nw, false)
		cfg.AddrOverride = map[string]string{nw.m1.SS58(): verbose, nw.m2.SS58(): terse}
		cfg.K, cfg.Policy = 2, gateway.PolicyBest
		cfg.Score = func(s synapse.Synapse) float64 { return -float64(len(*s.(*protocol.Chat).Completion)) }
		cfg.OnSample = ss.hook
		cfg.Metrics = reg
		g := startGateway(t, nw, cfg)
		_, key, _ := createKey(t, g, "free")

		resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "what is the answer", false))
		if resp.StatusCode != 200 {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
		if got := out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"]; got != "42" {
			t.Fatalf("answer %q, want the scorer's pick %q", got, "42")
		}
		s := ss.next(t)
		if len(s.Answers) != 2 || s.Answers[0].Err != nil || s.Answers[1].Err != nil {
			t.Fatalf("want two good answers to choose from: %+v", s.Answers)
		}
		if s.Chosen < 0 || s.Answers[s.Chosen].Hotkey != nw.m2.SS58() {
			t.Fatalf("chosen %d of %+v, want the terse miner", s.Chosen, s.Answers)
		}
	})

	t.Run("circuit breaker skips a miner that keeps timing out, then tries it again", func(t *testing.T) {
		var slowCalls, goodCalls atomic.Int64
		slow := serveMiner(t, nw.m1, chatMiner(func(ctx context.Context, syn *protocol.Chat) error {
			slowCalls.Add(1)
			<-ctx.Done() // never answers: the gateway's MinerTimeout ends the call
			return ctx.Err()
		}))
		good := serveMiner(t, nw.m2, chatMiner(func(ctx context.Context, syn *protocol.Chat) error {
			goodCalls.Add(1)
			answer(syn, "fine")
			return nil
		}))
		var clk clock
		cfg := baseConfig(nw, false)
		cfg.AddrOverride = map[string]string{nw.m1.SS58(): slow, nw.m2.SS58(): good}
		// One miner per attempt, in uid order (no incentive yet): the slow uid 0 first, then
		// a retry on uid 1.
		cfg.K, cfg.Retries = 1, 1
		cfg.MinerTimeout = 500 * time.Millisecond
		cfg.BreakerFailures, cfg.BreakerCooldown = 2, time.Minute
		cfg.Now = clk.now
		g := startGateway(t, nw, cfg)
		_, key, _ := createKey(t, g, "free")

		for i, want := range []struct{ slow, good int64 }{
			{1, 1}, // timeout 1, answered by the retry
			{2, 2}, // timeout 2: the breaker opens
			{2, 3}, // open: the slow miner is not called
			{2, 4},
		} {
			resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", false))
			if resp.StatusCode != 200 {
				t.Fatalf("request %d: %d %v", i, resp.StatusCode, out)
			}
			if s, gd := slowCalls.Load(), goodCalls.Load(); s != want.slow || gd != want.good {
				t.Fatalf("request %d: slow miner called %d times, good %d; want %d and %d", i, s, gd, want.slow, want.good)
			}
		}
		clk.advance(time.Minute + time.Second)
		if resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", false)); resp.StatusCode != 200 {
			t.Fatalf("after the cooldown: %d %v", resp.StatusCode, out)
		}
		if s := slowCalls.Load(); s != 3 {
			t.Fatalf("after the cooldown the slow miner was called %d times in all, want 3 (tried again)", s)
		}
	})

	t.Run("every miner failing is a 502 in OpenAI's shape", func(t *testing.T) {
		fail := func(ctx context.Context, syn *protocol.Chat) error { return errors.New("model weights not loaded") }
		failStream := func(a *axon.Axon) error {
			return axon.HandleStream(a, axon.StreamHandlerFunc[*protocol.Chat](func(ctx context.Context, syn *protocol.Chat, w *axon.Stream) error {
				return errors.New("model weights not loaded")
			}))
		}
		for _, c := range []struct {
			name         string
			streamMiners bool
			register     func(*axon.Axon) error
			stream       bool
		}{
			{"call", false, chatMiner(fail), false},
			{"stream request", false, failStream, true},
			{"collected stream", true, failStream, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				cfg := baseConfig(nw, c.streamMiners)
				cfg.AddrOverride = map[string]string{nw.m1.SS58(): serveMiner(t, nw.m1, c.register), nw.m2.SS58(): serveMiner(t, nw.m2, c.register)}
				g := startGateway(t, nw, cfg)
				_, key, _ := createKey(t, g, "free")
				resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", c.stream))
				if resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
					t.Fatalf("%d %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), out)
				}
				if typ := openAIError(t, out); typ != "api_error" {
					t.Fatalf("type %q", typ)
				}
				e := out["error"].(map[string]any)
				msg, _ := e["message"].(string)
				if e["code"] != "upstream_error" || !strings.Contains(msg, "No miner of subnet 1 gave an answer") || !strings.Contains(msg, "Retry") {
					t.Fatalf("error %v", e)
				}
				if strings.Contains(msg, "weights") {
					t.Fatalf("a miner's internal error reached the user: %q", msg)
				}
			})
		}
	})

	t.Run("client disconnect mid-stream cancels the miner and records the tokens sent", func(t *testing.T) {
		sent := make(chan struct{})
		minerEnd := make(chan error, 1)
		miner := serveMiner(t, nw.m2, func(a *axon.Axon) error {
			return axon.HandleStream(a, axon.StreamHandlerFunc[*protocol.Chat](func(ctx context.Context, syn *protocol.Chat, w *axon.Stream) error {
				for _, word := range []string{"alpha ", "beta ", "gamma "} {
					b, _ := json.Marshal(protocol.ChatDelta{Content: word})
					if err := w.WriteEvent("", b); err != nil {
						return err
					}
				}
				close(sent)
				<-ctx.Done() // would go on for MinerTimeout (a minute) unless cancelled
				minerEnd <- ctx.Err()
				return ctx.Err()
			}))
		})
		ss := make(samples, 1)
		cfg := baseConfig(nw, true)
		cfg.AddrOverride = map[string]string{nw.m2.SS58(): miner}
		cfg.MinerTimeout = time.Minute
		cfg.OnSample = ss.hook
		g := startGateway(t, nw, cfg)
		_, key, _ := createKey(t, g, "free")

		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		j, _ := json.Marshal(chatBody("gotensor-echo", "count slowly", true))
		req, _ := http.NewRequestWithContext(ctx, "POST", g.url+"/v1/chat/completions", bytes.NewReader(j))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		// Read the three words, then leave.
		var got strings.Builder
		sc := bufio.NewScanner(resp.Body)
		for words := 0; words < 3 && sc.Scan(); {
			line, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var ch struct {
				Choices []struct {
					Delta struct{ Content string } `json:"delta"`
				} `json:"choices"`
			}
			if err := json.Unmarshal([]byte(line), &ch); err != nil {
				t.Fatalf("chunk %q: %v", line, err)
			}
			if len(ch.Choices) == 1 && ch.Choices[0].Delta.Content != "" {
				got.WriteString(ch.Choices[0].Delta.Content)
				words++
			}
		}
		<-sent
		if got.String() != "alpha beta gamma " {
			t.Fatalf("read %q before leaving", got.String())
		}
		cancel()
		resp.Body.Close()

		select {
		case err := <-minerEnd:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("the miner's call ended with %v, want context.Canceled (cancelled by the gateway, not timed out)", err)
			}
		case <-time.After(30 * time.Second): // a bound on a hang; MinerTimeout is a minute
			t.Fatal("the miner's call was not cancelled within 30 s of the client leaving")
		}
		s := ss.next(t)
		if s.Chosen != -1 || len(s.Answers) != 1 || !errors.Is(s.Answers[0].Err, context.Canceled) {
			t.Fatalf("sample: chosen %d answers %+v", s.Chosen, s.Answers)
		}
		if c := s.Request.(*protocol.Chat).Completion; c == nil || *c != "alpha beta gamma " {
			t.Fatalf("sample completion %v", c)
		}
		_, u := call(t, "GET", g.url+"/v1/usage", key, nil)
		data, _ := u["data"].([]any)
		if len(data) != 1 {
			t.Fatalf("usage %v", u)
		}
		row := data[0].(map[string]any)
		if row["model"] != "gotensor-echo" || row["requests"] != 1.0 || row["prompt_tokens"] != 2.0 || row["completion_tokens"] != 3.0 {
			t.Fatalf("usage row %v, want 1 request, 2 prompt and 3 completion tokens", row)
		}
	})
}
