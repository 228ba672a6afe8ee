package gateway_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/gateway"
)

// backends opens a fresh store per backend: SQLite always, PostgreSQL when there is one
// (GOTENSOR_PG_DSN, or a throwaway cluster from Debian's binaries: see postgresDSN), in a
// schema of its own.
func backends(t *testing.T) map[string]*gateway.Store {
	t.Helper()
	out := map[string]*gateway.Store{}
	s, err := gateway.OpenStore(t.Context(), filepath.Join(t.TempDir(), "gw.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	out["sqlite"] = s
	if dsn := pgSchemaDSN(t); dsn != "" {
		ps, err := gateway.OpenStore(t.Context(), "", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ps.Close() })
		out["postgres"] = ps
	}
	return out
}

// pgSchemaDSN returns a DSN whose search_path is a fresh schema named for the test, or ""
// (logged) when there is no PostgreSQL.
func pgSchemaDSN(t *testing.T) string {
	t.Helper()
	dsn, skipped := postgresDSN(t)
	if dsn == "" {
		t.Log("PostgreSQL half skipped: " + skipped)
		return ""
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema := "gwtest_" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '_'
	}, t.Name())
	schema = schema[:min(len(schema), 63)] // PostgreSQL's identifier limit
	if _, err := db.ExecContext(t.Context(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE; CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

func TestStoreBackends(t *testing.T) {
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			k := gateway.Key{ID: "key_1", Hash: "h1", Prefix: "sk-gt-abcd", Name: "n", Tier: "free", DepositAddress: "addr1", Created: 10}
			if err := s.CreateKey(ctx, k); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateKey(ctx, k); err == nil {
				t.Fatal("a duplicate key was created")
			}
			got, err := s.KeyByHash(ctx, "h1")
			if err != nil || got != k {
				t.Fatalf("by hash: %+v %v", got, err)
			}
			if _, err := s.KeyByHash(ctx, "nope"); !errors.Is(err, gateway.ErrNotFound) {
				t.Fatalf("missing key: %v", err)
			}
			if err := s.RotateKey(ctx, "key_1", "h2", "sk-gt-efgh"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.KeyByHash(ctx, "h1"); !errors.Is(err, gateway.ErrNotFound) {
				t.Fatal("the old hash still resolves after rotate")
			}
			// Usage adds up per (key, day, model).
			for range 2 {
				if err := s.AddUsage(ctx, []gateway.Usage{{KeyID: "key_1", Day: "2025-01-02", Model: "m", Requests: 1, PromptTokens: 2, CompletionTokens: 3, CostRAO: 7}}); err != nil {
					t.Fatal(err)
				}
			}
			us, err := s.Usage(ctx, "key_1", "2025-01-01")
			if err != nil || len(us) != 1 || us[0].Requests != 2 || us[0].CostRAO != 14 || us[0].CompletionTokens != 6 {
				t.Fatalf("usage %+v %v", us, err)
			}
			// Deposits: a replayed block credits nothing twice.
			d := gateway.Deposit{Height: 5, TxHash: "AB", EventIndex: 0, KeyID: "key_1", From: "bob", AmountRAO: 100, Credited: 1}
			for i, want := range []int{1, 0} {
				fresh, err := s.CreditDeposits(ctx, 5, []gateway.Deposit{d})
				if err != nil || len(fresh) != want {
					t.Fatalf("credit %d: %d fresh, %v", i, len(fresh), err)
				}
			}
			if h, ok, err := s.WatchedHeight(ctx); h != 5 || !ok || err != nil {
				t.Fatalf("watched %d %v %v", h, ok, err)
			}
			tok, spent, credited, err := s.Totals(ctx, "key_1", "2025-01-02")
			if err != nil || tok != 10 || spent != 14 || credited != 100 {
				t.Fatalf("totals %d %d %d %v", tok, spent, credited, err)
			}
			// Limit requests.
			if err := s.CreateLimitRequest(ctx, gateway.LimitRequest{ID: "lr_1", KeyID: "key_1", RPM: 99, TokensPerDay: 999, Reason: "more", Created: 3}); err != nil {
				t.Fatal(err)
			}
			if rs, _ := s.LimitRequests(ctx, "pending"); len(rs) != 1 {
				t.Fatalf("pending %+v", rs)
			}
			if lr, err := s.DecideLimitRequest(ctx, "lr_1", true, 4); err != nil || lr.Status != "approved" {
				t.Fatalf("approve %+v %v", lr, err)
			}
			if _, err := s.DecideLimitRequest(ctx, "lr_1", false, 5); !errors.Is(err, gateway.ErrNotFound) {
				t.Fatalf("decided twice: %v", err)
			}
			if k, _ := s.Key(ctx, "key_1"); k.RPM != 99 || k.TokensPerDay != 999 {
				t.Fatalf("limits not applied: %+v", k)
			}
			if err := s.RevokeKey(ctx, "key_1", 9); err != nil {
				t.Fatal(err)
			}
			if err := s.RevokeKey(ctx, "key_1", 9); !errors.Is(err, gateway.ErrNotFound) {
				t.Fatalf("revoked twice: %v", err)
			}
		})
	}
}
