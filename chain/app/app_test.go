package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

const chainID = "test-chain"

var proposer = []byte("01234567890123456789")

func dev(t testing.TB, name string) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromURI("//" + name)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

type harness struct {
	t      testing.TB
	app    *App
	height int64
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	a := New(store.NewMemTree(), Config{ChainID: chainID})
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	g := Genesis{
		System: system.Genesis{Profile: "localnet", Params: system.DefaultParams(), Sudo: alice.SS58(),
			Validators: []system.GenesisValidator{{Address: fmt.Sprintf("%x", proposer), RewardAccount: dev(t, "Ferdie").SS58()}}},
		Subnets: subnets.Genesis{Params: subnets.LocalnetParams()},
		Staking: staking.Genesis{Params: staking.LocalnetParams()},
		Epoch:   epoch.DefaultParams(), Coinbase: coinbase.Genesis{Params: coinbase.LocalnetParams()},
		Governance: governance.Genesis{Params: testGovParams()},
		Balances: balances.Genesis{Accounts: []balances.GenesisAccount{
			{Address: alice.SS58(), Free: 1000 * balances.RAOPerTAO},
			{Address: bob.SS58(), Free: 10 * balances.RAOPerTAO},
		}},
	}
	b, err := jsonMarshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(context.Background(), &abci.InitChainRequest{ChainId: chainID, AppStateBytes: b, InitialHeight: 1}); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, app: a}
	h.block() // commit genesis at height 1
	return h
}

// block finalizes and commits a block with txs.
func (h *harness) block(txs ...[]byte) []*abci.ExecTxResult {
	h.t.Helper()
	h.height++
	resp, err := h.app.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: h.height, Txs: txs, Time: time.Unix(1700000000+h.height, 0), ProposerAddress: proposer})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.app.Commit(context.Background(), &abci.CommitRequest{}); err != nil {
		h.t.Fatal(err)
	}
	return resp.TxResults
}

func (h *harness) check(raw []byte) *abci.CheckTxResponse {
	h.t.Helper()
	r, err := h.app.CheckTx(context.Background(), &abci.CheckTxRequest{Tx: raw, Type: abci.CHECK_TX_TYPE_CHECK})
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func (h *harness) free(kp *keys.Keypair) uint64 { return balances.Free(h.app.tree, kp.Public()) }
func (h *harness) nonce(kp *keys.Keypair) uint64 {
	return system.Nonce(h.app.tree, kp.Public())
}

func (h *harness) sign(kp tx.Signer, nonce uint64, call *txpb.Call) []byte {
	h.t.Helper()
	raw, err := tx.Sign(kp, tx.Build{Nonce: nonce, ChainID: chainID, ValidUntil: uint64(h.height + 10), Call: call})
	if err != nil {
		h.t.Fatal(err)
	}
	return raw
}

func transfer(dest string, v uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_Transfer{Transfer: &txpb.Transfer{Dest: dest, Value: v}}}
}

func fee(h *harness, raw []byte) uint64 {
	f, _ := system.DefaultParams().Fee(system.Normal, len(raw), 0)
	return f
}

func TestTransferPaysFeeToProposer(t *testing.T) {
	h := newHarness(t)
	bob, charlie, ferdie := dev(t, "Bob"), dev(t, "Charlie"), dev(t, "Ferdie")
	raw := h.sign(bob, 0, transfer(charlie.SS58(), 2*balances.RAOPerTAO))
	if r := h.check(raw); r.Code != 0 {
		t.Fatalf("check: %s", r.Log)
	}
	issuance := balances.TotalIssuance(h.app.tree)
	res := h.block(raw)
	if res[0].Code != 0 {
		t.Fatalf("deliver: %s", res[0].Log)
	}
	f := fee(h, raw)
	if got, want := h.free(bob), 8*balances.RAOPerTAO-f; got != want {
		t.Errorf("bob = %d, want %d", got, want)
	}
	if got := h.free(charlie); got != 2*balances.RAOPerTAO {
		t.Errorf("charlie = %d", got)
	}
	if got := h.free(ferdie); got != f {
		t.Errorf("proposer reward = %d, want fee %d", got, f)
	}
	if got := balances.TotalIssuance(h.app.tree); got != issuance {
		t.Errorf("issuance changed: %d -> %d", issuance, got)
	}
	if h.nonce(bob) != 1 {
		t.Errorf("nonce = %d", h.nonce(bob))
	}
}

func TestBadInputIsRejectedAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	alice, bob, charlie := dev(t, "Alice"), dev(t, "Bob"), dev(t, "Charlie")
	good := func(n uint64) tx.Build {
		return tx.Build{Nonce: n, ChainID: chainID, ValidUntil: uint64(h.height + 10), Call: transfer(charlie.SS58(), balances.RAOPerTAO)}
	}
	signed := func(s tx.Signer, b tx.Build) []byte {
		raw, err := tx.Sign(s, b)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	// A body signed by Charlie but naming Bob as signer.
	impostor := func() []byte {
		body, _ := proto.Marshal(&txpb.TxBody{Signer: pubBytes(bob), Nonce: 0, ChainId: chainID, ValidUntil: uint64(h.height + 10), Call: transfer(charlie.SS58(), 1000)})
		sig, _ := charlie.Sign(tx.SigningPayload(body))
		raw, _ := proto.Marshal(&txpb.Tx{Body: body, Signature: sig})
		return raw
	}
	flipped := signed(bob, good(0))
	flipped[len(flipped)-1] ^= 1
	wrongChain := good(0)
	wrongChain.ChainID = "other"
	expired := good(0)
	expired.ValidUntil = uint64(h.height) // the next block is height+1
	tooLong := good(0)
	tooLong.ValidUntil = uint64(h.height) + 1 + 2401
	unknownField := func() []byte {
		body, _ := proto.Marshal(&txpb.TxBody{Signer: pubBytes(bob), ChainId: chainID, ValidUntil: uint64(h.height + 10), Call: transfer(charlie.SS58(), 1000)})
		body = append(body, 0xf8, 0x07, 0x01) // field 127, varint 1
		sig, _ := bob.Sign(tx.SigningPayload(body))
		raw, _ := proto.Marshal(&txpb.Tx{Body: body, Signature: sig})
		return raw
	}
	noCall := tx.Build{Nonce: 0, ChainID: chainID, ValidUntil: uint64(h.height + 10), Call: &txpb.Call{}}
	big := good(0)
	big.Call = transfer(string(make([]byte, 70_000)), 1)
	cases := []struct {
		name string
		raw  []byte
		want *errs.Error
	}{
		{"malformed bytes", []byte{0xde, 0xad, 0xbe, 0xef}, tx.ErrMalformed},
		{"empty", []byte{}, tx.ErrMalformed},
		{"bad signature", flipped, tx.ErrBadSignature},
		{"signature by another key", impostor(), tx.ErrBadSignature},
		{"wrong chain id", signed(bob, wrongChain), tx.ErrWrongChain},
		{"expired", signed(bob, expired), tx.ErrExpired},
		{"validity too long", signed(bob, tooLong), tx.ErrValidTooLong},
		{"skipped nonce", signed(bob, good(1)), tx.ErrFuture},
		{"unknown field", unknownField(), tx.ErrUnknownCall},
		{"unknown call", mustSign(t, bob, noCall), tx.ErrUnknownCall},
		{"oversized", mustSignRaw(bob, big), tx.ErrTooLarge},
		{"transfer to self", h.sign(bob, 0, transfer(bob.SS58(), 1000)), balances.ErrTransferToSelf},
		{"invalid ss58 checksum", h.sign(bob, 0, transfer(alice.SS58()[:47]+"X", 1000)), balances.ErrInvalidDestination},
		{"wrong ss58 prefix", h.sign(bob, 0, transfer("1"+alice.SS58()[1:], 1000)), balances.ErrInvalidDestination},
		{"below existential deposit", h.sign(bob, 0, transfer(dev(t, "Dave").SS58(), 499)), balances.ErrExistentialDeposit},
		{"more than balance", h.sign(bob, 0, transfer(charlie.SS58(), 11*balances.RAOPerTAO)), balances.ErrInsufficientBalance},
		{"u64 max amount", h.sign(bob, 0, transfer(charlie.SS58(), ^uint64(0))), balances.ErrInsufficientBalance},
		{"zero amount", h.sign(bob, 0, transfer(charlie.SS58(), 0)), balances.ErrZeroAmount},
		{"fee larger than balance", h.sign(dev(t, "Eve"), 0, transfer(charlie.SS58(), 1000)), tx.ErrCannotPayFee},
		{"sudo by non-sudo", h.sign(bob, 0, &txpb.Call{Call: &txpb.Call_SudoSetBalance{SudoSetBalance: &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1e18}}}), errs.BadOrigin},
		{"sudo set balance over supply", h.sign(alice, 0, &txpb.Call{Call: &txpb.Call_SudoSetBalance{SudoSetBalance: &txpb.SudoSetBalance{Who: bob.SS58(), Free: ^uint64(0)}}}), balances.ErrIssuanceCapExceeded},
	}
	hashBefore := h.app.tree.Hash()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.check(c.raw)
			if r.Code == 0 {
				t.Fatalf("CheckTx accepted it")
			}
			if got, _ := errs.Lookup(r.Codespace, r.Code); got != c.want {
				t.Fatalf("CheckTx: %s/%d %q, want %s", r.Codespace, r.Code, r.Log, c.want.Name)
			}
			if r.Log == "" {
				t.Fatal("no message for the user")
			}
		})
	}
	// The same bytes inside a block fail there too, and change nothing but
	// fee and nonce of envelope-valid ones; here every one is stopped
	// before or at the fee, except the call-level failures.
	var all [][]byte
	for _, c := range cases {
		all = append(all, c.raw)
	}
	h.app.resetCheck()
	bobBefore := h.free(bob)
	res := h.block(all...)
	charged := 0
	for i, r := range res {
		if r.Code == 0 {
			t.Errorf("%s: executed in a block", cases[i].name)
		}
		if errors.Is(cases[i].want, tx.ErrCannotPayFee) || cases[i].want.Codespace == "tx" {
			continue
		}
		charged++
	}
	if charged == 0 {
		t.Fatal("expected call-level failures to be charged")
	}
	if h.nonce(bob) != 1 || h.free(bob) >= bobBefore {
		t.Errorf("bob's first call-level failure should take its fee and nonce: nonce %d free %d (before %d)", h.nonce(bob), h.free(bob), bobBefore)
	}
	if string(hashBefore) == string(h.app.tree.Hash()) {
		t.Error("fee and nonce of the failed call should have changed state")
	}
}

