package localnet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/internal/freeport"
)

func freePort(t *testing.T) string { return freeport.Addr(t) }

func roleOf(v View, r Role) NeuronView {
	s, _ := v.Subnet(SubnetPrompting)
	for _, n := range s.Neurons {
		if n.Role == r {
			return n
		}
	}
	return NeuronView{}
}

// TestLocalnetEndToEnd runs the whole local network for several epochs:
// better prompting miners earn more, validators earn dividends, the template
// subnet's validator sets weights and its miners earn incentive, the gateway
// answers a chat completion whose answers the validator's organic hook
// scores, and total issuance grows by exactly the emissions the blocks
// report. (Resuming a folder is tested through btcli, in new processes:
// CometBFT keeps a database locked after an in-process node stops.)
func TestLocalnetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs a local network for about a minute")
	}
	start := time.Now()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cfg := Config{Dir: dir, RPCListen: freePort(t), RESTListen: "off", GatewayListen: freePort(t), BlockTime: 150 * time.Millisecond}
	n, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	t.Logf("up in %v at block %d", time.Since(start), n.Node().Height())

	v0, err := n.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tempo := int64(v0.Subnets[0].Tempo)
	// Epochs: one for permits, then enough for moving averages and bonds to settle.
	until := int64(v0.Subnets[0].NextEpoch) + 7*(tempo+1)
	if err := n.Node().WaitHeight(ctx, until); err != nil {
		t.Fatal(err)
	}
	// Let the epoch block settle, then look.
	time.Sleep(500 * time.Millisecond)
	v, err := n.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	Render(&buf, v)
	t.Logf("after %v:\n%s", time.Since(start), buf.String())

	tools, lm, careless := roleOf(v, RoleMinerTool), roleOf(v, RoleMinerLM), roleOf(v, RoleCareless)
	if !(tools.Incentive > lm.Incentive && lm.Incentive > careless.Incentive) {
		t.Errorf("incentive not ordered: tools %.4f, built-in %.4f, careless %.4f", tools.Incentive, lm.Incentive, careless.Incentive)
	}
	ps, _ := v.Subnet(SubnetPrompting)
	for _, nv := range ps.Neurons {
		if nv.Role == RoleValidator && nv.Dividends == 0 {
			t.Errorf("validator uid %d has no dividends", nv.UID)
		}
	}
	checkTemplate(t, ctx, n, v)
	checkGateway(t, ctx, n)

	// Issuance: the growth between two heights equals the coinbase.Emission
	// events' tao_emission in the blocks between.
	p1, err := n.Client.Params(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Node().WaitHeight(ctx, p1.Height+2*tempo); err != nil {
		t.Fatal(err)
	}
	p2, err := n.Client.Params(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Each block's emissions are the block emission of the halving schedule for the
	// issuance before it (coinbase.BlockEmission), split between the emitting subnets with
	// the split's floor dust (under a RAO per subnet) not minted.
	var emitted uint64
	local := n.Node().Local()
	for h := p1.Height + 1; h <= p2.Height; h++ {
		res, err := local.BlockResults(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		var block uint64
		subnets := 0
		for _, ev := range res.FinalizeBlockEvents {
			if ev.Type != coinbase.EventEmission {
				continue
			}
			subnets++
			for _, a := range ev.Attributes {
				if a.Key == "tao_emission" {
					x, err := strconv.ParseUint(a.Value, 10, 64)
					if err != nil {
						t.Fatal(err)
					}
					block += x
				}
			}
		}
		if want := coinbase.BlockEmission(p1.TotalIssuance + emitted); block > want || block+uint64(subnets) < want || subnets != 2 {
			t.Errorf("block %d: %d subnets emitted %d RAO in all; the block emission is %d", h, subnets, block, want)
		}
		emitted += block
	}
	if grew := p2.TotalIssuance - p1.TotalIssuance; grew != emitted || emitted == 0 {
		t.Errorf("blocks %d..%d: issuance grew %d RAO, blocks emitted %d RAO", p1.Height+1, p2.Height, grew, emitted)
	} else {
		t.Logf("blocks %d..%d: issuance grew %d RAO = emitted (%s TAO)", p1.Height+1, p2.Height, grew, fmt.Sprint(tao(grew)))
	}

	t.Logf("total %v", time.Since(start))
}

// checkTemplate: the template subnet is in the view, every template miner
// earns incentive, and the template validator's weights are on chain.
func checkTemplate(t *testing.T, ctx context.Context, n *Net, v View) {
	t.Helper()
	ts, ok := v.Subnet(SubnetTemplate)
	if !ok || ts.Netuid != n.State.TemplateNetuid || ts.Netuid == n.State.Netuid {
		t.Fatalf("template subnet missing from the view (state netuid %d): %+v", n.State.TemplateNetuid, v.Subnets)
	}
	miners := 0
	for _, nv := range ts.Neurons {
		if nv.Role == RoleMiner {
			miners++
			if nv.Incentive == 0 {
				t.Errorf("template miner uid %d earned no incentive", nv.UID)
			}
		}
	}
	if want := len(TemplateAccounts) - 2; miners != want {
		t.Errorf("template subnet shows %d miners, want %d", miners, want)
	}
	m, err := n.Client.Metagraph(ctx, n.State.TemplateNetuid, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range TemplateAccounts {
		if a.Role != RoleValidator {
			continue
		}
		uid := slices.Index(m.Hotkeys, mustKey(a.Hotkey).SS58())
		if uid < 0 {
			t.Fatalf("template validator %s is not registered", a.Name)
		}
		if len(m.Weights[uid]) == 0 {
			t.Errorf("template validator uid %d has no weights on chain", uid)
		} else {
			t.Logf("template validator uid %d weights %v", uid, m.Weights[uid])
		}
	}
}

// checkGateway asks the in-process gateway for a chat completion with the
// dev API key: it must route it to a prompting miner and answer.
func checkGateway(t *testing.T, ctx context.Context, n *Net) {
	t.Helper()
	if n.State.Gateway == "" || n.State.GatewayKey == "" {
		t.Fatalf("gateway not started: state %+v", n.State)
	}
	body := `{"model":"` + GatewayModel + `","messages":[{"role":"user","content":"What is 12 * 7 - 3?"}]}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, n.State.Gateway+"/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+n.State.GatewayKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || len(out.Choices) == 0 {
		t.Fatalf("gateway chat completion: HTTP %d, %+v, decode error %v", resp.StatusCode, out, err)
	}
	t.Logf("gateway answered %q", out.Choices[0].Message.Content)
	checkGatewayPayments(t, ctx, n)

	// The gateway hands the request and its answers to the first prompting
	// validator's organic hook, which scores them: the prompt is in the
	// arithmetic family's form, so the answers are checkable.
	for {
		st := n.organic.OrganicStats()
		if st.Received >= 1 && st.Scored >= 1 {
			t.Logf("organic hook: %+v", st)
			// The localnet gateway forwards signed answers; every proof checks out.
			if st.BadProof != 0 {
				t.Errorf("%d organic answers had proofs that failed verification", st.BadProof)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the gateway's sample never reached the validator's organic hook: %+v", st)
		}
		time.Sleep(50 * time.Millisecond) // the validator scores in its own goroutine; nothing to wait on
	}
}

// checkGatewayPayments: the admin token in the state opens the gateway's
// admin API; a key made there has a deposit address, and a transfer to it
// is credited to the key once, after the block is final.
func checkGatewayPayments(t *testing.T, ctx context.Context, n *Net) {
	t.Helper()
	root := strings.TrimSuffix(n.State.Gateway, "/v1")
	if n.State.GatewayAdminToken == "" {
		t.Fatal("no gateway admin token in the state")
	}
	var key struct {
		Secret         string `json:"key"`
		DepositAddress string `json:"deposit_address"`
	}
	gatewayJSON(t, ctx, http.MethodPost, root+"/admin/keys", n.State.GatewayAdminToken, `{"name":"payer","tier":"free"}`, http.StatusCreated, &key)
	if key.Secret == "" || key.DepositAddress == "" {
		t.Fatalf("admin key: %+v; want a secret and a deposit address", key)
	}
	gatewayJSON(t, ctx, http.MethodPost, root+"/admin/keys", "wrong-token", `{"name":"x"}`, http.StatusUnauthorized, nil)
	const amount = 2 * raoPerTAO
	if _, err := n.Client.Submit(ctx, mustKey("//Alice"), client.Transfer(key.DepositAddress, amount), client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
		t.Fatal(err)
	}
	for {
		var bal struct {
			Credited uint64            `json:"credited_rao"`
			Prices   map[string]uint64 `json:"price_rao_per_1k_tokens"`
		}
		gatewayJSON(t, ctx, http.MethodGet, n.State.Gateway+"/balance", key.Secret, "", http.StatusOK, &bal)
		if bal.Prices[GatewayModel] != GatewayPriceRAOPer1K {
			t.Fatalf("balance lists prices %v; want %s at %d", bal.Prices, GatewayModel, GatewayPriceRAOPer1K)
		}
		if bal.Credited == amount {
			return
		}
		if bal.Credited != 0 {
			t.Fatalf("credited %d RAO for one transfer of %d", bal.Credited, amount)
		}
		if ctx.Err() != nil {
			t.Fatalf("the deposit was never credited")
		}
		time.Sleep(200 * time.Millisecond) // the watcher polls the chain; nothing to wait on
	}
}

// gatewayJSON sends body (if any) with a bearer token and decodes the
// answer into out (if not nil), failing unless the status is want.
func gatewayJSON(t *testing.T, ctx context.Context, method, url, token, body string, want int, out any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: HTTP %d %s; want %d", method, url, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, b)
		}
	}
}

// TestLocalnetStateListsOnlyThisRun: a restart with REST and the gateway
// turned off leaves neither in the state, so status and the next up do not
// take the last run's addresses for this run's.
func TestLocalnetStateListsOnlyThisRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local network twice")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	rpc := freePort(t)
	n, err := Start(ctx, Config{Dir: dir, RPCListen: rpc, RESTListen: freePort(t), GatewayListen: freePort(t), BlockTime: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if n.State.REST == "" || n.State.Gateway == "" {
		t.Fatalf("first run: REST %q, gateway %q", n.State.REST, n.State.Gateway)
	}
	bound := ListenAddrs{RPC: rpc, REST: strings.TrimPrefix(n.State.REST, "http://"), Gateway: strings.TrimSuffix(strings.TrimPrefix(n.State.Gateway, "http://"), "/v1")}
	if st, err := LoadState(dir); err != nil || st.Listen == nil || *st.Listen != bound {
		t.Errorf("first run's saved listen addresses: %+v (%v), want %+v", st.Listen, err, bound)
	}
	// The subnets carry their names on chain, for btcli's lists.
	for netuid, name := range map[uint16]string{n.State.Netuid: SubnetPrompting, n.State.TemplateNetuid: SubnetTemplate} {
		s, err := n.Client.Subnet(ctx, netuid)
		if err != nil {
			t.Fatal(err)
		}
		if s.Identity == nil || s.Identity.SubnetName != name || s.Identity.Description == "" {
			t.Errorf("subnet %d identity %+v, want name %q and a description", netuid, s.Identity, name)
		}
		hps, err := n.Client.Hyperparameters(ctx, netuid)
		if err != nil {
			t.Fatal(err)
		}
		for _, hp := range hps {
			if hp.Name == "activity_cutoff_factor_milli" && hp.Value != ActivityCutoffFactorMilli {
				t.Errorf("subnet %d activity cutoff factor %d, want %d", netuid, hp.Value, ActivityCutoffFactorMilli)
			}
		}
	}
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	n, err = Start(ctx, Config{Dir: dir, RPCListen: rpc, RESTListen: "off", GatewayListen: "off", BlockTime: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	if n.State.REST != "" || n.State.Gateway != "" {
		t.Errorf("second run without REST and gateway: state has REST %q, gateway %q", n.State.REST, n.State.Gateway)
	}
	if st, err := LoadState(dir); err != nil || st.Listen == nil || *st.Listen != (ListenAddrs{RPC: rpc, REST: "off", Gateway: "off"}) {
		t.Errorf("second run's saved listen addresses: %+v (%v), want REST and gateway off", st.Listen, err)
	}
	for _, s := range n.State.Services {
		if s.Name == "node REST" || s.Name == "gateway" {
			t.Errorf("second run lists %s at %s", s.Name, s.Addr)
		}
	}
}

// A listen address that is not HOST:PORT is refused before anything is made in the folder.
func TestStartRefusesBadAddresses(t *testing.T) {
	for _, cfg := range []Config{
		{RPCListen: "not-an-address"},
		{RPCListen: "off"},
		{RPCListen: freePort(t), RESTListen: "8080"},
		{RPCListen: freePort(t), RESTListen: "off", GatewayListen: "localhost:"},
	} {
		cfg.Dir = filepath.Join(t.TempDir(), "net")
		n, err := Start(t.Context(), cfg)
		if err == nil {
			n.Stop()
		}
		if err == nil || !strings.Contains(err.Error(), "HOST:PORT") {
			t.Errorf("%+v: %v; want an error asking for HOST:PORT", cfg, err)
		}
		if _, err := os.Stat(cfg.Dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%+v: the folder was made (%v)", cfg, err)
		}
	}
}

// TestStartKeepsAddressesOfAnInterruptedRun: Start saves the listen addresses it
// was given before the node and setup, so a first run stopped before the network
// came up (here its context is already cancelled) leaves them in the state for
// the next up, and it stops the node it started.
func TestStartKeepsAddressesOfAnInterruptedRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	rpc, gw := freePort(t), freePort(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	n, err := Start(ctx, Config{Dir: dir, RPCListen: rpc, RESTListen: "off", GatewayListen: gw, BlockTime: 150 * time.Millisecond})
	if err == nil {
		n.Stop()
		t.Fatal("Start with a cancelled context came up")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Start with a cancelled context: %v; want context.Canceled", err)
	}
	st, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := ListenAddrs{RPC: rpc, REST: "off", Gateway: gw}
	if st.Listen == nil || *st.Listen != want {
		t.Errorf("state after an interrupted first run: listen %+v, want %+v", st.Listen, want)
	}
	if st.Ready || st.SetupDone {
		t.Errorf("state after an interrupted first run says ready %v, setup done %v", st.Ready, st.SetupDone)
	}
	if _, err := os.Stat(filepath.Join(dir, PIDFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file after an interrupted run: %v", err)
	}
	// The node is stopped: its RPC port can be bound again.
	ln, err := net.Listen("tcp", rpc)
	if err != nil {
		t.Errorf("RPC port %s still taken after the interrupted Start: %v", rpc, err)
	} else {
		ln.Close()
	}
}
