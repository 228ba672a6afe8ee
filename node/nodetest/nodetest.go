// Package nodetest starts real single-validator localnet nodes for tests:
// CometBFT in-process with the chain application, on free loopback ports.
package nodetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/gotensor/gotensor/internal/freeport"
	"github.com/gotensor/gotensor/node"
)

// Node is a running test node.
type Node struct {
	*node.Node
	Home string
	// RPC is the CometBFT RPC URL, e.g. http://127.0.0.1:41234.
	RPC string
	// REST is the REST facade's base URL.
	REST string
}

// FreePort returns a loopback port that was free a moment ago, below the
// kernel's ephemeral range (see package freeport).
func FreePort(t testing.TB) int {
	t.Helper()
	return freeport.Port(t)
}

// Options tune Start.
type Options struct {
	// Home reuses an existing home (for restart tests); empty makes one.
	Home string
	// BlockTime is CometBFT's timeout_commit; zero means 100 ms.
	BlockTime time.Duration
	// Balances are extra genesis balances.
	Balances map[string]uint64
}

// Init lays out a localnet home with chain id gotensor-test and the given
// block time (zero: 100 ms).
func Init(t testing.TB, home string, blockTime time.Duration) { initHome(t, home, blockTime, nil) }

func initHome(t testing.TB, home string, blockTime time.Duration, bal map[string]uint64) {
	t.Helper()
	if _, err := node.Init(node.InitOptions{Home: home, Profile: node.ProfileLocalnet, ChainID: "gotensor-test", Balances: bal}); err != nil {
		t.Fatal(err)
	}
	if blockTime == 0 {
		blockTime = 100 * time.Millisecond
	}
	c, err := node.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	c.Consensus.TimeoutCommit = blockTime
	c.Consensus.TimeoutPropose = 500 * time.Millisecond
	c.P2P.PexReactor = false
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), c)
}

// Start initialises (unless opts.Home exists) and starts a localnet node,
// stopping it when the test ends.
func Start(t testing.TB, opts Options) *Node {
	t.Helper()
	home := opts.Home
	if home == "" {
		home = filepath.Join(t.TempDir(), "node")
	}
	if _, err := os.Stat(filepath.Join(home, "config", "genesis.json")); err != nil {
		initHome(t, home, opts.BlockTime, opts.Balances)
	}
	rpcPort, p2pPort := FreePort(t), FreePort(t)
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	n, err := node.Start(context.Background(), node.Config{
		Home:          home,
		RPCListen:     fmt.Sprintf("tcp://127.0.0.1:%d", rpcPort),
		P2PListen:     fmt.Sprintf("tcp://127.0.0.1:%d", p2pPort),
		RESTListen:    "127.0.0.1:0",
		MetricsListen: "off",
		Logger:        logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			n.Stop()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.WaitHeight(ctx, 2); err != nil {
		t.Fatal(err)
	}
	return &Node{Node: n, Home: home, RPC: fmt.Sprintf("http://127.0.0.1:%d", rpcPort), REST: "http://" + n.RESTAddr()}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
