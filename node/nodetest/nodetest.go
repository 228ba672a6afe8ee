// Package nodetest starts real single-validator localnet nodes for tests:
// CometBFT in-process with the chain application, on free loopback ports.
package nodetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/internal/freeport"
	"github.com/gotensor/gotensor/keys"
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

// PassUpgrade proposes the software upgrade name at height (with info) through c and has
// Alice, Bob and Charlie (half the localnet's issuance) vote yes; it returns the proposal
// id once the votes are in the mempool. The plan passes when the voting period ends.
func PassUpgrade(ctx context.Context, t testing.TB, c *client.Client, name string, height uint64, info string) uint64 {
	t.Helper()
	r, err := c.Submit(ctx, devKey(t, "Alice"), client.Propose("Upgrade to "+name, "", 10*balances.RAOPerTAO,
		&txpb.UpgradePlan{Name: name, Height: height, Info: info}), client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		t.Fatalf("propose upgrade %s: %v", name, err)
	}
	ev, _ := r.Event(governance.EventProposed)
	id, err := strconv.ParseUint(ev["id"], 10, 64)
	if err != nil {
		t.Fatalf("proposed event %v: %v", ev, err)
	}
	for _, who := range []string{"Alice", "Bob", "Charlie"} {
		if _, err := c.Submit(ctx, devKey(t, who), client.Vote(id, txpb.VoteOption_VOTE_OPTION_YES), client.SubmitOptions{}); err != nil {
			t.Fatalf("vote by %s: %v", who, err)
		}
	}
	return id
}

func devKey(t testing.TB, name string) *keys.Keypair {
	t.Helper()
	kp, err := node.DevKey(name)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}
