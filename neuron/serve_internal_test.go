package neuron

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/internal/bodydeadline/halfbody"
)

// ServeHTTP answers a client that stops sending a body half-way (on a route that reads
// the body and on one that does not) instead of holding its connection forever.
func TestServeHTTPSlowBodyIsCutOff(t *testing.T) {
	old := bodyTimeout
	bodyTimeout = 200 * time.Millisecond
	t.Cleanup(func() { bodyTimeout = old })
	mux := http.NewServeMux()
	mux.HandleFunc("POST /read", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "slow body", http.StatusRequestTimeout)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- ServeHTTP(ctx, ln, mux, "test server") }()
	t.Cleanup(func() { cancel(); <-done })
	for _, c := range []struct{ head, want string }{
		{"POST /read HTTP/1.1\r\n", "408"},
		{"GET /healthz HTTP/1.1\r\n", "200"},
	} {
		line, err := halfbody.Send(ln.Addr().String(), strings.TrimSpace(c.head), nil, 20*time.Second) // far beyond bodyTimeout
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(line, " "+c.want+" ") {
			t.Fatalf("%s: got %q, want status %s", strings.TrimSpace(c.head), line, c.want)
		}
	}
}
