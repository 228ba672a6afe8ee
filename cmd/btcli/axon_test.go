package main

import (
	"strings"
	"testing"
)

// TestAxonServePortRange: a --port outside 1..65535 is refused before anything connects,
// with the range and an example, not the flag parser's "value out of range".
func TestAxonServePortRange(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		port string
		want []string
	}{
		{"70000", []string{"--port 70000 is out of range", "1..65535", "--port 8091"}},
		{"65536", []string{"--port 65536 is out of range", "1..65535"}},
		{"99999999999999999999999", []string{"out of range", "1..65535"}},
		{"0", []string{"--port 0 is out of range", "1..65535"}},
		{"-1", []string{"--port -1 is out of range", "1..65535"}},
		{"http", []string{`--port "http" is not a port number`, "1..65535"}},
		{"", []string{"--port is required", "1..65535"}},
	} {
		args := []string{"--chain-endpoint", "http://127.0.0.1:1", "axon", "serve", "--netuid", "1", "--ip", "203.0.113.7", "--port=" + tc.port}
		msg := c.fails(ExitUsage, args...)
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("--port %q: %q does not mention %q", tc.port, msg, w)
			}
		}
		if strings.Contains(msg, "strconv") || strings.Contains(msg, "invalid argument") {
			t.Errorf("--port %q: the flag parser's message leaks: %q", tc.port, msg)
		}
	}
}
