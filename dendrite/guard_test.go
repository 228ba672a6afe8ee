package dendrite_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
)

// countedAxon serves double as miner on loopback until the test ends, counting the
// connections its listener accepts.
func countedAxon(t *testing.T) (synapse.AxonInfo, *axontest.CountingListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &axontest.CountingListener{Listener: ln}
	return axontest.Serve(t, minerAxon(t), cl), cl
}

// checkUnreached proves that ln accepted no connection before: a call with the guard off
// must then be its first.
func checkUnreached(t *testing.T, ax synapse.AxonInfo, ln *axontest.CountingListener) {
	t.Helper()
	open := newDendrite(t, dendrite.Config{})
	if err := open.Call(t.Context(), ax, &Dummy{DummyInput: 1}); err != nil {
		t.Fatalf("call with the guard off: %v", err)
	}
	if n := ln.Accepted(); n != 1 {
		t.Fatalf("the listener accepted %d connections; want only the unguarded call's", n)
	}
}

func TestRefusePrivate(t *testing.T) {
	axontest.CheckLeaks(t)
	ax, ln := countedAxon(t)
	var logs bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&logs, &logMu}, nil))
	d := newDendrite(t, dendrite.Config{RefusePrivate: true, PrivateSetting: "--allow-private-test", Logger: log})

	mapped := ax
	mapped.IP = "::ffff:" + ax.IP // the same listener, v4-mapped
	for _, target := range []synapse.AxonInfo{ax, mapped, ax} {
		syn := &Dummy{DummyInput: 2}
		err := d.Call(t.Context(), target, syn)
		var se *synapse.StatusError
		if !errors.As(err, &se) || se.Code != synapse.StatusUnavailable {
			t.Fatalf("call to %s: %v; want status 503", target.Addr(), err)
		}
		for _, want := range []string{"refused to connect to", "loopback address", "--allow-private-test allows private destinations"} {
			if !strings.Contains(se.Message, want) || !strings.Contains(syn.Dendrite.StatusMessage, want) {
				t.Errorf("message %q lacks %q", se.Message, want)
			}
		}
		if syn.DummyOutput != nil {
			t.Errorf("refused call has an answer")
		}
	}
	// A stream is refused the same way.
	if _, err := d.Stream(t.Context(), ax, &Dummy{DummyInput: 2}); err == nil || !strings.Contains(err.Error(), "loopback address") {
		t.Errorf("stream to a private axon: %v", err)
	}
	checkUnreached(t, ax, ln)

	logMu.Lock()
	out := logs.String()
	logMu.Unlock()
	// Two axon addresses were refused (plain and v4-mapped), each logged once however
	// often it was called.
	if n := strings.Count(out, "refused an axon's private address"); n != 2 {
		t.Errorf("refusal logged %d times; want once per axon address (2):\n%s", n, out)
	}
}

func TestRefusePrivateNoConnect(t *testing.T) {
	d := newDendrite(t, dendrite.Config{RefusePrivate: true})
	for ip, kind := range map[string]string{
		"10.255.255.1":    "RFC 1918 private",
		"172.16.0.1":      "RFC 1918 private",
		"192.168.1.1":     "RFC 1918 private",
		"100.64.0.1":      "carrier-grade NAT",
		"169.254.169.254": "cloud metadata",
		"127.0.0.2":       "loopback",
		"fd00::1":         "IPv6 unique local",
		"::1":             "loopback",
	} {
		ax := synapse.AxonInfo{IP: ip, Port: 8091, Hotkey: miner.Public()}
		// A deadline far beyond a refusal's cost: the dialer refuses before any packet, so
		// these calls end at once rather than waiting for an unroutable address.
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		err := d.Call(ctx, ax, &Dummy{})
		cancel()
		var se *synapse.StatusError
		if !errors.As(err, &se) || se.Code != synapse.StatusUnavailable || !strings.Contains(se.Message, kind) ||
			!strings.Contains(se.Message, "dendrite.Config.RefusePrivate off") {
			t.Errorf("%s: %v; want 503 naming %q and the setting", ip, err, kind)
		}
	}
}

