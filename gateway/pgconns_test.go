package gateway_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gotensor/gotensor/gateway"
)

// Requests with keys that do not exist each look their key up in the store; a flood of
// them, from anybody, must not open more PostgreSQL connections than the server allows
// (its max_connections, 100 by default), which would fail every request, and every other
// client of that server, with "too many clients".
func TestKeyFloodStaysWithinPostgresConnections(t *testing.T) {
	dsn, skipped := postgresDSN(t)
	if dsn == "" {
		t.Skip(skipped)
	}
	cfg := gateway.TestConfig()
	cfg.PostgresDSN = dsn
	cfg.ChainRPC = "http://127.0.0.1:1"
	cfg.Models = []gateway.Model{{ID: "m", Netuid: 1}}
	cfg.Logger = slog.New(slog.DiscardHandler)
	gw, err := gateway.New(context.Background(), kp(t, "//Alice/gateway"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	srv := httptest.NewServer(gw.Handler())
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 400}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr}
	var other atomic.Int64
	var wg sync.WaitGroup
	for range 400 {
		wg.Go(func() {
			var b [32]byte
			rand.Read(b[:])
			req, _ := http.NewRequest("GET", srv.URL+"/v1/models", nil)
			req.Header.Set("Authorization", "Bearer sk-gt-"+base64.RawURLEncoding.EncodeToString(b[:]))
			for range 5 {
				resp, err := cl.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					other.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := other.Load(); n > 0 {
		t.Fatalf("%d of 2000 requests with unknown keys got another answer than 401 (the store failed under the flood)", n)
	}
}
