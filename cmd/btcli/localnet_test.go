package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gotensor/gotensor/internal/freeport"
	"github.com/gotensor/gotensor/localnet"
)

// asBtcli makes this test binary run as btcli: `localnet up --detach`
// re-executes its own program, which in tests is the test binary.
const asBtcli = "GOTENSOR_TEST_RUN_AS_BTCLI"

func TestMain(m *testing.M) {
	if os.Getenv(asBtcli) == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
	}
	os.Exit(m.Run())
}

func freeLoopback(t *testing.T) string {
	t.Helper()
	return freeport.Addr(t)
}

// TestLocalnetDetach runs the whole local network in the background on a
// temporary state folder: up --detach returns once it is up, status says
// running with both subnets, logs has the background process's output, down
// stops it and status then says stopped.
func TestLocalnetDetach(t *testing.T) {
	t.Setenv(asBtcli, "1")
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "net")
	var up struct {
		Event, Gateway, Log string
		PID                 int
		Netuid              uint16
		TemplateNetuid      uint16 `json:"template_netuid"`
		GatewayKey          string `json:"gateway_key"`
		Services            []struct{ Name, Addr string }
	}
	r := c.run("localnet", "up", "--detach", "--json", "--dir", dir, "--rpc.laddr", freeLoopback(t), "--rest.laddr", "off",
		"--gateway.laddr", freeLoopback(t), "--block-time", "150ms")
	if r.code != 0 {
		t.Fatalf("up --detach: exit %d\nstderr: %s\nstdout: %s", r.code, r.stderr, r.stdout)
	}
	if err := json.Unmarshal([]byte(r.stdout), &up); err != nil {
		t.Fatalf("up --detach output is not JSON: %v\n%s", err, r.stdout)
	}
	// Whatever fails below, do not leave the background network running.
	t.Cleanup(func() {
		if pid, err := readPID(dir); err == nil {
			if p, err := os.FindProcess(pid); err == nil {
				p.Signal(syscall.SIGTERM)
			}
		}
	})
	if up.Event != "up" || up.PID == 0 || up.Netuid == 0 || up.TemplateNetuid == 0 || up.Gateway == "" || up.GatewayKey == "" || len(up.Services) < 8 {
		t.Errorf("up event: %+v", up)
	}
	if up.PID == os.Getpid() {
		t.Errorf("up --detach ran the network in the test process (pid %d), not in the background", up.PID)
	}

	var st struct {
		Status  string
		PID     int
		Height  int64
		Subnets []struct {
			Netuid  uint16
			Name    string
			Neurons []struct{ Role string }
		}
		Services []struct{ Name, Addr string }
	}
	c.ok(&st, "localnet", "status", "--dir", dir)
	if st.Status != "running" || st.PID != up.PID || st.Height == 0 || len(st.Subnets) != 2 || len(st.Services) != len(up.Services) {
		t.Errorf("status while running: %+v", st)
	}
	height := st.Height
	for _, s := range st.Subnets {
		if len(s.Neurons) < 4 {
			t.Errorf("status: subnet %d (%s) has %d neurons", s.Netuid, s.Name, len(s.Neurons))
		}
	}
	if r := c.run("localnet", "status", "--dir", dir); r.code != 0 || !strings.Contains(r.stdout, "running") || !strings.Contains(r.stdout, "(template)") || !strings.Contains(r.stdout, "gateway API key") {
		t.Errorf("status text: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	logs := c.run("localnet", "logs", "--dir", dir)
	if logs.code != 0 || !strings.Contains(logs.stdout, "localnet up at block") || !strings.Contains(logs.stdout, "miner running") {
		t.Errorf("logs: exit %d, %d bytes:\n%s%s", logs.code, len(logs.stdout), logs.stdout, logs.stderr)
	}
	if last := c.run("localnet", "logs", "-n", "2", "--dir", dir); strings.Count(last.stdout, "\n") != 2 || !strings.HasSuffix(logs.stdout, last.stdout) {
		t.Errorf("logs -n 2 is not the last two lines: %q", last.stdout)
	}
	if r := c.run("localnet", "up", "--detach", "--dir", dir); r.code == 0 || !strings.Contains(r.stderr, "already runs") {
		t.Errorf("second up while running: exit %d, %s", r.code, r.stderr)
	}

	var down struct {
		Status string
		PID    int
	}
	c.ok(&down, "localnet", "down", "--dir", dir)
	if down.Status != "stopped" || down.PID != up.PID {
		t.Errorf("down: %+v", down)
	}
	c.ok(&st, "localnet", "status", "--dir", dir)
	if st.Status != "stopped" {
		t.Errorf("status after down: %+v", st)
	}
	if r := c.run("localnet", "down", "--dir", dir); r.code != 0 || !strings.Contains(r.stdout, "nothing to stop") {
		t.Errorf("down when stopped: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "localnet.log")); !strings.Contains(string(b), "localnet stopped cleanly") {
		t.Errorf("log has no clean stop:\n%s", b)
	}

	// Resume it as a folder from before the template subnet: a state with
	// the prompting subnet only. up again keeps the chain, the prompting
	// subnet and the gateway key, and creates a template subnet.
	stateFile := filepath.Join(dir, localnet.StateFile)
	var old map[string]any
	if b, err := os.ReadFile(stateFile); err != nil || json.Unmarshal(b, &old) != nil {
		t.Fatalf("state file: %v", err)
	}
	delete(old, "template_netuid")
	delete(old, "template_setup_done")
	b, _ := json.Marshal(old)
	if err := os.WriteFile(stateFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var up2 struct {
		PID            int
		Netuid         uint16
		TemplateNetuid uint16 `json:"template_netuid"`
		GatewayKey     string `json:"gateway_key"`
	}
	c.ok(&up2, "localnet", "up", "--detach", "--dir", dir, "--rpc.laddr", freeLoopback(t), "--rest.laddr", "off", "--gateway.laddr", freeLoopback(t))
	if up2.Netuid != up.Netuid || up2.GatewayKey != up.GatewayKey || up2.TemplateNetuid == 0 || up2.TemplateNetuid == up.TemplateNetuid {
		t.Errorf("resumed: %+v, first run: %+v", up2, up)
	}
	c.ok(&st, "localnet", "status", "--dir", dir)
	if st.Status != "running" || st.Height <= height || len(st.Subnets) != 2 || st.Subnets[1].Netuid != up2.TemplateNetuid {
		t.Errorf("status after resume (height before %d): %+v", height, st)
	}
	c.ok(&down, "localnet", "down", "--dir", dir)
	if down.Status != "stopped" || down.PID != up2.PID {
		t.Errorf("second down: %+v", down)
	}
}
