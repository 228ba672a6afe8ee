package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/node"
	"github.com/gotensor/gotensor/node/nodetest"
)

// runLocalnet runs `subtensor localnet ARGS` until it prints two blocks, then
// stops it as Ctrl-C would and returns what it printed.
func runLocalnet(t *testing.T, args ...string) string {
	t.Helper()
	return runLocalnetWhile(t, func() {}, args...)
}

// runLocalnetWhile is runLocalnet calling during once two blocks are printed,
// before the stop.
func runLocalnetWhile(t *testing.T, during func(), args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	root := newRoot()
	var out logtest.Buffer
	root.SetOut(&out)
	root.SetArgs(append([]string{"localnet"}, args...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	deadline := time.After(60 * time.Second)
	for strings.Count(out.String(), "\nblock ") < 2 {
		select {
		case err := <-done:
			t.Fatalf("localnet ended before two blocks: %v\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("no two blocks within 60s:\n%s", out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	during()
	banner := out.String()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("localnet stop: %v", err)
	}
	return banner
}

func get(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	return string(b)
}

// TestMain lets the test binary run as the subtensor command (for
// TestLocalnetMetricsFlag), when SUBTENSOR_TEST_MAIN is set.
func TestMain(m *testing.M) {
	if os.Getenv("SUBTENSOR_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLocalnetListenFlags checks that `subtensor localnet` takes start's listen
// flags and that its banner names the addresses in use: config.toml's metrics
// address when no flag is given, and "off" for what is disabled. (CometBFT
// registers its Prometheus metrics once per process, so a second node with
// metrics on runs in TestLocalnetMetricsFlag's own process.)
func TestLocalnetListenFlags(t *testing.T) {
	home := filepath.Join(t.TempDir(), "node")
	nodetest.Init(t, home, 0)
	cfgMetrics := setConfigMetrics(t, home)

	rpc := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	p2p := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	rest := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	var metricsBody, restStatus string
	banner := runLocalnetWhile(t, func() {
		// While it runs, what the banner names answers.
		get(t, "http://"+rpc+"/status")
		restStatus = get(t, "http://"+rest+"/api/v1/status")
		metricsBody = get(t, "http://"+cfgMetrics+"/metrics")
	}, "--home", home, "--rpc.laddr", "tcp://"+rpc, "--p2p.laddr", "tcp://"+p2p, "--rest.laddr", rest)
	// The REST status names what another node needs to peer with this one.
	var st struct {
		NodeID     string `json:"node_id"`
		ListenAddr string `json:"listen_addr"`
	}
	if err := json.Unmarshal([]byte(restStatus), &st); err != nil || len(st.NodeID) != 40 || !strings.HasSuffix(st.ListenAddr, p2p) {
		t.Errorf("REST status node_id %q listen_addr %q (%v), want a 40-hex node id and %s", st.NodeID, st.ListenAddr, err, p2p)
	}
	for _, want := range []string{
		"RPC:     tcp://" + rpc,
		"REST:    http://" + rest + "/api/v1/status",
		"metrics: http://" + cfgMetrics + "/metrics",
		"p2p:     tcp://" + p2p,
		// The suggested btcli command reaches this node, not the default port.
		"go run ./cmd/btcli --chain-endpoint http://" + rpc + " wallet transfer",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	if !strings.Contains(metricsBody, "gotensor_height") {
		t.Errorf("metrics at %s lack gotensor_height", cfgMetrics)
	}

	banner = runLocalnet(t, "--home", home, "--rpc.laddr", "tcp://"+rpc, "--p2p.laddr", "tcp://"+p2p, "--rest.laddr", "", "--metrics.laddr", "off")
	for _, want := range []string{"REST:    off\n", "metrics: off\n"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
}

// setConfigMetrics points the home's config.toml at a free metrics port and
// returns the address.
func setConfigMetrics(t *testing.T, home string) string {
	t.Helper()
	cc, err := node.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	cc.Instrumentation.PrometheusListenAddr = addr
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cc)
	return addr
}

// TestLocalnetMetricsFlag runs `subtensor localnet --metrics.laddr` as its own
// process over a home whose config.toml names another port: the banner and
// the endpoint use the flag's, and Ctrl-C (SIGINT) stops it cleanly, with no
// ERROR line.
func TestLocalnetMetricsFlag(t *testing.T) {
	home := filepath.Join(t.TempDir(), "node")
	nodetest.Init(t, home, 0)
	cfgMetrics := setConfigMetrics(t, home)
	flagMetrics := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	rpc := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "localnet", "--home", home, "--rpc.laddr", "tcp://"+rpc,
		"--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", nodetest.FreePort(t)),
		"--rest.laddr", fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t)), "--metrics.laddr", flagMetrics)
	cmd.Env = append(os.Environ(), "SUBTENSOR_TEST_MAIN=1")
	var out, errOut logtest.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.After(60 * time.Second)
	for strings.Count(out.String(), "\nblock ") < 2 {
		select {
		case err := <-exited:
			t.Fatalf("localnet exited before two blocks: %v\n%s\n%s", err, out.String(), errOut.String())
		case <-deadline:
			t.Fatalf("no two blocks within 60s:\n%s\n%s", out.String(), errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if !strings.Contains(get(t, "http://"+flagMetrics+"/metrics"), "gotensor_height") {
		t.Errorf("metrics at %s lack gotensor_height", flagMetrics)
	}
	// A websocket client, as btcli's subscriptions are, so that stopping
	// closes a live websocket connection too.
	ws, err := client.New(client.Config{Endpoints: []string{"http://" + rpc}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	subCtx, unsubscribe := context.WithTimeout(t.Context(), 30*time.Second)
	defer unsubscribe()
	if _, ok := <-ws.SubscribeBlocks(subCtx); !ok {
		t.Fatal("no block from the subscription")
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err != nil {
		t.Fatalf("localnet after SIGINT: %v\n%s", err, errOut.String())
	}
	banner := out.String()
	if want := "metrics: http://" + flagMetrics + "/metrics"; !strings.Contains(banner, want) {
		t.Errorf("banner lacks %q:\n%s", want, banner)
	}
	if strings.Contains(banner, cfgMetrics) {
		t.Errorf("banner names config.toml's metrics address %s though --metrics.laddr overrides it:\n%s", cfgMetrics, banner)
	}
	if strings.Contains(errOut.String(), "level=ERROR") {
		t.Errorf("a clean stop logged errors:\n%s", errOut.String())
	}
}

func TestDialable(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:23560":     "127.0.0.1:23560",
		":26660":              "127.0.0.1:26660",
		"0.0.0.0:26660":       "127.0.0.1:26660",
		"tcp://0.0.0.0:26657": "127.0.0.1:26657",
		"[::]:26660":          "127.0.0.1:26660",
		"10.0.0.5:26660":      "10.0.0.5:26660",
	} {
		if got := dialable(in); got != want {
			t.Errorf("dialable(%q) = %q, want %q", in, got, want)
		}
	}
}
