package governance

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

func fundedEnv(t *testing.T, kv store.KV, who keys.PublicKey, height int64) *env.Env {
	t.Helper()
	e := &env.Env{Block: env.Block{Height: height}, Signer: who, Events: &env.Events{}}
	if err := balances.Mint(e, kv, who, 10_000*balances.RAOPerTAO, "test"); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestDepositorsBounded: EndBlock settles every depositor of a proposal in
// one block, so the number of depositors must be bounded like the votes
// (max_votes); without the bound, accounts depositing 1 RAO each grow the
// work of one block without limit.
func TestDepositorsBounded(t *testing.T) {
	kv := store.NewMemTree()
	p := DefaultParams()
	p.MinDeposit, p.MaxVotes = 10, 2
	SetParams(kv, p)
	proposer := keys.PublicKey{1}
	id, err := Propose(fundedEnv(t, kv, proposer, 1), kv, New{Title: "t", Deposit: 10, Kind: KindText})
	if err != nil {
		t.Fatal(err)
	}
	second, third := keys.PublicKey{2}, keys.PublicKey{3}
	if err := AddDeposit(fundedEnv(t, kv, second, 2), kv, id, 1); err != nil {
		t.Fatalf("second depositor: %v", err)
	}
	// A depositor already counted may add more.
	if err := AddDeposit(fundedEnv(t, kv, proposer, 2), kv, id, 1); err != nil {
		t.Fatalf("proposer tops up: %v", err)
	}
	if err := AddDeposit(fundedEnv(t, kv, third, 2), kv, id, 1); !errors.Is(err, ErrTooManyDepositors) {
		t.Fatalf("third depositor with max_votes 2: err %v, want %v", err, ErrTooManyDepositors)
	}
	if err := ValidateDeposit(kv, third, id, 1, 2); !errors.Is(err, ErrTooManyDepositors) {
		t.Fatalf("validate third depositor: err %v, want %v", err, ErrTooManyDepositors)
	}
	before := balances.Free(kv, second)
	EndBlock(&env.Env{Block: env.Block{Height: int64(p.VotingPeriod) + 1}, Events: &env.Events{}}, kv, p.VotingPeriod+1)
	if got := balances.Free(kv, second); got != before+1 {
		t.Fatalf("second depositor's deposit not returned: %d, want %d", got, before+1)
	}
	if l := Locked(kv); l != 0 {
		t.Fatalf("locked after settlement: %d", l)
	}
}

// failingKV fails every read with store.ErrStorage once armed, as the IAVL
// store does when its database fails.
type failingKV struct {
	store.KV
	armed bool
}

func (f *failingKV) Get(k []byte) []byte {
	if f.armed {
		panic(fmt.Errorf("%w: test read failure", store.ErrStorage))
	}
	return f.KV.Get(k)
}

// TestExecuteStorageFailureHalts: a storage failure while executing a
// passed proposal must reach the application (which halts the block), not
// be recorded as the proposal's failure: that outcome would depend on one
// node's disk, and its state would differ from the other nodes'.
func TestExecuteStorageFailureHalts(t *testing.T) {
	kv := &failingKV{KV: store.NewMemTree(), armed: true}
	p := Proposal{ID: 1, Kind: KindParameterChange, Payload: Payload{Name: "subnet_limit", Value: 200}}
	defer func() {
		r := recover()
		re, ok := r.(error)
		if !ok || !errors.Is(re, store.ErrStorage) {
			t.Fatalf("recovered %v, want a store.ErrStorage panic", r)
		}
	}()
	err := execute(&env.Env{Events: &env.Events{}}, kv, p)
	t.Fatalf("execute returned %v; the storage failure was swallowed", err)
}
