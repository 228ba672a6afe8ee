package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// BenchmarkGateway measures non-streaming chat requests through the gateway against the
// same synapse sent straight to a miner with a dendrite, in the same run, so the ratio
// holds on a busy machine.
//
// Setup, all in this one process (so every figure includes the client, the gateway, the
// miners and the node sharing GOMAXPROCS cores): a real node (200 ms blocks), subnet 1
// with three registered Chat miners that echo the prompt (axon.TestConfig, so no per-IP
// or per-hotkey rate limits), the gateway with production defaults for everything the
// request path touches: API-key auth, per-key rate limit and daily quota (set high
// enough never to refuse), usage accounted to SQLite in a file on disk (WAL, written
// behind every FlushInterval = 1 s), metagraph refreshed every 12 s, policy "first".
//
// Sub-benchmarks are k=K/c=C/{direct,gateway}: K miners each gateway request fans out to
// (each costs the miner side one signature verification and one answer), C concurrent
// clients (C/GOMAXPROCS goroutines per P with RunParallel). "direct" is one dendrite
// call to one miner per request — what a client that bypasses the gateway does. Each
// reports req/s, p50_us and p99_us; gateway sub-benchmarks also report the direct run's
// figures beside theirs: x_direct (gateway req/s over direct req/s) and p50_added_us
// (gateway p50 minus direct p50).
func BenchmarkGateway(b *testing.B) {
	// Labels split a CPU profile (-cpuprofile, then go tool pprof -tags) into the node
	// and miners (side=network), the benchmark's clients (side=client) and the rest, which
	// is the gateway (goroutines inherit the labels of the one that starts them).
	var nw *network
	var extra map[string]string
	pprof.Do(context.Background(), pprof.Labels("side", "network"), func(context.Context) {
		nw = startNetwork(b)
		extra = registerMiners(b, nw, "//Alice/miner3", "//Alice/miner4")
	})
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	defer hc.CloseIdleConnections()
	d, err := dendrite.New(kp(b, "//Alice/bench"), dendrite.Config{MaxConnsPerHost: 256})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ax := synapse.AxonInfo{IP: "127.0.0.1", Port: uint16(mustPort(nw.addr1)), Hotkey: nw.m1.Public(), Version: 1, IPType: 4}
	direct := func() error {
		return d.Call(context.Background(), ax, &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: "hello bench"}}})
	}
	body, _ := json.Marshal(chatBody("gotensor-echo", "hello bench", false))
	for _, k := range []int{1, 3} {
		cfg := baseConfig(nw, false)
		def := gateway.DefaultConfig()
		cfg.FlushInterval, cfg.MetagraphInterval = def.FlushInterval, def.MetagraphInterval
		cfg.K = k
		cfg.Tiers["free"] = gateway.Tier{RequestsPerMinute: 1 << 40, TokensPerDay: 1 << 40}
		cfg.SQLitePath = b.TempDir() + "/bench.db"
		for hk, addr := range extra {
			cfg.AddrOverride[hk] = addr
		}
		g := startGateway(b, nw, cfg)
		_, key, _ := createKey(b, g, "free")
		via := func() error {
			req, _ := http.NewRequest("POST", g.url+"/v1/chat/completions", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("gateway answered %d", resp.StatusCode)
			}
			return nil
		}
		for _, c := range []int{2, 16} {
			var base result
			b.Run(fmt.Sprintf("k=%d/c=%d/direct", k, c), func(b *testing.B) { base = measure(b, c, direct) })
			b.Run(fmt.Sprintf("k=%d/c=%d/gateway", k, c), func(b *testing.B) {
				r := measure(b, c, via)
				if base.rps > 0 && r.rps > 0 {
					b.ReportMetric(r.rps/base.rps, "x_direct")
					b.ReportMetric(float64(r.p50-base.p50)/1e3, "p50_added_us")
				}
			})
		}
		g.stop()
	}
}

type result struct {
	rps      float64
	p50, p99 time.Duration
}

// cpuTime is the CPU time this process used so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f b.N times from c goroutines and reports req/s, p50_us and p99_us, and
// cpu_us (the process's CPU time per request: client, gateway, miners and node together),
// which other processes on a shared machine disturb far less than req/s.
func measure(b *testing.B, c int, f func() error) result {
	b.SetParallelism(max(1, c/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	var mu sync.Mutex
	var lat []time.Duration
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("side", "client")))
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			if err := f(); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	el, cpu := time.Since(start), cpuTime()-cpu0
	if len(lat) == 0 {
		return result{}
	}
	slices.Sort(lat)
	r := result{rps: float64(len(lat)) / el.Seconds(), p50: lat[len(lat)/2], p99: lat[len(lat)*99/100]}
	b.ReportMetric(r.rps, "req/s")
	b.ReportMetric(float64(r.p50)/1e3, "p50_us")
	b.ReportMetric(float64(r.p99)/1e3, "p99_us")
	b.ReportMetric(float64(cpu)/1e3/float64(len(lat)), "cpu_us")
	return r
}

// registerMiners registers and serves more Chat miners on subnet 1 and returns their
// hotkeys (SS58) with their loopback addresses, for Config.AddrOverride.
func registerMiners(b testing.TB, nw *network, uris ...string) map[string]string {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	alice := kp(b, "//Alice")
	out := map[string]string{}
	for _, uri := range uris {
		m := kp(b, uri)
		for _, step := range []struct {
			signer *keys.Keypair
			call   *txpb.Call
		}{
			{alice, client.BurnedRegister(1, m.SS58())},
			{m, client.ServeAxon(1, 1, []byte{0, 0, 0, 0}, 8091, 4)},
		} {
			if _, err := nw.c.Submit(ctx, step.signer, step.call, client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
				b.Fatal(err)
			}
		}
		out[m.SS58()] = serveAxon(b, m, false)
	}
	return out
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
