package gateway

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/subnets/prompting/validator"
	"github.com/gotensor/gotensor/synapse"
)

func organicKey(t *testing.T, uri string) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func chatSample(netuid uint16) Sample {
	text, empty := "Paris", ""
	req := &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: "Capital of France?"}}, MaxTokens: 20, Seed: 3}
	answer := func(s *string) *protocol.Chat { c := *req; c.Completion = s; return &c }
	return Sample{Netuid: netuid, Synapse: "Chat", Request: req, Chosen: 0, Answers: []Answer{
		{UID: 1, Hotkey: "hk1", Response: answer(&text), Latency: 120 * time.Millisecond},
		{UID: 2, Hotkey: "hk2", Response: answer(&empty), Err: errors.New("empty answer"), Latency: 80 * time.Millisecond},
		{UID: 3, Hotkey: "hk3", Response: answer(nil), Err: context.Canceled},     // the gateway cancelled it
		{UID: 4, Hotkey: "hk4", Err: errors.New("dial refused")},                  // never started
		{UID: 5, Hotkey: "hk5", Response: answer(nil), Latency: time.Millisecond}, // nothing, no reason
	}}
}

func TestOrganicSampleOf(t *testing.T) {
	o, ok := OrganicSampleOf(chatSample(2))
	if !ok || o.Netuid != 2 || o.MaxTokens != 20 || o.Seed != 3 || len(o.Messages) != 1 || len(o.Answers) != 2 {
		t.Fatalf("%v %+v", ok, o)
	}
	a, b := o.Answers[0], o.Answers[1]
	if a.UID != 1 || a.Completion != "Paris" || a.Failed || a.LatencyMS != 120 || b.UID != 2 || !b.Failed {
		t.Fatalf("answers %+v", o.Answers)
	}
	if _, ok := OrganicSampleOf(Sample{Request: &synapse.Base{}}); ok {
		t.Fatal("a non-Chat sample converted")
	}
}

// testValidator is a real prompting validator whose organic endpoint runs on an httptest
// server; it is not Run, so what arrives stays queued where the test can count it.
func testValidator(t *testing.T, oc validator.OrganicConfig) (*validator.Validator, *httptest.Server) {
	t.Helper()
	c, err := client.New(client.Config{Endpoints: []string{"http://127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	v, err := validator.New(validator.Config{Hotkey: organicKey(t, "//Dave/organic"), Netuid: 2, Chain: c, Organic: oc})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v.OrganicHandler())
	t.Cleanup(srv.Close)
	return v, srv
}

func TestOrganicForwarderToValidator(t *testing.T) {
	gw := organicKey(t, "//Ferdie/gateway")
	v, srv := testValidator(t, validator.OrganicConfig{Token: "tok", Signers: []keys.PublicKey{gw.Public()}})
	vhk := organicKey(t, "//Dave/organic").SS58()
	reg := prometheus.NewRegistry()
	sample, _ := OrganicSampleOf(chatSample(2))
	other, _ := OrganicSampleOf(chatSample(7))
	for _, tc := range []struct {
		name     string
		cfg      OrganicConfig
		s        protocol.OrganicSample
		sent     bool
		received uint64 // the validator's count after this case
	}{
		{"epistula", OrganicConfig{URL: srv.URL, Signer: gw, ValidatorHotkey: vhk, Metrics: reg}, sample, true, 1},
		{"bearer", OrganicConfig{URL: srv.URL, Token: "tok"}, sample, true, 2},
		{"another subnet", OrganicConfig{URL: srv.URL, Token: "tok"}, other, false, 2},
		{"wrong token", OrganicConfig{URL: srv.URL, Token: "nope"}, sample, false, 2},
		{"signed for another validator", OrganicConfig{URL: srv.URL, Signer: gw, ValidatorHotkey: gw.SS58()}, sample, false, 2},
		{"validator down", OrganicConfig{URL: "http://127.0.0.1:1/organic", Token: "tok"}, sample, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := NewOrganicForwarder(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			f.deliver(t.Context(), tc.s)
			if st := f.Stats(); (st.Sent == 1) != tc.sent || st.Sent+st.Failed != 1 || v.OrganicStats().Received != tc.received {
				t.Errorf("forwarder %+v, validator %+v", st, v.OrganicStats())
			}
		})
	}
	if got := counterValue(t, reg, "sent"); got != 1 {
		t.Errorf("gateway_organic_samples_total{outcome=sent} = %v", got)
	}
}

// Run's workers take what OnSample queued to the validator, and end with ctx.
func TestOrganicForwarderRun(t *testing.T) {
	v, vsrv := testValidator(t, validator.OrganicConfig{Token: "tok"})
	served := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vsrv.Config.Handler.ServeHTTP(w, r)
		served <- struct{}{}
	}))
	defer srv.Close()
	f, err := NewOrganicForwarder(OrganicConfig{URL: srv.URL, Token: "tok", Netuids: []uint16{2}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- f.Run(ctx) }()
	f.OnSample(chatSample(2))
	f.OnSample(chatSample(7)) // not the validator's subnet: skipped here
	<-served
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := f.Stats(); st.Queued != 1 || st.Skipped != 1 || v.OrganicStats().Received != 1 {
		t.Fatalf("forwarder %+v, validator %+v", st, v.OrganicStats())
	}
}

// counterValue reads gateway_organic_samples_total{outcome} from reg.
func counterValue(t *testing.T, reg *prometheus.Registry, outcome string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || mfs[0].GetName() != "gateway_organic_samples_total" {
		t.Fatalf("gather: %v %v", err, mfs)
	}
	for _, m := range mfs[0].Metric {
		if m.Label[0].GetValue() == outcome {
			return m.Counter.GetValue()
		}
	}
	return 0
}

// OnSample never waits: with nobody posting, a full queue drops.
func TestOrganicForwarderDropsWhenFull(t *testing.T) {
	f, err := NewOrganicForwarder(OrganicConfig{URL: "http://127.0.0.1:1/organic", Token: "t", Queue: 2})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		f.OnSample(chatSample(2))
	}
	f.OnSample(Sample{Request: &synapse.Base{}})
	if st := f.Stats(); st.Queued != 2 || st.Dropped != 3 || st.Skipped != 1 {
		t.Fatalf("%+v", st)
	}
	for _, cfg := range []OrganicConfig{{}, {URL: "http://x/organic"}, {URL: "http://x/organic", Signer: organicKey(t, "//Ferdie"), ValidatorHotkey: "nope"}} {
		if _, err := NewOrganicForwarder(cfg); err == nil || !errors.Is(err, ErrConfig) {
			t.Errorf("%+v accepted: %v", cfg, err)
		}
	}
}

// In-process (localnet): the hook hands samples to the validator's Organic directly.
func TestOrganicLocal(t *testing.T) {
	v, _ := testValidator(t, validator.OrganicConfig{Queue: 1})
	hook := OrganicLocal(v.Organic, nil)
	hook(chatSample(2))
	hook(chatSample(2)) // the queue holds one: dropped, without blocking
	hook(Sample{Request: &synapse.Base{}})
	if st := v.OrganicStats(); st.Received != 1 || st.Dropped != 1 {
		t.Fatalf("%+v", st)
	}
}
