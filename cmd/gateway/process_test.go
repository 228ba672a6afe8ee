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
	"syscall"
	"testing"
	"time"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node/nodetest"
)

// runAsGateway makes the test binary run main() instead of the tests, so that
// TestGatewayProcess can start the command as an operator does and signal it.
const runAsGateway = "GOTENSOR_TEST_RUN_GATEWAY_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsGateway) == "1" {
		main() // exits 1 itself on an error
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestGatewayProcess runs the gateway command as its own process over a real node, as an
// operator starts it: /healthz answers, the admin API and /v1 serve, /metrics on
// --metrics-addr counts the requests, --log-json logs JSON records, and SIGTERM shuts it
// down gracefully (exit 0, "gateway stopped" logged, the key it made kept in the SQLite
// file).
func TestGatewayProcess(t *testing.T) {
	node := nodetest.Start(t, nodetest.Options{BlockTime: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{node.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	alice, _ := keys.FromURI("//Alice")
	owner, _ := keys.FromURI("//Alice/owner")
	if _, err := c.Submit(ctx, alice, client.RegisterNetwork(owner.SS58(), nil), client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
		t.Fatal(err)
	}

	addr := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	db := filepath.Join(t.TempDir(), "gw.db")
	cmd := exec.Command(os.Args[0], "--hotkey", "//Alice/gateway", "--chain", node.RPC, "--addr", addr,
		"--metrics-addr", metricsAddr, "--sqlite", db, "--admin-token", "T", "--log-json",
		"--models", `[{"id":"m","netuid":1}]`)
	cmd.Env = append(os.Environ(), runAsGateway+"=1")
	var logs logtest.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	running := true
	defer func() {
		if running {
			cmd.Process.Kill()
			<-exited
		}
	}()

	base := "http://" + addr
	get := func(url, auth string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for {
		code, body := get(base+"/healthz", "")
		if code == http.StatusOK {
			if !strings.Contains(body, `"status":"ok"`) || !strings.Contains(body, `"store":"sqlite"`) {
				t.Fatalf("/healthz: %s", body)
			}
			break
		}
		select {
		case err := <-exited:
			running = false
			t.Fatalf("gateway exited before serving (%v):\n%s", err, logs.String())
		case <-ctx.Done():
			t.Fatalf("gateway never answered /healthz (last: %d %s):\n%s", code, body, logs.String())
		case <-time.After(100 * time.Millisecond): // polling, as a load balancer would
		}
	}

	resp, err := http.Post(base+"/admin/keys", "application/json", strings.NewReader(`{"name":"ops","tier":"free"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("admin without the token: %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/keys", strings.NewReader(`{"name":"ops","tier":"free"}`))
	req.Header.Set("Authorization", "Bearer T")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID, Key string }
	err = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated || created.Key == "" {
		t.Fatalf("create key: %d %v %+v", resp.StatusCode, err, created)
	}
	if code, body := get(base+"/v1/models", created.Key); code != http.StatusOK || !strings.Contains(body, `"id":"m"`) {
		t.Fatalf("/v1/models: %d %s", code, body)
	}
	code, metrics := get("http://"+metricsAddr+"/metrics", "")
	if code != http.StatusOK || !strings.Contains(metrics, `gateway_requests_total{code="200",route="models"} 1`) ||
		!strings.Contains(metrics, `gateway_requests_total{code="201",route="admin"} 1`) {
		t.Fatalf("/metrics: %d\n%s", code, metrics)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		running = false
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v, want 0:\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second): // a bound on a hang: shutdown waits at most 10 s for requests
		t.Fatalf("gateway still running 30 s after SIGTERM:\n%s", logs.String())
	}
	recs, err := logtest.Records[struct{ Msg string }](&logs, "")
	if err != nil {
		t.Fatal(err)
	}
	var serving, stopped bool
	for _, r := range recs {
		serving = serving || r.Msg == "gateway serving"
		stopped = stopped || r.Msg == "gateway stopped"
	}
	if !serving || !stopped {
		t.Fatalf("logs without gateway serving/stopped:\n%s", logs.String())
	}
	s, err := gateway.OpenStore(t.Context(), db, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if k, err := s.Key(t.Context(), created.ID); err != nil || k.Name != "ops" {
		t.Fatalf("key %s in the store after the shutdown: %+v %v", created.ID, k, err)
	}
}
