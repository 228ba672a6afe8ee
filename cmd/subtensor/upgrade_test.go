package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node"
	"github.com/gotensor/gotensor/node/nodetest"
)

// TestUpgradeHaltIsExplained passes an upgrade plan on a single localnet node and checks
// what `subtensor start` relies on: the running node is seen halting at the plan's height,
// and a stopped home past it is recognised on disk, both with the message operators get.
func TestUpgradeHaltIsExplained(t *testing.T) {
	const name = "v9-test"
	home := filepath.Join(t.TempDir(), "node")
	nodetest.Init(t, home, 0)
	shortenVoting(t, home, 5)
	rpc := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	n, err := node.Start(context.Background(), node.Config{Home: home, RPCListen: "tcp://" + rpc,
		P2PListen: fmt.Sprintf("tcp://127.0.0.1:%d", nodetest.FreePort(t)), MetricsListen: "off",
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			n.Stop()
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := n.WaitHeight(ctx, 2); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{Endpoints: []string{"http://" + rpc}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	plan := uint64(n.Height()) + 12
	nodetest.PassUpgrade(ctx, t, c, name, plan, "https://example.org/"+name)
	if u := upgradeHalt(ctx, n); u != nil {
		t.Fatalf("halt reported at block %d, before the plan's height %d", n.Height(), plan)
	}

	u := waitUpgradeHalt(ctx, n)
	if u == nil {
		t.Fatalf("no halt seen: %v (node at block %d)", ctx.Err(), n.Height())
	}
	if u.name != name || u.height != plan || u.next != plan {
		t.Fatalf("halt: %+v, want %s at %d", u, name, plan)
	}
	msg := u.Error()
	for _, want := range []string{`UPGRADE NEEDED: governance scheduled the software upgrade "` + name + `" for block ` + strconv.FormatUint(plan, 10),
		"https://example.org/" + name, "declared upgrades: none", "resumes at block " + strconv.FormatUint(plan, 10), "docs/governance.md"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true

	// A later start fails in CometBFT's replay; the home's state says why.
	d := upgradeOnDisk(home)
	if d == nil || d.name != name || d.height != plan || d.next != plan || d.Error() != msg {
		t.Fatalf("on disk: %+v", d)
	}
	// A binary that declares the name finds nothing to explain.
	defer func(old []string) { node.KnownUpgrades = old }(node.KnownUpgrades)
	node.KnownUpgrades = []string{name}
	if d := upgradeOnDisk(home); d != nil {
		t.Fatalf("declared upgrade reported: %+v", d)
	}
	if upgradeOnDisk(filepath.Join(t.TempDir(), "nothing")) != nil {
		t.Fatal("a missing home reported an upgrade")
	}
}

func devKey(t *testing.T, name string) *keys.Keypair {
	t.Helper()
	kp, err := node.DevKey(name)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

// shortenVoting rewrites home's genesis with a voting period of blocks.
func shortenVoting(t *testing.T, home string, blocks uint64) {
	t.Helper()
	cc, err := node.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := cmttypes.GenesisDocFromFile(cc.GenesisFile())
	if err != nil {
		t.Fatal(err)
	}
	g, err := node.ParseAppGenesis(doc)
	if err != nil {
		t.Fatal(err)
	}
	g.Governance.Params.VotingPeriod = blocks
	if doc.AppState, err = json.Marshal(g); err != nil {
		t.Fatal(err)
	}
	if err := doc.SaveAs(cc.GenesisFile()); err != nil {
		t.Fatal(err)
	}
}

// Names given at build time (-X main.declaredUpgrades) join the source's list once each.
func TestWithDeclared(t *testing.T) {
	got := withDeclared([]string{"v0.2.0"}, " v0.3.0, v0.2.0,,v0.4.0 ")
	if want := []string{"v0.2.0", "v0.3.0", "v0.4.0"}; !slices.Equal(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
	if got := withDeclared(nil, ""); len(got) != 0 {
		t.Fatalf("nothing declared gave %v", got)
	}
}
