package gateway_test

import (
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/internal/logtest"
)

// When every miner tried fails, the operator's log says how each failed (here: nothing
// listens where --addr-override points), not only how many were tried. Found running
// cmd/gateway with --allow-private-miners against a localnet, whose miners publish
// 10.0.0.1, an address that host did not reach: the log said "3 miners of subnet 1 tried".
func TestNoMinerAnsweredLogsWhy(t *testing.T) {
	nw := startNetwork(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // connections to dead are refused
	for _, stream := range []bool{false, true} {
		cfg := baseConfig(nw, stream)
		cfg.AddrOverride = map[string]string{nw.m1.SS58(): dead} // the other miner publishes 0.0.0.0: skipped
		cfg.StreamMiners = stream
		logs := &logtest.Buffer{}
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
		g := startGateway(t, nw, cfg)
		_, key, _ := createKey(t, g, "free")
		resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hi", false))
		if e, _ := out["error"].(map[string]any); resp.StatusCode != 502 || e["code"] != "upstream_error" {
			t.Fatalf("stream miners %v: %d %v; want 502 upstream_error", stream, resp.StatusCode, out)
		}
		if msg := out["error"].(map[string]any)["message"].(string); strings.Contains(msg, dead) {
			t.Errorf("the user's error names the miner's address: %q", msg)
		}
		g.stop()
		var line string
		for l := range strings.Lines(logs.String()) {
			if strings.Contains(l, "request failed") {
				line = l
			}
		}
		if !strings.Contains(line, "uid 1 "+nw.m1.SS58()+": ") || !strings.Contains(line, dead) {
			t.Errorf("stream miners %v: the logged cause does not say which miner failed and how (its uid, hotkey and the error calling %s):\n%s", stream, dead, line)
		}
	}
}
