package neuron_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/node/nodetest"
	"github.com/gotensor/gotensor/synapse"
)

// startMiner runs an Echo miner as uid 2 of a fake chain until the test ends.
func startMiner(t *testing.T, f *fakeChain, hot *keys.Keypair, edit func(c *neuron.Config)) (*neuron.Miner, neuron.Config) {
	t.Helper()
	cfg := neuron.TestConfig()
	cfg.Neuron.SyncInterval = 50 * time.Millisecond
	cfg.Neuron.HealthAddr = "127.0.0.1:" + strconv.Itoa(nodetest.FreePort(t))
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	if edit != nil {
		edit(&cfg)
	}
	m, err := neuron.NewMiner(cfg, f, hot)
	if err != nil {
		t.Fatal(err)
	}
	if err := axon.Handle[Echo](m.Axon(), axon.HandlerFunc[*Echo](func(ctx context.Context, e *Echo) error {
		e.Reply = e.Text
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("miner Run: %v", err)
		}
	})
	for m.Axon().Addr() == nil || m.Health().UID < 0 { // started: bound and synced
		select {
		case err := <-errc:
			t.Fatalf("miner stopped: %v", err)
		case <-time.After(5 * time.Millisecond): // waiting for Run to bind; nothing to select on
		}
	}
	return m, cfg
}

