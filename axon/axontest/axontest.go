// Package axontest helps test code that serves or calls axons: start an axon on loopback for
// the length of a test, get dev keys, and check that a test leaves no goroutines or file
// descriptors behind (STYLE §10).
package axontest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Key returns the Substrate dev key "//"+name ("Alice", "Bob", ...), or any other name.
func Key(t testing.TB, name string) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromURI("//" + name)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

// Start serves a on 127.0.0.1 with an OS-chosen port until the test ends, then shuts it
// down (failing the test if the drain fails) and returns its info, ready to call.
func Start(t testing.TB, a *axon.Axon) synapse.AxonInfo {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return Serve(t, a, ln)
}

// Serve is Start on a listener of the caller's (another address, a CountingListener).
func Serve(t testing.TB, a *axon.Axon, ln net.Listener) synapse.AxonInfo {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- a.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("axon shutdown: %v", err)
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("axon serve: %v", err)
		}
	})
	for a.Addr() == nil { // Serve binds before it accepts; wait for that, not for a timer
		runtime.Gosched()
	}
	return a.Info()
}

// CountingListener counts the connections it accepts, so a test can tell that a call never
// reached an axon (or that a kept-alive connection was reused).
type CountingListener struct {
	net.Listener
	n atomic.Int64
}

// Accept implements net.Listener.
func (l *CountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// Accepted returns how many connections were accepted so far.
func (l *CountingListener) Accepted() int64 { return l.n.Load() }

// CheckLeaks fails the test if goroutines started during it are still running at its end
// (after up to 5 s for them to finish). Call it first, so its cleanup runs last; do not use
// it in parallel tests.
func CheckLeaks(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("%d goroutines leaked (%d before, %d after):\n%s", n-before, before, n, buf)
				return
			}
			time.Sleep(10 * time.Millisecond) // waiting for goroutines to exit; nothing to select on
		}
	})
}

// OpenFDs returns the number of open file descriptors of the process (Linux), or -1.
func OpenFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// Sockets returns the number of open sockets of the process (Linux), or -1.
func Sockets() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}
