package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

func govCall(c any) *txpb.Call {
	switch v := c.(type) {
	case *txpb.Propose:
		return &txpb.Call{Call: &txpb.Call_Propose{Propose: v}}
	case *txpb.Vote:
		return &txpb.Call{Call: &txpb.Call_Vote{Vote: v}}
	case *txpb.Deposit:
		return &txpb.Call{Call: &txpb.Call_Deposit{Deposit: v}}
	}
	return call(c)
}

func (h *harness) gov(kp *keys.Keypair, c any) *abciResult {
	h.t.Helper()
	r := h.block(h.sign(kp, h.nonce(kp), govCall(c)))[0]
	return &abciResult{r.Code, r.Codespace, r.Log}
}

func (h *harness) govOK(kp *keys.Keypair, c any) {
	h.t.Helper()
	if r := h.gov(kp, c); r.code != 0 {
		h.t.Fatalf("%T: %s", c, r.log)
	}
}

func (h *harness) govFails(kp *keys.Keypair, c any, want *errs.Error) {
	h.t.Helper()
	r := h.gov(kp, c)
	if got, _ := errs.Lookup(r.codespace, r.code); r.code == 0 || got != want {
		h.t.Fatalf("%T: %s/%d %q, want %s", c, r.codespace, r.code, r.log, want.Name)
	}
}

func (h *harness) untilDone(id uint64) governance.Proposal {
	h.t.Helper()
	for i := 0; i < 100; i++ {
		if p, _ := governance.Get(h.app.tree, id); p.Status != governance.StatusVoting {
			return p
		}
		h.block()
	}
	h.t.Fatal("proposal never finished")
	return governance.Proposal{}
}

