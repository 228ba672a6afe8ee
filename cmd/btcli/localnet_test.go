package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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
// temporary state folder (the default folder of a temporary home, so that
// btcli gateway finds it): up --detach returns once it is up, status says
// running with both subnets and the gateway's credentials, btcli gateway
// manages the localnet gateway's keys with no flags, logs has the background
// process's output, down stops it and status then says stopped; up again
// resumes on the last run's addresses.
func TestLocalnetDetach(t *testing.T) {
	t.Setenv(asBtcli, "1")
	t.Setenv("HOME", t.TempDir())
	c := newCLI(t)
	dir := localnet.DefaultDir()
	if !strings.HasPrefix(dir, os.Getenv("HOME")) {
		t.Fatalf("localnet.DefaultDir() = %s, not under the test's HOME", dir)
	}
	var up struct {
		Event, Gateway, Log string
		PID                 int
		Netuid              uint16
		TemplateNetuid      uint16 `json:"template_netuid"`
		GatewayKey          string `json:"gateway_key"`
		GatewayAdminToken   string `json:"gateway_admin_token"`
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
	if up.Event != "up" || up.PID == 0 || up.Netuid == 0 || up.TemplateNetuid == 0 || up.Gateway == "" || up.GatewayKey == "" ||
		!strings.HasPrefix(up.GatewayAdminToken, "gt-admin-") || len(up.Services) < 8 {
		t.Errorf("up event: %+v", up)
	}
	if up.PID == os.Getpid() {
		t.Errorf("up --detach ran the network in the test process (pid %d), not in the background", up.PID)
	}

	var st struct {
		Status            string
		PID               int
		GatewayAdminToken string `json:"gateway_admin_token"`
		Height            int64
		Subnets           []struct {
			Netuid  uint16
			Name    string
			Neurons []struct{ Role string }
		}
		Services []struct{ Name, Addr string }
	}
	c.ok(&st, "localnet", "status", "--dir", dir)
	if st.Status != "running" || st.PID != up.PID || st.Height == 0 || len(st.Subnets) != 2 || len(st.Services) != len(up.Services) || st.GatewayAdminToken != up.GatewayAdminToken {
		t.Errorf("status while running: %+v", st)
	}
	height := st.Height
	for _, s := range st.Subnets {
		if len(s.Neurons) < 4 {
			t.Errorf("status: subnet %d (%s) has %d neurons", s.Netuid, s.Name, len(s.Neurons))
		}
	}
	if r := c.run("localnet", "status", "--dir", dir); r.code != 0 || !strings.Contains(r.stdout, "running") || !strings.Contains(r.stdout, "(template)") || !strings.Contains(r.stdout, "gateway API key") ||
		!strings.Contains(r.stdout, "gateway admin token: "+up.GatewayAdminToken+" (btcli gateway keys") {
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

	testLocalnetGatewayAdmin(t, c, dir, up.Gateway, up.GatewayAdminToken)

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
	// up with no address flags reuses the last run's (REST off included);
	// an explicit flag still wins.
	var up2 struct {
		PID               int
		Netuid            uint16
		TemplateNetuid    uint16 `json:"template_netuid"`
		GatewayKey        string `json:"gateway_key"`
		GatewayAdminToken string `json:"gateway_admin_token"`
		Gateway           string
		Reused            map[string]string
		Services          []struct{ Name, Addr string }
	}
	rpc2 := freeLoopback(t)
	c.ok(&up2, "localnet", "up", "--detach", "--dir", dir, "--rpc.laddr", rpc2)
	if up2.Netuid != up.Netuid || up2.GatewayKey != up.GatewayKey || up2.GatewayAdminToken != up.GatewayAdminToken || up2.TemplateNetuid == 0 || up2.TemplateNetuid == up.TemplateNetuid {
		t.Errorf("resumed: %+v, first run: %+v", up2, up)
	}
	gwAddr := strings.TrimSuffix(strings.TrimPrefix(up.Gateway, "http://"), "/v1")
	if up2.Gateway != up.Gateway || up2.Reused["gateway.laddr"] != gwAddr || up2.Reused["rest.laddr"] != "off" || up2.Reused["rpc.laddr"] != "" {
		t.Errorf("resumed without address flags: gateway %s (first run %s), reused %v; want the gateway and REST (off) reused, RPC as passed", up2.Gateway, up.Gateway, up2.Reused)
	}
	for _, s := range up2.Services {
		if s.Name == "node REST" {
			t.Errorf("resumed with REST on at %s; the first run had it off", s.Addr)
		}
		if s.Name == "node RPC" && s.Addr != "http://"+rpc2 {
			t.Errorf("resumed with RPC at %s; --rpc.laddr was %s", s.Addr, rpc2)
		}
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

// testLocalnetGatewayAdmin drives btcli gateway against the running localnet
// in dir (the default folder), whose gateway serves at base (".../v1").
func testLocalnetGatewayAdmin(t *testing.T, c *cli, dir, base, token string) {
	root := strings.TrimSuffix(base, "/v1")
	note := "using the localnet gateway at " + root + " (from " + filepath.Join(dir, localnet.StateFile) + ")"

	// No flags, no env: the localnet's gateway and token, said on stderr.
	r := c.run("gateway", "keys", "create", "me", "--tier", "free", "--json")
	var key struct {
		ID, Key, Name, Tier string
		DepositAddress      string `json:"deposit_address"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &key) != nil {
		t.Fatalf("gateway keys create me: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if key.Name != "me" || key.Tier != "free" || key.Key == "" || key.DepositAddress == "" {
		t.Errorf("created key: %+v", key)
	}
	if !strings.Contains(r.stderr, note) {
		t.Errorf("stderr does not say which gateway: %q; want %q", r.stderr, note)
	}
	if msg := c.fails(ExitUsage, "gateway", "keys", "create", "a", "b"); !strings.Contains(msg, "one NAME") {
		t.Errorf("two names: %s", msg)
	}
	if msg := c.fails(ExitUsage, "gateway", "keys", "create", "a", "--name", "b"); !strings.Contains(msg, "differ") {
		t.Errorf("NAME and --name differ: %s", msg)
	}

	// A limit raise asked with the key and approved with btcli gateway
	// shows in keys list; the dev key keeps its tier's limits.
	req, _ := http.NewRequest(http.MethodPost, base+"/limit_requests",
		strings.NewReader(`{"requests_per_minute":60,"tokens_per_day":50000,"reason":"test"}`))
	req.Header.Set("Authorization", "Bearer "+key.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var lr struct{ ID string }
	err = json.NewDecoder(resp.Body).Decode(&lr)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated || lr.ID == "" {
		t.Fatalf("limit request: HTTP %d, %v, %+v", resp.StatusCode, err, lr)
	}
	var approved struct{ Status string }
	c.ok(&approved, "gateway", "limits", "approve", lr.ID)
	if approved.Status != "approved" {
		t.Errorf("approve: %+v", approved)
	}
	list := c.run("gateway", "keys", "list")
	var mine, dev string
	for _, line := range strings.Split(list.stdout, "\n") {
		if strings.HasPrefix(line, key.ID+" ") {
			mine = line
		} else if strings.Contains(line, " pro ") {
			dev = line
		}
	}
	if list.code != 0 || !strings.Contains(list.stdout, "REQ/MIN") || len(strings.Fields(mine)) < 6 ||
		strings.Fields(mine)[4] != "60" || strings.Fields(mine)[5] != "50000" || !strings.Contains(dev, " tier ") {
		t.Errorf("keys list after approving 60 req/min, 50000 tokens/day for %s: exit %d\n%s%s", key.ID, list.code, list.stdout, list.stderr)
	}

	// The /v1 base URL works as --gateway and GATEWAY_URL; a URL that is
	// the localnet's takes its token; --localnet-dir names the folder.
	var keys struct{ Data []struct{ ID string } }
	c.ok(&keys, "gateway", "--gateway", base, "--admin-token", token, "keys", "list")
	if len(keys.Data) != 2 {
		t.Errorf("keys list with --gateway %s: %+v", base, keys)
	}
	c.env["GATEWAY_URL"] = base + "/"
	r = c.run("gateway", "keys", "list", "--json")
	delete(c.env, "GATEWAY_URL")
	if r.code != 0 || !strings.Contains(r.stdout, key.ID) || !strings.Contains(r.stderr, note) {
		t.Errorf("keys list with GATEWAY_URL=%s/ and no token: exit %d\n%s%s", base, r.code, r.stdout, r.stderr)
	}
	if r := c.run("gateway", "--localnet-dir", dir, "keys", "list", "--json"); r.code != 0 || !strings.Contains(r.stdout, key.ID) || !strings.Contains(r.stderr, note) {
		t.Errorf("keys list --localnet-dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	empty := t.TempDir()
	if msg := c.fails(ExitError, "gateway", "--localnet-dir", empty, "keys", "list"); !strings.Contains(msg, "no localnet with a gateway admin token in "+empty) {
		t.Errorf("--localnet-dir without a localnet: %s", msg)
	}
	if msg := c.fails(ExitUsage, "gateway", "--localnet-dir", dir, "--admin-token", token, "keys", "list"); !strings.Contains(msg, "--localnet-dir") {
		t.Errorf("--localnet-dir with --admin-token: %s", msg)
	}
	// Another gateway without a token: the three ways to give one.
	msg := c.fails(ExitError, "gateway", "--gateway", "http://127.0.0.1:9", "keys", "list")
	for _, want := range []string{"--admin-token", "GATEWAY_ADMIN_TOKEN", "btcli localnet up", "--localnet-dir"} {
		if !strings.Contains(msg, want) {
			t.Errorf("no token error %q does not name %s", msg, want)
		}
	}
}

// TestLocalnetForegroundCtrlC runs `localnet up --json` in the foreground, as a user does
// before pressing Ctrl-C: stdout is JSON events only, starting, up, then a view per block
// with the metagraph table's fields; SIGINT (Ctrl-C) stops everything cleanly (stopping,
// stopped, exit 0), and status then says stopped.
func TestLocalnetForegroundCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local network")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "localnet", "up", "--json", "--dir", dir, "--rpc.laddr", freeLoopback(t),
		"--rest.laddr", "off", "--gateway.laddr", "off", "--block-time", "150ms")
	cmd.Env = append(os.Environ(), asBtcli+"=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	type neuron struct {
		UID                         *uint16
		Role                        string
		Stake, Emission             *uint64
		Incentive, Dividends, Trust *float64
	}
	type event struct {
		Event   string
		Height  int64
		Subnets []struct {
			Netuid    uint16
			NextEpoch int64 `json:"next_epoch_block"`
			Neurons   []neuron
		}
	}
	var events []string
	var heights []int64
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Event == "" {
			t.Fatalf("stdout line is not a JSON event: %v\n%s", err, sc.Text())
		}
		events = append(events, ev.Event)
		if ev.Event != "view" {
			continue
		}
		if len(ev.Subnets) != 2 || ev.Height == 0 {
			t.Fatalf("view at height %d has %d subnets, want 2: %s", ev.Height, len(ev.Subnets), sc.Text())
		}
		for _, s := range ev.Subnets {
			if s.NextEpoch <= ev.Height || len(s.Neurons) < 5 {
				t.Fatalf("view at height %d: subnet %d next epoch %d, %d neurons: %s", ev.Height, s.Netuid, s.NextEpoch, len(s.Neurons), sc.Text())
			}
			for _, n := range s.Neurons {
				if n.UID == nil || n.Role == "" || n.Stake == nil || n.Emission == nil || n.Incentive == nil || n.Dividends == nil || n.Trust == nil {
					t.Fatalf("view neuron lacks a field of the table: %s", sc.Text())
				}
			}
		}
		if heights = append(heights, ev.Height); len(heights) == 3 {
			if err := cmd.Process.Signal(os.Interrupt); err != nil { // Ctrl-C
				t.Fatal(err)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("up after Ctrl-C: %v; events %v\nstderr: %s", err, events, stderr.String())
	}
	if len(events) < 7 || events[0] != "starting" || events[1] != "up" || events[2] != "view" ||
		events[len(events)-2] != "stopping" || events[len(events)-1] != "stopped" {
		t.Errorf("events %v; want starting, up, views, stopping, stopped", events)
	}
	if !(heights[0] < heights[1] && heights[1] < heights[2]) {
		t.Errorf("view heights %v; want one view per new block", heights)
	}
	var st struct{ Status string }
	newCLI(t).ok(&st, "localnet", "status", "--dir", dir)
	if st.Status != "stopped" {
		t.Errorf("status after Ctrl-C: %+v", st)
	}
}

// up --reset deletes only a localnet folder: a --dir that names any other folder with
// files in it is refused and left as it was; a localnet folder is deleted before the start.
func TestLocalnetResetDeletesOnlyALocalnetFolder(t *testing.T) {
	c := newCLI(t)
	other := t.TempDir()
	precious := filepath.Join(other, "thesis.txt")
	if err := os.WriteFile(precious, []byte("years of work"), 0o600); err != nil {
		t.Fatal(err)
	}
	// (A bad address, so that were the folder deleted, nothing would start either.)
	msg := c.fails(ExitError, "localnet", "up", "--dir", other, "--reset", "--rpc.laddr", "not-an-address", "--rest.laddr", "off", "--gateway.laddr", "off")
	if !strings.Contains(msg, "not a localnet folder") {
		t.Errorf("--reset on another folder: %s", msg)
	}
	if b, err := os.ReadFile(precious); err != nil || string(b) != "years of work" {
		t.Fatalf("--reset touched a folder that is not a localnet's: %v", err)
	}

	// A localnet folder (its log and state) is deleted; the start then fails on the bad
	// address, before making anything.
	ln := t.TempDir()
	for _, name := range []string{localnet.LogFile, localnet.StateFile, "old-file"} {
		if err := os.WriteFile(filepath.Join(ln, name), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c.run("localnet", "up", "--dir", ln, "--reset", "--rpc.laddr", "not-an-address", "--rest.laddr", "off", "--gateway.laddr", "off")
	if _, err := os.Stat(filepath.Join(ln, "old-file")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--reset left the localnet folder's files: %v", err)
	}
}

// reuseAddrs takes every address flag not passed from the state's listen addresses,
// which a first run saves before setup: a folder whose first run was interrupted
// (its RPC known, no services, no gateway URL) resumes on all three, not on the RPC
// alone with the defaults for the others. A folder from before those were kept
// still resumes from its last run's services.
func TestReuseAddrsAfterAnInterruptedFirstRun(t *testing.T) {
	rpc, gw := freeLoopback(t), freeLoopback(t)
	interrupted := localnet.State{RPC: "http://" + rpc, Listen: &localnet.ListenAddrs{RPC: rpc, REST: "off", Gateway: gw}}
	none := func(string) bool { return false }
	o := upOptions{rpc: defaultRPCAddr, rest: defaultRESTAddr, gateway: defaultGatewayAddr}
	reused := reuseAddrs(none, interrupted, &o)
	if o.rpc != rpc || o.rest != "off" || o.gateway != gw {
		t.Errorf("after an interrupted first run: rpc %s, rest %s, gateway %s; want %s, off, %s", o.rpc, o.rest, o.gateway, rpc, gw)
	}
	if reused["rpc.laddr"] != rpc || reused["rest.laddr"] != "off" || reused["gateway.laddr"] != gw {
		t.Errorf("reused %v; want all three", reused)
	}
	if got, want := reusedText(reused), "--rpc.laddr "+rpc+", --rest.laddr off, --gateway.laddr "+gw; got != want {
		t.Errorf("reused text %q, want %q", got, want)
	}

	// A flag passed wins; one equal to its default is not reported as reused.
	rest := freeLoopback(t)
	o = upOptions{rpc: defaultRPCAddr, rest: rest, gateway: defaultGatewayAddr}
	def := localnet.State{Listen: &localnet.ListenAddrs{RPC: defaultRPCAddr, REST: "off", Gateway: gw}}
	reused = reuseAddrs(func(f string) bool { return f == "rest.laddr" }, def, &o)
	if o.rpc != defaultRPCAddr || o.rest != rest || o.gateway != gw || len(reused) != 1 || reused["gateway.laddr"] != gw {
		t.Errorf("with --rest.laddr passed: rpc %s, rest %s, gateway %s, reused %v", o.rpc, o.rest, o.gateway, reused)
	}

	// A state without listen addresses: the last run's services (a missing one was off).
	old := localnet.State{RPC: "http://" + rpc, Services: []localnet.Service{{Name: "node RPC", Addr: "http://" + rpc}, {Name: "gateway", Addr: "http://" + gw + "/v1"}}}
	o = upOptions{rpc: defaultRPCAddr, rest: defaultRESTAddr, gateway: defaultGatewayAddr}
	reuseAddrs(none, old, &o)
	if o.rpc != rpc || o.rest != "off" || o.gateway != gw {
		t.Errorf("from an older state's services: rpc %s, rest %s, gateway %s; want %s, off, %s", o.rpc, o.rest, o.gateway, rpc, gw)
	}
}

// TestLocalnetCtrlCDuringSetup: Ctrl-C before the network is up ends `up` like a Ctrl-C
// after (exit 0), saying it was interrupted during setup and that up resumes, with no
// error; up again without address flags then reuses every address the first run was
// given (REST off included), not the defaults.
func TestLocalnetCtrlCDuringSetup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a localnet node")
	}
	dir := t.TempDir()
	rpc, gw := freeLoopback(t), freeLoopback(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	// upInterrupted runs `localnet up args...`, sends SIGINT once it says it is
	// starting (the signal handler is installed by then; setup takes seconds),
	// and returns its stdout and stderr.
	upInterrupted := func(asJSON bool, args ...string) (stdout, stderr string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"localnet", "up", "--dir", dir}, args...)...)
		cmd.Env = append(os.Environ(), asBtcli+"=1")
		// The events come on stdout with --json, on stderr without.
		var other strings.Builder
		var watched io.ReadCloser
		var err error
		if asJSON {
			cmd.Stderr = &other
			watched, err = cmd.StdoutPipe()
		} else {
			cmd.Stdout = &other
			watched, err = cmd.StderrPipe()
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		var lines strings.Builder
		sc := bufio.NewScanner(watched)
		for sc.Scan() {
			lines.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), `"event":"starting"`) || strings.HasPrefix(sc.Text(), "starting the local network") {
				if err := cmd.Process.Signal(os.Interrupt); err != nil { // Ctrl-C
					t.Fatal(err)
				}
			}
		}
		err = cmd.Wait()
		if asJSON {
			stdout, stderr = lines.String(), other.String()
		} else {
			stdout, stderr = other.String(), lines.String()
		}
		if err != nil {
			t.Fatalf("up %v interrupted during setup: %v; want exit 0 as after setup\nstdout: %s\nstderr: %s", args, err, stdout, stderr)
		}
		return stdout, stderr
	}

	stdout, stderr := upInterrupted(true, "--json", "--rpc.laddr", rpc, "--rest.laddr", "off", "--gateway.laddr", gw, "--block-time", "150ms")
	var last struct {
		Event, Message string
		DuringSetup    bool `json:"during_setup"`
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Event != "stopped" || !last.DuringSetup ||
		!strings.Contains(last.Message, "interrupted during setup") || len(lines) != 2 {
		t.Errorf("--json events after Ctrl-C during setup: %s; want starting, then stopped during setup", stdout)
	}
	if strings.Contains(stdout+stderr, "context canceled") || strings.Contains(stdout, `"error"`) {
		t.Errorf("Ctrl-C during setup reported as an error:\nstdout: %s\nstderr: %s", stdout, stderr)
	}

	// Before starting anything on them, the next up's addresses are the first run's.
	st, err := localnet.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	o := upOptions{rpc: defaultRPCAddr, rest: defaultRESTAddr, gateway: defaultGatewayAddr}
	if reuseAddrs(func(string) bool { return false }, st, &o); o.rpc != rpc || o.rest != "off" || o.gateway != gw {
		t.Fatalf("after the interrupted first run up would listen on rpc %s, rest %s, gateway %s; want %s, off, %s", o.rpc, o.rest, o.gateway, rpc, gw)
	}
	_, stderr = upInterrupted(false)
	if want := "reusing the last run's addresses: --rpc.laddr " + rpc + ", --rest.laddr off, --gateway.laddr " + gw; !strings.Contains(stderr, want) {
		t.Errorf("up again without address flags: stderr\n%s\nwant %q", stderr, want)
	}
	if !strings.Contains(stderr, "interrupted during setup; `btcli localnet up --dir "+dir+"` resumes") || strings.Contains(stderr, "Error") {
		t.Errorf("text after Ctrl-C during setup:\n%s", stderr)
	}
	var status struct{ Status string }
	newCLI(t).ok(&status, "localnet", "status", "--dir", dir)
	if status.Status != "stopped" {
		t.Errorf("status after Ctrl-C during setup: %+v", status)
	}
}
