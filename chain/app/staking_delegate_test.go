package app

import (
	"slices"
	"testing"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// TestAddStakeLimitMakesDelegate: add_stake_limit by a coldkey that does not
// own the hotkey makes the hotkey a delegate with the take it has (§7.2,
// HEAD's maybe_become_delegate); by the owner, by plain add_stake, or when
// the call fails, the delegates stay as they were; a take already set is kept.
func TestAddStakeLimitMakesDelegate(t *testing.T) {
	hk := keyN(100) // Alice's subnet 1 hotkey
	amount := 10 * balances.RAOPerTAO
	high := uint64(100 * swap.PriceScale)
	for _, c := range []struct {
		name     string
		signer   string
		call     any
		fails    *errs.Error
		take     uint32 // set by the owner first when non-zero
		delegate bool
		wantTake uint64
	}{
		{"non-owner, limit", "Bob", &txpb.AddStakeLimit{Hotkey: hk.SS58(), Netuid: 1, Amount: amount, LimitPrice: high}, nil, 0, true, 11796},
		{"non-owner, limit, partial", "Bob", &txpb.AddStakeLimit{Hotkey: hk.SS58(), Netuid: 1, Amount: amount, LimitPrice: high, AllowPartial: true}, nil, 0, true, 11796},
		{"non-owner, limit on root", "Bob", &txpb.AddStakeLimit{Hotkey: hk.SS58(), Netuid: 0, Amount: amount, LimitPrice: high}, nil, 0, true, 11796},
		{"owner, limit", "Alice", &txpb.AddStakeLimit{Hotkey: hk.SS58(), Netuid: 1, Amount: amount, LimitPrice: high}, nil, 0, false, 11796},
		{"non-owner, plain add_stake", "Bob", &txpb.AddStake{Hotkey: hk.SS58(), Netuid: 1, Amount: amount}, nil, 0, false, 11796},
		{"non-owner, limit already exceeded", "Bob", &txpb.AddStakeLimit{Hotkey: hk.SS58(), Netuid: 1, Amount: amount, LimitPrice: 1}, swap.ErrPriceLimitExceeded, 0, false, 11796},
		{"non-owner, below the minimum stake", "Bob", &txpb.AddStakeLimit{Hotkey: hk.SS58(), Netuid: 1, Amount: 1000, LimitPrice: high}, staking.ErrAmountTooLow, 0, false, 11796},
		{"non-owner, take already set", "Bob", &txpb.AddStakeLimit{Hotkey: hk.SS58(), Netuid: 1, Amount: amount, LimitPrice: high}, nil, 5000, true, 5000},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := stakingHarness(t, 1)
			alice, signer := dev(t, "Alice"), dev(t, c.signer)
			h.okc(alice, &txpb.SudoSetBalance{Who: dev(t, "Bob").SS58(), Free: 1000 * balances.RAOPerTAO})
			if c.take != 0 {
				h.okc(alice, &txpb.DecreaseTake{Hotkey: hk.SS58(), Take: c.take})
			}
			if isDelegate(h, hk) != (c.take != 0) {
				t.Fatalf("delegate before the stake: %v", c.take == 0)
			}
			if c.fails != nil {
				h.failsc(signer, c.call, c.fails)
			} else {
				h.okc(signer, c.call)
			}
			if got := isDelegate(h, hk); got != c.delegate {
				t.Fatalf("delegate %v, want %v", got, c.delegate)
			}
			if tk := staking.GetTake(h.app.tree, hk.Public()); tk.Take != c.wantTake {
				t.Fatalf("take %+v, want %d", tk, c.wantTake)
			}
		})
	}
}

func isDelegate(h *harness, hk *keys.Keypair) bool {
	return slices.Contains(staking.Delegates(h.app.tree, 1000), hk.Public())
}