func TestGovernanceParameterChangeVetoAndSafeMode(t *testing.T) {
	h := newHarness(t)
	alice, bob, charlie := dev(t, "Alice"), dev(t, "Bob"), dev(t, "Charlie")
	// Alice holds most of the supply and votes; Bob proposes.
	dep := testGovParams().MinDeposit
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100 * balances.RAOPerTAO})
	h.govFails(bob, &txpb.Propose{Title: "x", Deposit: dep - 1, Kind: &txpb.Propose_Text{Text: &txpb.Text{}}}, governance.ErrDepositTooLow)
	h.govFails(bob, &txpb.Propose{Title: "bad", Deposit: dep, Kind: &txpb.Propose_ParameterChange{ParameterChange: &txpb.ParameterChange{Name: "subnet_limit", Value: 0}}}, governance.ErrInvalidProposal)
	h.govOK(bob, &txpb.Propose{Title: "raise subnet limit", Deposit: dep, Kind: &txpb.Propose_ParameterChange{ParameterChange: &txpb.ParameterChange{Name: "subnet_limit", Value: 200}}})
	checkSupply(t, h)
	bobAfterDeposit := h.free(bob)
	h.govOK(alice, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_NO})
	h.govOK(alice, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_YES}) // replaces the earlier vote
	h.govFails(alice, &txpb.Vote{ProposalId: 9, Option: txpb.VoteOption_VOTE_OPTION_YES}, governance.ErrUnknownProposal)
	h.govFails(alice, &txpb.Vote{ProposalId: 1, Option: 7}, governance.ErrInvalidVoteOption)
	var live api.Proposal
	h.query(api.PathProposals+"/1", &live)
	if live.Tally == nil || live.Tally.Outcome != governance.StatusPassed || len(live.Votes) != 1 || live.Votes[0].Option != "yes" {
		t.Fatalf("tally so far %+v votes %+v", live.Tally, live.Votes)
	}
	p := h.untilDone(1)
	if p.Status != governance.StatusPassed || subnets.GetParams(h.app.tree).SubnetLimit != 200 {
		t.Fatalf("status %s, subnet_limit %d", p.Status, subnets.GetParams(h.app.tree).SubnetLimit)
	}
	if h.free(bob) != bobAfterDeposit+dep {
		t.Fatal("deposit not returned")
	}
	h.govFails(alice, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_YES}, governance.ErrVotingClosed)
	checkSupply(t, h)

	// Vetoed: the deposit is burned.
	issuance := balances.TotalIssuance(h.app.tree)
	h.govOK(bob, &txpb.Propose{Title: "spam", Deposit: dep, Kind: &txpb.Propose_Text{Text: &txpb.Text{}}})
	h.govOK(alice, &txpb.Vote{ProposalId: 2, Option: txpb.VoteOption_VOTE_OPTION_VETO})
	if p := h.untilDone(2); p.Status != governance.StatusVetoed {
		t.Fatalf("status %s", p.Status)
	}
	if balances.TotalIssuance(h.app.tree) != issuance-dep {
		t.Fatal("vetoed deposit not burned")
	}
	checkSupply(t, h)

	// Safe mode blocks a transfer; governance still runs.
	h.govOK(bob, &txpb.Propose{Title: "pause", Deposit: dep, Kind: &txpb.Propose_SafeMode{SafeMode: &txpb.SafeMode{On: true}}})
	h.govOK(alice, &txpb.Vote{ProposalId: 3, Option: txpb.VoteOption_VOTE_OPTION_YES})
	h.untilDone(3)
	if rr := h.check(h.sign(bob, h.nonce(bob), transfer(charlie.SS58(), balances.RAOPerTAO))); rr.Code == 0 {
		t.Fatal("a transfer was admitted in safe mode")
	} else if e, _ := errs.Lookup(rr.Codespace, rr.Code); e != governance.ErrSafeModeActive {
		t.Fatalf("got %s", rr.Log)
	}
	h.govOK(bob, &txpb.Propose{Title: "resume", Deposit: dep, Kind: &txpb.Propose_SafeMode{SafeMode: &txpb.SafeMode{On: false}}})
	h.govOK(alice, &txpb.Vote{ProposalId: 4, Option: txpb.VoteOption_VOTE_OPTION_YES})
	h.untilDone(4)
	if rr := h.check(h.sign(bob, h.nonce(bob), transfer(charlie.SS58(), balances.RAOPerTAO))); rr.Code != 0 {
		t.Fatalf("transfer after safe mode: %s", rr.Log)
	}

	// Sudo retirement: sudo calls fail afterwards.
	h.govOK(bob, &txpb.Propose{Title: "retire sudo", Deposit: dep, Kind: &txpb.Propose_RetireSudo{RetireSudo: &txpb.RetireSudo{}}})
	h.govOK(alice, &txpb.Vote{ProposalId: 5, Option: txpb.VoteOption_VOTE_OPTION_YES})
	h.untilDone(5)
	h.fails(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1}, errs.BadOrigin)
	h.govFails(bob, &txpb.Propose{Title: "again", Deposit: dep, Kind: &txpb.Propose_RetireSudo{RetireSudo: &txpb.RetireSudo{}}}, governance.ErrInvalidProposal)
}

func TestSudoSafeMode(t *testing.T) {
	h := newHarness(t)
	alice, bob, charlie := dev(t, "Alice"), dev(t, "Bob"), dev(t, "Charlie")
	h.fails(bob, &txpb.SudoSetSafeMode{On: true}, errs.BadOrigin)
	h.ok(alice, &txpb.SudoSetSafeMode{On: true})
	if rr := h.check(h.sign(bob, h.nonce(bob), transfer(charlie.SS58(), balances.RAOPerTAO))); rr.Code == 0 {
		t.Fatal("transfer admitted in safe mode")
	}
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 50 * balances.RAOPerTAO}) // sudo still works
	h.ok(alice, &txpb.SudoSetSafeMode{On: false})
	if rr := h.check(h.sign(bob, h.nonce(bob), transfer(charlie.SS58(), balances.RAOPerTAO))); rr.Code != 0 {
		t.Fatal(rr.Log)
	}
}

