package gateway_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestUserMistakes covers what a new user of the API gets wrong, found by trying the
// localnet's gateway as docs/api.md describes: each answer is OpenAI's error shape with a
// message about JSON and the request, never the gateway's Go types.
func TestUserMistakes(t *testing.T) {
	nw := startNetwork(t)
	g := startGateway(t, nw, baseConfig(nw, false))
	_, key, _ := createKey(t, g, "free")
	chat := func(extra string) string {
		return `{"model":"gotensor-echo","messages":[{"role":"user","content":"a b c"}]` + extra + `}`
	}

	for _, c := range []struct {
		name, path, body, param string
		bad                     []string // not in the message
	}{
		{"max_tokens zero", "/v1/chat/completions", chat(`,"max_tokens":0`), "max_tokens", nil},
		{"max_tokens negative", "/v1/chat/completions", chat(`,"max_tokens":-5`), "max_tokens", nil},
		{"max_tokens huge", "/v1/chat/completions", chat(`,"max_tokens":9223372036854775807`), "max_tokens", nil},
		{"max_completion_tokens zero", "/v1/chat/completions", chat(`,"max_completion_tokens":0`), "max_completion_tokens", nil},
		{"temperature", "/v1/chat/completions", chat(`,"temperature":9`), "temperature", nil},
		{"completions max_tokens", "/v1/completions", `{"model":"gotensor-echo","prompt":"x","max_tokens":-1}`, "max_tokens", nil},
		{"completions n", "/v1/completions", `{"model":"gotensor-echo","prompt":"x","n":2}`, "n", nil},
		{"trailing data", "/v1/chat/completions", chat("") + ` xx`, "", nil},
		{"array body", "/v1/chat/completions", `[]`, "", []string{"gateway.", "''"}},
		{"messages not an array", "/v1/chat/completions", `{"model":"gotensor-echo","messages":"hi"}`, "messages", []string{"struct", "json:"}},
		{"content a number", "/v1/chat/completions", `{"model":"gotensor-echo","messages":[{"role":"user","content":5}]}`, "messages", []string{"%!", "<nil>"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, out := call(t, "POST", g.url+c.path, key, c.body)
			if resp.StatusCode != 400 || openAIError(t, out) != "invalid_request_error" {
				t.Fatalf("%d %v", resp.StatusCode, out)
			}
			e := out["error"].(map[string]any)
			if p, _ := e["param"].(string); p != c.param {
				t.Fatalf("param %q, want %q: %v", p, c.param, e)
			}
			for _, s := range c.bad {
				if strings.Contains(e["message"].(string), s) {
					t.Fatalf("message has %q: %v", s, e["message"])
				}
			}
		})
	}

	t.Run("bearer scheme in lower case", func(t *testing.T) {
		req, _ := http.NewRequest("GET", g.url+"/v1/models", nil)
		req.Header.Set("Authorization", "bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})

	// The echo miner answers "echo a b c": 4 completion tokens, which reach max_tokens 4
	// but not 10.
	t.Run("finish_reason length", func(t *testing.T) {
		for _, c := range []struct {
			max  int
			want string
		}{{4, "length"}, {10, "stop"}} {
			resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, map[string]any{"model": "gotensor-echo", "max_tokens": c.max,
				"messages": []map[string]string{{"role": "user", "content": "a b c"}}})
			if resp.StatusCode != 200 || out["choices"].([]any)[0].(map[string]any)["finish_reason"] != c.want {
				t.Fatalf("chat max_tokens %d: %d %v", c.max, resp.StatusCode, out)
			}
			resp, out = call(t, "POST", g.url+"/v1/completions", key, map[string]any{"model": "gotensor-echo", "max_tokens": c.max, "prompt": "a b c"})
			if resp.StatusCode != 200 || out["choices"].([]any)[0].(map[string]any)["finish_reason"] != c.want {
				t.Fatalf("completions max_tokens %d: %d %v", c.max, resp.StatusCode, out)
			}
			j, _ := json.Marshal(map[string]any{"model": "gotensor-echo", "max_tokens": c.max, "stream": true,
				"messages": []map[string]string{{"role": "user", "content": "a b c"}}})
			req, _ := http.NewRequest("POST", g.url+"/v1/chat/completions", bytes.NewReader(j))
			req.Header.Set("Authorization", "Bearer "+key)
			sresp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var finish []any
			sc := bufio.NewScanner(sresp.Body)
			for sc.Scan() {
				line, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok || line == "[DONE]" {
					continue
				}
				var ch struct {
					Choices []struct {
						FinishReason any `json:"finish_reason"`
					} `json:"choices"`
				}
				if err := json.Unmarshal([]byte(line), &ch); err != nil {
					t.Fatalf("chunk %q: %v", line, err)
				}
				for _, cc := range ch.Choices {
					if cc.FinishReason != nil {
						finish = append(finish, cc.FinishReason)
					}
				}
			}
			sresp.Body.Close()
			if len(finish) != 1 || finish[0] != c.want {
				t.Fatalf("stream max_tokens %d: finish reasons %v, want [%s]", c.max, finish, c.want)
			}
		}
	})

	// The token headers come with every admitted request and every 429, the per-minute
	// one included (tier "tiny": 3 requests a minute).
	t.Run("token headers", func(t *testing.T) {
		_, tiny, _ := createKey(t, g, "tiny")
		for i, want := range []int{200, 200, 200, 429} {
			resp, out := call(t, "POST", g.url+"/v1/chat/completions", tiny, chat(""))
			if resp.StatusCode != want {
				t.Fatalf("request %d: %d %v", i, resp.StatusCode, out)
			}
			for _, h := range []string{"X-RateLimit-Limit-Tokens", "X-RateLimit-Remaining-Tokens", "X-RateLimit-Reset-Tokens"} {
				if resp.Header.Get(h) == "" {
					t.Fatalf("request %d (%d): no %s: %v", i, resp.StatusCode, h, resp.Header)
				}
			}
			if r := resp.Header.Get("X-RateLimit-Reset-Tokens"); !strings.HasSuffix(r, "s") {
				t.Fatalf("X-RateLimit-Reset-Tokens %q", r)
			}
		}
	})

	// A request refused for its daily tokens does not use up the per-minute window (tier
	// "quota": 1000 a minute, 5 tokens a day; the first request uses them).
	t.Run("quota refusal keeps the window", func(t *testing.T) {
		_, k, _ := createKey(t, g, "quota")
		resp, out := call(t, "POST", g.url+"/v1/chat/completions", k, chat(""))
		if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != "999" {
			t.Fatalf("%d %v %v", resp.StatusCode, resp.Header, out)
		}
		resp, out = call(t, "POST", g.url+"/v1/chat/completions", k, chat(""))
		if resp.StatusCode != 429 || openAIError(t, out) != "tokens" || resp.Header.Get("Retry-After") == "" ||
			resp.Header.Get("X-RateLimit-Remaining") != "999" || resp.Header.Get("X-RateLimit-Remaining-Requests") != "999" {
			t.Fatalf("%d %v %v", resp.StatusCode, resp.Header, out)
		}
	})

	t.Run("admin path under /v1", func(t *testing.T) {
		resp, out := call(t, "GET", g.url+"/v1/admin/keys", "admin-secret", nil)
		if resp.StatusCode != 404 || openAIError(t, out) != "invalid_request_error" ||
			!strings.Contains(out["error"].(map[string]any)["message"].(string), "/admin/keys, without /v1") {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
	})

	t.Run("unknown tier names the tiers", func(t *testing.T) {
		resp, out := call(t, "POST", g.url+"/admin/keys", "admin-secret", map[string]string{"name": "x", "tier": "platinum"})
		if resp.StatusCode != 400 || openAIError(t, out) != "invalid_request_error" ||
			!strings.Contains(out["error"].(map[string]any)["message"].(string), "tiers are free, quota, tiny") {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
	})

	t.Run("admin API off", func(t *testing.T) {
		cfg := baseConfig(nw, false)
		cfg.AdminToken = ""
		off := startGateway(t, nw, cfg)
		resp, out := call(t, "GET", off.url+"/admin/keys", "anything", nil)
		if resp.StatusCode != 403 || openAIError(t, out) != "invalid_request_error" || out["error"].(map[string]any)["code"] != "admin_disabled" {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
	})
}
