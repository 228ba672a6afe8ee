package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// BenchmarkGateway measures chat requests through the gateway (auth, rate limiting, usage
// accounting on SQLite) against a fast in-test miner, and the same synapse sent straight to
// the miner with a dendrite; it reports req/s and p50 latency of each, and the p50 the
// gateway adds.
func BenchmarkGateway(b *testing.B) {
	nw := startNetwork(b)
	cfg := baseConfig(nw, false)
	cfg.K = 1
	cfg.Tiers["free"] = gateway.Tier{RequestsPerMinute: 1 << 40, TokensPerDay: 1 << 40}
	cfg.SQLitePath = b.TempDir() + "/bench.db"
	g := startGateway(b, nw, cfg)
	_, key, _ := createKey(b, g, "free")
	body, _ := json.Marshal(chatBody("gotensor-echo", "hello bench", false))
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	d, err := dendrite.New(kp(b, "//Alice/bench"), dendrite.Config{MaxConnsPerHost: 256})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ax := synapse.AxonInfo{IP: "127.0.0.1", Port: uint16(mustPort(nw.addr1)), Hotkey: nw.m1.Public(), Version: 1, IPType: 4}
	direct := func() error {
		return d.Call(context.Background(), ax, &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: "hello bench"}}})
	}
	via := func() error {
		req, _ := http.NewRequest("POST", g.url+"/v1/chat/completions", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return nil
	}
	p50 := map[string]float64{}
	for _, c := range []struct {
		name string
		f    func() error
	}{{"direct", direct}, {"gateway", via}} {
		b.Run(c.name, func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					t0 := time.Now()
					if err := c.f(); err != nil {
						b.Error(err)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			el := time.Since(start)
			slices.Sort(lat)
			if len(lat) > 0 {
				p50[c.name] = float64(lat[len(lat)/2].Microseconds())
				b.ReportMetric(float64(len(lat))/el.Seconds(), "req/s")
				b.ReportMetric(p50[c.name], "p50_us")
			}
		})
	}
	if p50["direct"] > 0 && p50["gateway"] > 0 {
		b.Logf("p50 added by the gateway: %.0f µs (direct %.0f µs, gateway %.0f µs)", p50["gateway"]-p50["direct"], p50["direct"], p50["gateway"])
	}
}

func mustPort(addr string) int {
	var p int
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			for _, ch := range addr[i+1:] {
				p = p*10 + int(ch-'0')
			}
			break
		}
	}
	return p
}