func TestRefusePrivateAllowed(t *testing.T) {
	axontest.CheckLeaks(t)
	ax, ln := countedAxon(t)
	// The operator's explicit destinations stay allowed with the guard on.
	d := newDendrite(t, dendrite.Config{RefusePrivate: true, AllowDestinations: []string{ax.Addr()}})
	if err := d.Call(t.Context(), ax, &Dummy{DummyInput: 3}); err != nil {
		t.Errorf("call to an allowed destination: %v", err)
	}
	shortcut := ax
	shortcut.IP = "203.0.113.5"
	d2 := newDendrite(t, dendrite.Config{RefusePrivate: true, ExternalIP: "203.0.113.5"})
	if err := d2.Call(t.Context(), shortcut, &Dummy{DummyInput: 3}); err != nil {
		t.Errorf("call through the ExternalIP loopback shortcut: %v", err)
	}
	// Off (the default), any address is called.
	d3 := newDendrite(t, dendrite.Config{})
	syn := &Dummy{DummyInput: 3}
	if err := d3.Call(t.Context(), ax, syn); err != nil || syn.DummyOutput == nil || *syn.DummyOutput != 6 {
		t.Errorf("call with the guard off: %v", err)
	}
	if n := ln.Accepted(); n != 3 {
		t.Errorf("the listener accepted %d connections; want 3", n)
	}
	if err := (dendrite.Config{AllowDestinations: []string{"10.0.0.1"}}).Validate(); !errors.Is(err, dendrite.ErrConfig) {
		t.Errorf("AllowDestinations without a port: %v", err)
	}
}

// The dendrite follows no redirect: an axon cannot send it to another host.
func TestNoRedirect(t *testing.T) {
	elsewhere, elsewhereLn := countedAxon(t)
	ax := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+elsewhere.Addr()+"/Dummy", http.StatusTemporaryRedirect)
	})
	d := newDendrite(t, dendrite.Config{})
	err := d.Call(t.Context(), ax, &Dummy{})
	var se *synapse.StatusError
	if !errors.As(err, &se) || se.Code != http.StatusTemporaryRedirect {
		t.Errorf("redirecting axon: %v; want its 307 as the outcome", err)
	}
	checkUnreached(t, elsewhere, elsewhereLn)
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// CheckDestination says beforehand what the dialer's guard decides: which published
// addresses a dendrite with a config would refuse.
func TestCheckDestination(t *testing.T) {
	on := dendrite.Config{RefusePrivate: true, PrivateSetting: "--allow-private-test"}
	allow := on
	allow.AllowDestinations = []string{"10.0.0.7:8091", "[fd00::7]:9000", "miner.example:8091"}
	ext := on
	ext.ExternalIP = "10.0.0.9"
	for _, tt := range []struct {
		cfg  dendrite.Config
		addr string
		kind string // what the refusal names; "" when the call would go ahead
	}{
		{on, "8.8.8.8:8091", ""},
		{on, "203.0.113.5:8091", ""},
		{on, "[2001:4860:4860::8888]:8091", ""},
		{on, "[::ffff:8.8.8.8]:8091", ""},
		{on, "[64:ff9b::8.8.8.8]:8091", ""},
		{on, "127.0.0.1:8091", "loopback"},
		{on, "127.0.0.2:8091", "loopback"},
		{on, "10.0.0.1:8091", "RFC 1918 private"},
		{on, "192.168.1.1:8091", "RFC 1918 private"},
		{on, "100.64.0.1:8091", "carrier-grade NAT"},
		{on, "169.254.169.254:80", "cloud metadata"},
		{on, "[::1]:8091", "loopback"},
		{on, "[fd00::1]:8091", "IPv6 unique local"},
		{on, "[fe80::1%eth0]:8091", "link-local"},
		{on, "[::ffff:127.0.0.2]:8091", "loopback"},
		{on, "[::ffff:10.0.0.1]:8091", "RFC 1918 private"},
		{on, "[::ffff:169.254.169.254]:80", "cloud metadata"},
		{on, "[64:ff9b::10.0.0.1]:8091", "RFC 1918 private (embedded in IPv6)"},
		// Off, nothing is refused.
		{dendrite.Config{}, "127.0.0.2:8091", ""},
		{dendrite.Config{}, "[::ffff:10.0.0.1]:8091", ""},
		// The operator's destinations, matched by address and port, v4-mapped or not.
		{allow, "10.0.0.7:8091", ""},
		{allow, "[::ffff:10.0.0.7]:8091", ""},
		{allow, "[fd00::7]:9000", ""},
		{allow, "10.0.0.7:8092", "RFC 1918 private"},
		{allow, "10.0.0.8:8091", "RFC 1918 private"},
		// ExternalIP: the dendrite calls it on this host's loopback.
		{ext, "10.0.0.9:8091", ""},
		{ext, "10.0.0.10:8091", "RFC 1918 private"},
	} {
		err := dendrite.CheckDestination(netip.MustParseAddrPort(tt.addr), tt.cfg)
		if tt.kind == "" {
			if err != nil {
				t.Errorf("%s (RefusePrivate %v): %v; want allowed", tt.addr, tt.cfg.RefusePrivate, err)
			}
			continue
		}
		var pe *dendrite.PrivateDestinationError
		if !errors.As(err, &pe) || !errors.Is(err, dendrite.ErrPrivateDestination) || !strings.Contains(pe.Kind, tt.kind) ||
			!strings.Contains(err.Error(), "--allow-private-test") {
			t.Errorf("%s: %v; want a refusal naming %q and the setting", tt.addr, err, tt.kind)
		}
	}
}