func TestGovernanceNoQuorumAndFailedExecution(t *testing.T) {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	dep := testGovParams().MinDeposit
	// Bob alone (100 TAO of ~1100) cannot reach quorum.
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100 * balances.RAOPerTAO})
	h.govOK(bob, &txpb.Propose{Title: "t", Deposit: dep, Kind: &txpb.Propose_Text{Text: &txpb.Text{}}})
	h.govOK(bob, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_YES})
	if p := h.untilDone(1); p.Status != governance.StatusRejected {
		t.Fatalf("status %s", p.Status)
	}
	// A dissolve of a subnet that is gone by execution time fails, recorded.
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58()})
	h.govOK(alice, &txpb.Propose{Title: "dissolve 1", Deposit: dep, Kind: &txpb.Propose_DissolveSubnet{DissolveSubnet: &txpb.DissolveSubnet{Netuid: 1}}})
	h.govOK(alice, &txpb.Vote{ProposalId: 2, Option: txpb.VoteOption_VOTE_OPTION_YES})
	h.ok(alice, &txpb.SudoDissolveNetwork{Netuid: 1})
	if p := h.untilDone(2); p.Status != governance.StatusFailed || p.Error == "" {
		t.Fatalf("status %s error %q", p.Status, p.Error)
	}
	checkSupply(t, h)
}

// A passed upgrade plan halts the chain at its height for a binary that does not declare
// it: FinalizeBlock refuses the block with ErrUpgradeNotDeclared and calls
// Config.OnUpgradeNeeded with the plan, unlocked (the hook can query the application),
// on every try; a binary that declares the name executes the block and calls nothing.
func TestUpgradeHaltCallsHook(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	plan := uint64(h.height) + testGovParams().VotingPeriod + 5
	h.govOK(alice, &txpb.Propose{Title: "upgrade", Deposit: testGovParams().MinDeposit,
		Kind: &txpb.Propose_UpgradePlan{UpgradePlan: &txpb.UpgradePlan{Name: "v2", Height: plan, Info: "https://example.org/v2"}}})
	h.govOK(alice, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_YES})
	var calls []UpgradeHalt
	h.app.cfg.OnUpgradeNeeded = func(u UpgradeHalt) {
		// The application is unlocked: a query answers.
		if _, err := h.app.Info(context.Background(), &abci.InfoRequest{}); err != nil {
			t.Errorf("query from the hook: %v", err)
		}
		calls = append(calls, u)
	}
	if p := h.untilDone(1); p.Status != governance.StatusPassed {
		t.Fatalf("proposal %s", p.Status)
	}
	for uint64(h.height)+1 < plan {
		h.block()
	}
	if len(calls) != 0 {
		t.Fatalf("hook called below the plan's height: %+v", calls)
	}
	want := UpgradeHalt{Name: "v2", Info: "https://example.org/v2", Height: plan, Block: plan}
	for try := 1; try <= 2; try++ {
		_, err := h.app.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: int64(plan), Time: time.Unix(1700000000+int64(plan), 0), ProposerAddress: proposer})
		if !errors.Is(err, governance.ErrUpgradeNotDeclared) {
			t.Fatalf("block %d: %v, want ErrUpgradeNotDeclared", plan, err)
		}
		if len(calls) != try || calls[try-1] != want {
			t.Fatalf("try %d: hook calls %+v, want %d of %+v", try, calls, try, want)
		}
	}
	if h.app.CommittedHeight() != int64(plan)-1 {
		t.Fatalf("committed %d, want %d", h.app.CommittedHeight(), plan-1)
	}

	// The same state with the name declared goes on.
	h.app.cfg.Upgrades = []string{"v2"}
	h.block()
	h.block()
	if len(calls) != 2 || h.app.CommittedHeight() != int64(plan)+1 {
		t.Fatalf("declared: hook calls %d, committed %d", len(calls), h.app.CommittedHeight())
	}
}

