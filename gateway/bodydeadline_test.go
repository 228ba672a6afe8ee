package gateway

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/internal/bodydeadline/halfbody"
	"github.com/gotensor/gotensor/keys"
)

// slowBody sends a request (head: request line and headers, each ending in CRLF) whose body
// never arrives in full and returns the status line the server answers with, or fails when
// the server keeps waiting for the body.
func slowBody(t *testing.T, addr, head string) string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(head, "\r\n"), "\r\n")
	var headers []string
	for _, h := range lines[1:] {
		if !strings.HasPrefix(h, "Host:") {
			headers = append(headers, h)
		}
	}
	line, err := halfbody.Send(addr, lines[0], headers, 20*time.Second) // far beyond bodyReadTimeout
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// A client that stops sending its body half-way must not hold a connection: neither
// before its key is checked (net/http reads what a handler left unread before answering)
// nor after.
func TestSlowBodyIsCutOff(t *testing.T) {
	old := bodyReadTimeout
	bodyReadTimeout = 200 * time.Millisecond
	t.Cleanup(func() { bodyReadTimeout = old })

	hk, err := keys.FromURI("//Alice/gateway")
	if err != nil {
		t.Fatal(err)
	}
	cfg := TestConfig()
	cfg.ChainRPC = "http://127.0.0.1:1"
	cfg.AdminToken = "admin-secret"
	cfg.Models = []Model{{ID: "m", Netuid: 1}}
	g, err := New(context.Background(), hk, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	srv := httptest.NewServer(g.Handler())
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()

	kc, err := g.CreateKey(httptest.NewRequest("POST", "/", nil), "k", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, head, want string }{
		{"no key", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n", "401"},
		{"admin without token", "POST /admin/keys HTTP/1.1\r\nHost: x\r\n", "401"},
		{"unknown path", "POST /nowhere HTTP/1.1\r\nHost: x\r\n", "404"},
		{"with key", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kc.Secret + "\r\n", "400"},
		{"admin", "POST /admin/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin-secret\r\n", "400"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if line := slowBody(t, addr, c.head); !strings.Contains(line, " "+c.want+" ") {
				t.Fatalf("got %q, want status %s", line, c.want)
			}
		})
	}
}

// Once the body is read the deadline is lifted: a request served for longer than
// bodyReadTimeout keeps its context (a timed-out read would cancel it, ending streams).
func TestBodyDeadlineLiftedAfterBody(t *testing.T) {
	old := bodyReadTimeout
	bodyReadTimeout = 100 * time.Millisecond
	t.Cleanup(func() { bodyReadTimeout = old })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limitBodyTime(w, r)
		if _, err := io.ReadAll(r.Body); err != nil {
			t.Errorf("read body: %v", err)
		}
		select {
		case <-r.Context().Done():
			http.Error(w, "canceled", http.StatusServiceUnavailable)
		case <-time.After(5 * bodyReadTimeout):
			io.WriteString(w, "ok")
		}
	}))
	defer srv.Close()
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: the request's context ended after its body was read", resp.StatusCode)
	}
}
