package gateway_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/node/nodetest"
)

// TestKeysStoredHashed: the database holds an API key's SHA-256, never the key, on both
// backends: neither the key's row nor (for SQLite) any byte of the database files
// carries the secret a client sends, before or after a rotate.
func TestKeysStoredHashed(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	dir := t.TempDir()
	stores := map[string]gateway.Config{"sqlite": {SQLitePath: filepath.Join(dir, "gw.db")}}
	if dsn := pgSchemaDSN(t); dsn != "" {
		stores["postgres"] = gateway.Config{PostgresDSN: dsn}
	}
	for name, st := range stores {
		t.Run(name, func(t *testing.T) {
			cfg := gateway.TestConfig()
			cfg.SQLitePath, cfg.PostgresDSN = st.SQLitePath, st.PostgresDSN
			cfg.ChainRPC, cfg.AdminToken = n.RPC, "admin-secret"
			cfg.Models = []gateway.Model{{ID: "m", Netuid: 1}}
			gw, err := gateway.New(context.Background(), kp(t, "//Alice/gateway"), cfg)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(gw.Handler())
			url := srv.URL
			resp, created := call(t, "POST", url+"/admin/keys", "admin-secret", map[string]string{"name": "n", "tier": "free"})
			if resp.StatusCode != 201 {
				t.Fatalf("create: %d %v", resp.StatusCode, created)
			}
			id, first := created["id"].(string), created["key"].(string)
			resp, rotated := call(t, "POST", url+"/admin/keys/"+id+"/rotate", "admin-secret", nil)
			if resp.StatusCode != 200 {
				t.Fatalf("rotate: %d %v", resp.StatusCode, rotated)
			}
			second := rotated["key"].(string)
			if r, _ := call(t, "GET", url+"/v1/models", second, nil); r.StatusCode != 200 {
				t.Fatalf("the rotated key: %d", r.StatusCode)
			}
			k, err := gw.Store().Key(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(second))
			if k.Hash != hex.EncodeToString(sum[:]) {
				t.Errorf("stored hash %q is not the key's SHA-256", k.Hash)
			}
			for _, f := range []string{k.ID, k.Hash, k.Prefix, k.Name, k.Tier, k.DepositAddress} {
				for _, secret := range []string{first, second} {
					if strings.Contains(f, secret) {
						t.Errorf("the stored key row holds the secret: %+v", k)
					}
				}
			}
			srv.Close()
			if err := gw.Close(); err != nil {
				t.Fatal(err)
			}
			if st.SQLitePath == "" {
				return
			}
			files, _ := filepath.Glob(st.SQLitePath + "*")
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for _, secret := range []string{first, second} {
					if bytes.Contains(b, []byte(secret)) {
						t.Errorf("%s holds an API key in clear", filepath.Base(f))
					}
				}
			}
		})
	}
}
