package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node/nodetest"
)

// TestGatewayKeysCommands drives btcli gateway keys rotate and revoke and gateway limits
// list and reject against a real gateway (over a real node), given by GATEWAY_URL and
// GATEWAY_ADMIN_TOKEN: each takes effect on the API at once, and repeating a revoke or a
// decision, or naming an unknown tier, fails with a message. (create, list and approve run
// against a localnet in TestLocalnet.)
func TestGatewayKeysCommands(t *testing.T) {
	node := nodetest.Start(t, nodetest.Options{})
	cfg := gateway.TestConfig()
	cfg.ChainRPC = node.RPC
	cfg.AdminToken = "T"
	cfg.SQLitePath = filepath.Join(t.TempDir(), "gw.db")
	cfg.Models = []gateway.Model{{ID: "m", Netuid: 1}}
	hk, err := keys.FromURI("//Alice/gateway")
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(context.Background(), hk, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(func() { srv.Close(); gw.Close() })

	c := newCLI(t)
	c.env["GATEWAY_URL"] = srv.URL + "/v1"
	c.env["GATEWAY_ADMIN_TOKEN"] = "T"
	api := func(method, path, key, body string) int {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	type created struct{ ID, Key, Tier string }
	var k, rot created
	c.ok(&k, "gateway", "keys", "create", "ops")
	c.ok(&rot, "gateway", "keys", "rotate", k.ID)
	if rot.ID != k.ID || rot.Key == "" || rot.Key == k.Key || rot.Tier != "free" {
		t.Fatalf("rotate %s: %+v (was %+v)", k.ID, rot, k)
	}
	if code := api("GET", "/v1/models", k.Key, ""); code != http.StatusUnauthorized {
		t.Errorf("the key before rotate: HTTP %d, want 401", code)
	}
	if code := api("GET", "/v1/models", rot.Key, ""); code != http.StatusOK {
		t.Errorf("the rotated key: HTTP %d, want 200", code)
	}

	if code := api("POST", "/v1/limit_requests", rot.Key, `{"requests_per_minute":100,"reason":"more"}`); code != http.StatusCreated {
		t.Fatalf("limit request: HTTP %d", code)
	}
	var pending struct {
		Data []struct{ ID, KeyID, Status string }
	}
	c.ok(&pending, "gateway", "limits", "list")
	if len(pending.Data) != 1 || pending.Data[0].Status != "pending" {
		t.Fatalf("limits list: %+v", pending)
	}
	lr := pending.Data[0].ID
	var decided struct {
		ID, Status string
		KeyID      string `json:"key_id"`
	}
	c.ok(&decided, "gateway", "limits", "reject", lr)
	if decided.ID != lr || decided.Status != "rejected" || decided.KeyID != k.ID {
		t.Fatalf("reject: %+v", decided)
	}
	if msg := c.fails(ExitError, "gateway", "limits", "approve", lr); !strings.Contains(msg, lr) || !strings.Contains(msg, "not found") {
		t.Errorf("approving a rejected request: %s", msg)
	}
	var rejected, none struct{ Data []json.RawMessage }
	c.ok(&rejected, "gateway", "limits", "list", "--status", "rejected")
	c.ok(&none, "gateway", "limits", "list")
	if len(rejected.Data) != 1 || len(none.Data) != 0 {
		t.Errorf("after the reject: %d rejected, %d pending; want 1 and 0", len(rejected.Data), len(none.Data))
	}
	// The limits stay the tier's: a second request may be made.
	if code := api("POST", "/v1/limit_requests", rot.Key, `{"requests_per_minute":100,"reason":"again"}`); code != http.StatusCreated {
		t.Errorf("limit request after a reject: HTTP %d", code)
	}

	var revoked struct{ ID string }
	c.ok(&revoked, "gateway", "keys", "revoke", k.ID)
	if revoked.ID != k.ID {
		t.Fatalf("revoke: %+v", revoked)
	}
	if code := api("GET", "/v1/models", rot.Key, ""); code != http.StatusUnauthorized {
		t.Errorf("a revoked key: HTTP %d, want 401", code)
	}
	if msg := c.fails(ExitError, "gateway", "keys", "revoke", k.ID); !strings.Contains(msg, k.ID) {
		t.Errorf("revoking twice: %s", msg)
	}
	if msg := c.fails(ExitError, "gateway", "keys", "rotate", "key_nosuch"); !strings.Contains(msg, "key_nosuch") {
		t.Errorf("rotating an unknown key: %s", msg)
	}
	list := c.run("gateway", "keys", "list")
	if list.code != 0 || !strings.Contains(list.stdout, k.ID) || !strings.Contains(list.stdout, " revoked ") {
		t.Errorf("keys list after revoke: exit %d\n%s%s", list.code, list.stdout, list.stderr)
	}
	if msg := c.fails(ExitError, "gateway", "keys", "create", "x", "--tier", "platinum"); !strings.Contains(msg, "free, pro") {
		t.Errorf("unknown tier: %s", msg)
	}
}