// The payload kinds TestGovernanceParameterChangeVetoAndSafeMode does not pass take effect
// when passed: a subnet hyperparameter change, with sudo's rights though the proposer does
// not own the subnet, and a subnet dissolve; a text changes nothing. Every deposit returns.
func TestGovernanceExecutesSubnetPayloads(t *testing.T) {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	dep := testGovParams().MinDeposit
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100 * balances.RAOPerTAO})
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58()})
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(2).SS58()})
	if !subnets.Exists(h.app.tree, 1) || !subnets.Exists(h.app.tree, 2) {
		t.Fatal("subnets 1 and 2 not registered")
	}
	tempo := subnets.Hyper(h.app.tree, 1).Tempo + 7
	h.govOK(bob, &txpb.Propose{Title: "tempo", Deposit: dep, Kind: &txpb.Propose_ParameterChange{
		ParameterChange: &txpb.ParameterChange{HasNetuid: true, Netuid: 1, Name: "tempo", Value: tempo}}})
	h.govOK(bob, &txpb.Propose{Title: "dissolve 2", Deposit: dep, Kind: &txpb.Propose_DissolveSubnet{DissolveSubnet: &txpb.DissolveSubnet{Netuid: 2}}})
	h.govOK(bob, &txpb.Propose{Title: "signal", Deposit: dep, Kind: &txpb.Propose_Text{Text: &txpb.Text{}}})
	for id := uint64(1); id <= 3; id++ {
		h.govOK(alice, &txpb.Vote{ProposalId: id, Option: txpb.VoteOption_VOTE_OPTION_YES})
	}
	bobBefore := h.free(bob)
	checkSupply(t, h)
	// The dissolve's NetworkRemoved names the proposal, not sudo.
	var endEvents []abci.Event
	for i := 0; i < 100; i++ {
		if p, _ := governance.Get(h.app.tree, 2); p.Status != governance.StatusVoting {
			break
		}
		endEvents = append(endEvents, h.finalize().Events...)
	}
	for id := uint64(1); id <= 3; id++ {
		if p := h.untilDone(id); p.Status != governance.StatusPassed || p.Error != "" {
			t.Fatalf("proposal %d: %s %q", id, p.Status, p.Error)
		}
	}
	if ev := findEvent(endEvents, subnets.EventNetworkRemoved, map[string]string{"netuid": "2"}); ev == nil || ev["reason"] != "dissolved by governance proposal 2" {
		t.Fatalf("NetworkRemoved for subnet 2: %v, want reason %q", ev, "dissolved by governance proposal 2")
	}
	if got := subnets.Hyper(h.app.tree, 1).Tempo; got != tempo {
		t.Fatalf("subnet 1 tempo %d, want %d", got, tempo)
	}
	if subnets.Exists(h.app.tree, 2) || !subnets.Exists(h.app.tree, 1) {
		t.Fatalf("after the dissolve: subnet 1 exists %v, subnet 2 exists %v", subnets.Exists(h.app.tree, 1), subnets.Exists(h.app.tree, 2))
	}
	if h.free(bob) != bobBefore+3*dep || governance.Locked(h.app.tree) != 0 {
		t.Fatalf("bob holds %d, want %d; locked %d", h.free(bob), bobBefore+3*dep, governance.Locked(h.app.tree))
	}
	checkSupply(t, h)
}

// In safe mode a subnet hyperparameter change runs when the sudo key signs it and is
// paused when the subnet's owner does; a transfer is refused in DeliverTx too (a proposer
// may include it) and moves nothing, and governance calls still run.
func TestSafeModeHyperparameterAndDeliver(t *testing.T) {
	h := newHarness(t)
	alice, bob, charlie := dev(t, "Alice"), dev(t, "Bob"), dev(t, "Charlie")
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 5000 * balances.RAOPerTAO})
	h.ok(bob, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58()})
	h.ok(alice, &txpb.SudoSetSafeMode{On: true})
	immunity := subnets.Hyper(h.app.tree, 1).ImmunityPeriod
	h.fails(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "immunity_period", Value: immunity + 1}, governance.ErrSafeModeActive)
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "immunity_period", Value: immunity + 2})
	if got := subnets.Hyper(h.app.tree, 1).ImmunityPeriod; got != immunity+2 {
		t.Fatalf("immunity_period %d, want %d", got, immunity+2)
	}
	before := h.free(charlie)
	r := h.block(h.sign(bob, h.nonce(bob), transfer(charlie.SS58(), balances.RAOPerTAO)))[0]
	if e, _ := errs.Lookup(r.Codespace, r.Code); e != governance.ErrSafeModeActive || h.free(charlie) != before {
		t.Fatalf("transfer delivered in safe mode: %s/%d %q; charlie %d → %d", r.Codespace, r.Code, r.Log, before, h.free(charlie))
	}
	h.govOK(bob, &txpb.Propose{Title: "resume", Deposit: testGovParams().MinDeposit, Kind: &txpb.Propose_SafeMode{SafeMode: &txpb.SafeMode{On: false}}})
	checkSupply(t, h)
}

