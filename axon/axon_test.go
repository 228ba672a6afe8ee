package axon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/synapse"
)

func TestServe(t *testing.T) {
	axontest.CheckLeaks(t)
	_, ax := newAxon(t, nil)
	c := newClient(t, alice, ax, "")
	for _, scheme := range []synapse.Scheme{synapse.Bittensor, synapse.Epistula} {
		t.Run(scheme.String(), func(t *testing.T) {
			r := c.call(&Dummy{DummyInput: 21}, synapse.RequestOptions{Scheme: scheme})
			if r.code != 200 {
				t.Fatalf("code %d: %s", r.code, r.body)
			}
			var got Dummy
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
			if got.DummyOutput == nil || *got.DummyOutput != 42 {
				t.Errorf("dummy_output = %v, want 42", got.DummyOutput)
			}
			if got.Axon.StatusCode != 200 || got.Axon.StatusMessage != "Success" || got.Axon.Hotkey != ferdie.SS58() {
				t.Errorf("axon terminal %+v", got.Axon)
			}
			if got.Dendrite.Hotkey != alice.SS58() || got.Dendrite.IP != "127.0.0.1" {
				t.Errorf("dendrite terminal %+v", got.Dendrite)
			}
			if r.header.Get("bt_header_axon_status_code") != "200" {
				t.Errorf("response headers %v", r.header)
			}
		})
	}
	// The plain Synapse ping is always served.
	if r := c.call(&synapse.Ping{}, synapse.RequestOptions{}); r.code != 200 {
		t.Errorf("ping: %d %s", r.code, r.body)
	}
}

// Guarded is served with a blacklist and a verify hook.
type Guarded struct{ Dummy }

func (*Guarded) RequiredHashFields() []string { return []string{"dummy_input"} }

