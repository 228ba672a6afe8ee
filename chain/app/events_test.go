package app

import (
	"context"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/tx/txpb"
)

// finalize runs one block like h.block but returns the whole response, with
// the block-level events.
func (h *harness) finalize(txs ...[]byte) *abci.FinalizeBlockResponse {
	h.t.Helper()
	h.height++
	resp, err := h.app.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: h.height, Txs: txs, Time: time.Unix(1700000000+h.height, 0), ProposerAddress: proposer})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.app.Commit(context.Background(), &abci.CommitRequest{}); err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// findEvent returns the attributes of the first event of type typ whose
// attributes include every pair in want, or nil.
func findEvent(evs []abci.Event, typ string, want map[string]string) map[string]string {
	for _, e := range evs {
		if e.Type != typ {
			continue
		}
		attrs := map[string]string{}
		for _, a := range e.Attributes {
			attrs[a.Key] = a.Value
		}
		ok := true
		for k, v := range want {
			if attrs[k] != v {
				ok = false
			}
		}
		if ok {
			return attrs
		}
	}
	return nil
}

// Every balance change of a transfer, a reaping transfer and sudo
// set_balance is announced by an event with the account and amount, so
// indexers and wallets can follow balances without reading state.
func TestBalanceChangesEmitEvents(t *testing.T) {
	h := newHarness(t)
	alice, bob, dave, eve, ferdie := dev(t, "Alice"), dev(t, "Bob"), dev(t, "Dave"), dev(t, "Eve"), dev(t, "Ferdie")
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	expect := func(evs []abci.Event, typ string, want map[string]string) {
		t.Helper()
		if findEvent(evs, typ, want) == nil {
			t.Errorf("no %s event with %v in %v", typ, want, evs)
		}
	}

	// A transfer that creates Dave's account and leaves Bob below the
	// existential deposit: fee withdrawn, transfer, endowment, dust lost,
	// and the block's fees paid to the proposer's reward account.
	value := 10*balances.RAOPerTAO - fee(h, h.sign(bob, 0, transfer(dave.SS58(), 9*balances.RAOPerTAO))) - 100
	raw := h.sign(bob, 0, transfer(dave.SS58(), value))
	f := fee(h, raw)
	resp := h.finalize(raw)
	if resp.TxResults[0].Code != 0 {
		t.Fatal(resp.TxResults[0].Log)
	}
	evs := resp.TxResults[0].Events
	expect(evs, balances.EventWithdraw, map[string]string{balances.AttrAccount: bob.SS58(), balances.AttrAmount: u(f)})
	expect(evs, balances.EventTransfer, map[string]string{balances.AttrFrom: bob.SS58(), balances.AttrTo: dave.SS58(), balances.AttrAmount: u(value)})
	expect(evs, balances.EventEndowed, map[string]string{balances.AttrAccount: dave.SS58(), balances.AttrFree: u(value)})
	expect(evs, balances.EventDustLost, map[string]string{balances.AttrAccount: bob.SS58(), balances.AttrAmount: u(10*balances.RAOPerTAO - f - value)})
	expect(resp.Events, EventFeesPaid, map[string]string{AttrRewardAcount: ferdie.SS58(), AttrAmount: u(f)})
	expect(resp.Events, balances.EventDeposit, map[string]string{balances.AttrAccount: ferdie.SS58(), balances.AttrAmount: u(f)})

	// Sudo set_balance.
	resp = h.finalize(h.sign(alice, 0, &txpb.Call{Call: &txpb.Call_SudoSetBalance{SudoSetBalance: &txpb.SudoSetBalance{Who: eve.SS58(), Free: 5 * balances.RAOPerTAO}}}))
	if resp.TxResults[0].Code != 0 {
		t.Fatal(resp.TxResults[0].Log)
	}
	expect(resp.TxResults[0].Events, balances.EventBalanceSet, map[string]string{balances.AttrAccount: eve.SS58(), balances.AttrFree: u(5 * balances.RAOPerTAO)})
}