// govEvent finds the first event of type typ whose "id" attribute is id and returns its
// attributes, or nil.
func govEvent(evs []abci.Event, typ string, id uint64) map[string]string {
	for _, e := range evs {
		if e.Type != typ {
			continue
		}
		attrs := map[string]string{}
		for _, a := range e.Attributes {
			attrs[a.Key] = a.Value
		}
		if attrs["id"] == strconv.FormatUint(id, 10) {
			return attrs
		}
	}
	return nil
}

// Each governance step is an event: Proposed, Deposited and Voted on the transactions,
// and Tallied with the outcome, Executed or ExecutionFailed with the error on the block
// that ends the vote.
func TestGovernanceEvents(t *testing.T) {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	dep := testGovParams().MinDeposit
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100 * balances.RAOPerTAO})
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58()})
	txEvents := func(kp *keys.Keypair, c any) []abci.Event {
		t.Helper()
		r := h.block(h.sign(kp, h.nonce(kp), govCall(c)))[0]
		if r.Code != 0 {
			t.Fatalf("%T: %s", c, r.Log)
		}
		return r.Events
	}
	if e := govEvent(txEvents(bob, &txpb.Propose{Title: "signal", Deposit: dep, Kind: &txpb.Propose_Text{Text: &txpb.Text{}}}),
		governance.EventProposed, 1); e == nil || e["kind"] != governance.KindText || e["proposer"] != bob.SS58() || e["voting_end"] == "" {
		t.Fatalf("Proposed: %v", e)
	}
	if e := govEvent(txEvents(alice, &txpb.Deposit{ProposalId: 1, Amount: 3}), governance.EventDeposited, 1); e == nil ||
		e["depositor"] != alice.SS58() || e["amount"] != "3" {
		t.Fatalf("Deposited: %v", e)
	}
	if e := govEvent(txEvents(alice, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_YES}), governance.EventVoted, 1); e == nil ||
		e["voter"] != alice.SS58() || e["option"] != "yes" {
		t.Fatalf("Voted: %v", e)
	}
	h.govOK(alice, &txpb.Propose{Title: "dissolve 1", Deposit: dep, Kind: &txpb.Propose_DissolveSubnet{DissolveSubnet: &txpb.DissolveSubnet{Netuid: 1}}})
	h.govOK(alice, &txpb.Vote{ProposalId: 2, Option: txpb.VoteOption_VOTE_OPTION_YES})
	h.ok(alice, &txpb.SudoDissolveNetwork{Netuid: 1}) // gone before the vote ends: execution fails

	var evs []abci.Event
	for i := 0; i < 100; i++ {
		p, _ := governance.Get(h.app.tree, 2)
		if p.Status != governance.StatusVoting {
			break
		}
		h.height++
		resp, err := h.app.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: h.height, Time: time.Unix(1700000000+h.height, 0), ProposerAddress: proposer})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.app.Commit(context.Background(), &abci.CommitRequest{}); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, resp.Events...)
	}
	if e := govEvent(evs, governance.EventTallied, 1); e == nil || e["status"] != governance.StatusPassed || e["yes"] == "0" {
		t.Fatalf("Tallied 1: %v", e)
	}
	if e := govEvent(evs, governance.EventExecuted, 1); e == nil || e["kind"] != governance.KindText {
		t.Fatalf("Executed 1: %v", e)
	}
	if e := govEvent(evs, governance.EventTallied, 2); e == nil || e["status"] != governance.StatusPassed {
		t.Fatalf("Tallied 2: %v", e)
	}
	if e := govEvent(evs, governance.EventExecutionFailed, 2); e == nil || !strings.Contains(e["error"], "SubnetNotExists") {
		t.Fatalf("ExecutionFailed 2: %v", e)
	}
	if govEvent(evs, governance.EventExecuted, 2) != nil {
		t.Fatal("a failed execution also reported Executed")
	}
}