// TestRejections sends every kind of bad request and checks its status and message, and
// that it was refused before the work it must not cost: verifying a signature, reading the
// body.
func TestRejections(t *testing.T) {
	axontest.CheckLeaks(t)
	a, ax := newAxon(t, func(c *axon.Config) { c.MaxBodyBytes = 1 << 10 })
	err := axon.Handle(a, axon.HandlerFunc[*Guarded](func(context.Context, *Guarded) error { return nil }),
		axon.WithBlacklist(func(_ context.Context, r *axon.Request) (bool, string) {
			return r.Hotkey == eve.Public(), "Eve is banned"
		}),
		axon.WithVerify(func(_ context.Context, r *axon.Request) error {
			if r.Caller.UID == 2 {
				return errors.New("uid 2 must use another route")
			}
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	ca := newClient(t, alice, ax, "")
	opt := synapse.RequestOptions{}
	dummy := func() *Dummy { return &Dummy{DummyInput: 3} }
	// edit prepares a good request from kp, lets change break it, and sends it.
	edit := func(kp *client, syn synapse.Synapse, opt synapse.RequestOptions, change func(body []byte, h http.Header) []byte) func(*testing.T) result {
		return func(t *testing.T) result {
			body, h := kp.prepare(syn, opt)
			if change != nil {
				body = change(body, h)
			}
			return kp.post(synapse.MustTypeOf(syn).Name(), body, h)
		}
	}
	otherAxon := ax
	otherAxon.Hotkey = bob.Public()
	forOther := newClient(t, alice, otherAxon, "")
	forOther.ax.Port, forOther.ax.IP = ax.Port, ax.IP

	tests := []struct {
		name      string
		send      func(t *testing.T) result
		code      int
		msg       string // a substring of the message
		verifies  int64  // signature verifications the request may cost
		bodyReads int64
	}{
		{"unknown synapse", func(t *testing.T) result {
			b, h := ca.prepare(dummy(), opt)
			return ca.post("Nope", b, h)
		}, 404, "Synapse name 'Nope' not found. Available synapses ['Synapse', 'Dummy', 'Guarded']", 0, 0},
		{"no synapse in path", func(t *testing.T) result {
			b, h := ca.prepare(dummy(), opt)
			return ca.post("", b, h)
		}, 400, "path must be /{SynapseName}", 0, 0},
		{"wrong method", func(t *testing.T) result {
			b, h := ca.prepare(dummy(), opt)
			return ca.do(http.MethodPut, "Dummy", bytes.NewReader(b), h)
		}, 405, "use POST", 0, 0},
		{"unsigned", edit(ca, dummy(), opt, func(b []byte, h http.Header) []byte {
			delete(h, "bt_header_dendrite_signature")
			return b
		}), 401, "Not Verified with error: missing signature", 0, 0},
		{"no hotkey", edit(ca, dummy(), opt, func(b []byte, h http.Header) []byte {
			delete(h, "bt_header_dendrite_hotkey")
			return b
		}), 401, "missing bt_header_dendrite_hotkey", 0, 0},
		{"no nonce", edit(ca, dummy(), opt, func(b []byte, h http.Header) []byte {
			delete(h, "bt_header_dendrite_nonce")
			return b
		}), 401, "Not Verified with error: Missing Nonce", 0, 0},
		{"malformed header", edit(ca, dummy(), opt, func(b []byte, h http.Header) []byte {
			h["bt_header_dendrite_nonce"] = []string{"12x"}
			return b
		}), 400, "bt_header_dendrite_nonce", 0, 0},
		{"signature not hex", edit(ca, dummy(), opt, func(b []byte, h http.Header) []byte {
			h["bt_header_dendrite_signature"] = []string{"0xzz"}
			return b
		}), 401, "not hex", 0, 0},
		{"badly signed", edit(ca, dummy(), opt, func(b []byte, h http.Header) []byte {
			sig := []byte(h["bt_header_dendrite_signature"][0])
			if sig[10] == '0' { // another hex digit
				sig[10] = '1'
			} else {
				sig[10] = '0'
			}
			h["bt_header_dendrite_signature"] = []string{string(sig)}
			return b
		}), 401, "Not Verified with error: Signature mismatch with", 1, 0},
		{"claims another hotkey", edit(newClient(t, charlie, ax, ""), dummy(), opt, func(b []byte, h http.Header) []byte {
			h["bt_header_dendrite_hotkey"] = []string{alice.SS58()}
			return b
		}), 401, "Signature mismatch", 1, 0},
		{"signed for another axon", edit(forOther, dummy(), opt, nil), 401, "Signature mismatch", 1, 0},
		{"stale nonce", edit(ca, dummy(), synapse.RequestOptions{Nonce: time.Now().Add(-time.Minute).UnixNano()}, nil),
			401, "Not Verified with error: Nonce is too old: acceptable delta is 14.00 seconds but request was 60.", 0, 0},
		{"future nonce", edit(ca, dummy(), synapse.RequestOptions{Nonce: time.Now().Add(time.Minute).UnixNano()}, nil),
			401, "in the future", 0, 0},
		{"replayed", func(t *testing.T) result {
			b, h := ca.prepare(dummy(), opt)
			if r := ca.post("Dummy", b, h); r.code != 200 {
				t.Fatalf("first send: %d %s", r.code, r.msg)
			}
			return ca.post("Dummy", b, h)
		}, 401, "was already used", 1, 1},
		{"not registered", edit(newClient(t, dave, ax, ""), dummy(), opt, nil),
			403, "Forbidden. Key is blacklisted: hotkey " + dave.SS58() + " is not registered on this subnet.", 0, 0},
		{"no validator permit", edit(newClient(t, bob, ax, ""), dummy(), opt, nil),
			403, "Forbidden. Key is blacklisted: hotkey " + bob.SS58() + " has no validator permit.", 0, 0},
		{"blacklist hook", edit(newClient(t, eve, ax, ""), &Guarded{}, opt, nil),
			403, "Forbidden. Key is blacklisted: Eve is banned.", 0, 0},
		{"verify hook", edit(newClient(t, charlie, ax, ""), &Guarded{}, opt, nil),
			401, "Not Verified with error: uid 2 must use another route", 1, 0},
		{"oversized", edit(ca, dummy(), opt, func(b []byte, h http.Header) []byte {
			return append(b, bytes.Repeat([]byte(" "), 2<<10)...) // JSON whitespace: same hash
		}), 413, "at most 1024", 1, 0},
		{"oversized, chunked", func(t *testing.T) result {
			b, h := ca.prepare(dummy(), opt)
			body := io.MultiReader(bytes.NewReader(b), bytes.NewReader(bytes.Repeat([]byte(" "), 2<<10)))
			return ca.do(http.MethodPost, "Dummy", body, h)
		}, 413, "at most 1024", 1, 1},
		{"malformed JSON", edit(ca, dummy(), opt, func(b []byte, h http.Header) []byte {
			return []byte(`{"dummy_input": 3,`)
		}), 400, "Bad Request", 1, 1},
		{"body hash mismatch", edit(ca, dummy(), opt, func(b []byte, h http.Header) []byte {
			return bytes.Replace(b, []byte(`"dummy_input":3`), []byte(`"dummy_input":4`), 1)
		}), 401, "Not Verified with error: Body hash mismatch", 1, 1},
		{"epistula body changed", edit(ca, dummy(), synapse.RequestOptions{Scheme: synapse.Epistula}, func(b []byte, h http.Header) []byte {
			return bytes.Replace(b, []byte(`"dummy_input":3`), []byte(`"dummy_input":4`), 1)
		}), 401, "Signature Mismatch", 1, 1},
		{"epistula signed for another axon", edit(forOther, dummy(), synapse.RequestOptions{Scheme: synapse.Epistula}, nil),
			401, "signed for " + bob.SS58(), 0, 0},
		{"epistula unsigned", edit(ca, dummy(), synapse.RequestOptions{Scheme: synapse.Epistula}, func(b []byte, h http.Header) []byte {
			h.Del(synapse.HeaderEpistulaSignature)
			return b
		}), 401, "Epistula-Request-Signature is missing", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v0, b0 := axon.Verifies(a), axon.BodyReads(a)
			r := tt.send(t)
			if r.code != tt.code || !strings.Contains(r.msg, tt.msg) {
				t.Errorf("got %d %q\nwant %d %q", r.code, r.msg, tt.code, tt.msg)
			}
			if got := r.header.Values("bt_header_axon_status_code"); len(got) != 1 || got[0] != strconv.Itoa(r.code) {
				t.Errorf("bt_header_axon_status_code %v", got)
			}
			if dv := axon.Verifies(a) - v0; dv != tt.verifies {
				t.Errorf("cost %d signature verifications, want %d", dv, tt.verifies)
			}
			if db := axon.BodyReads(a) - b0; db != tt.bodyReads {
				t.Errorf("read %d bodies, want %d", db, tt.bodyReads)
			}
		})
	}
}

func TestStakeThreshold(t *testing.T) {
	axontest.CheckLeaks(t)
	_, ax := newAxon(t, func(c *axon.Config) { c.MinStake = 500e9 })
	for _, tt := range []struct {
		name string
		c    *client
		code int
		msg  string
	}{
		{"above", newClient(t, alice, ax, ""), 200, ""},
		{"below", newClient(t, eve, ax, ""), 403, "Forbidden. Key is blacklisted: stake 100 TAO is below the 500 TAO this axon requires."},
		{"no permit but enough stake is not enough either", newClient(t, bob, ax, ""), 403, "stake 10 TAO is below"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.c.call(&Dummy{DummyInput: 1}, synapse.RequestOptions{})
			if r.code != tt.code || !strings.Contains(r.msg, tt.msg) {
				t.Errorf("got %d %q, want %d %q", r.code, r.msg, tt.code, tt.msg)
			}
		})
	}
	_, open := newAxon(t, func(c *axon.Config) { c.AllowNoPermit = true })
	if r := newClient(t, bob, open, "").call(&Dummy{}, synapse.RequestOptions{}); r.code != 200 {
		t.Errorf("AllowNoPermit: %d %s", r.code, r.msg)
	}
	_, anyone := newAxon(t, func(c *axon.Config) { c.Registry = nil })
	if r := newClient(t, dave, anyone, "").call(&Dummy{}, synapse.RequestOptions{}); r.code != 200 {
		t.Errorf("no registry: %d %s", r.code, r.msg)
	}
}

func TestSchemesSelectable(t *testing.T) {
	_, ax := newAxon(t, func(c *axon.Config) { c.Schemes = synapse.Bittensor })
	r := newClient(t, alice, ax, "").call(&Dummy{}, synapse.RequestOptions{Scheme: synapse.Epistula})
	if r.code != 400 || !strings.Contains(r.msg, "does not accept Epistula") {
		t.Errorf("got %d %q", r.code, r.msg)
	}
	_, ax = newAxon(t, func(c *axon.Config) { c.Schemes = synapse.Epistula })
	r = newClient(t, alice, ax, "").call(&Dummy{}, synapse.RequestOptions{})
	if r.code != 400 || !strings.Contains(r.msg, "only Epistula") {
		t.Errorf("got %d %q", r.code, r.msg)
	}
}

func TestHandlerErrors(t *testing.T) {
	axontest.CheckLeaks(t)
	var logs logtest.Buffer
	a, ax := newAxon(t, func(c *axon.Config) { c.Logger = slogTo(&logs) })
	err := axon.Handle(a, axon.HandlerFunc[*Failing](func(_ context.Context, f *Failing) error {
		switch f.DummyInput {
		case 1:
			return &synapse.StatusError{Code: 422, Message: "dummy_input must be even"}
		case 2:
			return errors.New("database is down")
		case 3:
			panic("handler bug")
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, alice, ax, "")
	if r := c.call(&Failing{Dummy{DummyInput: 1}}, synapse.RequestOptions{}); r.code != 422 || r.msg != "dummy_input must be even" {
		t.Errorf("status error: %d %q", r.code, r.msg)
	}
	for _, in := range []int{2, 3} {
		r := c.call(&Failing{Dummy{DummyInput: in}}, synapse.RequestOptions{})
		id, ok := strings.CutPrefix(r.msg, "Internal Server Error #")
		if r.code != 500 || !ok {
			t.Fatalf("input %d: %d %q", in, r.code, r.msg)
		}
		if !strings.Contains(logs.String(), "request_id="+id) {
			t.Errorf("the 500's id %s is not in the log:\n%s", id, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "database is down") || !strings.Contains(logs.String(), "handler bug") {
		t.Errorf("causes not logged:\n%s", logs.String())
	}
	if err := axon.Handle(a, axon.HandlerFunc[*Dummy](double)); !errors.Is(err, synapse.ErrDuplicate) {
		t.Errorf("second Dummy handler: %v", err)
	}
}

type Failing struct{ Dummy }

func (*Failing) RequiredHashFields() []string { return []string{"dummy_input"} }

func TestConfigValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*axon.Config)
		ok   bool
	}{
		{"zero", func(*axon.Config) {}, true},
		{"test", func(c *axon.Config) { *c = axon.TestConfig() }, true},
		{"bad external ip", func(c *axon.Config) { c.ExternalIP = "example.com" }, false},
		{"port", func(c *axon.Config) { c.ExternalPort = 70000 }, false},
		{"schemes", func(c *axon.Config) { c.Schemes = 8 }, false},
		{"negative timeout", func(c *axon.Config) { c.MaxTimeout = -1 }, false},
		{"negative body", func(c *axon.Config) { c.MaxBodyBytes = -1 }, false},
		{"unlimited rates", func(c *axon.Config) { c.HotkeyRate, c.IPRate = -1, -1 }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c axon.Config
			tt.edit(&c)
			err := c.Validate()
			if (err == nil) != tt.ok || err != nil && !errors.Is(err, axon.ErrConfig) {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
	if _, err := axon.New(nil, axon.Config{}); !errors.Is(err, axon.ErrNoHotkey) {
		t.Error(err)
	}
}

func TestInfoAndPublish(t *testing.T) {
	axontest.CheckLeaks(t)
	cfg := axon.TestConfig()
	cfg.ExternalIP, cfg.ExternalPort = "203.0.113.7", 9000
	cfg.Coldkey = alice.Public()
	published := make(chan synapse.AxonInfo, 1)
	cfg.Publish = func(_ context.Context, info synapse.AxonInfo) error {
		published <- info
		return nil
	}
	a, err := axon.New(ferdie, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	info := <-published
	want := synapse.AxonInfo{Version: synapse.Version, IP: "203.0.113.7", Port: 9000, IPType: 4, Protocol: 4,
		Hotkey: ferdie.Public(), Coldkey: alice.Public()}
	if info != want {
		t.Errorf("published %+v\nwant %+v", info, want)
	}
	if a.Addr() == nil {
		t.Error("Addr is nil while serving")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}

	cfg.Publish = func(context.Context, synapse.AxonInfo) error { return errors.New("chain unreachable") }
	b, _ := axon.New(ferdie, cfg)
	if err := b.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "chain unreachable") {
		t.Errorf("Run with a failing Publish: %v", err)
	}
	// Without ExternalIP the listener's specific IP is used.
	c, _ := axon.New(ferdie, axon.TestConfig())
	if got := axontest.Start(t, c); got.IP != "127.0.0.1" || got.Port == 0 {
		t.Errorf("info %+v", got)
	}
}