// CheckDestination agrees with the dendrite's calls on a real listener: refused where a
// call is refused, allowed where a call gets through.
func TestCheckDestinationAgrees(t *testing.T) {
	axontest.CheckLeaks(t)
	ax, ln := countedAxon(t)
	ap := netip.MustParseAddrPort(ax.Addr())
	for _, cfg := range []dendrite.Config{
		{RefusePrivate: true},
		{RefusePrivate: true, AllowDestinations: []string{ax.Addr()}},
		{},
	} {
		predicted := dendrite.CheckDestination(ap, cfg)
		before := ln.Accepted()
		err := newDendrite(t, cfg).Call(t.Context(), ax, &Dummy{DummyInput: 1})
		dialled := ln.Accepted() != before
		if (predicted == nil) != (err == nil) || dialled != (predicted == nil) {
			t.Errorf("cfg %+v: CheckDestination %v, call %v, dialled %v; want them to agree", cfg, predicted, err, dialled)
		}
	}
}

// A connection the ExternalIP shortcut opened to this host's loopback is not reused for an
// axon published at that loopback address: the guard refuses it as if no call had gone
// before.
func TestRefusePrivateNoPooledBypass(t *testing.T) {
	axontest.CheckLeaks(t)
	ax, _ := countedAxon(t)
	shortcut := ax
	shortcut.IP = "203.0.113.5"
	d := newDendrite(t, dendrite.Config{RefusePrivate: true, ExternalIP: "203.0.113.5"})
	if err := d.Call(t.Context(), shortcut, &Dummy{DummyInput: 3}); err != nil {
		t.Fatalf("call through the ExternalIP loopback shortcut: %v", err)
	}
	err := d.Call(t.Context(), ax, &Dummy{DummyInput: 3})
	var se *synapse.StatusError
	if !errors.As(err, &se) || se.Code != synapse.StatusUnavailable || !strings.Contains(se.Message, "loopback address") {
		t.Errorf("call to the loopback address after the shortcut's: %v; want it refused (503)", err)
	}
}