func mustSign(t *testing.T, s tx.Signer, b tx.Build) []byte {
	raw, err := tx.Sign(s, b)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// mustSignRaw signs without the client's size check, as an attacker would.
func mustSignRaw(s tx.Signer, b tx.Build) []byte {
	pub := s.Public()
	body, _ := proto.Marshal(&txpb.TxBody{Signer: pub[:], Nonce: b.Nonce, ChainId: b.ChainID, ValidUntil: b.ValidUntil, Call: b.Call})
	sig, _ := s.Sign(tx.SigningPayload(body))
	raw, _ := proto.Marshal(&txpb.Tx{Body: body, Signature: sig})
	return raw
}

func TestFailedCallKeepsOnlyFeeAndNonce(t *testing.T) {
	h := newHarness(t)
	bob, charlie := dev(t, "Bob"), dev(t, "Charlie")
	// Both pass the mempool (each sees only the other's fee), the second
	// fails in the block because the first spent the balance.
	a := h.sign(bob, 0, transfer(charlie.SS58(), 6*balances.RAOPerTAO))
	b := h.sign(bob, 1, transfer(charlie.SS58(), 6*balances.RAOPerTAO))
	for _, raw := range [][]byte{a, b} {
		if r := h.check(raw); r.Code != 0 {
			t.Fatalf("check: %s", r.Log)
		}
	}
	res := h.block(a, b)
	if res[0].Code != 0 || res[1].Code == 0 {
		t.Fatalf("results: %v / %v", res[0].Log, res[1].Log)
	}
	if got, _ := errs.Lookup(res[1].Codespace, res[1].Code); got != balances.ErrInsufficientBalance {
		t.Fatalf("second failed with %s", res[1].Log)
	}
	if want := 10*balances.RAOPerTAO - 6*balances.RAOPerTAO - fee(h, a) - fee(h, b); h.free(bob) != want {
		t.Errorf("bob = %d, want %d", h.free(bob), want)
	}
	if h.free(charlie) != 6*balances.RAOPerTAO || h.nonce(bob) != 2 {
		t.Errorf("charlie %d nonce %d", h.free(charlie), h.nonce(bob))
	}
}

func TestSeveralTxsFromOneAccountInOneBlock(t *testing.T) {
	h := newHarness(t)
	alice, charlie := dev(t, "Alice"), dev(t, "Charlie")
	var txs [][]byte
	for n := uint64(0); n < 20; n++ {
		raw := h.sign(alice, n, transfer(charlie.SS58(), balances.RAOPerTAO))
		if r := h.check(raw); r.Code != 0 {
			t.Fatalf("nonce %d: %s", n, r.Log)
		}
		txs = append(txs, raw)
	}
	if r := h.check(txs[3]); r.Code == 0 {
		t.Fatal("a reused nonce was accepted")
	}
	for i, r := range h.block(txs...) {
		if r.Code != 0 {
			t.Fatalf("tx %d: %s", i, r.Log)
		}
	}
	if h.nonce(alice) != 20 || h.free(charlie) != 20*balances.RAOPerTAO {
		t.Fatalf("nonce %d charlie %d", h.nonce(alice), h.free(charlie))
	}
}

func TestTransferKeepAliveAndDust(t *testing.T) {
	h := newHarness(t)
	bob, dave := dev(t, "Bob"), dev(t, "Dave")
	keepAlive := func(v uint64) []byte {
		return h.sign(bob, 0, &txpb.Call{Call: &txpb.Call_TransferKeepAlive{TransferKeepAlive: &txpb.TransferKeepAlive{Dest: dave.SS58(), Value: v}}})
	}
	// Leave 100 RAO (< ED) behind: keep-alive refuses, plain transfer reaps.
	// (Same-width values encode to the same size, so the fee is stable.)
	ka := keepAlive(10*balances.RAOPerTAO - fee(h, keepAlive(9*balances.RAOPerTAO)) - 100)
	if r := h.check(ka); r.Code == 0 {
		t.Fatal("keep-alive transfer that leaves dust was accepted")
	} else if e, _ := errs.Lookup(r.Codespace, r.Code); e != balances.ErrExpendability {
		t.Fatalf("got %s", r.Log)
	}
	issuance := balances.TotalIssuance(h.app.tree)
	value := 10*balances.RAOPerTAO - fee(h, h.sign(bob, 0, transfer(dave.SS58(), 9*balances.RAOPerTAO))) - 100
	tr := h.sign(bob, 0, transfer(dave.SS58(), value))
	if r := h.block(tr); r[0].Code != 0 {
		t.Fatal(r[0].Log)
	}
	fee2 := fee(h, tr)
	dust := 10*balances.RAOPerTAO - fee2 - value
	if h.free(bob) != 0 || h.free(dave) != value {
		t.Fatalf("bob %d dave %d", h.free(bob), h.free(dave))
	}
	if got := balances.TotalIssuance(h.app.tree); got != issuance-dust {
		t.Fatalf("issuance %d, want %d (dust %d burned)", got, issuance-dust, dust)
	}
	if h.nonce(bob) != 1 {
		t.Fatal("reaping must not reset the nonce (replay protection)")
	}
}

func TestTransferAll(t *testing.T) {
	h := newHarness(t)
	bob, dave := dev(t, "Bob"), dev(t, "Dave")
	raw := h.sign(bob, 0, &txpb.Call{Call: &txpb.Call_TransferAll{TransferAll: &txpb.TransferAll{Dest: dave.SS58(), KeepAlive: true}}})
	if r := h.block(raw); r[0].Code != 0 {
		t.Fatal(r[0].Log)
	}
	if h.free(bob) != balances.ExistentialDeposit || h.free(dave) != 10*balances.RAOPerTAO-fee(h, raw)-balances.ExistentialDeposit {
		t.Fatalf("bob %d dave %d", h.free(bob), h.free(dave))
	}
}

func TestSudoSetBalanceTracksIssuance(t *testing.T) {
	h := newHarness(t)
	alice, eve := dev(t, "Alice"), dev(t, "Eve")
	issuance := balances.TotalIssuance(h.app.tree)
	raw := h.sign(alice, 0, &txpb.Call{Call: &txpb.Call_SudoSetBalance{SudoSetBalance: &txpb.SudoSetBalance{Who: eve.SS58(), Free: 5 * balances.RAOPerTAO}}})
	if r := h.block(raw); r[0].Code != 0 {
		t.Fatal(r[0].Log)
	}
	if h.free(eve) != 5*balances.RAOPerTAO || balances.TotalIssuance(h.app.tree) != issuance+5*balances.RAOPerTAO {
		t.Fatalf("eve %d issuance %d", h.free(eve), balances.TotalIssuance(h.app.tree))
	}
}

func TestAppHashDeterministicAndRestartable(t *testing.T) {
	run := func() ([]byte, *harness) {
		h := newHarness(t)
		bob, charlie := dev(t, "Bob"), dev(t, "Charlie")
		for n := uint64(0); n < 5; n++ {
			h.block(h.sign(bob, n, transfer(charlie.SS58(), balances.RAOPerTAO)))
		}
		return h.app.tree.Hash(), h
	}
	h1, _ := run()
	h2, _ := run()
	if string(h1) != string(h2) {
		t.Fatal("same blocks gave different app hashes")
	}
}

func TestQueries(t *testing.T) {
	h := newHarness(t)
	q := func(path string) *abci.QueryResponse {
		r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := q(PathAccount + dev(t, "Bob").SS58()); r.Code != 0 || !contains(r.Value, `"free":"10000000000"`) {
		t.Fatalf("account: %d %s %s", r.Code, r.Log, r.Value)
	}
	if r := q(PathAccount + "nonsense"); r.Code != QueryCodeBadRequest {
		t.Fatalf("bad address: %d %s", r.Code, r.Log)
	}
	if r := q("/nope"); r.Code != QueryCodeNotFound {
		t.Fatalf("unknown path: %d", r.Code)
	}
	if r := q(PathAccounts + "?limit=1"); r.Code != 0 || !contains(r.Value, `"next"`) {
		t.Fatalf("accounts page: %s %s", r.Log, r.Value)
	}
	if r := q(PathParams); r.Code != 0 || !contains(r.Value, `"chain_id":"test-chain"`) {
		t.Fatalf("params: %s", r.Value)
	}
	r, _ := h.app.Query(context.Background(), &abci.QueryRequest{Path: PathParams, Height: 99})
	if r.Code != QueryCodeGone {
		t.Fatalf("future height: %d %s", r.Code, r.Log)
	}
}

func contains(b []byte, s string) bool { return len(b) > 0 && bytesContains(b, []byte(s)) }

func pubBytes(kp *keys.Keypair) []byte {
	p := kp.Public()
	return p[:]
}

// testGovParams are localnet's with a 40-block voting period.
func testGovParams() governance.Params {
	p := governance.LocalnetParams()
	p.VotingPeriod = 40
	return p
}

// A query before the first block says the node has none yet and what to
// check, not that a state version is missing.
func TestQueryBeforeFirstBlock(t *testing.T) {
	a := New(store.NewMemTree(), Config{ChainID: chainID})
	r, err := a.Query(context.Background(), &abci.QueryRequest{Path: "/subnets"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Code != QueryCodeNotFound || !strings.Contains(r.Log, "no committed block yet") || !strings.Contains(r.Log, "log") {
		t.Fatalf("code %d %q", r.Code, r.Log)
	}
}
