package axon_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/synapse"
)

// frozen stops the axon's clock, so rate-limit buckets never refill during a test.
func frozen(a *axon.Axon) {
	now := time.Now()
	axon.SetClock(a, func() time.Time { return now })
}

func needLoopbackAlias(t *testing.T, ip string) {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot use source address %s: %v", ip, err)
	}
	ln.Close()
}

func TestFloodFromOneHotkey(t *testing.T) {
	axontest.CheckLeaks(t)
	a, ax := newAxon(t, func(c *axon.Config) { c.HotkeyRate, c.HotkeyBurst = 1, 5 }, frozen)
	flood := newClient(t, alice, ax, "")
	var ok, limited int
	for range 20 {
		r := flood.call(&Dummy{DummyInput: 1}, synapse.RequestOptions{})
		switch r.code {
		case 200:
			ok++
		case 429:
			limited++
			if !strings.Contains(r.msg, "Too many requests from hotkey "+alice.SS58()) || r.header.Get("Retry-After") != "1" {
				t.Fatalf("429 answer: %q, Retry-After %q", r.msg, r.header.Get("Retry-After"))
			}
		default:
			t.Fatalf("unexpected %d %s", r.code, r.msg)
		}
	}
	if ok != 5 || limited != 15 {
		t.Errorf("%d served and %d limited, want 5 and 15 (burst 5)", ok, limited)
	}
	if v := axon.Verifies(a); v != 5 {
		t.Errorf("%d signatures verified; the limited requests must not cost one", v)
	}
	// Another validator is not affected.
	if r := newClient(t, charlie, ax, "").call(&Dummy{}, synapse.RequestOptions{}); r.code != 200 {
		t.Errorf("other hotkey: %d %s", r.code, r.msg)
	}
}

func TestFloodFromOneIP(t *testing.T) {
	needLoopbackAlias(t, "127.0.0.2")
	axontest.CheckLeaks(t)
	a, ax := newAxon(t, func(c *axon.Config) { c.IPRate, c.IPBurst = 1, 3 }, frozen)
	var ok, limited int
	for i := range 12 {
		kp := []*client{newClient(t, alice, ax, "127.0.0.2"), newClient(t, charlie, ax, "127.0.0.2"), newClient(t, eve, ax, "127.0.0.2")}[i%3]
		r := kp.call(&Dummy{DummyInput: 1}, synapse.RequestOptions{})
		switch {
		case r.code == 200:
			ok++
		case r.code == 429 && strings.Contains(r.msg, "Too many requests from 127.0.0.2"):
			limited++
		default:
			t.Fatalf("unexpected %d %s", r.code, r.msg)
		}
	}
	if ok != 3 || limited != 9 {
		t.Errorf("%d served and %d limited, want 3 and 9 (burst 3)", ok, limited)
	}
	if v := axon.Verifies(a); v != 3 {
		t.Errorf("%d signatures verified; the limited requests must not cost one", v)
	}
	if r := newClient(t, alice, ax, "127.0.0.3").call(&Dummy{}, synapse.RequestOptions{}); r.code != 200 {
		t.Errorf("another IP: %d %s", r.code, r.msg)
	}
}

// TestHonestServedUnderFlood floods the axon from three sources while an honest validator
// calls it: a registered validator over its rate, an unregistered hotkey, and a forger
// claiming the honest validator's hotkey (whose requests must not use up its allowance).
// Every honest call must succeed within its timeout.
func TestHonestServedUnderFlood(t *testing.T) {
	needLoopbackAlias(t, "127.0.0.4")
	axontest.CheckLeaks(t)
	// The honest validator calls below the per-hotkey rate, the flooder far above it. Under
	// the race detector everything is about ten times slower, so the rates are too.
	rate, pace, calls := 20, 70*time.Millisecond, 20
	if raceEnabled {
		rate, pace, calls = 4, 350*time.Millisecond, 8
	}
	_, ax := newAxon(t, func(c *axon.Config) {
		c.HotkeyRate, c.HotkeyBurst = float64(rate), rate
		c.IPRate, c.IPBurst = 500, 500
	})
	ctx, stop := context.WithCancel(t.Context())
	var counts sync.Map // "name code" -> *atomic.Int64
	count := func(name string, code int) {
		v, _ := counts.LoadOrStore(name+" "+http.StatusText(code), new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	flooders := []struct {
		name string
		c    *client
		edit func(http.Header)
	}{
		{"over rate", newClient(t, alice, ax, "127.0.0.2"), nil},
		{"unregistered", newClient(t, dave, ax, "127.0.0.3"), nil},
		{"forger", newClient(t, dave, ax, "127.0.0.4"), func(h http.Header) { h["bt_header_dendrite_hotkey"] = []string{charlie.SS58()} }},
	}
	var wg sync.WaitGroup
	for _, f := range flooders {
		for range 3 {
			wg.Go(func() {
				for ctx.Err() == nil {
					body, h := f.c.prepare(&Dummy{DummyInput: 1}, synapse.RequestOptions{})
					if f.edit != nil {
						f.edit(h)
					}
					r := f.c.post("Dummy", body, h)
					count(f.name, r.code)
				}
			})
		}
	}
	honest := newClient(t, charlie, ax, "")
	honest.hc.Timeout = 2 * time.Second
	tick := time.NewTicker(pace)
	defer tick.Stop()
	seen := func(k string) bool { v, ok := counts.Load(k); return ok && v.(*atomic.Int64).Load() > 0 }
	// At least `calls` calls, and on until every flooder has been refused (slow machines).
	for i := 0; i < calls || i < 200 && !(seen("over rate Too Many Requests") && seen("forger Unauthorized") && seen("unregistered Forbidden")); i++ {
		<-tick.C
		r := honest.call(&Dummy{DummyInput: i}, synapse.RequestOptions{Timeout: 2 * time.Second})
		if r.code != 200 {
			t.Errorf("honest call %d: %d %s", i, r.code, r.msg)
		}
	}
	stop()
	wg.Wait()
	got := map[string]int64{}
	counts.Range(func(k, v any) bool {
		got[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	t.Logf("flood outcomes: %v", got)
	for _, want := range []string{"over rate Too Many Requests", "unregistered Forbidden", "forger Unauthorized"} {
		if got[want] == 0 {
			t.Errorf("no %q answers during the flood", want)
		}
	}
	for k := range got {
		// The forger's own IP may be rate limited; its requests never pass the signature.
		if strings.HasPrefix(k, "unregistered") && k != "unregistered Forbidden" ||
			strings.HasPrefix(k, "forger") && k != "forger Unauthorized" && k != "forger Too Many Requests" {
			t.Errorf("flood answer %q", k)
		}
	}
}
