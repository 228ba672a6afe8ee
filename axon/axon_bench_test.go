package axon_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Payload carries data that the body hash covers.
type Payload struct {
	synapse.Base
	Data string `json:"data"`
	Echo int    `json:"echo"`
}

func (*Payload) RequiredHashFields() []string { return []string{"data"} }

// BenchmarkAxonVerified measures what an axon serves over loopback: requests with 1 KiB
// bodies, each fully checked (registry, stake, rate limits, nonce, sr25519 signature, body
// read and hash) and answered by a trivial handler. Requests are signed before the clock
// runs, so the figure is the axon's, not the client's; 16 connections send them.
//
// Reported: req/s, p50 and p99 latency, and the bare sr25519 verification rate measured in
// the same run, on one goroutine (verify/s) and on GOMAXPROCS goroutines (verify_par/s).
// x_vs_verify_par is req/s over verify_par/s: the share of the machine's verification
// capacity the axon delivers as answered requests.
func BenchmarkAxonVerified(b *testing.B) {
	verify1, verifyPar := verifyRates(b)
	cfg := axon.TestConfig()
	cfg.Registry = testRegistry()
	a, err := axon.New(ferdie, cfg)
	if err != nil {
		b.Fatal(err)
	}
	err = axon.Handle(a, axon.HandlerFunc[*Payload](func(_ context.Context, p *Payload) error {
		p.Echo = len(p.Data)
		return nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	ax := axontest.Start(b, a)
	c := newClient(b, alice, ax, "")
	c.hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 32

	// Size the data so the whole body is 1 KiB.
	probe, _ := c.prepare(&Payload{}, synapse.RequestOptions{})
	data := strings.Repeat("x", 1024-len(probe))
	if body, _ := c.prepare(&Payload{Data: data}, synapse.RequestOptions{}); len(body) != 1024 {
		b.Fatalf("body is %d bytes", len(body))
	}

	const batch, workers = 512, 16
	type req struct {
		body []byte
		h    http.Header
	}
	var lat []time.Duration
	var sendTime time.Duration
	var mu sync.Mutex
	failed := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		reqs := make(chan req, batch)
		for range batch {
			body, h := c.prepare(&Payload{Data: data}, synapse.RequestOptions{})
			reqs <- req{body, h}
		}
		close(reqs)
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				var mine []time.Duration
				for r := range reqs {
					t0 := time.Now()
					code := send(c, r.body, r.h)
					mine = append(mine, time.Since(t0))
					if code != 200 {
						mu.Lock()
						failed++
						mu.Unlock()
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
		sendTime += time.Since(start)
	}
	if failed > 0 {
		b.Fatalf("%d requests failed", failed)
	}
	slices.Sort(lat)
	rps := float64(len(lat)) / sendTime.Seconds()
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
	b.ReportMetric(verify1, "verify/s")
	b.ReportMetric(verifyPar, "verify_par/s")
	b.ReportMetric(rps/verifyPar, "x_vs_verify_par")
}

// send posts one prepared request and returns its status.
func send(c *client, body []byte, h http.Header) int {
	req, _ := http.NewRequest(http.MethodPost, "http://"+c.ax.Addr()+"/Payload", bytes.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// verifyRates measures sr25519 verifications per second of a request's signature message,
// on one goroutine and on GOMAXPROCS goroutines.
func verifyRates(b *testing.B) (one, par float64) {
	msg := synapse.SignatureMessage(time.Now().UnixNano(), alice.SS58(), ferdie.SS58(), synapse.NewUUID(), synapse.EmptyBodyHash)
	sig, err := alice.Sign(msg)
	if err != nil {
		b.Fatal(err)
	}
	pub := alice.Public()
	run := func(g, n int) float64 {
		var wg sync.WaitGroup
		start := time.Now()
		for range g {
			wg.Go(func() {
				for range n {
					if !keys.Verify(pub, msg, sig) {
						panic("signature does not verify")
					}
				}
			})
		}
		wg.Wait()
		return float64(g*n) / time.Since(start).Seconds()
	}
	run(1, 200) // warm up
	procs := runtime.GOMAXPROCS(0)
	return run(1, 3000), run(procs, 3000)
}
