package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
)

// TestGovListStatusBehindNewest: `gov list --status passed` finds a passed proposal behind
// 1000 newer ones in another status. The chain serves the 1000 newest proposals; filtering
// those on the client would find none, so the list must ask the chain for the status.
func TestGovListStatusBehindNewest(t *testing.T) {
	g := &govChain{chainCLI: startChainCLI(t)}
	g.cl = g.dial()
	for _, name := range []string{"alice", "bob", "charlie"} {
		var k keyJSON
		g.ok(&k, "--wallet.name", name, "wallet", "regen_coldkey", "--uri", "//"+strings.ToUpper(name[:1])+name[1:], "--no-password")
	}
	old := g.propose("alice", "--title", "The old one", "--text", "--deposit", "10")
	for _, who := range []string{"alice", "bob", "charlie"} {
		g.vote(who, old.ID, "yes")
	}
	g.waitEnd(old)
	if s := g.show(old.ID); s.Status != governance.StatusPassed {
		t.Fatalf("the old proposal: %+v", s)
	}

	// 1000 newer proposals, still voting: they fill the unfiltered list.
	const newer = 1000
	dave, err := keys.FromURI("//Dave")
	if err != nil {
		t.Fatal(err)
	}
	for i := range newer {
		o := client.SubmitOptions{Wait: client.WaitNone}
		if i == newer-1 {
			o.Wait = client.WaitFinal // the last one in a block: the ones before it, with lower nonces, are too
		}
		if _, err := g.cl.Submit(t.Context(), dave, client.Propose("newer", "", 10*raoPerTAO, &txpb.Text{}), o); err != nil {
			t.Fatalf("proposal %d of %d: %v", i+1, newer, err)
		}
	}
	all, err := g.cl.Proposals(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != newer || slices.ContainsFunc(all, func(p api.Proposal) bool { return p.ID == old.ID }) {
		t.Fatalf("the unfiltered list holds %d proposals (want the %d newest, without %d)", len(all), newer, old.ID)
	}

	var list struct {
		Proposals []govListRow `json:"proposals"`
	}
	g.ok(&list, g.as("alice", "gov", "list", "--status", "Passed")...)
	if len(list.Proposals) != 1 || list.Proposals[0].ID != old.ID || list.Proposals[0].Status != governance.StatusPassed ||
		list.Proposals[0].Title != "The old one" || !list.Proposals[0].Tally.Final {
		t.Fatalf("gov list --status passed: %+v, want only proposal %d", list.Proposals, old.ID)
	}
	if r := g.run(g.as("alice", "gov", "list", "--status", "passed")...); r.code != 0 || !strings.Contains(r.stdout, "The old one") {
		t.Fatalf("gov list --status passed table: %+v", r)
	}
	list.Proposals = nil
	g.ok(&list, g.as("alice", "gov", "list", "--status", "vetoed")...)
	if len(list.Proposals) != 0 {
		t.Fatalf("gov list --status vetoed: %+v", list.Proposals)
	}
	g.failsWith(ExitUsage, []string{"--status is one of voting, passed, rejected, vetoed, failed"}, g.as("alice", "gov", "list", "--status", "open")...)
}
