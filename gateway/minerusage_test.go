package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

// serveChatMiner runs an axon with miner 1's hotkey answering Chat with answer, and returns
// its address for Config.AddrOverride.
func serveChatMiner(t *testing.T, nw *network, answer func(*protocol.Chat)) string {
	t.Helper()
	return serveMiner(t, nw.m1, chatMiner(func(_ context.Context, syn *protocol.Chat) error {
		answer(syn)
		return nil
	}))
}

// A miner's answer is held in memory whole, K of them per request: one far longer than
// any chat answer counts as the miner failing instead of being read (it was read up to
// the dendrite's 64 MiB).
func TestHugeMinerAnswerRefused(t *testing.T) {
	nw := startNetwork(t)
	huge := strings.Repeat("a ", 5<<20) // 10 MiB
	addr := serveChatMiner(t, nw, func(syn *protocol.Chat) { syn.Completion = &huge })
	cfg := baseConfig(nw, false)
	cfg.AddrOverride = map[string]string{nw.m1.SS58(): addr}
	g := startGateway(t, nw, cfg)
	_, key, _ := createKey(t, g, "free")
	resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hello", false))
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("a 10 MiB answer: status %d (%d keys in the body), want 502", resp.StatusCode, len(out))
	}
}

// A miner's own token count bills the user, so one that cannot be true of the request
// and its answer (far more tokens than bytes, or below zero) is replaced by the gateway's
// word count: a miner cannot drain a key's quota and credit, nor hand out free tokens.
func TestMinerUsageIsChecked(t *testing.T) {
	nw := startNetwork(t)
	var report atomic.Pointer[protocol.Usage]
	addr := serveChatMiner(t, nw, func(syn *protocol.Chat) {
		s := "echo " + syn.Messages[len(syn.Messages)-1].Content
		syn.Completion, syn.Usage = &s, report.Load()
	})
	gcfg := baseConfig(nw, false)
	gcfg.AddrOverride = map[string]string{nw.m1.SS58(): addr}
	g := startGateway(t, nw, gcfg)

	for _, c := range []struct {
		name               string
		reported           protocol.Usage
		prompt, completion float64
	}{
		// "hello there": 2 prompt words; "echo hello there": 3 completion words.
		{"honest count kept", protocol.Usage{PromptTokens: 7, CompletionTokens: 4, TotalTokens: 11}, 7, 4},
		{"inflated count", protocol.Usage{PromptTokens: 1_000_000_000, CompletionTokens: 1_000_000_000, TotalTokens: 2_000_000_000}, 2, 3},
		{"negative count", protocol.Usage{PromptTokens: -1_000_000, CompletionTokens: 1_000_001, TotalTokens: 1}, 2, 3},
		{"negative completion", protocol.Usage{PromptTokens: 10, CompletionTokens: -5, TotalTokens: 5}, 2, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			report.Store(&c.reported)
			_, key, _ := createKey(t, g, "free")
			resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hello there", false))
			if resp.StatusCode != 200 {
				t.Fatalf("%d %v", resp.StatusCode, out)
			}
			u, _ := out["usage"].(map[string]any)
			if u["prompt_tokens"] != c.prompt || u["completion_tokens"] != c.completion {
				t.Fatalf("usage %v for a miner reporting %+v; want %v prompt and %v completion tokens", u, c.reported, c.prompt, c.completion)
			}
			_, bal := call(t, "GET", g.url+"/v1/balance", key, nil)
			if bal["tokens_today"] != c.prompt+c.completion {
				t.Fatalf("tokens_today %v, want %v", bal["tokens_today"], c.prompt+c.completion)
			}
		})
	}
}
