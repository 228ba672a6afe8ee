package main

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/chain/yuma"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
)

// TestWeightsNames keeps the CLI's event and error names equal to the chain's.
func TestWeightsNames(t *testing.T) {
	for _, p := range [][2]string{
		{evWeightsSet, epoch.EventWeightsSet}, {evWeightsCommitted, epoch.EventWeightsCommitted},
		{evWeightsRevealed, epoch.EventWeightsRevealed},
	} {
		if p[0] != p[1] {
			t.Errorf("CLI name %q, chain %q", p[0], p[1])
		}
	}
	for _, p := range []struct {
		code uint32
		err  *errs.Error
	}{
		{codeSettingTooFast, epoch.ErrSettingWeightsTooFast}, {codeNoPermit, epoch.ErrNeuronNoValidatorPermit},
		{codeCommittingTooFast, epoch.ErrCommittingWeightsTooFast}, {codeExpiredCommit, epoch.ErrExpiredWeightCommit},
		{codeRevealTooEarly, epoch.ErrRevealTooEarly},
	} {
		if p.err.Codespace != codespaceEpoch || p.err.Code != p.code {
			t.Errorf("CLI code %s/%d, chain %s/%d (%s)", codespaceEpoch, p.code, p.err.Codespace, p.err.Code, p.err.Name)
		}
	}
}

func TestWeightsParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []uint16
		wantErr string
	}{
		{in: "0.2,0.3,0.5", want: []uint16{26214, 39321, 65535}},
		{in: "1,2,3", want: []uint16{1, 2, 3}}, // integers are u16 values as given
		{in: "100, 200 ,65535", want: []uint16{100, 200, 65535}},
		{in: "1.0,2,3", want: []uint16{21845, 43690, 65535}}, // one decimal: all are proportions
		{in: "0.3,0.7", want: []uint16{28086, 65535}},
		{in: ".5,1.", want: []uint16{32768, 65535}}, // 32767.5 rounds half to even
		{in: "0.1,0,0.30000000000000000001", want: []uint16{21845, 0, 65535}},
		{in: "3,0", want: []uint16{3, 0}},
		{in: "0,0", wantErr: "every weight is 0"},
		{in: "0.0", wantErr: "every weight is 0"},
		{in: "65536", wantErr: "above 65535"},
		{in: "-0.2,1", wantErr: "negative"},
		{in: "1e-3", wantErr: "not a number"},
		{in: "0.5,", wantErr: "not a number"},
		{in: "NaN", wantErr: "not a number"},
	} {
		got, err := parseWeights(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || exitCode(err) != ExitUsage {
				t.Errorf("parseWeights(%q) = %v, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseWeights(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		// The chain max-upscales the row (§6.1): decimals and their u16 form store the same.
		if err == nil && !slices.Equal(yuma.MaxUpscaleWeights(got), yuma.MaxUpscaleWeights(tc.want)) {
			t.Errorf("upscaled rows differ")
		}
	}
}

// blockEvents reads a block's own events (begin-block: coinbase, epochs) from the REST facade.
func blockEvents(t *testing.T, rest string, height int64) []map[string]string {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/api/v1/blocks/%d", rest, height))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b struct {
		Events []struct {
			Type  string            `json:"type"`
			Attrs map[string]string `json:"attributes"`
		} `json:"events"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatalf("block %d: %v", height, err)
	}
	var out []map[string]string
	for _, e := range b.Events {
		e.Attrs["type"] = e.Type
		out = append(out, e.Attrs)
	}
	return out
}

func u64(t *testing.T, ev map[string]string, k string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(ev[k], 10, 64)
	if err != nil {
		t.Fatalf("event %v: %s: %v", ev, k, err)
	}
	return v
}

// expectedEpoch rebuilds the epoch at block B from what clients can read (the full
// metagraph and hyperparameters at B−1, the EpochPaid event at B), runs the pure
// yuma.Epoch and returns its outputs and each uid's miner payment as coinbase splits the
// pending server emission: floor(server·ServerEmission_i / ΣServerEmission).
func expectedEpoch(t *testing.T, cl *client.Client, netuid uint16, ownerHotkey string, B int64, paid map[string]string) (yuma.Outputs, []uint64, api.Metagraph) {
	t.Helper()
	ctx := t.Context()
	m, err := cl.Metagraph(ctx, netuid, B-1, true)
	if err != nil {
		t.Fatal(err)
	}
	hps, err := cl.HyperparametersAt(ctx, netuid, B-1)
	if err != nil {
		t.Fatal(err)
	}
	hp := map[string]uint64{}
	for _, h := range hps {
		hp[h.Name] = h.Value
	}
	server := u64(t, paid, "server")
	in := yuma.Inputs{
		N: m.N, Block: uint64(B), LastTempo: u64(t, paid, "last_tempo"),
		Emission: server + u64(t, paid, "validator") + u64(t, paid, "root"),
		Stake:    make([]uint64, m.N), RegisteredAt: m.RegisteredAt, LastUpdate: m.LastUpdate, Permits: m.ValidatorPermit,
		Weights: weightRows(m.Weights), Bonds: weightRows(m.Bonds),
		Params: yumaParams(hp),
	}
	for i := range m.N {
		// Stake weight = alpha + root·tao_weight, tao_weight 0.18 (staking params; not queryable).
		in.Stake[i] = m.Stake[i] + m.RootStake[i]*180_000/1_000_000
		if m.Hotkeys[i] == ownerHotkey {
			in.HasOwner, in.OwnerUID = true, uint16(i)
		}
	}
	out, err := yuma.Epoch(in)
	if err != nil {
		t.Fatalf("epoch at %d: %v", B, err)
	}
	sum := new(big.Int)
	for _, e := range out.ServerEmission {
		sum.Add(sum, new(big.Int).SetUint64(e))
	}
	pay := make([]uint64, m.N)
	if sum.Sign() > 0 {
		for i, e := range out.ServerEmission {
			x := new(big.Int).Mul(new(big.Int).SetUint64(server), new(big.Int).SetUint64(e))
			pay[i] = x.Quo(x, sum).Uint64()
		}
	}
	return out, pay, m
}

// weightsNode is a localnet with a started subnet (Alice owner) and hotkeys registered
// by Bob: validators staked by Bob, and miners.
type weightsNode struct {
	*chainCLI
	cl         *client.Client
	netuid     uint16
	owner      string // owner hotkey
	validators []string
	miners     []string
}

func (w *weightsNode) submit(kp *keys.Keypair, call *txpb.Call) *client.Receipt {
	w.t.Helper()
	r, err := w.cl.Submit(w.t.Context(), kp, call, client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func kp(t *testing.T, uri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// metagraph reads the latest lite metagraph.
func (w *weightsNode) metagraph() api.Metagraph {
	w.t.Helper()
	m, err := w.cl.Metagraph(w.t.Context(), w.netuid, 0, false)
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// waitBlock waits until queries (and CheckTx) see the state after block h. The node's
// height is the block store's, which runs a moment ahead of the application's commit.
func (w *weightsNode) waitBlock(h uint64) {
	w.t.Helper()
	if err := w.n.WaitHeight(w.t.Context(), int64(h)); err != nil {
		w.t.Fatal(err)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		p, err := w.cl.Params(w.t.Context())
		if err != nil {
			w.t.Fatal(err)
		}
		if p.Height >= int64(h) {
			return
		}
		select {
		case <-w.t.Context().Done():
			w.t.Fatal(w.t.Context().Err())
		case <-tick.C:
		}
	}
}

// startWeightsNode sets up the subnet: stakes[i] TAO on validator i (plus rootStake TAO on
// root for the last one), then waits for the epoch that gives them permits. The CLI
// wallet "bob" has hotkeys v0.. and m0...
func startWeightsNode(t *testing.T, stakes []uint64, rootStake uint64, miners int) *weightsNode {
	t.Helper()
	w := &weightsNode{chainCLI: startChainCLI(t)}
	w.env[EnvCommitsPath] = t.TempDir()
	w.cl = w.dial()
	alice, bob := kp(t, "//Alice"), kp(t, "//Bob")
	w.owner = ss58(t, "//AliceHot")
	r := w.submit(alice, client.RegisterNetwork(w.owner, nil))
	added, _ := r.Event("subnets.NetworkAdded")
	w.netuid = uint16(attrU64(added, "netuid"))
	w.submit(alice, client.StartCall(w.netuid))
	w.wallet("bob", "//Bob", "//BobHot")
	w.wallet("alice", "//Alice", "//AliceHot")
	reg := func(name, uri string) string {
		var k keyJSON
		w.ok(&k, "--wallet.name", "bob", "--wallet.hotkey", name, "wallet", "regen_hotkey", "--uri", uri, "--no-password")
		w.submit(bob, client.BurnedRegister(w.netuid, k.SS58))
		return k.SS58
	}
	for i := range stakes {
		w.validators = append(w.validators, reg(fmt.Sprintf("v%d", i), fmt.Sprintf("//BobV%d", i)))
	}
	for i := range miners {
		w.miners = append(w.miners, reg(fmt.Sprintf("m%d", i), fmt.Sprintf("//BobM%d", i)))
	}
	for i, s := range stakes {
		w.submit(bob, client.AddStake(w.validators[i], w.netuid, s*tao, 0, false))
	}
	if rootStake > 0 {
		w.submit(bob, client.AddStake(w.validators[len(stakes)-1], 0, rootStake*tao, 0, false))
	}
	// Permits come with the next epoch.
	m := w.metagraph()
	w.waitBlock(m.NextEpochBlock)
	m = w.metagraph()
	for _, v := range w.validators {
		if i := slices.Index(m.Hotkeys, v); i < 0 || !m.ValidatorPermit[i] {
			t.Fatalf("validator %s has no permit after the epoch at %d: %+v", v, m.NextEpochBlock, m.ValidatorPermit)
		}
	}
	return w
}

// as runs a CLI command as Bob's hotkey name.
func (w *weightsNode) asHot(hot string, args ...string) []string {
	return w.as("bob", append([]string{"--wallet.hotkey", hot}, args...)...)
}

// TestWeightsEpochPayments: three validators set weights on five miners through the CLI;
// over ten epochs the miners' incentive follows the weights, validators earn dividends,
// and every epoch's miner payments and validator dividends (alpha and root) equal, to the
// RAO, the pure Yuma epoch run on the inputs a client reads at the block before
// (metagraph, hyperparameters, EpochPaid).
func TestWeightsEpochPayments(t *testing.T) {
	t.Parallel()
	start := time.Now()
	w := startWeightsNode(t, []uint64{100, 200, 300}, 1000, 5)
	t.Logf("setup %v", time.Since(start))
	netuid := strconv.Itoa(int(w.netuid))
	weights := []string{"0.1,0.15,0.2,0.25,0.3", "1000,2000,3000,4000,5000", "0.05,0.1,0.2,0.3,0.35"}
	m := w.metagraph()
	uids := make([]string, len(w.miners))
	for i, h := range w.miners {
		uids[i] = strconv.Itoa(slices.Index(m.Hotkeys, h))
	}
	var lastSet int64
	for i := range w.validators {
		var res weightsResult
		w.ok(&res, w.asHot(fmt.Sprintf("v%d", i), "weights", "set", "--netuid", netuid, "--uids", strings.Join(uids, ","), "--weights", weights[i])...)
		if res.Block == 0 || res.Hotkey != w.validators[i] || len(res.Weights) != 5 || int(res.UID) != slices.Index(m.Hotkeys, w.validators[i]) {
			t.Fatalf("weights set: %+v", res)
		}
		lastSet = max(lastSet, res.Block)
		if i == 0 {
			// Rate limit: the chain refuses a second set and names the block.
			next := fmt.Sprintf("next allowed at block %d", uint64(res.Block)+5)
			w.failsWith(ExitError, []string{"SettingWeightsTooFast", next},
				w.asHot("v0", "weights", "set", "--netuid", netuid, "--uids", uids[0], "--weights", "1")...)
			// The chain refuses it too (for clients without the CLI's check), naming the block.
			if _, err := w.cl.Submit(t.Context(), kp(t, "//BobV0"), client.SetWeights(w.netuid, []uint16{1}, []uint16{1}, 0), client.SubmitOptions{Wait: client.WaitFinal}); err == nil ||
				!strings.Contains(err.Error(), "SettingWeightsTooFast") || !strings.Contains(err.Error(), next) {
				t.Errorf("set_weights within the rate limit: %v", err)
			}
			var st weightsStatus
			w.ok(&st, w.asHot("v0", "weights", "status", "--netuid", netuid)...)
			if st.LastUpdate != uint64(res.Block) || st.NextAllowed != uint64(res.Block)+5 || len(st.Weights) != 5 || !st.Permit || st.CommitReveal {
				t.Errorf("status: %+v", st)
			}
		}
	}
	// Ten epochs.
	m = w.metagraph()
	last := m.NextEpochBlock + 9*m.Tempo
	w.waitBlock(last)
	t.Logf("10 epochs done at %v", time.Since(start))

	var checked int
	for h := lastSet + 1; h <= int64(last); h++ {
		for _, ev := range blockEvents(t, w.n.REST, h) {
			if ev["type"] == "coinbase.StepFailed" {
				t.Fatalf("block %d: coinbase step failed: %v", h, ev)
			}
			if ev["type"] != coinbase.EventEpochPaid || ev["netuid"] != netuid {
				continue
			}
			out, pay, before := expectedEpoch(t, w.cl, w.netuid, w.owner, h, ev)
			after, err := w.cl.Metagraph(t.Context(), w.netuid, h, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, hk := range w.miners {
				i := slices.Index(before.Hotkeys, hk)
				if got := after.Stake[i] - before.Stake[i]; got != pay[i] || pay[i] == 0 {
					t.Errorf("epoch at block %d: miner uid %d paid %d RAO, pure epoch says %d", h, i, got, pay[i])
				}
			}
			// Validators: each one's dividends (the pure epoch's validator emission) are split
			// into alpha and root parts by its root share (root stake × tao_weight 0.18), and
			// the validator and root pots are divided by those parts, floored; the
			// DividendsPaid events must say exactly that.
			valPot, rootPot := u64(t, ev, "validator"), u64(t, ev, "root")
			var incPaid uint64
			for _, p := range pay {
				incPaid += p
			}
			if incPaid == 0 {
				valPot += u64(t, ev, "server")
			}
			alphaW, rootW := make([]*big.Int, before.N), make([]*big.Int, before.N)
			alphaSum, rootSum := new(big.Int), new(big.Int)
			for i := range before.N {
				div := new(big.Int).SetUint64(out.ValidatorEmission[i])
				a := new(big.Int).SetUint64(before.Stake[i])
				r := new(big.Int).SetUint64(before.RootStake[i] * 180_000 / 1_000_000)
				rootW[i] = new(big.Int)
				if den := new(big.Int).Add(a, r); den.Sign() > 0 {
					rootW[i].Quo(new(big.Int).Mul(div, r), den)
				}
				alphaW[i] = new(big.Int).Sub(div, rootW[i])
				alphaSum.Add(alphaSum, alphaW[i])
				rootSum.Add(rootSum, rootW[i])
			}
			share := func(pot uint64, w, sum *big.Int) uint64 {
				if sum.Sign() == 0 {
					return 0
				}
				return new(big.Int).Quo(new(big.Int).Mul(new(big.Int).SetUint64(pot), w), sum).Uint64()
			}
			divEvents := map[string][2]uint64{}
			for _, e := range blockEvents(t, w.n.REST, h) {
				if e["type"] == coinbase.EventDividendsPaid && e["netuid"] == netuid {
					divEvents[e["hotkey"]] = [2]uint64{u64(t, e, "alpha"), u64(t, e, "root")}
				}
			}
			for k, hk := range w.validators {
				i := slices.Index(before.Hotkeys, hk)
				want := [2]uint64{share(valPot, alphaW[i], alphaSum), share(rootPot, rootW[i], rootSum)}
				if got := divEvents[hk]; got != want || want[0] == 0 || (k == len(w.validators)-1 && rootPot > 0 && want[1] == 0) {
					t.Errorf("epoch at block %d: validator uid %d paid %v (alpha, root) RAO, pure epoch says %v", h, i, got, want)
				}
			}
			for i := range after.N {
				if after.Incentive[i] != out.Incentive[i] || after.Dividends[i] != out.Dividends[i] || after.Consensus[i] != out.Consensus[i] ||
					after.Emission[i] != out.Emission[i] || after.ValidatorTrust[i] != out.ValidatorTrust[i] || after.Rank[i] != out.Rank[i] ||
					after.Trust[i] != out.Trust[i] || after.ValidatorPermit[i] != out.ValidatorPermit[i] {
					t.Errorf("epoch at block %d uid %d: stored results differ from the pure epoch", h, i)
				}
			}
			checked++
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d epochs between blocks %d and %d, want at least 10", checked, lastSet+1, last)
	}

	m = w.metagraph()
	for i := 1; i < len(w.miners); i++ {
		a, b := slices.Index(m.Hotkeys, w.miners[i-1]), slices.Index(m.Hotkeys, w.miners[i])
		if m.Incentive[a] >= m.Incentive[b] {
			t.Errorf("incentive of uid %d (%d) not below uid %d (%d)", a, m.Incentive[a], b, m.Incentive[b])
		}
	}
	for _, v := range w.validators {
		if i := slices.Index(m.Hotkeys, v); m.Dividends[i] == 0 || m.Emission[i] == 0 {
			t.Errorf("validator uid %d: dividends %d, emission %d", i, m.Dividends[i], m.Emission[i])
		}
	}

	// The metagraph through the CLI: JSON (full), and the table by positional netuid.
	var mj api.Metagraph
	w.ok(&mj, w.as("bob", "subnets", "metagraph", "--netuid", netuid, "--full")...)
	v0 := slices.Index(mj.Hotkeys, w.validators[0])
	if mj.N != 9 || mj.Netuid != w.netuid || len(mj.Weights) != 9 || len(mj.Weights[v0]) != 5 || len(mj.Bonds[v0]) == 0 || mj.Tempo != 20 {
		t.Errorf("metagraph --json --full: n %d, weights %v", mj.N, mj.Weights)
	}
	r := w.run(w.as("bob", "subnets", "metagraph", netuid)...)
	for _, want := range []string{"next epoch at block", "INCENTIVE", "DIVIDENDS", short(w.miners[4]), short(ss58(t, "//Bob")), "Pending emission"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("metagraph table lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if strings.Contains(r.stdout, "Weights (") {
		t.Errorf("lite table shows weights")
	}
	r = w.run(w.as("bob", "subnets", "metagraph", netuid, "--full", "--block", strconv.FormatInt(lastSet, 10))...)
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("at block %d", lastSet)) || !strings.Contains(r.stdout, "Weights (") {
		t.Errorf("metagraph --full --block:\n%s%s", r.stdout, r.stderr)
	}
	w.failsWith(ExitUsage, []string{"netuid given twice"}, w.as("bob", "subnets", "metagraph", netuid, "--netuid", "7")...)
	w.failsWith(ExitError, []string{"subnet 9 does not exist"}, w.as("bob", "subnets", "metagraph", "9")...)
	t.Logf("total %v", time.Since(start))
}

// TestWeightsCommitReveal: on a subnet with commit-reveal on, set is refused, a commit
// saves its salt, an early reveal fails naming the reveal epoch, a reveal in the window
// stores the weights; and the refusals of bad input.
func TestWeightsCommitReveal(t *testing.T) {
	t.Parallel()
	w := startWeightsNode(t, []uint64{100}, 0, 2)
	netuid := strconv.Itoa(int(w.netuid))
	m := w.metagraph()
	m0, m1 := slices.Index(m.Hotkeys, w.miners[0]), slices.Index(m.Hotkeys, w.miners[1])
	uids := fmt.Sprintf("%d,%d", m0, m1)

	// Bad input, refused before anything is signed.
	for _, tc := range []struct {
		code int
		want []string
		args []string
	}{
		{ExitUsage, []string{"WeightVecNotEqualSize", "2 uids but 3 weights"}, []string{"--uids", uids, "--weights", "1,2,3"}},
		{ExitUsage, []string{"DuplicateUids", fmt.Sprintf("uid %d appears twice", m0)}, []string{"--uids", fmt.Sprintf("%d,%d", m0, m0), "--weights", "1,2"}},
		{ExitUsage, []string{"--uids and --weights are both required"}, []string{"--uids", uids}},
		{ExitUsage, []string{"is not a whole number"}, []string{"--uids", "1,x", "--weights", "1,2"}},
	} {
		w.failsWith(tc.code, tc.want, w.asHot("v0", append([]string{"weights", "set", "--netuid", netuid}, tc.args...)...)...)
	}
	w.failsWith(ExitUsage, []string{"CanNotSetRootNetworkWeights"}, w.asHot("v0", "weights", "set", "--netuid", "0", "--uids", "1", "--weights", "1")...)
	w.failsWith(ExitUsage, []string{"--netuid is required"}, w.asHot("v0", "weights", "set", "--uids", "1", "--weights", "1")...)
	w.failsWith(ExitError, []string{"HotKeyNotRegisteredInSubNet", "btcli subnets register"}, w.asHot("default", "weights", "set", "--netuid", netuid, "--uids", uids, "--weights", "1,2")...)
	w.failsWith(ExitError, []string{"subnet 9 does not exist"}, w.asHot("v0", "weights", "set", "--netuid", "9", "--uids", uids, "--weights", "1,2")...)
	w.failsWith(ExitError, []string{"CommitRevealDisabled", "btcli weights set"}, w.asHot("v0", "weights", "commit", "--netuid", netuid, "--uids", uids, "--weights", "1,2")...)
	// A miner (no permit) weighting others: the chain refuses and we say when permits come.
	w.failsWith(ExitError, []string{"NeuronNoValidatorPermit", "next at about block"}, w.asHot("m0", "weights", "set", "--netuid", netuid, "--uids", uids, "--weights", "1,2")...)

	var set sudoSetResult
	w.ok(&set, w.as("alice", "sudo", "set", "--netuid", netuid, "--param", "commit_reveal_weights_enabled", "--value", "true")...)
	w.failsWith(ExitError, []string{"CommitRevealEnabled", "btcli weights commit"},
		w.asHot("v0", "weights", "set", "--netuid", netuid, "--uids", uids, "--weights", "0.3,0.7")...)
	// The chain refuses it too, for clients that skip the CLI's check.
	if _, err := w.cl.Submit(t.Context(), kp(t, "//BobV0"), client.SetWeights(w.netuid, []uint16{uint16(m0)}, []uint16{1}, 0), client.SubmitOptions{Wait: client.WaitFinal}); err == nil ||
		!strings.Contains(err.Error(), "CommitRevealEnabled") {
		t.Errorf("set_weights with commit-reveal on: %v", err)
	}

	var cm weightsCommitResult
	w.ok(&cm, w.asHot("v0", "weights", "commit", "--netuid", netuid, "--uids", uids, "--weights", "0.3,0.7")...)
	if cm.CommitBlock == 0 || cm.RevealEpoch != cm.CommitEpoch+1 || len(cm.Salt) != saltLen || !slices.Equal(cm.Weights, []uint16{28086, 65535}) ||
		cm.RevealFrom == 0 || cm.RevealUntil != cm.RevealFrom+19 {
		t.Fatalf("commit: %+v", cm)
	}
	var saved savedCommit
	if b, err := os.ReadFile(cm.Path); err != nil || json.Unmarshal(b, &saved) != nil || saved.Hash != cm.Hash || !slices.Equal(saved.Salt, cm.Salt) {
		t.Fatalf("saved commit %s: %v %+v", cm.Path, err, saved)
	}
	hk := kp(t, "//BobV0").Public()
	if h := api.WeightsCommitHash(hk, w.netuid, []uint16{uint16(m0), uint16(m1)}, cm.Weights, cm.Salt, 0); cm.Hash != "0x"+fmt.Sprintf("%x", h) {
		t.Errorf("commit hash %s, want %x", cm.Hash, h)
	}
	var st weightsStatus
	w.ok(&st, w.asHot("v0", "weights", "status", "--netuid", netuid)...)
	if !st.CommitReveal || len(st.Commits) != 1 || st.Commits[0].State != "waiting" || st.Commits[0].FromBlock != cm.RevealFrom || st.LastUpdate != uint64(cm.CommitBlock) {
		t.Errorf("status after commit: %+v", st)
	}
	// The chain's pending commits, matched with the saved one.
	if len(st.Pending) != 1 || st.Pending[0].Hash != cm.Hash || !st.Pending[0].Saved || st.Pending[0].State != "waiting" ||
		st.Pending[0].CommitBlock != uint64(cm.CommitBlock) || st.Pending[0].RevealEpoch != cm.RevealEpoch {
		t.Errorf("pending commits after commit: %+v (commit %+v)", st.Pending, cm)
	}
	r := w.run(w.asHot("v0", "weights", "status", "--netuid", netuid)...)
	if r.code != 0 || !strings.Contains(r.stdout, "waiting (from about block") || !strings.Contains(r.stdout, "commit_weights") ||
		!strings.Contains(r.stdout, "Pending commits on chain") {
		t.Errorf("status table:\n%s%s", r.stdout, r.stderr)
	}

	// Too early: the chain names the reveal epoch; the CLI adds the block.
	w.failsWith(ExitError, []string{"RevealTooEarly", fmt.Sprintf("reveal in epoch %d", cm.RevealEpoch), fmt.Sprintf("begins at about block %d", cm.RevealFrom), "--wait"},
		w.asHot("v0", "weights", "reveal", "--netuid", netuid)...)

	var rv revealResult
	w.ok(&rv, w.asHot("v0", "weights", "reveal", "--netuid", netuid, "--wait")...)
	if uint64(rv.Block) < cm.RevealFrom || rv.Block > int64(cm.RevealUntil)+1 || rv.Hash != cm.Hash || len(rv.Removed) != 1 {
		t.Fatalf("reveal: %+v", rv)
	}
	if _, err := os.Stat(cm.Path); !os.IsNotExist(err) {
		t.Errorf("revealed commit file still there: %v", err)
	}
	full, err := w.cl.Metagraph(t.Context(), w.netuid, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	v0 := slices.Index(full.Hotkeys, w.validators[0])
	if want := [][2]uint16{{uint16(m0), 28086}, {uint16(m1), 65535}}; !slices.Equal(full.Weights[v0], want) {
		t.Errorf("weights after reveal %v, want %v", full.Weights[v0], want)
	}
	w.failsWith(ExitError, []string{"no saved commit"}, w.asHot("v0", "weights", "reveal", "--netuid", netuid)...)
	w.failsWith(ExitUsage, []string{"--salt is required"}, w.asHot("v0", "weights", "reveal", "--netuid", netuid, "--uids", uids, "--weights", "1,2")...)

	// A commit made elsewhere (its file is not in our folder) is revealed from explicit
	// arguments: u16 integers, our salt and version key.
	elsewhere := t.TempDir()
	cm = weightsCommitResult{}
	w.ok(&cm, w.asHot("v0", "weights", "commit", "--netuid", netuid, "--uids", uids, "--weights", "500,100", "--salt", "7,8,9",
		"--version-key", "4", "--commits-dir", elsewhere)...)
	if !slices.Equal(cm.Salt, []uint16{7, 8, 9}) || !strings.HasPrefix(cm.Path, elsewhere) || cm.VersionKey != 4 {
		t.Fatalf("commit with --salt: %+v", cm)
	}
	// Status from this machine's folder: the chain holds the commit, no file here.
	st = weightsStatus{}
	w.ok(&st, w.asHot("v0", "weights", "status", "--netuid", netuid)...)
	if len(st.Pending) != 1 || st.Pending[0].Hash != cm.Hash || st.Pending[0].Saved || len(st.Commits) != 0 {
		t.Errorf("status of a commit saved elsewhere: pending %+v, saved %+v", st.Pending, st.Commits)
	}
	w.waitBlock(cm.RevealFrom)
	w.failsWith(ExitError, []string{"InvalidRevealCommitHashNotMatch"},
		w.asHot("v0", "weights", "reveal", "--netuid", netuid, "--uids", uids, "--weights", "500,100", "--salt", "7,8,9")...)
	var rv2 revealResult
	w.ok(&rv2, w.asHot("v0", "weights", "reveal", "--netuid", netuid, "--uids", uids, "--weights", "500,100", "--salt", "7,8,9", "--version-key", "4")...)
	if rv2.Hash != cm.Hash || len(rv2.Removed) != 0 || rv2.Block == 0 {
		t.Fatalf("explicit reveal: %+v", rv2)
	}
	if full, err = w.cl.Metagraph(t.Context(), w.netuid, 0, true); err != nil || !slices.Equal(full.Weights[v0], [][2]uint16{{uint16(m0), 65535}, {uint16(m1), 13107}}) {
		t.Errorf("weights after explicit reveal %v, %v", full.Weights[v0], err)
	}
}
