// Package freeport picks loopback TCP ports for tests and tools that must
// name a port before the listener that uses it exists (a CometBFT node, a
// background process, a database server).
//
// Ports come from below Linux's ephemeral range (32768-60999). A port asked
// of the kernel with ":0" lies inside that range, and once released it can be
// handed at any moment to some other process's outgoing connection, which then
// makes the intended listener fail with "address already in use". Ports below
// the range are only ever taken by listeners that name them.
package freeport

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
)

const (
	low  = 10000
	high = 32000 // below 32768, the start of the ephemeral range
)

// Get returns a loopback port nothing listened on a moment ago.
func Get() (int, error) {
	for range 200 {
		p := low + rand.IntN(high-low)
		if Free(p) {
			return p, nil
		}
	}
	return 0, errors.New("freeport: no free loopback port between 10000 and 32000")
}

// Block returns the first of n consecutive free loopback ports.
func Block(n int) (int, error) {
	for range 200 {
		base := low + rand.IntN(high-low-n)
		ok := true
		for i := range n {
			if !Free(base + i) {
				ok = false
				break
			}
		}
		if ok {
			return base, nil
		}
	}
	return 0, fmt.Errorf("freeport: no %d consecutive free loopback ports between 10000 and 32000", n)
}

// Free reports whether a listener could bind 127.0.0.1:port now.
func Free(port int) bool {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// Testing is the part of testing.TB that Port and Addr use.
type Testing interface {
	Helper()
	Fatal(args ...any)
}

// Port is Get for tests: it fails the test when no port is free.
func Port(t Testing) int {
	t.Helper()
	p, err := Get()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Addr is Port as "127.0.0.1:PORT".
func Addr(t Testing) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", Port(t))
}
