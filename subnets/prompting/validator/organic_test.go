package validator

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

func mustKey(t *testing.T, uri string) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

// hookOnly is a Validator with just the organic hook: what POST /organic and Organic use
// before the samples reach the scorer, which needs the chain (see the end-to-end test).
func hookOnly(t *testing.T, cfg OrganicConfig) *Validator {
	t.Helper()
	return &Validator{cfg: Config{Hotkey: mustKey(t, "//Dave/v"), Netuid: 2, Organic: cfg}, org: newOrganic(cfg)}
}

func sample() protocol.OrganicSample {
	return protocol.OrganicSample{Netuid: 2, Messages: []protocol.Message{{Role: "user", Content: "What is 2 - 1 - 1?"}},
		Answers: []protocol.OrganicAnswer{{UID: 1, Hotkey: "5x", Completion: "0", LatencyMS: 10}}}
}

// signed builds a POST /organic request signed with Epistula by signer for the receiver.
func signed(t *testing.T, url string, body []byte, signer *keys.Keypair, signedFor string, ts time.Time, uuid string) *http.Request {
	t.Helper()
	sig, err := signer.Sign(synapse.EpistulaMessage(body, uuid, ts.UnixMilli(), signedFor))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(synapse.HeaderEpistulaVersion, synapse.EpistulaVersion)
	r.Header.Set(synapse.HeaderEpistulaTimestamp, strconv.FormatInt(ts.UnixMilli(), 10))
	r.Header.Set(synapse.HeaderEpistulaUUID, uuid)
	r.Header.Set(synapse.HeaderEpistulaSignedBy, signer.SS58())
	r.Header.Set(synapse.HeaderEpistulaSignedFor, signedFor)
	r.Header.Set(synapse.HeaderEpistulaSignature, "0x"+hex.EncodeToString(sig))
	return r
}

func TestOrganicEndpointAuth(t *testing.T) {
	gw, other := mustKey(t, "//Ferdie/gateway"), mustKey(t, "//Eve")
	v := hookOnly(t, OrganicConfig{Token: "s3cret", Signers: []keys.PublicKey{gw.Public()}, Queue: 100})
	srv := httptest.NewServer(v.OrganicHandler())
	defer srv.Close()
	body, _ := json.Marshal(sample())
	self := v.cfg.Hotkey.SS58()
	now := time.Now()
	bearer := func(tok string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	tampered := signed(t, srv.URL, body, gw, self, now, "u-tamper")
	tampered.Body = http.NoBody
	tampered.ContentLength = 0
	for _, tc := range []struct {
		name string
		req  *http.Request
		code int
		say  string
	}{
		{"bearer", bearer("s3cret"), http.StatusAccepted, "queued"},
		{"wrong bearer", bearer("guess"), http.StatusUnauthorized, "--organic.token"},
		{"nothing", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
			return r
		}(), http.StatusUnauthorized, "not authenticated"},
		{"signed", signed(t, srv.URL, body, gw, self, now, "u-1"), http.StatusAccepted, "queued"},
		{"replayed", signed(t, srv.URL, body, gw, self, now, "u-1"), http.StatusUnauthorized, "replayed"},
		{"signer not allowed", signed(t, srv.URL, body, other, self, now, "u-2"), http.StatusUnauthorized, "--organic.signers"},
		{"for another validator", signed(t, srv.URL, body, gw, other.SS58(), now, "u-3"), http.StatusUnauthorized, "not this validator"},
		{"stale", signed(t, srv.URL, body, gw, self, now.Add(-2*SignatureWindow), "u-4"), http.StatusUnauthorized, "clock"},
		{"body changed", tampered, http.StatusUnauthorized, "does not verify"},
		{"GET", func() *http.Request { r, _ := http.NewRequest(http.MethodGet, srv.URL, nil); return r }(), http.StatusMethodNotAllowed, "POST"},
	} {
		resp, err := http.DefaultClient.Do(tc.req)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		out.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || !strings.Contains(out.String(), tc.say) {
			t.Errorf("%s: %d %s; want %d mentioning %q", tc.name, resp.StatusCode, out.String(), tc.code, tc.say)
		}
	}
	if st := v.OrganicStats(); st.Received != 2 {
		t.Errorf("stats %+v: want the 2 authenticated samples queued", st)
	}
	stats := httptest.NewServer(v.OrganicStatsHandler())
	defer stats.Close()
	resp, err := http.Get(stats.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st OrganicStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != 200 || st != v.OrganicStats() {
		t.Errorf("GET /organic/stats: %d %+v %v; want %+v", resp.StatusCode, st, err, v.OrganicStats())
	}
}

func TestOrganicNeverBlocks(t *testing.T) {
	v := hookOnly(t, OrganicConfig{Queue: 2})
	ctx := context.Background()
	for i := range 2 {
		if err := v.Organic(ctx, sample()); err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
	}
	if err := v.Organic(ctx, sample()); !errors.Is(err, ErrOrganicFull) {
		t.Fatalf("third sample on a queue of 2: %v", err)
	}
	bad := sample()
	bad.Netuid = 9
	if err := v.Organic(ctx, bad); !errors.Is(err, ErrOrganicSample) || !strings.Contains(err.Error(), "subnet 9") {
		t.Fatalf("sample for another subnet: %v", err)
	}
	bad = sample()
	bad.Answers = nil
	if err := v.Organic(ctx, bad); !errors.Is(err, ErrOrganicSample) {
		t.Fatalf("sample without answers: %v", err)
	}
	if st := v.OrganicStats(); st.Received != 2 || st.Dropped != 1 {
		t.Fatalf("stats %+v", st)
	}
	// The HTTP endpoint says so with 503 and Retry-After.
	v.cfg.Organic.Token = "t"
	srv := httptest.NewServer(v.OrganicHandler())
	defer srv.Close()
	body, _ := json.Marshal(sample())
	r, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	r.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("full queue over HTTP: %d %v", resp.StatusCode, resp.Header)
	}
}

// Organic scores join a uid's next step reward as a mean with the step's own score, at most
// PerStep of them, and only for the hotkey that earned them.
func TestOrganicFold(t *testing.T) {
	o := newOrganic(OrganicConfig{PerStep: 2})
	o.add(1, "hkA", 1)
	o.add(1, "hkA", 1)
	o.add(1, "hkA", 0) // over PerStep: ignored
	if got := o.fold(1, "hkA", 0.4); math.Abs(got-0.8) > 1e-12 {
		t.Errorf("fold = %v, want %v", got, (0.4+2)/3)
	}
	if got := o.fold(1, "hkA", 0.4); got != 0.4 {
		t.Errorf("second fold = %v: the organic scores were used twice", got)
	}
	o.add(2, "old", 1)
	if got := o.fold(2, "new", 0); got != 0 {
		t.Errorf("a uid's new hotkey got its predecessor's organic score: %v", got)
	}
	o.add(3, "old", 1)
	o.add(3, "new", 0)
	if got := o.fold(3, "new", 1); got != 0.5 {
		t.Errorf("fold after the uid changed hands = %v, want 0.5", got)
	}
	if st := o.ignored.Load(); st != 1 {
		t.Errorf("ignored %d, want 1", st)
	}
}

func TestOrganicConfigNeedsAuth(t *testing.T) {
	if err := (OrganicConfig{Addr: "127.0.0.1:0"}).Validate(); err == nil || !strings.Contains(err.Error(), "--organic.token") {
		t.Fatalf("an open endpoint was accepted: %v", err)
	}
}
