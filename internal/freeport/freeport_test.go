package freeport

import (
	"net"
	"strconv"
	"testing"
)

func TestGetIsBelowEphemeralRangeAndBindable(t *testing.T) {
	for range 20 {
		p := Port(t)
		if p < low || p >= 32768 {
			t.Fatalf("port %d is outside 10000-32767", p)
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Fatalf("port %d was reported free but cannot be bound: %v", p, err)
		}
		if Free(p) {
			t.Errorf("Free(%d) is true while a listener holds it", p)
		}
		ln.Close()
	}
}

func TestBlockIsConsecutiveAndFree(t *testing.T) {
	base, err := Block(4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if !Free(base + i) {
			t.Errorf("port %d of the block is not free", base+i)
		}
	}
}
