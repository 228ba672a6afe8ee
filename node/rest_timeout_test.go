package node

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/internal/bodydeadline/halfbody"
)

// serveREST serves the REST handler (without an RPC client: the requests below never
// reach it) with the node's server settings.
func serveREST(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newRESTServer(NewREST(nil))
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return ln.Addr().String()
}

// A client that stops sending a body half-way gets an answer, on the route that reads
// bodies and on one that does not (net/http reads the unread body before answering).
func TestRESTSlowBodyIsCutOff(t *testing.T) {
	old := restBodyTimeout
	restBodyTimeout = 200 * time.Millisecond
	t.Cleanup(func() { restBodyTimeout = old })
	addr := serveREST(t)
	for _, c := range []struct{ head, want string }{
		{"POST /api/v1/txs HTTP/1.1\r\n", "400"},
		{"GET /openapi.json HTTP/1.1\r\n", "200"},
		{"POST /nowhere HTTP/1.1\r\n", "404"},
	} {
		line, err := halfbody.Send(addr, strings.TrimSpace(c.head), nil, 20*time.Second) // far beyond restBodyTimeout
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(line, " "+c.want+" ") {
			t.Fatalf("%s: got %q, want status %s", strings.TrimSpace(c.head), line, c.want)
		}
	}
}

// A keep-alive connection left idle is closed by the server.
func TestRESTClosesIdleConnections(t *testing.T) {
	old := restIdleTimeout
	restIdleTimeout = 200 * time.Millisecond
	t.Cleanup(func() { restIdleTimeout = old })
	addr := serveREST(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("status %d, close %v: want a kept-alive 200", resp.StatusCode, resp.Close)
	}
	// Far beyond restIdleTimeout: only a server that keeps idle connections forever gets here.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("the REST server kept an idle keep-alive connection open: read gave %v, want EOF", err)
	}
}
