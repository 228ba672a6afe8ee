package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// With StreamMiners, a miner that answers Chat without streaming (a JSON body, not an event
// stream) is passed over for the next one before the user's stream begins. Before, the
// gateway committed to it, sent 200 and then an error chunk ("the miner's stream broke
// off"), trying no other miner.
func TestStreamSkipsMinerThatDoesNotStream(t *testing.T) {
	nw := startNetwork(t)
	cfg := baseConfig(nw, true)
	cfg.K, cfg.Retries = 1, 1                                                            // one miner per attempt: the plain one must be tried and passed over
	cfg.AddrOverride = map[string]string{nw.m1.SS58(): nw.addr1, nw.m2.SS58(): nw.addr2} // m1 serves Chat plain, m2 streams
	g := startGateway(t, nw, cfg)
	_, key, _ := createKey(t, g, "free")
	// Only the plain miner: the user gets the gateway's 502 before any stream, not a 200
	// whose stream breaks off.
	cfg1 := baseConfig(nw, true)
	cfg1.AddrOverride = map[string]string{nw.m1.SS58(): nw.addr1}
	g1 := startGateway(t, nw, cfg1)
	_, key1, _ := createKey(t, g1, "free")
	resp, out := call(t, "POST", g1.url+"/v1/chat/completions", key1, chatBody("gotensor-echo", "hello there", true))
	if e, _ := out["error"].(map[string]any); resp.StatusCode != 502 || e["code"] != "upstream_error" {
		t.Fatalf("only a miner that does not stream: %d %v; want 502 upstream_error", resp.StatusCode, out)
	}
	g1.stop()

	// Both: every request is answered, whichever miner is tried first.
	for i := range 4 {
		body := chatBody("gotensor-echo", "hello there", i%2 == 0)
		req, _ := http.NewRequest("POST", g.url+"/v1/chat/completions", bytes.NewReader(must(json.Marshal(body))))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(out), "there") || strings.Contains(string(out), `"error"`) {
			t.Fatalf("request %d (stream %v): %d %s", i, i%2 == 0, resp.StatusCode, out)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
