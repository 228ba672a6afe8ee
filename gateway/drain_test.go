package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

// TestShutdownDrainsRequests: a request in flight when the gateway is told to stop gets
// its answer, and its usage is in the store once Serve has returned; a request after
// that finds no server.
func TestShutdownDrainsRequests(t *testing.T) {
	nw := startNetwork(t)
	called, release := make(chan struct{}, 1), make(chan struct{})
	slow := serveMiner(t, nw.m1, chatMiner(func(ctx context.Context, syn *protocol.Chat) error {
		called <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		answer(syn, "late but here")
		return nil
	}))
	cfg := baseConfig(nw, false)
	cfg.AddrOverride = map[string]string{nw.m1.SS58(): slow}
	cfg.K = 1
	cfg.SQLitePath = filepath.Join(t.TempDir(), "gw.db")
	cfg.FlushInterval = time.Hour // only the shutdown's flush writes usage
	g := startGateway(t, nw, cfg)
	id, key, _ := createKey(t, g, "free")

	type result struct {
		code int
		out  map[string]any
		err  error
	}
	done := make(chan result, 1)
	go func() {
		body, _ := json.Marshal(chatBody("gotensor-echo", "wait for it", false))
		req, _ := http.NewRequest("POST", g.url+"/v1/chat/completions", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		var out map[string]any
		err = json.NewDecoder(resp.Body).Decode(&out)
		done <- result{resp.StatusCode, out, err}
	}()
	<-called // the request is with the miner
	stopped := make(chan struct{})
	go func() { g.stop(); close(stopped) }()
	// The gateway stops accepting at once: wait until a new connection is refused.
	for {
		resp, err := http.Get(g.url + "/healthz")
		if err != nil {
			break
		}
		resp.Body.Close()
		select {
		case <-stopped:
			t.Fatal("Serve returned with a request in flight")
		case <-time.After(10 * time.Millisecond):
		}
	}
	select {
	case <-stopped:
		t.Fatal("Serve returned with a request in flight")
	default:
	}
	close(release)
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second): // a bound on a hang, not a measurement
		t.Fatal("no answer to the request in flight 30 s after the miner answered")
	}
	if r.err != nil || r.code != 200 || r.out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"] != "late but here" {
		t.Fatalf("the request in flight at shutdown: %d %v %v", r.code, r.out, r.err)
	}
	<-stopped
	s, err := gateway.OpenStore(t.Context(), cfg.SQLitePath, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	us, err := s.Usage(t.Context(), id, time.Now().UTC().Format(time.DateOnly))
	if err != nil || len(us) != 1 || us[0].Requests != 1 {
		t.Fatalf("usage after the shutdown: %+v %v, want the drained request", us, err)
	}
}
