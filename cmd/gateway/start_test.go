package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/node/nodetest"
)

// TestStartMistakes: an operator's mistake stops the gateway at start with a message
// naming the flag and what to do. Before, a wrong --chain, a model on a subnet the chain
// lacks or a --metrics-addr in use left a gateway serving (every request failing with no
// miner answered, or no metrics), and a hotkey that is not SS58 in --addr-override was
// taken and never matched.
func TestStartMistakes(t *testing.T) {
	node := nodetest.Start(t, nodetest.Options{})
	notRPC := httptest.NewServer(http.NotFoundHandler()) // e.g. the node's REST address
	defer notRPC.Close()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	miner := "5EEePP4QasapvdzpZbFeGqdvzNELH5wTK15YhXnEBeGkBkfy"
	for _, c := range []struct {
		name string
		env  string // GATEWAY_K
		args []string
		want []string
	}{
		// GATEWAY_K was ignored (the only flag without its env); with --addr busy the
		// gateway then failed on the port instead.
		{"GATEWAY_K not a number", "x", []string{"--addr", busy.Addr().String()}, []string{`--k (or GATEWAY_K) is "x"`}},
		{"override hotkey not SS58", "", []string{"--addr-override", "bob=127.0.0.1:8091"}, []string{"--addr-override", `"bob" is not a hotkey SS58 address`}},
		{"override without port", "", []string{"--addr-override", miner + "=127.0.0.1"}, []string{"--addr-override", `"127.0.0.1" is not host:port`}},
		{"addr in use", "", []string{"--addr", busy.Addr().String()}, []string{"--addr " + busy.Addr().String(), "pass another --addr"}},
		{"metrics addr in use", "", []string{"--metrics-addr", busy.Addr().String()}, []string{"--metrics-addr " + busy.Addr().String(), "pass another --metrics-addr"}},
		{"chain not an RPC", "", []string{"--chain", notRPC.URL}, []string{"--chain " + notRPC.URL, "RPC URL of a running Gotensor node"}},
		{"unknown netuid", "", []string{"--models", `[{"id":"m","netuid":7}]`}, []string{`model "m" is served by subnet 7`, "btcli subnets list"}},
		{"bad chain wait", "", []string{"--chain-wait", "soon"}, []string{`--chain-wait (or GATEWAY_CHAIN_WAIT) is "soon"`}},
		// Was "gateway: invalid config: Policy is worst", naming the Go field.
		{"unknown policy", "", []string{"--policy", "worst"}, []string{`--policy (or GATEWAY_POLICY) is "worst"`, "first", "best"}},
		// A node that does not answer is waited for (--chain-wait), then named.
		{"chain down", "", []string{"--chain", "http://" + deadAddr(t), "--chain-wait", "2s"}, []string{"--chain http://", "unreachable"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("GATEWAY_K", c.env)
			}
			args := append([]string{"--hotkey", "//Alice/gateway", "--chain", node.RPC, "--addr", "127.0.0.1:0",
				"--metrics-addr", "off", "--sqlite", filepath.Join(t.TempDir(), "gw.db")}, c.args...)
			err := run(args)
			if err == nil {
				t.Fatal("run returned nil, want a start error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// deadAddr returns a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(nodetest.FreePort(t))
}

// TestHelp: --help and -h print the flags and succeed, as other commands' do; they
// printed "gateway: flag: help requested" and exited 1.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		if err := run([]string{arg}); err != nil {
			t.Errorf("%s: %v, want nil", arg, err)
		}
	}
}
