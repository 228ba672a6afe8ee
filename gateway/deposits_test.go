package gateway_test

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/gateway"
)

// TestDepositDoubleDelivery delivers the same transfer events to the deposit watcher twice:
// the gateway restarts with its saved height behind a block it already credited (what
// another gateway instance on the same database writes when it is behind, since each
// instance saves the height it finished), so it scans that block again. The deposit is
// credited once, the next one still arrives, and the totals in the store agree. It runs on
// SQLite and, when there is one, PostgreSQL.
func TestDepositDoubleDelivery(t *testing.T) {
	nw := startNetwork(t)
	stores := []struct {
		name     string
		sqlite   string
		postgres string
	}{{name: "sqlite", sqlite: filepath.Join(t.TempDir(), "gateway.db")}}
	if dsn := pgSchemaDSN(t); dsn != "" {
		stores = append(stores, struct{ name, sqlite, postgres string }{name: "postgres", postgres: dsn})
	}
	bob := kp(t, "//Bob")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			start, err := nw.c.LatestHeight(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cfg := baseConfig(nw, false)
			cfg.SQLitePath, cfg.PostgresDSN = st.sqlite, st.postgres
			cfg.DepositSeed = "//DepositSeed"
			cfg.DepositStartHeight = start // watch from before the transfers below
			g := startGateway(t, nw, cfg)
			id, key, dep := createKey(t, g, "free")

			first, err := nw.c.Submit(ctx, bob, client.Transfer(dep, 1_000_000_000), client.SubmitOptions{Wait: client.WaitFinal})
			if err != nil {
				t.Fatal(err)
			}
			waitCredited(t, ctx, g.url, key, 1e9)
			_, u := call(t, "GET", g.url+"/v1/usage", key, nil)
			ds := u["deposits"].([]any)
			if len(ds) != 1 || ds[0].(map[string]any)["height"] != float64(first.Height) ||
				!strings.EqualFold(ds[0].(map[string]any)["tx_hash"].(string), first.Hash) {
				t.Fatalf("deposits %v, want the transfer at height %d, tx %s", ds, first.Height, first.Hash)
			}
			g.stop()

			// The saved height falls back behind the credited block.
			s, err := gateway.OpenStore(ctx, st.sqlite, st.postgres)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreditDeposits(ctx, first.Height-1, nil); err != nil {
				t.Fatal(err)
			}
			if h, _, err := s.WatchedHeight(ctx); err != nil || h != first.Height-1 {
				t.Fatalf("watched height %d %v", h, err)
			}
			s.Close()

			// The restarted gateway has the key's account cached (credit 1e9) before its
			// watcher starts, so crediting the re-scanned block again would show in the
			// balance as well as in the store.
			cfg.ChainRPC, cfg.Logger = nw.node.RPC, slog.New(slog.DiscardHandler)
			gw, err := gateway.New(ctx, nw.gatewayHotkey, cfg)
			if err != nil {
				t.Fatal(err)
			}
			pre := httptest.NewServer(gw.Handler())
			_, b := call(t, "GET", pre.URL+"/v1/balance", key, nil)
			pre.Close()
			if b["credited_rao"] != 1e9 {
				t.Fatalf("balance before the watcher runs: %v", b)
			}
			g2 := serveGateway(t, gw)
			second, err := nw.c.Submit(ctx, bob, client.Transfer(dep, 500_000_000), client.SubmitOptions{Wait: client.WaitFinal})
			if err != nil {
				t.Fatal(err)
			}
			// Blocks are credited in order, so the second deposit arriving means the first
			// block was scanned again.
			waitCredited(t, ctx, g2.url, key, 1.5e9)
			if h, _, err := g2.gw.Store().WatchedHeight(ctx); err != nil || h < second.Height {
				t.Fatalf("watched height %d (%v), want at least %d", h, err, second.Height)
			}
			_, u = call(t, "GET", g2.url+"/v1/usage", key, nil)
			if ds := u["deposits"].([]any); len(ds) != 2 || ds[0].(map[string]any)["amount_rao"] != 1e9 || ds[1].(map[string]any)["amount_rao"] != 5e8 {
				t.Fatalf("deposits after the re-scan: %v", ds)
			}
			_, _, credited, err := g2.gw.Store().Totals(ctx, id, time.Now().UTC().Format(time.DateOnly))
			if err != nil || credited != 1_500_000_000 {
				t.Fatalf("store credits %d RAO (%v), want 1.5e9", credited, err)
			}
		})
	}
}

// serveGateway serves a gateway the test made, until stop (or the test's end), as
// startGateway does.
func serveGateway(t *testing.T, gw *gateway.Gateway) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := gw.Serve(ctx, ln); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); wg.Wait(); gw.Close() }) }
	t.Cleanup(stop)
	return &running{gw: gw, url: "http://" + ln.Addr().String(), stop: stop}
}

// waitCredited polls the key's balance, as a user would, until credited_rao reaches want,
// and fails if it goes past it.
func waitCredited(t *testing.T, ctx context.Context, url, key string, want float64) {
	t.Helper()
	for {
		_, b := call(t, "GET", url+"/v1/balance", key, nil)
		if got, _ := b["credited_rao"].(float64); got >= want {
			if got != want {
				t.Fatalf("credited %v RAO, want %v: a deposit was credited twice", got, want)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("deposit never credited: %v", b)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
