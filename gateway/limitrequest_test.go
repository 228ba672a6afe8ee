package gateway_test

import (
	"strings"
	"testing"
)

// Limit requests are not rate limited, so a key may have one pending at a time and a
// short reason: it cannot fill the store (and the operator's list) without end.
func TestLimitRequestsAreBounded(t *testing.T) {
	nw := startNetwork(t)
	g := startGateway(t, nw, baseConfig(nw, false))
	_, key, _ := createKey(t, g, "free")
	_, other, _ := createKey(t, g, "free")

	resp, first := call(t, "POST", g.url+"/v1/limit_requests", key, map[string]any{"tokens_per_day": 5_000_000, "reason": "demo"})
	if resp.StatusCode != 201 {
		t.Fatalf("first request: %d %v", resp.StatusCode, first)
	}
	for range 3 {
		resp, out := call(t, "POST", g.url+"/v1/limit_requests", key, map[string]any{"tokens_per_day": 5_000_000, "reason": "again"})
		if resp.StatusCode != 409 || openAIError(t, out) != "invalid_request_error" || !strings.Contains(out["error"].(map[string]any)["message"].(string), first["id"].(string)) {
			t.Fatalf("request while one is pending: %d %v; want 409 naming %s", resp.StatusCode, out, first["id"])
		}
	}
	if resp, out := call(t, "POST", g.url+"/v1/limit_requests", other, map[string]any{"tokens_per_day": 5_000_000, "reason": strings.Repeat("x", 50_000)}); resp.StatusCode != 400 {
		t.Fatalf("50 kB reason: %d %v; want 400", resp.StatusCode, out)
	}
	if resp, out := call(t, "POST", g.url+"/v1/limit_requests", other, map[string]any{"requests_per_minute": 5000, "reason": "more"}); resp.StatusCode != 201 {
		t.Fatalf("another key's request: %d %v", resp.StatusCode, out)
	}
	_, list := call(t, "GET", g.url+"/admin/limit_requests?status=pending", "admin-secret", nil)
	if n := len(list["data"].([]any)); n != 2 {
		t.Fatalf("%d pending requests, want 2 (one per key): %v", n, list)
	}
	// Once decided, the key may ask again.
	if resp, out := call(t, "POST", g.url+"/admin/limit_requests/"+first["id"].(string)+"/reject", "admin-secret", nil); resp.StatusCode != 200 {
		t.Fatalf("reject: %d %v", resp.StatusCode, out)
	}
	if resp, out := call(t, "POST", g.url+"/v1/limit_requests", key, map[string]any{"tokens_per_day": 2_000_000, "reason": "less"}); resp.StatusCode != 201 {
		t.Fatalf("request after the first was rejected: %d %v", resp.StatusCode, out)
	}
}
