package gateway_test

import (
	"testing"
)

// The generic passthrough carries the same Chat as /v1/chat/completions, so it counts
// against the same daily quota and credit: it is not a way around them.
func TestPassthroughChatIsBilled(t *testing.T) {
	nw := startNetwork(t)
	g := startGateway(t, nw, baseConfig(nw, false))
	chat := map[string]any{"messages": []map[string]string{{"role": "user", "content": "hello there"}}}

	// Tier "quota": 5 free tokens a day.
	_, key, _ := createKey(t, g, "quota")
	if resp, out := call(t, "POST", g.url+"/v1/subnets/1/Chat", key, chat); resp.StatusCode != 200 {
		t.Fatalf("first passthrough: %d %v", resp.StatusCode, out)
	}
	// "hello there" is 2 words, the miner's "echo hello there" 3.
	if _, bal := call(t, "GET", g.url+"/v1/balance", key, nil); bal["tokens_today"] != 5.0 {
		t.Fatalf("tokens_today %v after a passthrough Chat, want 5", bal["tokens_today"])
	}
	for range 3 {
		if resp, out := call(t, "POST", g.url+"/v1/subnets/1/Chat", key, chat); resp.StatusCode != 429 {
			t.Fatalf("passthrough with the day's quota used: %d %v, want 429", resp.StatusCode, out)
		}
	}
	if resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", false)); resp.StatusCode != 429 {
		t.Fatalf("chat with the day's quota used: %d %v, want 429", resp.StatusCode, out)
	}
}
