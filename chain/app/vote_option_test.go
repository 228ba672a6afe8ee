package app

import (
	"testing"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/tx/txpb"
)

// TestVoteOptionOutOfRange: the wire option is an int32 enum; values past
// veto (or negative) are invalid votes, not a vote whose low byte happens to
// name an option (257 is not yes, 258 is not no).
func TestVoteOptionOutOfRange(t *testing.T) {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100 * balances.RAOPerTAO})
	h.govOK(bob, &txpb.Propose{Title: "text", Deposit: testGovParams().MinDeposit, Kind: &txpb.Propose_Text{Text: &txpb.Text{}}})
	for _, o := range []txpb.VoteOption{0, 5, 256, 257, 258, 260, -255, -1} {
		h.govFails(alice, &txpb.Vote{ProposalId: 1, Option: o}, governance.ErrInvalidVoteOption)
	}
	if v := governance.Votes(h.app.tree, 1, 10); len(v) != 0 {
		t.Fatalf("invalid options recorded votes: %+v", v)
	}
	h.govOK(alice, &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_VETO})
}
