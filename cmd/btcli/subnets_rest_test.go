package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
)

// restGet fetches url into out (when not nil) and returns the status and body.
func restGet(t *testing.T, url string, out any) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("GET %s: %v\n%s", url, err, b)
		}
	}
	return resp.StatusCode, string(b)
}

// TestSubnetQueriesOverREST reads what the CLI set up through the node's REST facade:
// subnets list and info (with identity and burn price), hyperparameters, neurons (all
// and one, with the axon), commitments, lock cost, global parameters and a coldkey
// identity; unknown and malformed netuids answer 404 and 400; OpenAPI lists every path.
func TestSubnetQueriesOverREST(t *testing.T) {
	c := startChainCLI(t)
	c.wallet("alice", "//Alice", "//AliceHot")
	c.wallet("bob", "//Bob", "//BobHot")
	c.wallet("charlie", "//Charlie", "//CharlieHot")
	bobHot, charlieHot := ss58(t, "//BobHot"), ss58(t, "//CharlieHot")
	var cr createResult
	c.ok(&cr, c.as("bob", "subnets", "create", "--subnet-name", "restnet")...)
	var reg registerResult
	c.ok(&reg, c.as("charlie", "subnets", "register", "--netuid", "1")...)
	var ax axonResult
	c.ok(&ax, c.as("charlie", "axon", "serve", "--netuid", "1", "--ip", "203.0.113.9", "--port", "8091")...)
	var tr transferResult
	c.ok(&tr, c.as("charlie", "wallet", "transfer", "--dest", charlieHot, "--amount", "1")...)
	var cm commitResult
	c.ok(&cm, c.as("charlie", "subnets", "commit", "--netuid", "1", "--data", "sha256:abc")...)
	var wi identityResult
	c.ok(&wi, c.as("bob", "wallet", "set-identity", "--name", "Bob")...)
	base := c.n.REST + "/api/v1"

	var list []api.Subnet
	if code, body := restGet(t, base+"/subnets", &list); code != 200 || len(list) != 2 || list[1].Netuid != 1 {
		t.Fatalf("GET /subnets: %d %s", code, body)
	}
	var s api.Subnet
	if code, body := restGet(t, base+"/subnets/1", &s); code != 200 || s.OwnerHotkey != bobHot || s.Neurons != 2 ||
		s.Identity == nil || s.Identity.SubnetName != "restnet" || s.Burn == 0 || s.Pool.TAO == 0 {
		t.Fatalf("GET /subnets/1: %d %s", code, body)
	}
	var hp []api.Hyperparameter
	if code, body := restGet(t, base+"/subnets/1/hyperparameters", &hp); code != 200 || len(hp) == 0 {
		t.Fatalf("GET hyperparameters: %d %s", code, body)
	}
	if p, ok := findParam(hp, "immunity_period"); !ok || !p.OwnerSettable || p.Value != 100 {
		t.Errorf("immunity_period over REST: %+v", p)
	}
	var ns []api.Neuron
	if code, body := restGet(t, base+"/subnets/1/neurons", &ns); code != 200 || len(ns) != 2 || ns[1].Hotkey != charlieHot {
		t.Fatalf("GET neurons: %d %s", code, body)
	}
	var n api.Neuron
	if code, body := restGet(t, base+"/subnets/1/neurons/1", &n); code != 200 || n.Axon == nil || n.Axon.IP != "203.0.113.9" || n.Axon.Port != 8091 {
		t.Fatalf("GET neurons/1: %d %s", code, body)
	}
	var cs []api.Commitment
	if code, body := restGet(t, base+"/subnets/1/commitments", &cs); code != 200 || len(cs) != 1 || string(cs[0].Data) != "sha256:abc" || cs[0].Hotkey != charlieHot {
		t.Fatalf("GET commitments: %d %s", code, body)
	}
	// Neurons in full (the metagraph with weights and bonds) and lite.
	var full, lite api.Metagraph
	if code, body := restGet(t, base+"/subnets/1/metagraph?full=true", &full); code != 200 || len(full.Hotkeys) != 2 || len(full.Weights) != 2 {
		t.Fatalf("GET metagraph?full=true: %d %.300s", code, body)
	}
	if code, body := restGet(t, base+"/subnets/1/metagraph", &lite); code != 200 || len(lite.Hotkeys) != 2 || lite.Weights != nil {
		t.Fatalf("GET metagraph: %d %.300s", code, body)
	}
	var lc api.LockCost
	if code, body := restGet(t, base+"/lock-cost", &lc); code != 200 || lc.LockCost <= cr.Lock {
		t.Fatalf("GET lock-cost after one registration: %d %s (first lock %d)", code, body, cr.Lock)
	}
	var gp []api.Hyperparameter
	if code, body := restGet(t, base+"/network-params", &gp); code != 200 {
		t.Fatalf("GET network-params: %d %s", code, body)
	}
	if p, ok := findParam(gp, "subnet_limit"); !ok || p.Value == 0 {
		t.Errorf("subnet_limit over REST: %+v", p)
	}
	var id api.ChainIdentity
	if code, body := restGet(t, base+"/identities/"+ss58(t, "//Bob"), &id); code != 200 || id.Name != "Bob" {
		t.Fatalf("GET identity: %d %s", code, body)
	}

	for path, want := range map[string]int{
		"/subnets/99":          404,
		"/subnets/99/neurons":  404,
		"/subnets/1/neurons/7": 404,
		"/subnets/abc":         400,
	} {
		if code, body := restGet(t, base+path, nil); code != want || !strings.Contains(body, `"error"`) {
			t.Errorf("GET %s: %d %s, want %d with an error", path, code, body, want)
		}
	}

	var oa struct {
		Paths map[string]any `json:"paths"`
	}
	if code, _ := restGet(t, c.n.REST+"/openapi.json", &oa); code != 200 {
		t.Fatal("openapi.json")
	}
	for _, p := range []string{"/api/v1/subnets", "/api/v1/subnets/{netuid}", "/api/v1/subnets/{netuid}/hyperparameters",
		"/api/v1/subnets/{netuid}/neurons", "/api/v1/subnets/{netuid}/neurons/{uid}", "/api/v1/subnets/{netuid}/commitments",
		"/api/v1/subnets/{netuid}/metagraph", "/api/v1/lock-cost", "/api/v1/network-params", "/api/v1/identities/{coldkey}"} {
		if oa.Paths[p] == nil {
			t.Errorf("openapi.json has no %s", p)
		}
	}
}
