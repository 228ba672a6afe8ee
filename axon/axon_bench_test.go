package axon_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strconv"
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
// bodies, each fully checked (registry, stake, per-IP and per-hotkey rate limits with limits
// high enough not to refuse, nonce window, sr25519 signature, body read and hash, priority
// queue) and answered by a trivial handler. Requests are signed before the clock runs, so
// the figure is the axon's, not the signer's; 16 connections send them with net/http's
// client, in this process, on the same cores.
//
// Reported, all measured in the same run, between batches of requests so that other load on
// the machine weighs on each alike:
//   - req/s, p50_ms, p99_ms: answered requests (all must be 200) and their latency.
//   - verify/s, verify_par/s: bare sr25519 verifications of a request's signature message
//     with the key decoded once, as the axon's verifier cache does, on one goroutine and on
//     GOMAXPROCS goroutines. verify_par/s is the bound: an axon that did nothing but verify
//     would answer that many requests a second, if no client shared the cores.
//   - x_vs_verify_par: req/s over verify_par/s (the target is ≥ 0.6).
//   - http/s: the same client and connections against a bare net/http handler that reads
//     the body and writes an answer of the axon's size: loopback HTTP with no checks.
//   - x_vs_http_and_verify: req/s over 1/(1/verify_par + 1/http), the rate if a request
//     cost exactly one verification plus one bare HTTP exchange; the gap to 1 is the axon's
//     own work (header parsing, JSON, checks, queue, metrics).
//   - cpu_us/req, http_cpu_us/req: process CPU per answered request, client included, for
//     the axon and for the bare handler.
//   - sigs/batch, batched_frac: how the axon's signature checks were batched (keys.BatchingVerifier):
//     signatures per batch, and the share of signatures checked in a batch rather than alone.
//
// The requests come from one validator hotkey, except in callers=3, where three validators
// take turns: a batch of signatures costs a little more per distinct key in it.
func BenchmarkAxonVerified(b *testing.B) {
	b.Run("client=net-http", func(b *testing.B) { benchAxonVerified(b, sendAll, alice) })
	b.Run("client=raw", func(b *testing.B) { benchAxonVerified(b, sendRaw, alice) })
	b.Run("client=raw/callers=3", func(b *testing.B) { benchAxonVerified(b, sendRaw, alice, charlie, eve) })
}

func benchAxonVerified(b *testing.B, sendAll func(*client, []req, int) (time.Duration, []time.Duration, int), callers ...*keys.Keypair) {
	cfg := axon.TestConfig()
	cfg.Registry = testRegistry()
	// Limits on, but far above what one run sends, so their bookkeeping runs without refusing.
	cfg.HotkeyRate, cfg.HotkeyBurst = 1e6, 1e6
	cfg.IPRate, cfg.IPBurst = 1e6, 1e6
	cfg.MaxConnsPerIP = 64
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
	c := newClient(b, callers[0], ax, "")
	c.hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 32
	signers := []*client{c}
	for _, kp := range callers[1:] {
		signers = append(signers, newClient(b, kp, ax, ""))
	}

	// Size the data so the whole body is 1 KiB.
	probe, _ := c.prepare(&Payload{}, synapse.RequestOptions{})
	data := strings.Repeat("x", 1024-len(probe))
	body0, h0 := c.prepare(&Payload{Data: data}, synapse.RequestOptions{})
	if len(body0) != 1024 {
		b.Fatalf("body is %d bytes", len(body0))
	}
	answer := answerSize(b, c, body0, h0)
	bare := bareServer(b, answer)

	const batch, workers = 512, 16
	var lat []time.Duration
	var serve, bareTime time.Duration
	var cpu, bareCPU time.Duration
	var v1, vPar rate
	failed := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		reqs := make([]req, batch)
		for i := range reqs {
			body, h := signers[i%len(signers)].prepare(&Payload{Data: data}, synapse.RequestOptions{})
			reqs[i] = req{url: "http://" + ax.Addr() + "/Payload", body: body, h: h}
		}
		v1.add(verifyBurst(b, 1, 256))
		vPar.add(verifyBurst(b, runtime.GOMAXPROCS(0), 256))
		bareReqs := make([]req, batch)
		for i := range bareReqs {
			bareReqs[i] = req{url: bare, body: body0, h: h0}
		}
		bareCPU0 := processCPU()
		d, _, n := sendAll(c, bareReqs, workers)
		bareCPU += processCPU() - bareCPU0
		if n > 0 {
			b.Fatalf("%d requests to the bare server failed", n)
		}
		bareTime += d
		cpu0 := processCPU()
		b.StartTimer()
		d, l, n := sendAll(c, reqs, workers)
		b.StopTimer()
		cpu += processCPU() - cpu0
		serve += d
		lat = append(lat, l...)
		failed += n
		b.StartTimer()
	}
	if failed > 0 {
		b.Fatalf("%d requests failed", failed)
	}
	slices.Sort(lat)
	rps := float64(len(lat)) / serve.Seconds()
	httpRate := float64(len(lat)) / bareTime.Seconds()
	both := 1 / (1/vPar.perSec() + 1/httpRate)
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
	b.ReportMetric(v1.perSec(), "verify/s")
	b.ReportMetric(vPar.perSec(), "verify_par/s")
	b.ReportMetric(rps/vPar.perSec(), "x_vs_verify_par")
	b.ReportMetric(httpRate, "http/s")
	b.ReportMetric(rps/both, "x_vs_http_and_verify")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(len(lat)), "cpu_us/req")
		b.ReportMetric(float64(bareCPU.Microseconds())/float64(len(lat)), "http_cpu_us/req")
	}
	if st := axon.SignatureStats(a); st.Batches > 0 {
		b.ReportMetric(float64(st.Batched)/float64(st.Batches), "sigs/batch")
		b.ReportMetric(float64(st.Batched)/float64(st.Batched+st.Alone), "batched_frac")
	}
}

