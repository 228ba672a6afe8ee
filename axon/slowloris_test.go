package axon_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/synapse"
)

// trickle writes chunks to conn one per interval until a write fails or stop closes.
func trickle(conn net.Conn, chunks []string, every time.Duration, stop <-chan struct{}) {
	for _, c := range chunks {
		select {
		case <-stop:
			return
		case <-time.After(every):
		}
		if _, err := io.WriteString(conn, c); err != nil {
			return
		}
	}
}

func TestSlowLorisHeaders(t *testing.T) {
	axontest.CheckLeaks(t)
	_, ax := newAxon(t, func(c *axon.Config) { c.ReadHeaderTimeout = 300 * time.Millisecond })
	conn, err := net.Dial("tcp", ax.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stop := make(chan struct{})
	defer close(stop)
	lines := []string{"POST /Dummy HTTP/1.1\r\n", "Host: x\r\n"}
	for i := range 200 {
		lines = append(lines, fmt.Sprintf("X-Pad-%d: y\r\n", i))
	}
	start := time.Now()
	go trickle(conn, lines, 50*time.Millisecond, stop)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(conn) // returns when the axon closes the connection
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the axon kept a trickling header block open for 5s")
	}
	if len(b) > 0 && !strings.HasPrefix(string(b), "HTTP/1.1 408") {
		t.Errorf("answer %q", b)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("connection closed after %v; ReadHeaderTimeout is 300ms", el)
	}
}

func TestSlowLorisBody(t *testing.T) {
	axontest.CheckLeaks(t)
	a, ax := newAxon(t, func(c *axon.Config) { c.BodyReadTimeout = 300 * time.Millisecond })
	body, h := newClient(t, alice, ax, "").prepare(&Dummy{DummyInput: 1}, synapse.RequestOptions{})
	conn, err := net.Dial("tcp", ax.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head strings.Builder
	fmt.Fprintf(&head, "POST /Dummy HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n", len(body))
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&head, "%s: %s\r\n", k, h[k][0])
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	chunks := make([]string, len(body))
	for i := range body {
		chunks[i] = string(body[i : i+1])
	}
	stop := make(chan struct{})
	defer close(stop)
	go trickle(conn, chunks, 50*time.Millisecond, stop)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a trickled body: %v", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 408 || !strings.Contains(string(msg), "the body did not arrive within 300ms") {
		t.Errorf("got %d %s", resp.StatusCode, msg)
	}
	if n := axon.BodyReads(a); n != 1 {
		t.Errorf("body reads %d", n)
	}
}

func TestConnectionsPerIP(t *testing.T) {
	needLoopbackAlias(t, "127.0.0.2")
	axontest.CheckLeaks(t)
	_, ax := newAxon(t, func(c *axon.Config) { c.MaxConnsPerIP = 2 })
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range 2 {
		c, err := net.Dial("tcp", ax.Addr())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	third, err := net.Dial("tcp", ax.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := third.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Errorf("third connection from one IP was not closed: %v", err)
	}
	// Another IP still gets in.
	if r := newClient(t, alice, ax, "127.0.0.2").call(&Dummy{}, synapse.RequestOptions{}); r.code != 200 {
		t.Errorf("other IP: %d %s", r.code, r.msg)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
