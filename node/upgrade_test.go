package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/node"
	"github.com/gotensor/gotensor/node/nodetest"
)

// setVotingPeriod rewrites a home's genesis with a shorter governance voting period.
// Every home of a testnet gets the same edit before its first start, so they keep one
// genesis.
func setVotingPeriod(t *testing.T, home string, blocks uint64) {
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

// Environment of TestUpgradeNodeProcess.
const (
	envUpgradeNodeHome = "GOTENSOR_TEST_UPGRADE_NODE_HOME"
	envUpgradeNodeArgs = "GOTENSOR_TEST_UPGRADE_NODE_UPGRADES" // comma-separated upgrade names the "binary" declares
)

// TestUpgradeNodeProcess is not a test of its own: TestUpgradeHaltsTestnetUntilDeclared
// runs the test binary with GOTENSOR_TEST_UPGRADE_NODE_HOME set to run one validator in a
// child process (os/exec's helper-process pattern). A restart needs a fresh process:
// CometBFT v1.0.1 does not close its tx index database on Stop (cometbft/cometbft#4642),
// so the same process cannot open the home again.
func TestUpgradeNodeProcess(t *testing.T) {
	home := os.Getenv(envUpgradeNodeHome)
	if home == "" {
		t.Skip("helper process of TestUpgradeHaltsTestnetUntilDeclared")
	}
	var upgrades []string
	if u := os.Getenv(envUpgradeNodeArgs); u != "" {
		upgrades = strings.Split(u, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	n, err := node.Start(ctx, node.Config{Home: home, MetricsListen: "off", Upgrades: upgrades,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	<-ctx.Done()
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
}

// validator is one validator process of the testnet.
type validator struct {
	cmd  *exec.Cmd
	out  *logtest.Buffer
	done chan struct{} // closed when the process has exited
	c    *client.Client
}

func startValidator(t *testing.T, h node.TestnetHome, upgrades ...string) *validator {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	v := &validator{out: &logtest.Buffer{}, done: make(chan struct{})}
	v.cmd = exec.Command(exe, "-test.run=^TestUpgradeNodeProcess$")
	v.cmd.Env = append(os.Environ(), envUpgradeNodeHome+"="+h.Home, envUpgradeNodeArgs+"="+strings.Join(upgrades, ","))
	v.cmd.Stdout, v.cmd.Stderr = v.out, v.out
	if err := v.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { v.cmd.Wait(); close(v.done) }()
	t.Cleanup(func() { v.stop(t) })
	if v.c, err = client.New(client.Config{Endpoints: []string{fmt.Sprintf("http://127.0.0.1:%d", h.RPCPort)}, Retries: 40}); err != nil {
		t.Fatal(err)
	}
	return v
}

// stop asks the validator to shut down cleanly (SIGTERM) and waits; a process that does
// not exit in 20 s is killed.
func (v *validator) stop(t *testing.T) {
	select {
	case <-v.done:
		return
	default:
	}
	v.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-v.done:
	case <-time.After(20 * time.Second):
		t.Errorf("validator did not stop on SIGTERM; killing it\n%s", v.out.String())
		v.cmd.Process.Kill()
		<-v.done
	}
	v.c.Close()
}

// waitHeight waits until the validator has stored block h.
func (v *validator) waitHeight(ctx context.Context, t *testing.T, h int64) {
	t.Helper()
	for {
		if st, err := v.c.Status(ctx); err == nil && st.Height >= h {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for block %d: %v\n%s", h, ctx.Err(), v.out.String())
		case <-v.done:
			t.Fatalf("validator exited waiting for block %d:\n%s", h, v.out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestUpgradeHaltsTestnetUntilDeclared passes a software upgrade plan on a 4-validator
// testnet: at the plan's height every validator stops (its binary does not declare the
// name) and says so, a restart without it refuses to go on, and a restart of all four
// with the name declared (standing for the new binary) continues the chain.
func TestUpgradeHaltsTestnetUntilDeclared(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node test")
	}
	const name, period = "v2-test", 10
	dir := t.TempDir()
	base := testnetBasePort(t, 4)
	homes, err := node.Testnet(node.TestnetOptions{Validators: 4, Output: dir, ChainID: "gotensor-upgrade", BasePort: base})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range homes {
		setVotingPeriod(t, h.Home, period)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Second)
	defer cancel()
	startAll := func(upgrades ...string) []*validator {
		var vs []*validator
		for _, h := range homes {
			vs = append(vs, startValidator(t, h, upgrades...))
		}
		return vs
	}
	vals := startAll()
	for _, v := range vals {
		v.waitHeight(ctx, t, 2)
	}
	c := vals[0].c

	// Propose an upgrade a few blocks after the vote ends; Alice, Bob and Charlie (50% of
	// issuance) vote yes.
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	planHeight := uint64(st.Height) + period + 8
	id := nodetest.PassUpgrade(ctx, t, c, name, planHeight, "https://example.org/subtensor-"+name)

	// Every validator stops at the plan's height, logging what is needed: the app commits
	// planHeight-1 and nothing more.
	for _, v := range vals {
		v.waitHeight(ctx, t, int64(planHeight)-1)
		for want := []string{`msg="upgrade needed"`, "name=" + name, fmt.Sprintf("height=%d", planHeight)}; !containsAll(v.out.String(), want); {
			select {
			case <-ctx.Done():
				t.Fatalf("the validator never logged %q:\n%s", want, v.out.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	if p, err := c.Proposal(ctx, id); err != nil || p.Status != governance.StatusPassed {
		t.Fatalf("proposal %d: %+v %v", id, p, err)
	}
	if gp, err := c.GovernanceParams(ctx); err != nil || gp.UpgradeName != name || gp.UpgradeHeight != planHeight {
		t.Fatalf("plan: %+v %v", gp, err)
	}
	// Halted, not slow: over two seconds (about seven block times) nothing moves.
	before := make([]int64, len(vals))
	for i, v := range vals {
		s, err := v.c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before[i] = s.Height
	}
	time.Sleep(2 * time.Second)
	for i, v := range vals {
		s, err := v.c.Status(ctx)
		if err != nil || s.Height != before[i] || s.Height > int64(planHeight) {
			t.Fatalf("validator %d moved from block %d to %d (%v); the upgrade height is %d", i, before[i], s.Height, err, planHeight)
		}
		if p, err := v.c.Params(ctx); err != nil || p.Height != int64(planHeight)-1 {
			t.Fatalf("validator %d committed state at block %d (%v), want %d", i, p.Height, err, planHeight-1)
		}
	}
	for _, v := range vals {
		v.stop(t)
	}

	// The old binary refuses to restart past the height, saying what to install.
	old := startValidator(t, homes[0])
	select {
	case <-old.done:
	case <-ctx.Done():
		t.Fatal("the old binary restarted past the upgrade height")
	}
	if code := old.cmd.ProcessState.ExitCode(); code != 3 || !containsAll(old.out.String(), []string{"UpgradeNeeded", name, "install"}) {
		t.Fatalf("restart without the upgrade: exit %d\n%s", code, old.out.String())
	}

	// The new binary (declaring the name) continues the chain from the same homes.
	vals = startAll(name)
	for _, v := range vals {
		v.waitHeight(ctx, t, int64(planHeight)+3)
	}
	r, err := vals[3].c.Submit(ctx, dev(t, "Bob"), client.Transfer(dev(t, "Dave").SS58(), balances.RAOPerTAO), client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil || r.Height <= int64(planHeight) {
		t.Fatalf("transfer after the upgrade: %+v %v", r, err)
	}
}

func containsAll(s string, want []string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
