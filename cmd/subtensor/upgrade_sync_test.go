package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/node"
	"github.com/gotensor/gotensor/node/nodetest"
)

// TestUpgradeHaltWhileBlockSyncing is the operator who missed an upgrade: a node that was
// offline while the chain, run by binaries that declare the upgrade, went past the plan's
// height is started again with the old binary. It catches up by block sync, where
// CometBFT panics on a block the application refuses; `subtensor start` must instead
// print the UPGRADE NEEDED lines and exit with code 3, and the home must resume with the
// new binary. It builds subtensor twice (with and without -X main.declaredUpgrades) and
// runs real processes, so -short skips it:
//
//	go test -count=1 -run TestUpgradeHaltWhileBlockSyncing ./cmd/subtensor
func TestUpgradeHaltWhileBlockSyncing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds subtensor twice and runs two node processes")
	}
	const name = "v9-sync-test"
	dir := t.TempDir()
	oldBin, newBin := filepath.Join(dir, "subtensor-old"), filepath.Join(dir, "subtensor-new")
	buildSubtensor(t, oldBin)
	buildSubtensor(t, newBin, "-ldflags", "-X main.declaredUpgrades="+name)

	// The validator: the chain's only one, so it runs consensus from the start.
	valHome := filepath.Join(dir, "validator")
	nodetest.Init(t, valHome, 0)
	shortenVoting(t, valHome, 5)
	valP2P := nodetest.FreePort(t)
	valRPC := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	val := startProc(t, newBin, "start", "--home", valHome, "--rpc.laddr", "tcp://"+valRPC,
		"--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", valP2P), "--rest.laddr", "", "--metrics.laddr", "off")
	c, err := client.New(client.Config{Endpoints: []string{"http://" + valRPC}, Retries: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	defer cancel()
	waitStored(ctx, t, c, val, 2)

	// The upgrade passes and the chain goes past its height (the validator declares it).
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan := uint64(st.Height) + 12
	nodetest.PassUpgrade(ctx, t, c, name, plan, "https://example.org/"+name)
	waitStored(ctx, t, c, val, int64(plan)+3)
	if gp, err := c.GovernanceParams(ctx); err != nil || gp.UpgradeName != name || gp.UpgradeHeight != plan {
		t.Fatalf("plan: %+v %v", gp, err)
	}

	// The late node: its own home and keys, the validator's genesis, the validator as
	// its peer. Not a validator, so it starts in block sync.
	fullHome := filepath.Join(dir, "full")
	nodetest.Init(t, fullHome, 0)
	genesis, err := os.ReadFile(filepath.Join(valHome, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fullHome, "config", "genesis.json"), genesis, 0o600); err != nil {
		t.Fatal(err)
	}
	peerWith(t, fullHome, valHome, valP2P)
	fullRPC := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	fullArgs := []string{"start", "--home", fullHome, "--rpc.laddr", "tcp://" + fullRPC,
		"--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", nodetest.FreePort(t)), "--rest.laddr", "", "--metrics.laddr", "off"}

	// The old binary syncs up to the plan's height and stops there with the explanation.
	old := startProc(t, oldBin, fullArgs...)
	code := old.wait(ctx, t)
	stderr := old.stderr.String()
	if code != exitUpgradeNeeded {
		t.Fatalf("old binary syncing past the upgrade: exit code %d, want %d\n%s", code, exitUpgradeNeeded, stderr)
	}
	for _, want := range []string{
		`UPGRADE NEEDED: governance scheduled the software upgrade "` + name + `" for block ` + strconv.FormatUint(plan, 10),
		"https://example.org/" + name,
		"declared upgrades: none",
		fmt.Sprintf("the state up to block %d is intact", plan-1),
		fmt.Sprintf("it resumes at block %d", plan),
		"block sync reached an upgrade this binary does not declare",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("stderr shows a panic:\n%s", stderr)
	}

	// Started again, the old binary refuses at once (CometBFT's replay of the stored block).
	again := startProc(t, oldBin, fullArgs...)
	if code := again.wait(ctx, t); code != exitUpgradeNeeded || !strings.Contains(again.stderr.String(), "UPGRADE NEEDED") {
		t.Fatalf("old binary restarted: exit code %d\n%s", code, again.stderr.String())
	}

	// The new binary resumes the home: it executes the plan's block and catches up.
	full := startProc(t, newBin, fullArgs...)
	fc, err := client.New(client.Config{Endpoints: []string{"http://" + fullRPC}, Retries: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	for {
		if p, err := fc.Params(ctx); err == nil && p.Height > int64(plan) {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the new binary did not execute past block %d: %v\n%s", plan, ctx.Err(), full.stderr.String())
		case <-full.done:
			t.Fatalf("the new binary exited: %v\n%s", full.cmd.ProcessState, full.stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	full.stop(t)
	val.stop(t)
}

// buildSubtensor builds this command into out with extra go build flags.
func buildSubtensor(t *testing.T, out string, flags ...string) {
	t.Helper()
	cmd := exec.Command("go", append(append([]string{"build", "-o", out}, flags...), ".")...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", flags, err, b)
	}
}

// peerWith lists the node of peerHome, listening on port, as home's persistent peer.
func peerWith(t *testing.T, home, peerHome string, port int) {
	t.Helper()
	pc, err := node.LoadCometConfig(peerHome)
	if err != nil {
		t.Fatal(err)
	}
	key, err := p2p.LoadNodeKey(pc.NodeKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	cc, err := node.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	cc.P2P.PersistentPeers = fmt.Sprintf("%s@127.0.0.1:%d", key.ID(), port)
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cc)
}

// proc is a subtensor process.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr logtest.Buffer
	done           chan struct{} // closed when it has exited
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// wait returns the process's exit code once it exits.
func (p *proc) wait(ctx context.Context, t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-ctx.Done():
		t.Fatalf("%s did not exit: %v\n%s", p.cmd, ctx.Err(), p.stderr.String())
		return 0
	}
}

// stop ends the process with SIGTERM, as an operator would, killing it after 20 s.
func (p *proc) stop(t *testing.T) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Errorf("%s did not stop on SIGTERM; killing it\n%s", p.cmd, p.stderr.String())
		p.cmd.Process.Kill()
		<-p.done
	}
}

// waitStored waits until the node behind c has stored block h.
func waitStored(ctx context.Context, t *testing.T, c *client.Client, p *proc, h int64) {
	t.Helper()
	for {
		if st, err := c.Status(ctx); err == nil && st.Height >= h {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for block %d: %v\n%s", h, ctx.Err(), p.stderr.String())
		case <-p.done:
			t.Fatalf("node exited waiting for block %d:\n%s", h, p.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
