package balances

import (
	"errors"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

func key(t *testing.T, name string) keys.PublicKey {
	t.Helper()
	kp, err := keys.FromURI("//" + name)
	if err != nil {
		t.Fatal(err)
	}
	return kp.Public()
}

// fixture is a tree with Alice holding 10 TAO and Bob 1 TAO, and an Env
// signed by Alice.
func fixture(t *testing.T) (*store.Tree, *env.Env) {
	t.Helper()
	kv := store.NewMemTree()
	g := Genesis{Accounts: []GenesisAccount{
		{Address: key(t, "Alice").SS58(), Free: 10 * RAOPerTAO},
		{Address: key(t, "Bob").SS58(), Free: RAOPerTAO},
	}}
	if err := InitGenesis(kv, g); err != nil {
		t.Fatal(err)
	}
	return kv, &env.Env{Signer: key(t, "Alice"), Events: &env.Events{}}
}

// checkSupply: the accounts add up to total issuance and their count is kept.
func checkSupply(t *testing.T, kv store.Reader) {
	t.Helper()
	var sum, n uint64
	IterateAccounts(kv, nil, func(a Account) bool {
		sum += a.Free
		n++
		return true
	})
	if sum != TotalIssuance(kv) || n != Accounts(kv) {
		t.Fatalf("accounts sum %d (count %d), issuance %d (count %d)", sum, n, TotalIssuance(kv), Accounts(kv))
	}
}

func TestGenesisValidate(t *testing.T) {
	alice := key(t, "Alice").SS58()
	for _, c := range []struct {
		name string
		g    Genesis
		want string
	}{
		{"bad address", Genesis{Accounts: []GenesisAccount{{Address: "5xyz", Free: RAOPerTAO}}}, "account 0"},
		{"listed twice", Genesis{Accounts: []GenesisAccount{{Address: alice, Free: RAOPerTAO}, {Address: alice, Free: RAOPerTAO}}}, "listed twice"},
		{"below existential deposit", Genesis{Accounts: []GenesisAccount{{Address: alice, Free: ExistentialDeposit - 1}}}, "existential deposit"},
		{"over the cap", Genesis{Accounts: []GenesisAccount{{Address: alice, Free: MaxSupply + 1}}}, "supply cap"},
		{"issuance below the sum", Genesis{Accounts: []GenesisAccount{{Address: alice, Free: RAOPerTAO}}, TotalIssuance: 1}, "total_issuance"},
	} {
		if err := c.g.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestGenesisExportRoundTrip(t *testing.T) {
	kv, _ := fixture(t)
	if TotalIssuance(kv) != 11*RAOPerTAO || Accounts(kv) != 2 {
		t.Fatalf("issuance %d accounts %d", TotalIssuance(kv), Accounts(kv))
	}
	g := ExportGenesis(kv)
	kv2 := store.NewMemTree()
	if err := InitGenesis(kv2, g); err != nil {
		t.Fatal(err)
	}
	if string(kv.Hash()) != string(kv2.Hash()) {
		t.Fatal("export then init gave another state")
	}
}

func TestTransferMovesBalanceAndEndowsNewAccounts(t *testing.T) {
	kv, e := fixture(t)
	alice, bob, dave := key(t, "Alice"), key(t, "Bob"), key(t, "Dave")
	if err := Transfer(e, kv, bob.SS58(), 2*RAOPerTAO, false); err != nil {
		t.Fatal(err)
	}
	if Free(kv, alice) != 8*RAOPerTAO || Free(kv, bob) != 3*RAOPerTAO {
		t.Fatalf("alice %d bob %d", Free(kv, alice), Free(kv, bob))
	}
	// A new account with exactly the existential deposit.
	if err := Transfer(e, kv, dave.SS58(), ExistentialDeposit, true); err != nil {
		t.Fatal(err)
	}
	if Free(kv, dave) != ExistentialDeposit || Accounts(kv) != 3 {
		t.Fatalf("dave %d accounts %d", Free(kv, dave), Accounts(kv))
	}
	var types []string
	for _, ev := range e.Events.List() {
		types = append(types, ev.Type)
	}
	if got := strings.Join(types, " "); got != EventTransfer+" "+EventEndowed+" "+EventTransfer {
		t.Errorf("events %q", got)
	}
	checkSupply(t, kv)
}

// Each refused transfer returns its error and writes nothing.
func TestTransferErrorsChangeNothing(t *testing.T) {
	kv, e := fixture(t)
	alice, bob, dave := key(t, "Alice"), key(t, "Bob"), key(t, "Dave")
	hash := string(kv.Hash())
	for _, c := range []struct {
		name      string
		dest      string
		value     uint64
		keepAlive bool
		want      error
	}{
		{"to self", alice.SS58(), RAOPerTAO, false, ErrTransferToSelf},
		{"zero", bob.SS58(), 0, false, ErrZeroAmount},
		{"more than free", bob.SS58(), 10*RAOPerTAO + 1, false, ErrInsufficientBalance},
		{"u64 max", bob.SS58(), ^uint64(0), false, ErrInsufficientBalance},
		{"below existential deposit to a new account", dave.SS58(), ExistentialDeposit - 1, false, ErrExistentialDeposit},
		{"keep-alive leaving dust", bob.SS58(), 10*RAOPerTAO - 1, true, ErrExpendability},
		{"keep-alive emptying the sender", bob.SS58(), 10 * RAOPerTAO, true, ErrExpendability},
		{"bad checksum", bob.SS58()[:47] + "X", RAOPerTAO, false, ErrInvalidDestination},
		{"wrong prefix", keys.EncodeSS58(bob, 0), RAOPerTAO, false, ErrInvalidDestination},
		{"not an address", "bob", RAOPerTAO, false, ErrInvalidDestination},
	} {
		err := Transfer(e, kv, c.dest, c.value, c.keepAlive)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if verr := ValidateTransfer(kv, alice, c.dest, c.value, c.keepAlive); !errors.Is(verr, c.want) {
			t.Errorf("%s: ValidateTransfer %v, want %v", c.name, verr, c.want)
		}
	}
	if string(kv.Hash()) != hash || len(e.Events.List()) != 0 {
		t.Fatalf("refused transfers changed state or emitted %v", e.Events.List())
	}
	// Overflow of the destination (only reachable past the cap, so set it up directly).
	setFree(kv, bob, ^uint64(0)-RAOPerTAO)
	if err := Transfer(e, kv, bob.SS58(), 2*RAOPerTAO, false); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflowing destination: %v", err)
	}
}

func TestTransferAllowDeathReapsDust(t *testing.T) {
	kv, e := fixture(t)
	alice, bob := key(t, "Alice"), key(t, "Bob")
	if err := Transfer(e, kv, bob.SS58(), 10*RAOPerTAO-100, false); err != nil {
		t.Fatal(err)
	}
	if Free(kv, alice) != 0 || Accounts(kv) != 1 || TotalIssuance(kv) != 11*RAOPerTAO-100 {
		t.Fatalf("alice %d accounts %d issuance %d: the 100 RAO of dust should be burned", Free(kv, alice), Accounts(kv), TotalIssuance(kv))
	}
	checkSupply(t, kv)
}

func TestTransferAll(t *testing.T) {
	for _, keepAlive := range []bool{true, false} {
		kv, e := fixture(t)
		alice, bob := key(t, "Alice"), key(t, "Bob")
		if err := TransferAll(e, kv, bob.SS58(), keepAlive); err != nil {
			t.Fatal(err)
		}
		want := uint64(0)
		if keepAlive {
			want = ExistentialDeposit
		}
		if Free(kv, alice) != want || Free(kv, bob) != 11*RAOPerTAO-want {
			t.Errorf("keepAlive %v: alice %d bob %d", keepAlive, Free(kv, alice), Free(kv, bob))
		}
		checkSupply(t, kv)
	}
	// Keep-alive with nothing above the existential deposit: nothing to send.
	kv, e := fixture(t)
	setFree(kv, key(t, "Alice"), ExistentialDeposit)
	if err := TransferAll(e, kv, key(t, "Bob").SS58(), true); !errors.Is(err, ErrZeroAmount) {
		t.Errorf("transfer_all keep-alive at the existential deposit: %v", err)
	}
}

func TestSudoSetBalance(t *testing.T) {
	kv, e := fixture(t)
	bob, eve := key(t, "Bob"), key(t, "Eve")
	if err := SudoSetBalance(e, kv, eve.SS58(), 5*RAOPerTAO); err != nil {
		t.Fatal(err)
	}
	if TotalIssuance(kv) != 16*RAOPerTAO {
		t.Fatalf("issuance %d", TotalIssuance(kv))
	}
	// Setting zero removes the account and its RAO from issuance.
	if err := SudoSetBalance(e, kv, bob.SS58(), 0); err != nil {
		t.Fatal(err)
	}
	if Free(kv, bob) != 0 || Accounts(kv) != 2 || TotalIssuance(kv) != 15*RAOPerTAO {
		t.Fatalf("bob %d accounts %d issuance %d", Free(kv, bob), Accounts(kv), TotalIssuance(kv))
	}
	checkSupply(t, kv)
	hash := string(kv.Hash())
	for _, c := range []struct {
		name string
		who  string
		free uint64
		want error
	}{
		{"below existential deposit", eve.SS58(), ExistentialDeposit - 1, ErrExistentialDeposit},
		{"over the supply cap", eve.SS58(), MaxSupply, ErrIssuanceCapExceeded},
		{"u64 max", eve.SS58(), ^uint64(0), ErrIssuanceCapExceeded},
		{"bad address", "nonsense", RAOPerTAO, ErrInvalidDestination},
	} {
		if err := SudoSetBalance(e, kv, c.who, c.free); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if string(kv.Hash()) != hash {
		t.Fatal("refused set_balance changed state")
	}
}

func TestWithdrawDepositMint(t *testing.T) {
	kv, e := fixture(t)
	alice, bob := key(t, "Alice"), key(t, "Bob")
	if err := Withdraw(e, kv, bob, RAOPerTAO+1, "fee"); !errors.Is(err, ErrInsufficientBalance) || !strings.Contains(err.Error(), "fee") {
		t.Errorf("withdraw more than free: %v", err)
	}
	if err := Withdraw(e, kv, bob, RAOPerTAO, "fee"); err != nil || Free(kv, bob) != 0 || Accounts(kv) != 1 {
		t.Fatalf("withdraw all: %v, bob %d accounts %d", err, Free(kv, bob), Accounts(kv))
	}
	if err := Deposit(e, kv, alice, RAOPerTAO, "fees"); err != nil || Free(kv, alice) != 11*RAOPerTAO {
		t.Fatalf("deposit: %v, alice %d", err, Free(kv, alice))
	}
	checkSupply(t, kv)
	if err := Deposit(e, kv, alice, MaxSupply, "fees"); !errors.Is(err, ErrOverflow) {
		t.Errorf("deposit past the cap: %v", err)
	}
	if err := Mint(e, kv, bob, MaxSupply-TotalIssuance(kv)+1, "emission"); !errors.Is(err, ErrIssuanceCapExceeded) {
		t.Errorf("mint past the cap: %v", err)
	}
	if err := Mint(e, kv, bob, 2*RAOPerTAO, "emission"); err != nil || TotalIssuance(kv) != 13*RAOPerTAO {
		t.Fatalf("mint: %v, issuance %d", err, TotalIssuance(kv))
	}
	checkSupply(t, kv)
	if got := FormatTAO(1_500_000_001); got != "1.500000001 TAO" {
		t.Errorf("FormatTAO = %q", got)
	}
}
