package gateway_test

import (
	"testing"
	"time"

	"github.com/gotensor/gotensor/gateway"
)

// With PolicyFirst the reply leaves at the first answer while the other miners of the
// fan-out finish in the background: the organic sample must wait for them, so that each
// of its answers is final (a call's latency is set when it ends).
func TestFanoutSampleAfterEveryAnswer(t *testing.T) {
	nw := startNetwork(t)
	extra := registerMiners(t, nw, "//Alice/miner3", "//Alice/miner4")
	cfg := baseConfig(nw, false)
	for hk, addr := range extra {
		cfg.AddrOverride[hk] = addr
	}
	cfg.K, cfg.Policy = 3, gateway.PolicyFirst
	got := make(chan gateway.Sample, 8)
	cfg.OnSample = func(s gateway.Sample) { got <- s }
	g := startGateway(t, nw, cfg)
	_, key, _ := createKey(t, g, "free")
	for range 5 {
		if resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hello", false)); resp.StatusCode != 200 {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
		var s gateway.Sample
		select {
		case s = <-got:
		case <-time.After(30 * time.Second): // a bound on a hang, not a measurement
			t.Fatal("no sample within 30 s")
		}
		if len(s.Answers) != 3 || s.Chosen < 0 || s.Answers[s.Chosen].Err != nil {
			t.Fatalf("sample: %+v", s)
		}
		for i, a := range s.Answers {
			if a.Latency == 0 {
				t.Fatalf("answer %d handed over before its call ended: %+v", i, a)
			}
		}
	}
	g.stop() // waits for the background calls and samples
}
