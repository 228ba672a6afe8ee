package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node/nodetest"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

func kp(t testing.TB, uri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// serveAxon runs an in-test miner on loopback until the test ends and returns its address.
func serveAxon(t testing.TB, hotkey *keys.Keypair, stream bool) string {
	t.Helper()
	cfg := axon.TestConfig()
	cfg.Logger = slog.New(slog.DiscardHandler)
	a, err := axon.New(hotkey, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if stream {
		err = axon.HandleStream(a, axon.StreamHandlerFunc[*protocol.Chat](func(ctx context.Context, syn *protocol.Chat, w *axon.Stream) error {
			for _, word := range strings.Fields("echo " + syn.Messages[len(syn.Messages)-1].Content) {
				b, _ := json.Marshal(protocol.ChatDelta{Content: word + " "})
				if err := w.WriteEvent("", b); err != nil {
					return err
				}
			}
			return w.WriteEvent("", []byte("[DONE]"))
		}))
	} else {
		err = axon.Handle(a, axon.HandlerFunc[*protocol.Chat](func(ctx context.Context, syn *protocol.Chat) error {
			s := "echo " + syn.Messages[len(syn.Messages)-1].Content
			syn.Completion, syn.Model = &s, "echo"
			return nil
		}))
	}
	if err != nil {
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

// network is a real node with subnet 1 and two registered miners serving 0.0.0.0 on chain
// (the chain refuses loopback): miner 1 answers Chat by Call, miner 2 by stream.
type network struct {
	node          *nodetest.Node
	c             *client.Client
	m1, m2        *keys.Keypair
	addr1, addr2  string
	gatewayHotkey *keys.Keypair
}

func startNetwork(t testing.TB) *network {
	t.Helper()
	n := nodetest.Start(t, nodetest.Options{BlockTime: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{n.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	alice, owner := kp(t, "//Alice"), kp(t, "//Alice/owner")
	nw := &network{node: n, c: c, m1: kp(t, "//Alice/miner1"), m2: kp(t, "//Alice/miner2"), gatewayHotkey: kp(t, "//Alice/gateway")}
	for _, step := range []struct {
		signer *keys.Keypair
		call   *txpb.Call
	}{
		{alice, client.RegisterNetwork(owner.SS58(), nil)},
		{alice, client.BurnedRegister(1, nw.m1.SS58())},
		{alice, client.BurnedRegister(1, nw.m2.SS58())},
		{nw.m1, client.ServeAxon(1, 1, []byte{0, 0, 0, 0}, 8091, 4)},
		{nw.m2, client.ServeAxon(1, 1, []byte{0, 0, 0, 0}, 8091, 4)},
	} {
		if _, err := c.Submit(ctx, step.signer, step.call, client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
			t.Fatal(err)
		}
	}
	nw.addr1, nw.addr2 = serveAxon(t, nw.m1, false), serveAxon(t, nw.m2, true)
	return nw
}

type running struct {
	gw   *gateway.Gateway
	url  string
	stop func()
}

// startGateway serves a gateway until stop (or the test's end).
func startGateway(t testing.TB, nw *network, cfg gateway.Config) *running {
	t.Helper()
	cfg.ChainRPC = nw.node.RPC
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	gw, err := gateway.New(context.Background(), nw.gatewayHotkey, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := gw.Serve(ctx, ln); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); wg.Wait(); gw.Close() }) }
	t.Cleanup(stop)
	return &running{gw: gw, url: "http://" + ln.Addr().String(), stop: stop}
}

func baseConfig(nw *network, stream bool) gateway.Config {
	cfg := gateway.TestConfig()
	cfg.AdminToken = "admin-secret"
	cfg.Models = []gateway.Model{
		{ID: "gotensor-echo", Netuid: 1},
		{ID: "gotensor-paid", Netuid: 1, PriceRAOPer1K: 1_000_000_000},
		{ID: "nowhere", Netuid: 7},
	}
	cfg.Tiers = map[string]gateway.Tier{
		"free":  {RequestsPerMinute: 1000, TokensPerDay: 1_000_000},
		"tiny":  {RequestsPerMinute: 3, TokensPerDay: 1_000_000},
		"quota": {RequestsPerMinute: 1000, TokensPerDay: 5},
	}
	cfg.MaxBodyBytes = 64 << 10
	cfg.StreamMiners = stream
	if stream {
		cfg.AddrOverride = map[string]string{nw.m2.SS58(): nw.addr2}
	} else {
		cfg.AddrOverride = map[string]string{nw.m1.SS58(): nw.addr1}
	}
	return cfg
}

func call(t testing.TB, method, url, auth string, body any) (*http.Response, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, url, rd)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp, out
}

func createKey(t testing.TB, g *running, tier string) (id, secret, addr string) {
	t.Helper()
	resp, out := call(t, "POST", g.url+"/admin/keys", "admin-secret", map[string]string{"name": "t", "tier": tier})
	if resp.StatusCode != 201 {
		t.Fatalf("create key: %d %v", resp.StatusCode, out)
	}
	a, _ := out["deposit_address"].(string)
	return out["id"].(string), out["key"].(string), a
}

func chatBody(model, msg string, stream bool) map[string]any {
	return map[string]any{"model": model, "stream": stream, "messages": []map[string]string{{"role": "user", "content": msg}}}
}

// openAIError checks the body is OpenAI's error shape and returns error.type.
func openAIError(t testing.TB, out map[string]any) string {
	t.Helper()
	e, ok := out["error"].(map[string]any)
	if !ok {
		t.Fatalf("not an OpenAI error: %v", out)
	}
	for _, f := range []string{"message", "type", "param", "code"} {
		if _, ok := e[f]; !ok {
			t.Fatalf("error without %q: %v", f, e)
		}
	}
	return e["type"].(string)
}

func TestGatewayAgainstRealNetwork(t *testing.T) {
	nw := startNetwork(t)
	cfg := baseConfig(nw, false)
	cfg.SQLitePath = filepath.Join(t.TempDir(), "gateway.db")
	cfg.DepositSeed = "//GatewaySeed"
	g := startGateway(t, nw, cfg)
	sg := startGateway(t, nw, baseConfig(nw, true))
	_, key, _ := createKey(t, g, "free")
	_, skey, _ := createKey(t, sg, "free")

	t.Run("models", func(t *testing.T) {
		resp, out := call(t, "GET", g.url+"/v1/models", key, nil)
		data, _ := out["data"].([]any)
		if resp.StatusCode != 200 || out["object"] != "list" || len(data) != 3 || data[0].(map[string]any)["id"] != "gotensor-echo" {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
	})

	t.Run("one model and one key by id", func(t *testing.T) {
		resp, out := call(t, "GET", g.url+"/v1/models/gotensor-paid", key, nil)
		if resp.StatusCode != 200 || out["object"] != "model" || out["id"] != "gotensor-paid" {
			t.Fatalf("GET /v1/models/gotensor-paid: %d %v", resp.StatusCode, out)
		}
		resp, out = call(t, "GET", g.url+"/v1/models/gpt-9", key, nil)
		if resp.StatusCode != 404 || openAIError(t, out) != "invalid_request_error" || out["error"].(map[string]any)["code"] != "model_not_found" {
			t.Fatalf("GET /v1/models/gpt-9: %d %v", resp.StatusCode, out)
		}
		// DELETE revokes as POST .../revoke does; GET shows the key, never its secret.
		id, secret, _ := createKey(t, g, "free")
		if resp, out := call(t, "DELETE", g.url+"/admin/keys/"+id, "admin-secret", nil); resp.StatusCode != 200 || out["revoked"].(float64) == 0 {
			t.Fatalf("DELETE /admin/keys/%s: %d %v", id, resp.StatusCode, out)
		}
		if resp, _ := call(t, "GET", g.url+"/v1/models", secret, nil); resp.StatusCode != 401 {
			t.Fatalf("a key revoked by DELETE: %d, want 401", resp.StatusCode)
		}
		resp, out = call(t, "GET", g.url+"/admin/keys/"+id, "admin-secret", nil)
		if resp.StatusCode != 200 || out["id"] != id || out["revoked"].(float64) == 0 || out["key"] != nil || out["hash"] != nil {
			t.Fatalf("GET /admin/keys/%s: %d %v", id, resp.StatusCode, out)
		}
		if resp, out := call(t, "GET", g.url+"/admin/keys/key_nosuch", "admin-secret", nil); resp.StatusCode != 404 || openAIError(t, out) != "invalid_request_error" {
			t.Fatalf("GET an unknown key: %d %v", resp.StatusCode, out)
		}
	})

	t.Run("chat by call", func(t *testing.T) {
		resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hello there", false))
		if resp.StatusCode != 200 {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
		msg := out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)
		if out["object"] != "chat.completion" || msg["content"] != "echo hello there" || out["usage"].(map[string]any)["total_tokens"].(float64) != 5 {
			t.Fatalf("%v", out)
		}
	})

	t.Run("completions", func(t *testing.T) {
		resp, out := call(t, "POST", g.url+"/v1/completions", key, map[string]any{"model": "gotensor-echo", "prompt": "say hi"})
		if resp.StatusCode != 200 || out["object"] != "text_completion" || out["choices"].([]any)[0].(map[string]any)["text"] != "echo say hi" {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
	})

	t.Run("passthrough", func(t *testing.T) {
		resp, out := call(t, "POST", g.url+"/v1/subnets/1/Chat", key, map[string]any{"messages": []map[string]string{{"role": "user", "content": "raw"}}})
		if resp.StatusCode != 200 || out["completion"] != "echo raw" {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
		resp, out = call(t, "POST", g.url+"/v1/subnets/1/Nope", key, map[string]any{})
		if resp.StatusCode != 404 {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
		openAIError(t, out)
	})

	t.Run("streaming", func(t *testing.T) {
		for _, c := range []struct {
			name string
			url  string
			key  string
		}{{"stream miner", sg.url, skey}, {"plain miners", g.url, key}} {
			j, _ := json.Marshal(map[string]any{"model": "gotensor-echo", "stream": true, "stream_options": map[string]bool{"include_usage": true},
				"messages": []map[string]string{{"role": "user", "content": "one two three"}}})
			req, _ := http.NewRequest("POST", c.url+"/v1/chat/completions", bytes.NewReader(j))
			req.Header.Set("Authorization", "Bearer "+c.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("%s: %d %s", c.name, resp.StatusCode, b)
			}
			var text strings.Builder
			var done, finished, usage bool
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				line, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				if line == "[DONE]" {
					done = true
					break
				}
				var ch map[string]any
				if err := json.Unmarshal([]byte(line), &ch); err != nil || ch["object"] != "chat.completion.chunk" {
					t.Fatalf("chunk %q: %v", line, err)
				}
				if u, ok := ch["usage"].(map[string]any); ok && u["completion_tokens"].(float64) == 4 {
					usage = true
				}
				for _, c := range ch["choices"].([]any) {
					cm := c.(map[string]any)
					if s, ok := cm["delta"].(map[string]any)["content"].(string); ok {
						text.WriteString(s)
					}
					if cm["finish_reason"] == "stop" {
						finished = true
					}
				}
			}
			resp.Body.Close()
			if got := strings.TrimSpace(text.String()); got != "echo one two three" || !done || !finished || !usage {
				t.Fatalf("%s: text %q done %v finish %v usage %v", c.name, got, done, finished, usage)
			}
		}
		// A non-streaming request to streaming miners is collected.
		resp, out := call(t, "POST", sg.url+"/v1/chat/completions", skey, chatBody("gotensor-echo", "collect me", false))
		if resp.StatusCode != 200 || out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"] != "echo collect me " {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		big := `{"model":"gotensor-echo","messages":[{"role":"user","content":"` + strings.Repeat("a", 70<<10) + `"}]}`
		revokedID, revoked, _ := createKey(t, g, "free")
		if r, _ := call(t, "POST", g.url+"/admin/keys/"+revokedID+"/revoke", "admin-secret", nil); r.StatusCode != 200 {
			t.Fatalf("revoke: %d", r.StatusCode)
		}
		for _, c := range []struct {
			name, method, path, key string
			body                    any
			code                    int
			typ                     string
		}{
			{"no key", "POST", "/v1/chat/completions", "", chatBody("gotensor-echo", "x", false), 401, "invalid_request_error"},
			{"malformed key", "POST", "/v1/chat/completions", "nope", chatBody("gotensor-echo", "x", false), 401, "invalid_request_error"},
			{"unknown key", "POST", "/v1/chat/completions", "sk-gt-" + strings.Repeat("A", 43), chatBody("gotensor-echo", "x", false), 401, "invalid_request_error"},
			{"revoked key", "POST", "/v1/chat/completions", revoked, chatBody("gotensor-echo", "x", false), 401, "invalid_request_error"},
			{"unknown model", "POST", "/v1/chat/completions", key, chatBody("gpt-9", "x", false), 404, "invalid_request_error"},
			{"unknown subnet", "POST", "/v1/subnets/99/Chat", key, map[string]any{"messages": []map[string]string{{"role": "user", "content": "x"}}}, 404, "invalid_request_error"},
			{"subnet not a number", "POST", "/v1/subnets/one/Chat", key, map[string]any{}, 400, "invalid_request_error"},
			{"malformed json", "POST", "/v1/chat/completions", key, `{"model":`, 400, "invalid_request_error"},
			{"wrong type", "POST", "/v1/chat/completions", key, `{"model":"gotensor-echo","messages":"hi"}`, 400, "invalid_request_error"},
			{"no messages", "POST", "/v1/chat/completions", key, `{"model":"gotensor-echo","messages":[]}`, 400, "invalid_request_error"},
			{"too large", "POST", "/v1/chat/completions", key, big, 413, "invalid_request_error"},
			{"unknown path", "GET", "/v1/nothing", key, nil, 404, "invalid_request_error"},
			{"no miners", "POST", "/v1/chat/completions", key, chatBody("nowhere", "x", false), 502, "api_error"},
			{"bad admin token", "GET", "/admin/keys", "wrong", nil, 401, "invalid_request_error"},
		} {
			t.Run(c.name, func(t *testing.T) {
				resp, out := call(t, c.method, g.url+c.path, c.key, c.body)
				if resp.StatusCode != c.code {
					t.Fatalf("status %d, want %d: %v", resp.StatusCode, c.code, out)
				}
				if typ := openAIError(t, out); typ != c.typ {
					t.Fatalf("type %q, want %q", typ, c.typ)
				}
			})
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		_, k, _ := createKey(t, g, "tiny")
		for i := range 3 {
			resp, out := call(t, "POST", g.url+"/v1/chat/completions", k, chatBody("gotensor-echo", "x", false))
			if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") != "3" || resp.Header.Get("X-RateLimit-Remaining") != fmt.Sprint(2-i) {
				t.Fatalf("request %d: %d %v %v", i, resp.StatusCode, resp.Header, out)
			}
		}
		resp, out := call(t, "POST", g.url+"/v1/chat/completions", k, chatBody("gotensor-echo", "x", false))
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || resp.Header.Get("X-RateLimit-Remaining") != "0" || resp.Header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("%d %v %v", resp.StatusCode, resp.Header, out)
		}
		if openAIError(t, out) != "requests" {
			t.Fatalf("%v", out)
		}
	})

	// On each store: the quota, the credit, the limit raise and the restart.
	for name, c := range map[string]gateway.Config{"sqlite": {SQLitePath: filepath.Join(t.TempDir(), "quota.db")}, "postgres": {PostgresDSN: pgSchemaDSN(t)}} {
		t.Run("quota, limit raise and deposit/"+name, func(t *testing.T) {
			if name == "postgres" && c.PostgresDSN == "" {
				t.Skip("no PostgreSQL (see postgresDSN)")
			}
			cfg := cfg
			cfg.SQLitePath, cfg.PostgresDSN = c.SQLitePath, c.PostgresDSN
			quotaLimitDeposit(t, nw, cfg)
		})
	}
}

// quotaLimitDeposit runs a gateway on cfg's store: a key's free daily tokens run out, a
// real transfer credits it once, a limit raise is approved, and after a restart the
// credit, the usage and the spending are all still there, once.
func quotaLimitDeposit(t *testing.T, nw *network, cfg gateway.Config) {
	g := startGateway(t, nw, cfg)
	id, k, dep := createKey(t, g, "quota")
	if dep == "" {
		t.Fatal("no deposit address")
	}
	// 5 free tokens a day: the first request uses them, the next needs credit.
	if resp, out := call(t, "POST", g.url+"/v1/chat/completions", k, chatBody("gotensor-paid", "a b c", false)); resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	resp, out := call(t, "POST", g.url+"/v1/chat/completions", k, chatBody("gotensor-paid", "a", false))
	if resp.StatusCode != 429 || openAIError(t, out) != "insufficient_quota" {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	// A real transfer credits the key once.
	bob := kp(t, "//Bob")
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if _, err := nw.c.Submit(ctx, bob, client.Transfer(dep, 2_000_000_000), client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
		t.Fatal(err)
	}
	waitBalance(t, ctx, g.url, k, 2_000_000_000)
	if resp, out := call(t, "POST", g.url+"/v1/chat/completions", k, chatBody("gotensor-paid", "a", false)); resp.StatusCode != 200 {
		t.Fatalf("paid request: %d %v", resp.StatusCode, out)
	}
	_, bal := call(t, "GET", g.url+"/v1/balance", k, nil)
	if bal["spent_rao"].(float64) <= 0 || bal["credited_rao"].(float64) != 2e9 {
		t.Fatalf("balance %v", bal)
	}
	// Limit raise: asked by the key, approved by the operator.
	resp, lr := call(t, "POST", g.url+"/v1/limit_requests", k, map[string]any{"tokens_per_day": 1000, "reason": "demo"})
	if resp.StatusCode != 201 {
		t.Fatalf("%d %v", resp.StatusCode, lr)
	}
	if resp, out := call(t, "POST", g.url+"/admin/limit_requests/"+lr["id"].(string)+"/approve", "admin-secret", nil); resp.StatusCode != 200 || out["status"] != "approved" {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	if _, b := call(t, "GET", g.url+"/v1/balance", k, nil); b["tokens_per_day"].(float64) != 1000 {
		t.Fatalf("limit not raised: %v", b)
	}
	// Restart: the credit is still there, once; usage survived the flush on shutdown; a
	// deposit made while the gateway was down is credited when it is back.
	g.stop()
	down, err := nw.c.Submit(ctx, bob, client.Transfer(dep, 500_000_000), client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		t.Fatal(err)
	}
	// Blocks go by before the restart: the watcher must go back to where it stopped.
	if err := nw.node.WaitHeight(ctx, down.Height+3); err != nil {
		t.Fatal(err)
	}
	g2 := startGateway(t, nw, cfg)
	waitBalance(t, ctx, g2.url, k, 2_500_000_000)
	_, u := call(t, "GET", g2.url+"/v1/usage", k, nil)
	if ds := u["deposits"].([]any); len(ds) != 2 || ds[0].(map[string]any)["amount_rao"].(float64) != 2e9 || ds[1].(map[string]any)["amount_rao"].(float64) != 5e8 {
		t.Fatalf("deposits after restart %v", u)
	}
	if data := u["data"].([]any); len(data) == 0 {
		t.Fatalf("usage lost across restart: %v", u)
	}
	_, b2 := call(t, "GET", g2.url+"/v1/balance", k, nil)
	if b2["spent_rao"] != bal["spent_rao"] {
		t.Fatalf("after restart %v, before %v", b2, bal)
	}
	_ = id
}

func waitBalance(t *testing.T, ctx context.Context, url, key string, want float64) {
	t.Helper()
	for {
		_, b := call(t, "GET", url+"/v1/balance", key, nil)
		if b["credited_rao"] == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("deposit never credited: %v", b)
		case <-time.After(100 * time.Millisecond): // polling the API, as a user would
		}
	}
}
