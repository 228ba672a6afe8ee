package node_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node/nodetest"
)

// TestRESTProposalsStatusFilter: GET /api/v1/governance/proposals?status=S
// on a real node lists exactly the proposals in status S, whatever the
// case of S, and refuses an unknown status or parameter with a 400 that
// names the valid statuses. One proposal of each status: passed, vetoed,
// rejected (no quorum), failed (a dissolve of a subnet sudo dissolved
// first) and one still voting.
func TestRESTProposalsStatusFilter(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	c, _ := client.New(client.Config{Endpoints: []string{n.RPC}})
	defer c.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	alice, bob, charlie := dev(t, "Alice"), dev(t, "Bob"), dev(t, "Charlie")
	final := client.SubmitOptions{Wait: client.WaitFinal}
	submit := func(kp *keys.Keypair, call *txpb.Call) *client.Receipt {
		t.Helper()
		r, err := c.Submit(ctx, kp, call, final)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	propose := func(title string, kind any) uint64 {
		t.Helper()
		r := submit(alice, client.Propose(title, "", 10*balances.RAOPerTAO, kind))
		ev, _ := r.Event(governance.EventProposed)
		id, err := strconv.ParseUint(ev["id"], 10, 64)
		if err != nil {
			t.Fatalf("proposed event %v: %v", ev, err)
		}
		return id
	}
	vote := func(id uint64, o txpb.VoteOption, who ...*keys.Keypair) {
		t.Helper()
		for _, kp := range who {
			submit(kp, client.Vote(id, o))
		}
	}
	ev, _ := submit(alice, client.RegisterNetwork(dev(t, "Dave").SS58(), nil)).Event(subnets.EventNetworkAdded)
	netuid, err := strconv.ParseUint(ev["netuid"], 10, 16)
	if err != nil {
		t.Fatalf("NetworkAdded %v: %v", ev, err)
	}
	passed := propose("passes", &txpb.Text{})
	vetoed := propose("vetoed", &txpb.Text{})
	rejected := propose("no quorum", &txpb.Text{})
	failed := propose("dissolve the subnet", &txpb.DissolveSubnet{Netuid: uint32(netuid)})
	vote(passed, txpb.VoteOption_VOTE_OPTION_YES, alice, bob, charlie)
	vote(vetoed, txpb.VoteOption_VOTE_OPTION_VETO, alice, bob, charlie)
	vote(failed, txpb.VoteOption_VOTE_OPTION_YES, alice, bob, charlie)
	submit(alice, client.SudoDissolveNetwork(uint16(netuid))) // gone before the vote ends: execution fails

	// Wait for the four to finish (localnet votes for 40 blocks).
	for {
		if p, err := c.Proposal(ctx, failed); err == nil && p.Status != governance.StatusVoting {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the proposals never finished")
		case <-time.After(200 * time.Millisecond):
		}
	}
	voting := propose("still voting", &txpb.Text{})

	get := func(query string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(n.REST + "/api/v1/governance/proposals" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	ids := func(query string) []uint64 {
		t.Helper()
		code, b := get(query)
		var ps []api.Proposal
		if code != 200 || json.Unmarshal(b, &ps) != nil {
			t.Fatalf("%s: %d %s", query, code, b)
		}
		out := []uint64{}
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	for _, c := range []struct {
		query string
		want  []uint64
	}{
		{"", []uint64{voting, failed, rejected, vetoed, passed}},
		{"?status=passed", []uint64{passed}},
		{"?status=VETOED", []uint64{vetoed}},
		{"?status=Rejected", []uint64{rejected}},
		{"?status=failed", []uint64{failed}},
		{"?status=voting", []uint64{voting}},
		{"?status=voting&height=0", []uint64{voting}},
	} {
		if got := ids(c.query); !slices.Equal(got, c.want) {
			t.Errorf("%q: ids %v, want %v", c.query, got, c.want)
		}
	}
	if p, err := c.Proposal(ctx, failed); err != nil || p.Status != governance.StatusFailed {
		t.Fatalf("proposal %d: %+v %v; want failed (subnet dissolved before execution)", failed, p, err)
	}

	for _, q := range []string{"?status=open", "?status=", "?state=voting"} {
		code, b := get(q)
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(b, &e)
		if code != http.StatusBadRequest || !strings.Contains(e.Error, "voting") || !strings.Contains(e.Error, "vetoed") || !strings.Contains(e.Error, "failed") {
			t.Errorf("%q: %d %s; want 400 naming the valid statuses", q, code, b)
		}
	}
}
