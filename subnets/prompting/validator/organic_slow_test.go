package validator

import (
	"bufio"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A client that stops sending its POST /organic body half-way gets an answer instead of
// holding the connection: the body is read before the signature can be checked, so
// anybody could otherwise hold the endpoint's connections open.
func TestOrganicSlowBodyIsCutOff(t *testing.T) {
	old := organicBodyTimeout
	organicBodyTimeout = 200 * time.Millisecond
	t.Cleanup(func() { organicBodyTimeout = old })
	v := hookOnly(t, OrganicConfig{Token: "secret"})
	srv := httptest.NewServer(v.OrganicHandler())
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /organic HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"netuid\""); err != nil {
		t.Fatal(err)
	}
	// Far beyond organicBodyTimeout: only a server that waits for the body forever gets here.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("the organic endpoint still waits for the body of a client that stopped sending it: %v", err)
	}
	if !strings.Contains(line, " 408 ") {
		t.Fatalf("got %q, want 408 (body not read in time)", line)
	}
}
