package axon_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
)

// FuzzAxonHeaders sends requests with arbitrary header blocks (and the first line's path)
// through the whole pipeline: it must answer with one of its documented statuses, never
// panic, and never run the handler for a request it did not verify. Seeds:
// testdata/fuzz/FuzzAxonHeaders.
func FuzzAxonHeaders(f *testing.F) {
	cfg := axon.TestConfig()
	cfg.Registry = testRegistry()
	a, err := axon.New(ferdie, cfg)
	if err != nil {
		f.Fatal(err)
	}
	if err := axon.Handle(a, axon.HandlerFunc[*Dummy](double)); err != nil {
		f.Fatal(err)
	}
	body := []byte(`{"name": "Dummy", "dummy_input": 3}`)
	allowed := []int{200, 400, 401, 403, 404, 405, 408, 413, 429, 503}
	f.Fuzz(func(t *testing.T, block []byte) {
		path := "/Dummy"
		h := http.Header{}
		for i, line := range bytes.Split(block, []byte("\n")) {
			if i == 0 && bytes.HasPrefix(line, []byte("/")) {
				path = string(line)
				continue
			}
			k, v, ok := bytes.Cut(line, []byte(":"))
			if !ok {
				continue
			}
			key := http.CanonicalHeaderKey(string(bytes.TrimSpace(k)))
			h[key] = append(h[key], string(bytes.TrimSpace(v)))
		}
		req := httptest.NewRequest(http.MethodPost, "http://axon/", bytes.NewReader(body))
		req.URL.Path = path
		req.Header = h
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req)
		if !slices.Contains(allowed, rec.Code) {
			t.Fatalf("status %d for %q: %s", rec.Code, block, rec.Body.Bytes())
		}
		if rec.Code == 200 && h.Get("Bt_header_dendrite_signature") == "" && !synapse.IsEpistula(h) && path != "/Synapse" {
			t.Fatalf("answered 200 without a signature: %q", block)
		}
	})
}