// Voting power is read when the vote ends, not when it is cast: TAO Bob moves to Charlie
// after both voted counts for Charlie's "no", not twice; Bob's alpha stake counts at its
// TAO value beside his free balance.
func TestVotingPowerAtTheEndOfTheVote(t *testing.T) {
	h := stakingHarness(t, 1)
	alice, bob, charlie := dev(t, "Alice"), dev(t, "Bob"), dev(t, "Charlie")
	h.okc(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1000 * balances.RAOPerTAO})
	h.okc(alice, &txpb.SudoSetBalance{Who: charlie.SS58(), Free: 1000 * balances.RAOPerTAO})
	h.okc(bob, &txpb.AddStake{Hotkey: keyN(100).SS58(), Netuid: 1, Amount: 400 * balances.RAOPerTAO})
	h.govOK(alice, &txpb.Propose{Title: "signal", Deposit: testGovParams().MinDeposit, Kind: &txpb.Propose_Text{Text: &txpb.Text{}}})
	h.govOK(bob, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_YES})
	h.govOK(charlie, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_NO})
	atVote := governance.VotingPower(h.app.tree, bob.Public())
	if r := h.block(h.sign(bob, h.nonce(bob), transfer(charlie.SS58(), 300*balances.RAOPerTAO)))[0]; r.Code != 0 {
		t.Fatal(r.Log)
	}
	p := h.untilDone(1)
	bobPower, charliePower := governance.VotingPower(h.app.tree, bob.Public()), governance.VotingPower(h.app.tree, charlie.Public())
	if p.Tally == nil || p.Tally.Voters != 2 || p.Tally.Yes != bobPower || p.Tally.No != charliePower {
		t.Fatalf("tally %+v, want yes %d (Bob at the end) and no %d (Charlie at the end)", p.Tally, bobPower, charliePower)
	}
	if p.Tally.Yes+290*balances.RAOPerTAO > atVote || p.Tally.No < 1300*balances.RAOPerTAO-balances.RAOPerTAO {
		t.Fatalf("the moved 300 TAO: bob %d at the vote, %d at the end; charlie %d at the end", atVote, p.Tally.Yes, p.Tally.No)
	}
	if p.Tally.Yes <= h.free(bob) || p.Tally.Yes > h.free(bob)+410*balances.RAOPerTAO {
		t.Fatalf("bob's power %d does not count his stake (~400 TAO) beside his free %d", p.Tally.Yes, h.free(bob))
	}
}

// A vote in the block the voting ends at is accepted and counted (docs/governance.md); one
// block later the proposal is closed.
func TestVoteInTheLastBlockCounts(t *testing.T) {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	h.govOK(alice, &txpb.Propose{Title: "signal", Deposit: testGovParams().MinDeposit, Kind: &txpb.Propose_Text{Text: &txpb.Text{}}})
	p, _ := governance.Get(h.app.tree, 1)
	for uint64(h.height)+1 < p.VotingEnd {
		h.block()
	}
	h.govOK(alice, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_YES}) // in block VotingEnd
	if uint64(h.height) != p.VotingEnd {
		t.Fatalf("voted in block %d, voting ends at %d", h.height, p.VotingEnd)
	}
	p, _ = governance.Get(h.app.tree, 1)
	if p.Status != governance.StatusPassed || p.Tally == nil || p.Tally.Voters != 1 || p.Tally.Yes == 0 {
		t.Fatalf("after the last block: %s %+v", p.Status, p.Tally)
	}
	h.govFails(bob, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_NO}, governance.ErrVotingClosed)
}