type req struct {
	url  string
	body []byte
	h    http.Header
	wire []byte // the request as HTTP/1.1 bytes, for sendRaw
}

// rate sums counts over time.
type rate struct {
	n int
	d time.Duration
}

func (r *rate) add(n int, d time.Duration) { r.n += n; r.d += d }
func (r rate) perSec() float64             { return float64(r.n) / r.d.Seconds() }

// sendAll posts reqs over workers connections with net/http's client and returns the wall
// time, each latency and the number that did not answer 200.
func sendAll(c *client, reqs []req, workers int) (time.Duration, []time.Duration, int) {
	return drive(reqs, workers, func() (func(req) bool, func()) {
		return func(r req) bool { return send(c, r) == 200 }, func() {}
	})
}

// sendRaw is sendAll with the least client work a load generator can do (what wrk does):
// each worker keeps one TCP connection, writes each request as prepared HTTP/1.1 bytes in
// one write and reads the answer's status line and headers, skipping its body by its
// Content-Length. It shows what the axon serves when the client's cost is small, as it is
// for an axon whose callers run on other machines.
func sendRaw(c *client, reqs []req, workers int) (time.Duration, []time.Duration, int) {
	for i := range reqs {
		reqs[i].wire = rawRequest(reqs[i])
	}
	host := must(url.Parse(reqs[0].url)).Host
	return drive(reqs, workers, func() (func(req) bool, func()) {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			return func(req) bool { return false }, func() {}
		}
		br := bufio.NewReaderSize(conn, 8<<10)
		return func(r req) bool {
			_, err := conn.Write(r.wire)
			return err == nil && readRawStatus(br) == 200
		}, func() { conn.Close() }
	})
}

// drive sends reqs on workers goroutines, each with the sender its dial returns (and closes
// with the second function when done), and returns the wall time, each latency and the
// number of requests the sender reported failed.
func drive(reqs []req, workers int, dial func() (send func(req) bool, done func())) (time.Duration, []time.Duration, int) {
	next := make(chan req, len(reqs))
	for _, r := range reqs {
		next <- r
	}
	close(next)
	var mu sync.Mutex
	var lat []time.Duration
	failed := 0
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			send, done := dial()
			defer done()
			var mine []time.Duration
			bad := 0
			for r := range next {
				t0 := time.Now()
				if !send(r) {
					bad++
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			failed += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	return time.Since(start), lat, failed
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// rawRequest renders r as HTTP/1.1 bytes.
func rawRequest(r req) []byte {
	u, _ := url.Parse(r.url)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", u.Path, u.Host, len(r.body))
	for k, vs := range r.h {
		for _, v := range vs {
			fmt.Fprintf(&buf, "%s: %s\r\n", k, v)
		}
	}
	buf.WriteString("\r\n")
	buf.Write(r.body)
	return buf.Bytes()
}

// readRawStatus reads one answer and returns its status code, or 0 when it cannot be read.
func readRawStatus(br *bufio.Reader) int {
	line, err := br.ReadSlice('\n')
	if err != nil || len(line) < 12 {
		return 0
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0
	}
	length := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return 0
		}
		if len(line) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && strings.EqualFold(string(k), "Content-Length") {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if length < 0 {
		return 0 // chunked or unframed: not what the axon sends for these answers
	}
	if _, err := br.Discard(length); err != nil {
		return 0
	}
	return code
}

// send posts one prepared request and returns its status.
func send(c *client, r req) int {
	hr, _ := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(r.body))
	for k, v := range r.h {
		hr.Header[k] = v
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// answerSize sends one request and returns the axon's answer: its body length and headers.
func answerSize(b *testing.B, c *client, body []byte, h http.Header) result {
	r := c.post("Payload", body, h)
	if r.code != 200 {
		b.Fatalf("probe request: %d %s", r.code, r.msg)
	}
	return r
}

// bareServer serves, on loopback, what a request costs in HTTP alone: read the body, answer
// with the axon's answer's headers and body.
func bareServer(b *testing.B, answer result) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h := w.Header()
		for k, v := range answer.header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		w.Write(answer.body)
	}))
	b.Cleanup(srv.Close)
	return srv.URL + "/Payload"
}

// verifyBurst verifies a request's signature message n times on each of g goroutines, with
// the key decoded once, and returns the count and the wall time.
func verifyBurst(b *testing.B, g, n int) (int, time.Duration) {
	msg := synapse.SignatureMessage(time.Now().UnixNano(), alice.SS58(), ferdie.SS58(), synapse.NewUUID(), synapse.EmptyBodyHash)
	sig, err := alice.Sign(msg)
	if err != nil {
		b.Fatal(err)
	}
	v, err := alice.Public().Verifier()
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	start := time.Now()
	for range g {
		wg.Go(func() {
			for range n {
				if !v.Verify(msg, sig) {
					panic("signature does not verify")
				}
			}
		})
	}
	wg.Wait()
	return g * n, time.Since(start)
}