func call(t *testing.T, caller *keys.Keypair, m *neuron.Miner) synapse.TerminalInfo {
	t.Helper()
	d, err := dendrite.New(caller, dendrite.Config{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	info := m.Axon().Info()
	info.IP = "127.0.0.1"
	syn := &Echo{Text: "hi"}
	_ = d.Call(t.Context(), info, syn) // the outcome is in the terminal info
	if syn.Dendrite.IsSuccess() && syn.Reply != "hi" {
		t.Fatalf("reply %q", syn.Reply)
	}
	return syn.Dendrite
}

// TestMinerAdmitsRegisteredValidators: the axon takes the metagraph as its registry.
func TestMinerAdmitsRegisteredValidators(t *testing.T) {
	axontest.CheckLeaks(t)
	validator, miner := key(t, "//Validator"), key(t, "//M2")
	f := newFakeChain(t, validator.Public(), false)
	f.hotkeys[2] = miner.Public()
	m, cfg := startMiner(t, f, miner, nil)
	for _, tc := range []struct {
		name   string
		caller *keys.Keypair
		code   int
	}{
		{"a registered validator with a permit", validator, 200},
		{"an unknown hotkey: 403, not the template's 500", key(t, "//Stranger"), 403},
		{"a registered miner without a permit", key(t, "//M3"), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ti := call(t, tc.caller, m); ti.StatusCode != tc.code {
				t.Fatalf("status %d %q, want %d", ti.StatusCode, ti.StatusMessage, tc.code)
			}
		})
	}
	// A permit given by a later epoch is seen at the next sync.
	f.mu.Lock()
	f.permits[3] = true
	f.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for call(t, key(t, "//M3"), m).StatusCode != 200 {
		if time.Now().After(deadline) {
			t.Fatal("a new permit was never seen")
		}
		time.Sleep(20 * time.Millisecond) // the miner syncs every 50 ms; polling its answer
	}
	// With the health endpoint.
	resp, err := http.Get("http://" + cfg.Neuron.HealthAddr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
}

// TestMinerPublishesOnce: serve_axon at start with the external IP, not again when the
// chain already has the endpoint, never without an external IP.
func TestMinerPublishesOnce(t *testing.T) {
	axontest.CheckLeaks(t)
	validator, miner := key(t, "//Validator"), key(t, "//M2")
	f := newFakeChain(t, validator.Public(), false)
	f.hotkeys[2] = miner.Public()
	f.axons[2] = nil
	served := func() int { return f.count("serve_axon") }
	run := func(edit func(c *neuron.Config)) {
		ctx, cancel := context.WithCancel(t.Context())
		cfg := neuron.TestConfig()
		if edit != nil {
			edit(&cfg)
		}
		m, err := neuron.NewMiner(cfg, f, miner)
		if err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() { errc <- m.Run(ctx) }()
		for m.Axon().Addr() == nil || cfg.Axon.ExternalIP != "" && m.Health().Axon == "" { // bound, and published if it should be
			select {
			case err := <-errc:
				t.Fatalf("miner stopped: %v", err)
			case <-time.After(5 * time.Millisecond): // waiting for Run to bind
			}
		}
		cancel()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	run(nil) // no external IP: not published
	if served() != 0 {
		t.Fatalf("published without an external IP: %+v", f.calls())
	}
	port := nodetest.FreePort(t)
	withIP := func(c *neuron.Config) { c.Axon.ExternalIP, c.Axon.ExternalPort = "10.0.0.9", port }
	run(withIP)
	if served() != 1 || f.axons[2] == nil || f.axons[2].IP != "10.0.0.9" || f.axons[2].Port != uint16(port) {
		t.Fatalf("after the first start: %+v, axon %+v", f.calls(), f.axons[2])
	}
	run(withIP) // a restart with the same endpoint sends nothing
	if served() != 1 {
		t.Fatalf("a restart published again: %+v", f.calls())
	}
	run(func(c *neuron.Config) { withIP(c); c.Axon.ExternalIP = "10.0.0.10" }) // a new address is published
	if served() != 2 || f.axons[2].IP != "10.0.0.10" {
		t.Fatalf("a new address was not published: %+v", f.calls())
	}
}

// TestMinerSyncsOnNewBlocksOnly: the metagraph is fetched when the head moved, at most once
// per sync interval, never in a tight loop (macrocosm-os/apex#260).
func TestMinerSyncsOnNewBlocksOnly(t *testing.T) {
	validator, miner := key(t, "//Validator"), key(t, "//M2")
	f := newFakeChain(t, validator.Public(), false)
	f.hotkeys[2] = miner.Public()
	f.frozen = 7
	startMiner(t, f, miner, nil)
	f.mu.Lock()
	before := f.fetches
	f.mu.Unlock()
	time.Sleep(500 * time.Millisecond) // ten sync intervals on a chain that does not move
	f.mu.Lock()
	still := f.fetches - before
	f.frozen = 0 // the chain moves again: a block every 100 ms
	start := f.fetches
	f.mu.Unlock()
	if still != 0 {
		t.Fatalf("%d metagraph fetches while the head stayed at block 7", still)
	}
	time.Sleep(time.Second)
	f.mu.Lock()
	moved := f.fetches - start
	f.mu.Unlock()
	if moved < 3 || moved > 21 {
		t.Fatalf("%d fetches in 1 s of 100 ms blocks with a 50 ms sync interval", moved)
	}
}

// TestMinerNotRegistered: Run refuses a hotkey without a uid, saying how to register.
func TestMinerNotRegistered(t *testing.T) {
	f := newFakeChain(t, key(t, "//Validator").Public(), false)
	m, err := neuron.NewMiner(neuron.TestConfig(), f, key(t, "//Nobody"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Run(t.Context()); !errors.Is(err, neuron.ErrNotRegistered) {
		t.Fatalf("Run: %v", err)
	}
}

// TestMinerAddressInUse: a miner started on a port another process holds (often a miner
// started before) stops saying which flag to change, for the axon and the health endpoint.
func TestMinerAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := ln.Addr().(*net.TCPAddr)
	for _, tc := range []struct {
		name, flag string
		edit       func(c *neuron.Config)
	}{
		{"axon", "--axon.port", func(c *neuron.Config) { c.Axon.IP, c.Axon.Port = "127.0.0.1", taken.Port }},
		{"health", "--neuron.health_addr", func(c *neuron.Config) { c.Neuron.HealthAddr = taken.String() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeChain(t, key(t, "//Validator").Public(), false)
			cfg := neuron.TestConfig()
			tc.edit(&cfg)
			m, err := neuron.NewMiner(cfg, f, key(t, "//M2"))
			if err != nil {
				t.Fatal(err)
			}
			err = m.Run(t.Context())
			if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), tc.flag) {
				t.Fatalf("Run: %v; want the address in use and %s", err, tc.flag)
			}
		})
	}
}

// TestMinerStopsWhenSubnetDissolved: the subnet dissolved under a running miner; it stops
// with ErrNoSubnet instead of warning at every sync.
func TestMinerStopsWhenSubnetDissolved(t *testing.T) {
	f := newFakeChain(t, key(t, "//Validator").Public(), false)
	cfg := neuron.TestConfig()
	cfg.Neuron.SyncInterval = 10 * time.Millisecond
	m, err := neuron.NewMiner(cfg, f, key(t, "//M2"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a bound for a broken build, not a timing assertion
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx) }()
	waitHealth(t, m, func(h neuron.Health) bool { return h.UID == 2 })
	f.mu.Lock()
	f.dissolved = true
	f.mu.Unlock()
	if err := <-errc; !errors.Is(err, neuron.ErrNoSubnet) || !strings.Contains(err.Error(), "btcli subnets list") {
		t.Fatalf("Run: %v; want ErrNoSubnet saying how to list subnets", err)
	}
}

func TestHealthHandler(t *testing.T) {
	f := newFakeChain(t, key(t, "//Validator").Public(), false)
	m, err := neuron.NewMiner(neuron.TestConfig(), f, key(t, "//M2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, "/healthz", http.StatusServiceUnavailable}, // not running, never synced
		{http.MethodHead, "/healthz", http.StatusServiceUnavailable},
		{http.MethodPost, "/healthz", http.StatusMethodNotAllowed},
		{http.MethodGet, "/metrics", http.StatusNotFound},
	} {
		rec := httptest.NewRecorder()
		m.HealthHandler().ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.code {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.code)
		}
	}
	if h := m.Health(); h.OK || h.UID != -1 || h.Role != "miner" {
		t.Fatalf("health %+v", h)
	}
}

// TestMinerNoticesAxonTakenOver: when another process with the miner's hotkey publishes
// another address, the miner says so (once) and its health is not OK until the chain
// lists its own axon again.
func TestMinerNoticesAxonTakenOver(t *testing.T) {
	validator, miner := key(t, "//Validator"), key(t, "//M2")
	f := newFakeChain(t, validator.Public(), false)
	f.hotkeys[2] = miner.Public()
	f.axons[2] = nil
	var logs logtest.Buffer
	port := nodetest.FreePort(t)
	m, _ := startMiner(t, f, miner, func(c *neuron.Config) {
		c.Axon.ExternalIP, c.Axon.ExternalPort = "10.0.0.9", port
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	waitHealth(t, m, func(h neuron.Health) bool { return h.Axon != "" && h.OK })

	f.mu.Lock()
	mine := *f.axons[2]
	other := mine
	other.IP = "10.0.0.77"
	f.axons[2] = &other // what a second miner process's serve_axon does
	f.mu.Unlock()
	h := waitHealth(t, m, func(h neuron.Health) bool { return h.AxonConflict != "" })
	if h.OK || !strings.Contains(h.AxonConflict, "10.0.0.77:") || !strings.Contains(h.AxonConflict, "Stop the other process") {
		t.Fatalf("health during the takeover: %+v", h)
	}
	time.Sleep(300 * time.Millisecond) // several more syncs: still one warning
	if n := strings.Count(logs.String(), "axon taken over on chain"); n != 1 {
		t.Fatalf("%d takeover warnings, want 1:\n%s", n, logs.String())
	}

	f.mu.Lock()
	f.axons[2] = &mine // the other process is gone and this miner published again
	f.mu.Unlock()
	waitHealth(t, m, func(h neuron.Health) bool { return h.AxonConflict == "" && h.OK })
}

// waitHealth waits up to 10 s for m's health to satisfy ok and returns it.
func waitHealth(t *testing.T, m *neuron.Miner, ok func(neuron.Health) bool) neuron.Health {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h := m.Health()
		if ok(h) {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("health never got there: %+v", h)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
