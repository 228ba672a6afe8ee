package node_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cometbft/cometbft/privval"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node"
	"github.com/gotensor/gotensor/node/nodetest"
)

// TestMain lets the test binary act as a node process for the crash test.
func TestMain(m *testing.M) {
	if home := os.Getenv("GOTENSOR_TEST_NODE_HOME"); home != "" {
		_, err := node.Start(context.Background(), node.Config{Home: home, RPCListen: os.Getenv("GOTENSOR_TEST_NODE_RPC"),
			P2PListen: "tcp://127.0.0.1:0", MetricsListen: "off"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		select {} // until killed
	}
	os.Exit(m.Run())
}

func dev(t *testing.T, name string) *keys.Keypair {
	kp, err := keys.FromURI("//" + name)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func TestInitRefusesExistingHome(t *testing.T) {
	home := t.TempDir()
	if _, err := node.Init(node.InitOptions{Home: home}); err != nil {
		t.Fatal(err)
	}
	if _, err := node.Init(node.InitOptions{Home: home}); err == nil || !strings.Contains(err.Error(), "already initialised") {
		t.Fatalf("second init: %v", err)
	}
	if _, err := node.Init(node.InitOptions{Home: home, Overwrite: true}); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	if _, err := node.Init(node.InitOptions{Home: t.TempDir(), Profile: "mainnet"}); err == nil {
		t.Fatal("mainnet without a reward account was accepted")
	}
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v: %s", url, err, b)
		}
	}
	return resp.StatusCode
}

func TestRESTFacade(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	alice := dev(t, "Alice")
	var acct api.Account
	if code := getJSON(t, n.REST+"/api/v1/accounts/"+alice.SS58(), &acct); code != 200 || acct.Free == 0 {
		t.Fatalf("account: %d %+v", code, acct)
	}
	var p api.Params
	if code := getJSON(t, n.REST+"/api/v1/params", &p); code != 200 || p.ChainID != "gotensor-test" || p.ExistentialDeposit != 500 {
		t.Fatalf("params: %d %+v", code, p)
	}
	if code := getJSON(t, n.REST+"/api/v1/accounts/5BadAddress", nil); code != 400 {
		t.Fatalf("bad address: %d", code)
	}
	if code := getJSON(t, n.REST+"/api/v1/accounts/"+alice.SS58()+"?height=999999", nil); code != 410 {
		t.Fatalf("future height: %d", code)
	}
	var page api.Accounts
	if code := getJSON(t, n.REST+"/api/v1/accounts?limit=2", &page); code != 200 || len(page.Accounts) != 2 || page.Next == "" {
		t.Fatalf("accounts: %d %+v", code, page)
	}
	var blk node.BlockView
	if code := getJSON(t, n.REST+"/api/v1/blocks/1", &blk); code != 200 || blk.Height != 1 {
		t.Fatalf("block: %d %+v", code, blk)
	}
	var oa map[string]any
	if code := getJSON(t, n.REST+"/openapi.json", &oa); code != 200 || oa["openapi"] == nil {
		t.Fatalf("openapi: %d", code)
	}
	// Submit through REST and read the transaction back.
	c, _ := client.New(client.Config{Endpoints: []string{n.RPC}})
	defer c.Close()
	st, _ := c.Status(t.Context())
	raw, err := signTransfer(alice, 0, st.ChainID, uint64(st.Height+20), dev(t, "Dave").SS58(), balances.RAOPerTAO)
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"tx":"0x%x","wait":"commit"}`, raw)
	resp, err := http.Post(n.REST+"/api/v1/txs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var sr node.SubmitResponse
	json.NewDecoder(resp.Body).Decode(&sr)
	resp.Body.Close()
	if resp.StatusCode != 200 || !sr.Accepted || sr.Result == nil || !sr.Result.Success {
		t.Fatalf("submit: %d %+v", resp.StatusCode, sr)
	}
	var tv node.TxView
	if code := getJSON(t, n.REST+"/api/v1/txs/"+sr.Hash, &tv); code != 200 || tv.Call != "transfer" || !tv.Success {
		t.Fatalf("tx: %d %+v", code, tv)
	}
	// Who and what are searchable through CometBFT's tx_search; amounts are
	// not indexed (each indexed attribute costs a write per transaction).
	page1, perPage := 1, 10
	for _, q := range []string{
		"balances.Transfer.to='" + dev(t, "Dave").SS58() + "'",
		"gotensor.tx.signer='" + alice.SS58() + "' AND gotensor.tx.call='transfer'",
	} {
		found, err := n.Local().TxSearch(t.Context(), q, false, &page1, &perPage, "")
		if err != nil || found.TotalCount != 1 || fmt.Sprintf("%X", []byte(found.Txs[0].Hash)) != strings.ToUpper(strings.TrimPrefix(sr.Hash, "0x")) {
			t.Fatalf("tx_search %s: %+v %v", q, found, err)
		}
	}
	if found, err := n.Local().TxSearch(t.Context(), fmt.Sprintf("balances.Transfer.amount=%d", balances.RAOPerTAO), false, &page1, &perPage, ""); err != nil || found.TotalCount != 0 {
		t.Fatalf("amounts are not indexed: %+v %v", found, err)
	}
	// A rejected transaction says why.
	resp, _ = http.Post(n.REST+"/api/v1/txs", "application/json", strings.NewReader(body))
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 409 || !strings.Contains(string(b), "/api/v1/txs/0x"+strings.ToLower(strings.TrimPrefix(sr.Hash, "0x"))) {
		t.Fatalf("resubmit: %d %s (want 409 pointing at the transaction)", resp.StatusCode, b)
	}

	// The raw form: the transaction's bytes as the body (application/octet-stream),
	// wait in the query. Its signature is checked before CheckTx (in batches with
	// concurrent submissions); a bad one is refused with CheckTx's error.
	postRaw := func(query string, body []byte) (int, node.SubmitResponse, string) {
		t.Helper()
		resp, err := http.Post(n.REST+"/api/v1/txs"+query, "application/octet-stream", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var sr node.SubmitResponse
		json.Unmarshal(b, &sr)
		return resp.StatusCode, sr, string(b)
	}
	raw2, err := signTransfer(alice, 1, st.ChainID, uint64(st.Height+20), dev(t, "Dave").SS58(), balances.RAOPerTAO)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(raw2)
	bad[len(bad)-1] ^= 1
	if code, sr, text := postRaw("", bad); code != 422 || sr.Accepted || !strings.Contains(sr.Error, "signature") {
		t.Fatalf("raw, bad signature: %d %s", code, text)
	}
	if code, sr, text := postRaw("?wait=commit", raw2); code != 200 || !sr.Accepted || sr.Result == nil || !sr.Result.Success {
		t.Fatalf("raw submit: %d %s", code, text)
	}
	for _, c := range []struct {
		name, query string
		body        []byte
		want        string
	}{
		{"empty body", "", nil, "body is empty"},
		{"over the size limit", "", make([]byte, tx.MaxTxBytes+1), "over"},
		{"unknown wait", "?wait=forever", raw2, "use none or commit"},
	} {
		if code, _, text := postRaw(c.query, c.body); code != 400 || !strings.Contains(text, c.want) {
			t.Fatalf("raw, %s: %d %s (want 400 saying %q)", c.name, code, text, c.want)
		}
	}
}

// TestTestnetFourValidators transfers through one validator and reads the
// result from another. The validators run as child processes (as in the
// upgrade test): stopping in-process CometBFT nodes that are peers of each
// other can panic in CometBFT's consensus reactor on a closed database.
func TestTestnetFourValidators(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node test")
	}
	dir := t.TempDir()
	base := testnetBasePort(t, 4)
	homes, err := node.Testnet(node.TestnetOptions{Validators: 4, Output: dir, ChainID: "gotensor-testnet", BasePort: base})
	if err != nil {
		t.Fatal(err)
	}
	var vals []*validator
	for _, h := range homes {
		vals = append(vals, startValidator(t, h))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	for _, v := range vals {
		v.waitHeight(ctx, t, 3)
	}
	// Ferdie: validators 0-3 pay their fees to Alice..Dave, so only an
	// account that is no proposer's reward account has an exact balance.
	ferdie := dev(t, "Ferdie")
	r, err := vals[0].c.Submit(ctx, dev(t, "Eve"), client.Transfer(ferdie.SS58(), 7*balances.RAOPerTAO), client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		t.Fatal(err)
	}
	vals[3].waitHeight(ctx, t, r.Height+1)
	a, err := vals[3].c.Account(ctx, ferdie.SS58())
	if err != nil {
		t.Fatal(err)
	}
	if a.Free != node.DevFunds+7*balances.RAOPerTAO {
		t.Fatalf("ferdie on node 3: %d", a.Free)
	}
	e, err := vals[3].c.Account(ctx, dev(t, "Eve").SS58())
	if err != nil {
		t.Fatal(err)
	}
	if e.Free >= node.DevFunds-7*balances.RAOPerTAO {
		t.Fatalf("eve on node 3 paid no transfer and fee: %d", e.Free)
	}
}

// TestCrashRestart kills a node process with SIGKILL while transfers flow,
// restarts it, and checks it resumes from its last commit with a consistent
// state, three times over.
func TestCrashRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test")
	}
	home := filepath.Join(t.TempDir(), "node")
	nodetest.Init(t, home, 100*time.Millisecond)
	rpc := fmt.Sprintf("tcp://127.0.0.1:%d", nodetest.FreePort(t))
	url := strings.Replace(rpc, "tcp://", "http://", 1)
	exe, _ := os.Executable()
	start := func() *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "GOTENSOR_TEST_NODE_HOME="+home, "GOTENSOR_TEST_NODE_RPC="+rpc)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Second)
	defer cancel()
	c, _ := client.New(client.Config{Endpoints: []string{url}, Retries: 40})
	defer c.Close()
	bob, charlie := dev(t, "Bob"), dev(t, "Charlie")
	var lastHeight int64
	for round := 0; round < 3; round++ {
		cmd := start()
		st, err := c.Status(ctx)
		if err != nil {
			cmd.Process.Kill()
			t.Fatal(err)
		}
		if st.Height < lastHeight {
			cmd.Process.Kill()
			t.Fatalf("round %d: restarted at height %d, below the %d seen before the crash", round, st.Height, lastHeight)
		}
		// Send transfers without waiting, then kill mid-stream.
		for i := 0; i < 20; i++ {
			c.Submit(ctx, bob, client.Transfer(charlie.SS58(), balances.RAOPerTAO), client.SubmitOptions{})
		}
		time.Sleep(time.Duration(150+rand.IntN(300)) * time.Millisecond)
		if st, err := c.Status(ctx); err == nil {
			lastHeight = st.Height
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	cmd := start()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The chain keeps producing blocks (an app-hash mismatch would halt it).
	for deadline := time.Now().Add(30 * time.Second); ; {
		s2, err := c.Status(ctx)
		if err == nil && s2.Height >= st.Height+3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress after restart: %v %v", s2, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Supply invariant: the balances add up to total issuance.
	p, err := c.Params(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var page api.Accounts
	if err := c.Query(ctx, api.PathAccounts+"?limit=1000", 0, &page); err != nil {
		t.Fatal(err)
	}
	var sum uint64
	for _, a := range page.Accounts {
		sum += a.Free
	}
	if sum != p.TotalIssuance {
		t.Fatalf("sum of balances %d != total issuance %d", sum, p.TotalIssuance)
	}
	acct, _ := c.Account(ctx, charlie.SS58())
	bobAcct, _ := c.Account(ctx, bob.SS58())
	if acct.Free-node.DevFunds != bobAcct.Nonce*balances.RAOPerTAO {
		t.Fatalf("charlie received %d RAO but bob landed %d transfers", acct.Free-node.DevFunds, bobAcct.Nonce)
	}
	t.Logf("after 3 crashes: height %d, bob landed %d transfers", st.Height, bobAcct.Nonce)
}

// TestExportThenStartFromIt exports a stopped node's state and starts a new
// node from it: balances and nonces carry over, the chain continues at the
// next height.
func TestExportThenStartFromIt(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	c, _ := client.New(client.Config{Endpoints: []string{n.RPC}})
	defer c.Close()
	bob, dave := dev(t, "Bob"), dev(t, "Dave")
	r, err := c.Submit(t.Context(), bob, client.Transfer(dave.SS58(), 4*balances.RAOPerTAO), client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := c.Account(t.Context(), bob.SS58())
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	doc, err := node.Export(n.Home)
	if err != nil {
		t.Fatal(err)
	}
	if doc.InitialHeight <= r.Height {
		t.Fatalf("exported initial height %d, tx was at %d", doc.InitialHeight, r.Height)
	}
	file := filepath.Join(t.TempDir(), "exported.json")
	if err := doc.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "new")
	if _, err := node.Init(node.InitOptions{Home: home, Genesis: file}); err != nil {
		t.Fatal(err)
	}
	// The new home has its own validator key, which the genesis does not
	// name: init's check says so (the node would sit at the exported height).
	chk, err := node.CheckValidatorKey(home)
	if err != nil {
		t.Fatal(err)
	}
	if chk.InGenesis {
		t.Fatalf("a fresh key counts as a genesis validator: %+v", chk)
	}
	// Taking the exported validator's key, as the export hint says, makes
	// it the chain's validator again.
	if _, err := node.Init(node.InitOptions{Home: home, Genesis: file, ValidatorKeyFrom: n.Home, Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if chk, err = node.CheckValidatorKey(home); err != nil || !chk.InGenesis {
		t.Fatalf("after --validator-key-from: %+v, %v", chk, err)
	}
	n2 := nodetest.Start(t, nodetest.Options{Home: home})
	c2, _ := client.New(client.Config{Endpoints: []string{n2.RPC}})
	defer c2.Close()
	after, err := c2.Account(t.Context(), bob.SS58())
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("bob before export %+v, after %+v", before, after)
	}
	d, _ := c2.Account(t.Context(), dave.SS58())
	if d.Free != node.DevFunds+4*balances.RAOPerTAO {
		t.Fatalf("dave %d", d.Free)
	}
	if n2.Height() < doc.InitialHeight {
		t.Fatalf("new chain at %d, want ≥ %d", n2.Height(), doc.InitialHeight)
	}
	// Bob's next transaction uses the carried-over nonce.
	if _, err := c2.Submit(t.Context(), bob, client.Transfer(dave.SS58(), balances.RAOPerTAO), client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
		t.Fatal(err)
	}
}

// TestRestartInProcess stops a node and starts it again from the same home in
// the same process (as an embedding program such as localnet does): every
// database CometBFT opened must be closed by Stop, or the second start fails
// on a held lock.
func TestRestartInProcess(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	h := n.Height()
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	// Pebble's recovery notes used to go to the standard logger (stderr) on
	// every restart; they belong in the node's debug log.
	var stdlog bytes.Buffer
	log.SetOutput(&stdlog)
	defer log.SetOutput(os.Stderr)
	n2 := nodetest.Start(t, nodetest.Options{Home: n.Home})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := n2.WaitHeight(ctx, h+2); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stdlog.String(), "WAL") {
		t.Errorf("database notes on stderr at restart:\n%s", stdlog.String())
	}
}

// TestInitValidatorKeyFromRefuses checks what init --validator-key-from will
// not do: take a key the genesis does not name (nothing is written), or
// replace a home's own key once it has signed.
func TestInitValidatorKeyFromRefuses(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, h := range []string{a, b} {
		if _, err := node.Init(node.InitOptions{Home: h}); err != nil {
			t.Fatal(err)
		}
	}
	// b's key is not a validator of a's genesis.
	fresh := filepath.Join(dir, "fresh")
	_, err := node.Init(node.InitOptions{Home: fresh, Genesis: filepath.Join(a, "config", "genesis.json"), ValidatorKeyFrom: b})
	if err == nil || !strings.Contains(err.Error(), "is not one of the validators") {
		t.Fatalf("b's key into a's genesis: %v", err)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Fatalf("a refused init left %s behind (%v)", fresh, err)
	}
	// A key file works as well as a home.
	if _, err := node.Init(node.InitOptions{Home: fresh, Genesis: filepath.Join(a, "config", "genesis.json"),
		ValidatorKeyFrom: filepath.Join(a, "config", "priv_validator_key.json")}); err != nil {
		t.Fatal(err)
	}
	if chk, err := node.CheckValidatorKey(fresh); err != nil || !chk.InGenesis {
		t.Fatalf("key file: %+v, %v", chk, err)
	}
	// b's key has signed: it is not replaced by a's.
	pv := privval.LoadFilePV(filepath.Join(b, "config", "priv_validator_key.json"), filepath.Join(b, "data", "priv_validator_state.json"))
	pv.LastSignState.Height = 7
	pv.Save()
	_, err = node.Init(node.InitOptions{Home: b, Genesis: filepath.Join(a, "config", "genesis.json"), ValidatorKeyFrom: a, Overwrite: true})
	if err == nil || !strings.Contains(err.Error(), "signed up to height 7") {
		t.Fatalf("replacing a key that signed: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(b, "config", "priv_validator_key.json")); !strings.Contains(string(got), pv.Key.Address.String()) {
		t.Fatal("b's signed key was replaced")
	}
}

// A testnet on the mainnet profile gets the balances and sudo it is given:
// nothing else is funded there.
func TestTestnetMainnetBalancesAndSudo(t *testing.T) {
	dir := t.TempDir()
	bob, _ := keys.FromURI("//Bob")
	eve, _ := keys.FromURI("//Eve")
	homes, err := node.Testnet(node.TestnetOptions{Validators: 2, Output: dir, ChainID: "gotensor-t", Profile: node.ProfileMainnet,
		BasePort: 20000, Balances: map[string]uint64{bob.SS58(): 7_000_000_000}, Sudo: eve.SS58()})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range homes {
		b, err := os.ReadFile(filepath.Join(h.Home, "config", "genesis.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			AppState struct {
				System   struct{ Sudo string }
				Balances struct {
					Accounts []struct {
						Address string
						Free    json.Number
					}
				}
			} `json:"app_state"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.AppState.System.Sudo != eve.SS58() {
			t.Errorf("%s: sudo %q, want %s", h.Home, doc.AppState.System.Sudo, eve.SS58())
		}
		if a := doc.AppState.Balances.Accounts; len(a) != 1 || a[0].Address != bob.SS58() || a[0].Free != "7000000000" {
			t.Errorf("%s: balances %+v, want only Bob's 7 TAO", h.Home, a)
		}
	}
}
