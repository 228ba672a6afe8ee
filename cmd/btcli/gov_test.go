package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node"
)

// TestGovNames keeps the CLI's governance names equal to the chain's.
func TestGovNames(t *testing.T) {
	for _, p := range [][2]string{
		{evProposed, governance.EventProposed}, {evDeposited, governance.EventDeposited}, {evVoted, governance.EventVoted},
		{govKindParameterChange, governance.KindParameterChange}, {govKindDissolveSubnet, governance.KindDissolveSubnet},
		{govKindSafeMode, governance.KindSafeMode}, {govKindUpgrade, governance.KindUpgrade},
		{govKindRetireSudo, governance.KindRetireSudo}, {govKindText, governance.KindText}, {govStatusVoting, governance.StatusVoting},
	} {
		if p[0] != p[1] {
			t.Errorf("CLI name %q, chain %q", p[0], p[1])
		}
	}
	if want := []string{governance.StatusVoting, governance.StatusPassed, governance.StatusRejected, governance.StatusVetoed,
		governance.StatusFailed}; !slices.Equal(govStatuses, want) {
		t.Errorf("CLI statuses %q, chain %q", govStatuses, want)
	}
	for name, o := range govVoteOptions {
		if governance.Option(o).String() != name {
			t.Errorf("vote option %q is the chain's %q", name, governance.Option(o))
		}
	}
}

// TestGovTallyRules checks that the rules btcli shows (quorum reached, vetoed) agree with
// the chain's Outcome on boundary tallies, and the percentage formatting.
func TestGovTallyRules(t *testing.T) {
	p := governance.LocalnetParams()
	const iss = 6_000_000 * raoPerTAO
	for _, tc := range []struct {
		name                   string
		issuance               uint64
		yes, no, abstain, veto uint64
		want                   string
	}{
		{"no votes", iss, 0, 0, 0, 0, governance.StatusRejected},
		{"just below quorum", iss, iss*334/1000 - 1, 0, 0, 0, governance.StatusRejected},
		{"exactly quorum", iss, iss * 334 / 1000, 0, 0, 0, governance.StatusPassed},
		{"veto at threshold", 2_000_000, 666_000, 0, 0, 334_000, governance.StatusVetoed},
		{"veto just below", 2_000_000, 666_001, 0, 0, 333_999, governance.StatusPassed},
		{"half yes is not more than half", 2_000, 500, 500, 0, 0, governance.StatusRejected},
		{"abstain counts for quorum only", 8_000_000, 1, 0, 3_000_000, 0, governance.StatusPassed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := governance.Outcome(governance.Tally{Yes: tc.yes, No: tc.no, Abstain: tc.abstain, Veto: tc.veto, Issuance: tc.issuance}, p)
			if got != tc.want {
				t.Fatalf("chain outcome %s, want %s", got, tc.want)
			}
			cast := tc.yes + tc.no + tc.abstain + tc.veto
			quorum := govAtLeast(cast, tc.issuance, p.QuorumPPM)
			vetoed := cast > 0 && govAtLeast(tc.veto, cast, p.VetoPPM)
			if got != governance.StatusRejected && !quorum {
				t.Errorf("btcli says quorum not reached for a %s tally", got)
			}
			if vetoed != (got == governance.StatusVetoed) {
				t.Errorf("btcli vetoed=%v, chain %s", vetoed, got)
			}
		})
	}
	for _, tc := range []struct{ got, want string }{
		{govPct(1, 3), "33.33%"}, {govPct(0, 0), "0.00%"}, {govPct(3_000_000, 6_000_000), "50.00%"},
		{govPPM(334_000), "33.4%"}, {govPPM(500_000), "50%"}, {govPPM(1), "0.0001%"},
		{formatTAO(govCeilShare(iss, 334_000)), "τ2004000"}, {strconv.FormatUint(govCeilShare(10, 334_000), 10), "4"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// govChain drives governance through the CLI against one real node.
type govChain struct {
	*chainCLI
	cl *client.Client
}

func (g *govChain) propose(who string, args ...string) govProposeResult {
	g.t.Helper()
	var r govProposeResult
	g.ok(&r, g.as(who, append([]string{"gov", "propose"}, args...)...)...)
	if r.ID == 0 || r.VotingEnd == 0 || r.Block == 0 {
		g.t.Fatalf("propose %v: %+v", args, r)
	}
	return r
}

func (g *govChain) vote(who string, id uint64, option ...string) govVoteResult {
	g.t.Helper()
	var r govVoteResult
	g.ok(&r, g.as(who, append([]string{"gov", "vote", "--id", strconv.FormatUint(id, 10)}, option...)...)...)
	return r
}

func (g *govChain) show(id uint64) govShowResult {
	g.t.Helper()
	var r govShowResult
	g.ok(&r, g.as("alice", "gov", "show", "--id", strconv.FormatUint(id, 10))...)
	return r
}

// waitEnd waits until the block after the last voting end is stored, so the block that
// tallied them is committed and queryable.
func (g *govChain) waitEnd(ps ...govProposeResult) {
	g.t.Helper()
	var end uint64
	for _, p := range ps {
		end = max(end, p.VotingEnd)
	}
	ctx, cancel := context.WithTimeout(g.t.Context(), 60*time.Second)
	defer cancel()
	if err := g.n.WaitHeight(ctx, int64(end)+1); err != nil {
		g.t.Fatal(err)
	}
}

func (g *govChain) free(uri string) uint64 {
	g.t.Helper()
	a, err := g.cl.Account(g.t.Context(), ss58(g.t, uri))
	if err != nil {
		g.t.Fatal(err)
	}
	return a.Free
}

func (g *govChain) issuance() uint64 {
	g.t.Helper()
	p, err := g.cl.Params(g.t.Context())
	if err != nil {
		g.t.Fatal(err)
	}
	return p.TotalIssuance
}

// chainRefuses submits call directly (no CLI pre-checks) and wants the chain's sentinel.
func (g *govChain) chainRefuses(uri string, call *txpb.Call, want error) {
	g.t.Helper()
	kp, err := keys.FromURI(uri)
	if err != nil {
		g.t.Fatal(err)
	}
	_, err = g.cl.Submit(g.t.Context(), kp, call, client.SubmitOptions{Wait: client.WaitFinal})
	if !errors.Is(err, want) {
		g.t.Errorf("chain accepted or refused otherwise: got %v, want %v", err, want)
	}
}

// restGet fetches a REST path of the node and decodes its JSON answer into out.
func (g *govChain) restGet(path string, out any) int {
	g.t.Helper()
	resp, err := http.Get(g.n.REST + path)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		g.t.Fatalf("GET %s: %d, body not JSON: %v", path, resp.StatusCode, err)
	}
	return resp.StatusCode
}

// checkREST reads round 1's outcome through the REST endpoints: the proposal list, one
// proposal with its votes and final tally, the governance parameters, and the refusals
// of an unknown and a malformed id.
func (g *govChain) checkREST(passed, vetoed, safeMode uint64) {
	g.t.Helper()
	var list []api.Proposal
	if code := g.restGet("/api/v1/governance/proposals", &list); code != http.StatusOK || len(list) != 3 ||
		list[0].ID != safeMode || list[1].ID != vetoed || list[1].Status != governance.StatusVetoed || list[2].ID != passed {
		g.t.Fatalf("REST proposals: %d %+v", code, list)
	}
	var p api.Proposal
	if code := g.restGet(fmt.Sprintf("/api/v1/governance/proposals/%d", passed), &p); code != http.StatusOK ||
		p.Status != governance.StatusPassed || len(p.Votes) != 3 || p.Tally == nil || !p.Tally.Final ||
		p.Tally.Outcome != governance.StatusPassed || p.Kind != governance.KindParameterChange || p.Payload["name"] != "subnet_limit" {
		g.t.Fatalf("REST proposal %d: %d %+v", passed, code, p)
	}
	var gp api.GovernanceParams
	if code := g.restGet("/api/v1/governance/params", &gp); code != http.StatusOK || !gp.SafeMode || gp.VotingPeriod != 40 || gp.Sudo == "" {
		g.t.Fatalf("REST governance params: %d %+v", code, gp)
	}
	var e struct {
		Error string `json:"error"`
	}
	if code := g.restGet("/api/v1/governance/proposals/999", &e); code != http.StatusNotFound || !strings.Contains(e.Error, "no proposal 999") {
		g.t.Fatalf("REST unknown proposal: %d %+v", code, e)
	}
	if code := g.restGet("/api/v1/governance/proposals/abc", &e); code != http.StatusBadRequest || !strings.Contains(e.Error, "must be a number") {
		g.t.Fatalf("REST malformed id: %d %+v", code, e)
	}
}

// TestGovAgainstRealNode passes, vetoes and fails proposals by the dev accounts' votes on
// an in-process localnet node (voting period 40 blocks, quorum 33.4% of 6,000,000 TAO:
// Alice, Bob and Charlie together hold 50%).
func TestGovAgainstRealNode(t *testing.T) {
	start := time.Now()
	g := &govChain{chainCLI: startChainCLI(t)}
	g.cl = g.dial()
	for _, name := range []string{"alice", "bob", "charlie", "dave", "eve"} {
		var k keyJSON
		g.ok(&k, "--wallet.name", name, "wallet", "regen_coldkey", "--uri", "//"+strings.ToUpper(name[:1])+name[1:], "--no-password")
	}
	issuance0 := g.issuance()
	var gp govParamsResult
	g.ok(&gp, g.as("alice", "gov", "params")...)
	if gp.MinDeposit != 10*raoPerTAO || gp.VotingPeriod != 40 || gp.Quorum != "33.4%" || gp.QuorumTAO != 2_004_000*raoPerTAO ||
		gp.SafeMode || gp.SudoRetired || gp.Sudo != ss58(t, "//Alice") {
		t.Fatalf("params: %+v", gp)
	}

	// Round 1: a parameter change that passes, a text proposal that is vetoed, safe mode on.
	p1 := g.propose("alice", "--title", "Raise the subnet limit", "--description", "more room", "--deposit", "10",
		"--param", "subnet_limit", "--value", "77")
	p2 := g.propose("dave", "--title", "Burn me", "--text", "--deposit", "25")
	var dep govDepositResult
	g.ok(&dep, g.as("eve", "gov", "deposit", "--id", strconv.FormatUint(p2.ID, 10), "--amount", "5")...)
	if dep.Deposit != 30*raoPerTAO || dep.Amount != 5*raoPerTAO {
		t.Fatalf("deposit: %+v", dep)
	}
	p3 := g.propose("bob", "--title", "Pause the chain", "--safe-mode", "on", "--deposit", "10")
	if p1.Kind != governance.KindParameterChange || p2.Kind != governance.KindText || p3.Kind != governance.KindSafeMode ||
		p1.Effect != "set global parameter subnet_limit = 77" || p1.VotingEnd != uint64(p1.Block)+40 {
		t.Fatalf("proposals: %+v %+v %+v", p1, p2, p3)
	}

	// A later vote replaces the earlier one.
	if v := g.vote("alice", p1.ID, "no"); v.Option != "no" || v.Replaced != "" {
		t.Fatalf("first vote: %+v", v)
	}
	if v := g.vote("alice", p1.ID, "yes"); v.Option != "yes" || v.Replaced != "no" {
		t.Fatalf("second vote: %+v", v)
	}
	g.vote("bob", p1.ID, "yes")
	g.vote("charlie", p1.ID, "--option", "YES")
	g.vote("alice", p2.ID, "veto")
	g.vote("bob", p2.ID, "veto")
	g.vote("charlie", p2.ID, "yes")
	for _, who := range []string{"alice", "bob", "charlie"} {
		g.vote(who, p3.ID, "yes")
	}
	s1 := g.show(p1.ID)
	if len(s1.Votes) != 3 || s1.Status != governance.StatusVoting || s1.TallyView.Final || !s1.TallyView.QuorumReached ||
		s1.TallyView.Outcome != governance.StatusPassed || s1.TallyView.Voters != 3 || s1.TallyView.Yes == 0 {
		t.Fatalf("show so far: %+v", s1)
	}
	for _, v := range s1.Votes {
		if v.Voter == ss58(t, "//Alice") && v.Option != "yes" {
			t.Fatalf("alice's vote: %+v", s1.Votes)
		}
	}
	var t2 govTallyView
	g.ok(&t2, g.as("alice", "gov", "tally", "--id", strconv.FormatUint(p2.ID, 10))...)
	if !t2.Vetoed || t2.Outcome != governance.StatusVetoed || t2.VetoShare != "66.66%" {
		t.Fatalf("tally so far: %+v", t2)
	}
	if r := g.run(g.as("alice", "gov", "tally", "--id", strconv.FormatUint(p1.ID, 10))...); r.code != 0 ||
		!strings.Contains(r.stdout, "needs ≥ 33.4%: reached") || !strings.Contains(r.stdout, "Outcome so far: passed") {
		t.Fatalf("tally table: %+v", r)
	}

	// Bad input while voting: each refused by the CLI with the chain's error name, and by
	// the chain itself when submitted directly.
	id1 := strconv.FormatUint(p1.ID, 10)
	for _, tc := range []struct {
		name string
		code int
		args []string
		want string
	}{
		{"deposit below minimum", ExitError, []string{"gov", "propose", "--title", "x", "--text", "--deposit", "9.999999999"}, "DepositTooLow"},
		{"unknown parameter", ExitUsage, []string{"gov", "propose", "--title", "x", "--deposit", "10", "--param", "no_such", "--value", "1"}, "InvalidProposal"},
		{"value out of bounds", ExitUsage, []string{"gov", "propose", "--title", "x", "--deposit", "10", "--param", "subnet_limit", "--value", "0"}, "ValueNotInBounds"},
		{"unknown subnet", ExitError, []string{"gov", "propose", "--title", "x", "--deposit", "10", "--dissolve-netuid", "42"}, "subnet 42 does not exist"},
		{"upgrade before the vote ends", ExitUsage, []string{"gov", "propose", "--title", "x", "--deposit", "10", "--upgrade-name", "v2", "--upgrade-height", "5"}, "InvalidProposal"},
		{"two kinds", ExitUsage, []string{"gov", "propose", "--title", "x", "--deposit", "10", "--text", "--retire-sudo"}, "one proposal does one thing"},
		{"no kind", ExitUsage, []string{"gov", "propose", "--title", "x", "--deposit", "10"}, "--safe-mode on|off"},
		{"no title", ExitUsage, []string{"gov", "propose", "--deposit", "10", "--text"}, "--title"},
		{"bad safe mode", ExitUsage, []string{"gov", "propose", "--title", "x", "--deposit", "10", "--safe-mode", "maybe"}, "on or off"},
		{"unknown proposal vote", ExitError, []string{"gov", "vote", "--id", "999", "yes"}, "UnknownProposal"},
		{"unknown proposal deposit", ExitError, []string{"gov", "deposit", "--id", "999", "--amount", "1"}, "UnknownProposal"},
		{"unknown proposal show", ExitError, []string{"gov", "show", "--id", "999"}, "UnknownProposal"},
		{"bad option", ExitUsage, []string{"gov", "vote", "--id", id1, "maybe"}, "InvalidVoteOption"},
		{"no option", ExitUsage, []string{"gov", "vote", "--id", id1}, "InvalidVoteOption"},
		{"no id", ExitUsage, []string{"gov", "vote", "yes"}, "--id is required"},
		{"zero deposit", ExitUsage, []string{"gov", "deposit", "--id", id1, "--amount", "0"}, "greater than zero"},
	} {
		t.Run(tc.name, func(t *testing.T) { g.failsWith(tc.code, []string{tc.want}, g.as("alice", tc.args...)...) })
	}
	g.chainRefuses("//Alice", client.Propose("x", "", 5*raoPerTAO, &txpb.Text{}), governance.ErrDepositTooLow)
	g.chainRefuses("//Alice", client.Propose("x", "", 10*raoPerTAO, &txpb.ParameterChange{Name: "no_such", Value: 1}), governance.ErrInvalidProposal)
	g.chainRefuses("//Alice", client.Propose("x", "", 10*raoPerTAO, &txpb.UpgradePlan{Name: "v2", Height: 5}), governance.ErrInvalidProposal)
	g.chainRefuses("//Alice", client.Propose("x", "", 10*raoPerTAO, &txpb.DissolveSubnet{Netuid: 42}), governance.ErrInvalidProposal)
	g.chainRefuses("//Alice", client.Propose("", "", 10*raoPerTAO, &txpb.Text{}), governance.ErrInvalidProposal)
	g.chainRefuses("//Alice", client.Vote(999, txpb.VoteOption_VOTE_OPTION_YES), governance.ErrUnknownProposal)
	g.chainRefuses("//Alice", client.DepositOn(999, raoPerTAO), governance.ErrUnknownProposal)
	g.chainRefuses("//Alice", client.Vote(p1.ID, txpb.VoteOption(7)), governance.ErrInvalidVoteOption)

	g.waitEnd(p1, p2, p3)

	// The parameter change passed and took effect; deposits came back.
	if s := g.show(p1.ID); s.Status != governance.StatusPassed || !s.TallyView.Final || s.TallyView.Outcome != governance.StatusPassed {
		t.Fatalf("p1 after the vote: %+v", s)
	}
	ps, err := g.cl.NetworkParams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := findParam(ps, "subnet_limit"); p.Value != 77 {
		t.Fatalf("subnet_limit after the vote: %d", p.Value)
	}
	// The vetoed proposal burned both deposits: issuance fell by exactly 30 TAO, and
	// neither Dave nor Eve got theirs back.
	if s := g.show(p2.ID); s.Status != governance.StatusVetoed {
		t.Fatalf("p2 after the vote: %+v", s)
	}
	if got := g.issuance(); got != issuance0-30*raoPerTAO {
		t.Fatalf("total issuance %d, want %d (genesis) − 30 TAO", got, issuance0)
	}
	if got, want := g.free("//Dave"), node.DevFunds-25*raoPerTAO-p2.Fee; got != want {
		t.Fatalf("dave holds %s, want %s", formatTAO(got), formatTAO(want))
	}
	if got, want := g.free("//Eve"), node.DevFunds-5*raoPerTAO-dep.Fee; got != want {
		t.Fatalf("eve holds %s, want %s", formatTAO(got), formatTAO(want))
	}
	gp = govParamsResult{}
	g.ok(&gp, g.as("alice", "gov", "params")...)
	if !gp.SafeMode || gp.Locked != 0 {
		t.Fatalf("params after round 1: %+v", gp)
	}
	g.checkREST(p1.ID, p2.ID, p3.ID)

	// Voting and depositing after the period are refused.
	g.failsWith(ExitError, []string{"VotingClosed", "passed"}, g.as("bob", "gov", "vote", "--id", id1, "no")...)
	g.failsWith(ExitError, []string{"VotingClosed"}, g.as("bob", "gov", "deposit", "--id", strconv.FormatUint(p2.ID, 10), "--amount", "1")...)
	g.chainRefuses("//Bob", client.Vote(p1.ID, txpb.VoteOption_VOTE_OPTION_NO), governance.ErrVotingClosed)

	// Safe mode blocks a transfer, not sudo or governance calls.
	charlie := ss58(t, "//Charlie")
	g.failsWith(ExitError, []string{"SafeModeActive"}, g.as("bob", "wallet", "transfer", "--dest", charlie, "--amount", "1")...)
	// ... before the question: nobody confirms a transfer the chain will refuse.
	if r := g.runIn("y\n", g.as("bob", "wallet", "transfer", "--dest", charlie, "--amount", "1")...); r.code != ExitError ||
		!strings.Contains(r.stderr, "SafeModeActive") || !strings.Contains(r.stderr, "--safe-mode off") || strings.Contains(r.stderr, "Do you want") {
		t.Fatalf("transfer in safe mode: exit %d\n%s", r.code, r.stderr)
	}
	g.chainRefuses("//Bob", client.Transfer(charlie, raoPerTAO), governance.ErrSafeModeActive)
	var set sudoSetResult
	g.ok(&set, g.as("alice", "sudo", "set", "--param", "subnet_limit", "--value", "78")...)

	// Round 2, in safe mode: lift it, and retire sudo.
	p4 := g.propose("bob", "--title", "Resume", "--safe-mode", "off", "--deposit", "10")
	p5 := g.propose("alice", "--title", "Retire sudo", "--retire-sudo", "--deposit", "10")
	for _, who := range []string{"alice", "bob", "charlie"} {
		g.vote(who, p4.ID, "yes")
		g.vote(who, p5.ID, "yes")
	}
	var list struct {
		Proposals []govListRow `json:"proposals"`
	}
	g.ok(&list, g.as("alice", "gov", "list")...)
	if len(list.Proposals) != 5 || list.Proposals[0].ID != p5.ID || list.Proposals[0].Status != governance.StatusVoting ||
		list.Proposals[0].Tally.Voters != 3 || list.Proposals[3].Status != governance.StatusVetoed || !list.Proposals[3].Tally.Final {
		t.Fatalf("list: %+v", list.Proposals)
	}
	if r := g.run(g.as("alice", "gov", "list")...); r.code != 0 || !strings.Contains(r.stdout, "Burn me") || !strings.Contains(r.stdout, "vetoed") {
		t.Fatalf("list table: %+v", r)
	}
	// Proposals by status.
	for status, want := range map[string][]uint64{"voting": {p5.ID, p4.ID}, "VETOED": {p2.ID}, "failed": nil} {
		list.Proposals = nil
		g.ok(&list, g.as("alice", "gov", "list", "--status", status)...)
		var got []uint64
		for _, r := range list.Proposals {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("gov list --status %s: %v, want %v", status, got, want)
		}
	}
	if r := g.run(g.as("alice", "gov", "list", "--status", "failed")...); r.code != 0 || !strings.Contains(r.stdout, "No failed proposals") {
		t.Fatalf("empty filtered list: %+v", r)
	}
	g.failsWith(ExitUsage, []string{"--status is one of voting, passed, rejected, vetoed, failed"}, g.as("alice", "gov", "list", "--status", "open")...)
	g.waitEnd(p4, p5)

	var tr transferResult
	g.ok(&tr, g.as("bob", "wallet", "transfer", "--dest", charlie, "--amount", "1")...)
	if !tr.Included {
		t.Fatalf("transfer after safe mode: %+v", tr)
	}
	gp = govParamsResult{}
	g.ok(&gp, g.as("alice", "gov", "params")...)
	if gp.SafeMode || !gp.SudoRetired || gp.Sudo != "" {
		t.Fatalf("params after round 2: %+v", gp)
	}
	// Sudo calls after retirement fail, through the CLI and on the chain.
	// The refusals name the way left: a governance proposal.
	g.failsWith(ExitError, []string{"BadOrigin", "retired", "btcli gov propose --title .. --param subnet_limit --value 79"},
		g.as("alice", "sudo", "set", "--param", "subnet_limit", "--value", "79")...)
	g.failsWith(ExitError, []string{"NotPermittedOnRootSubnet", "retired", "btcli gov propose"},
		g.as("alice", "sudo", "set", "--netuid", "0", "--param", "tempo", "--value", "60")...)
	g.chainRefuses("//Alice", client.SudoSetParameter("subnet_limit", 79), system.ErrNotSudo)
	g.failsWith(ExitError, []string{"already retired"}, g.as("alice", "gov", "propose", "--title", "again", "--deposit", "10", "--retire-sudo")...)
	t.Logf("governance scenario took %v", time.Since(start).Round(time.Millisecond))
}
