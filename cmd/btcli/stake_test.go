package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node/nodetest"
)

// TestStakingNames keeps the CLI's event names and error codes equal to the chain's.
func TestStakingNames(t *testing.T) {
	for _, p := range [][2]string{
		{evStakeAdded, staking.EventStakeAdded}, {evStakeRemoved, staking.EventStakeRemoved},
		{evStakeMoved, staking.EventStakeMoved}, {evTakeChanged, staking.EventTakeChanged},
		{evRootRegistered, staking.EventRootRegistered},
	} {
		if p[0] != p[1] {
			t.Errorf("CLI event %q, chain %q", p[0], p[1])
		}
	}
	if !errors.Is(staking.ErrDelegateTxRateLimit, errTakeRateLimit) || errTakeRateLimit.Name != staking.ErrDelegateTxRateLimit.Name {
		t.Errorf("errTakeRateLimit %+v does not match the chain's %+v", errTakeRateLimit, staking.ErrDelegateTxRateLimit)
	}
	if rootNetuid != staking.RootNetuid || priceScale != swap.PriceScale {
		t.Error("root netuid or price scale differ from the chain's")
	}
}

// stakeChain is a node with subnets for staking tests: alice (sudo) owns subnets 1 and 2
// (started; owner hotkeys //AliceHot and //AliceHot2) and 3 (not started); charlie stakes.
type stakeChain struct {
	*chainCLI
	cl                           *client.Client
	n1, n2, n3                   uint16
	aliceHot, aliceHot2, charlie string
}

func startStakeChain(t *testing.T) *stakeChain {
	t.Helper()
	c := &stakeChain{chainCLI: startChainCLI(t)}
	c.cl = c.dial()
	c.wallet("alice", "//Alice", "//AliceHot")
	c.wallet("charlie", "//Charlie", "//CharlieHot")
	c.aliceHot, c.aliceHot2, c.charlie = ss58(t, "//AliceHot"), ss58(t, "//AliceHot2"), ss58(t, "//Charlie")
	alice, err := keys.FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	c.n1 = c.register(alice, c.aliceHot, true)
	c.n2 = c.register(alice, c.aliceHot2, true)
	c.n3 = c.register(alice, ss58(t, "//AliceHot3"), false)
	return c
}

// register creates a subnet with the client, as its owner would, and starts it.
func (c *stakeChain) register(owner *keys.Keypair, hotkey string, start bool) uint16 {
	c.t.Helper()
	ctx := c.t.Context()
	r, err := c.cl.Submit(ctx, owner, client.RegisterNetwork(hotkey, nil), client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		c.t.Fatal(err)
	}
	ev, _ := r.Event(subnets.EventNetworkAdded)
	netuid := uint16(attrU64(ev, "netuid"))
	if start {
		if _, err := c.cl.Submit(ctx, owner, client.StartCall(netuid), client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
			c.t.Fatal(err)
		}
	}
	return netuid
}

func (c *stakeChain) pool(netuid uint16) swap.Pool {
	c.t.Helper()
	s, err := c.cl.Subnet(c.t.Context(), netuid)
	if err != nil {
		c.t.Fatal(err)
	}
	return swap.Pool{TAO: s.Pool.TAO, Alpha: s.Pool.AlphaIn}
}

// poolAt reads a subnet's pool as committed at height h.
func (c *stakeChain) poolAt(netuid uint16, h int64) swap.Pool {
	c.t.Helper()
	var s api.Subnet
	if err := c.cl.Query(c.t.Context(), api.PathSubnet+n(netuid), h, &s); err != nil {
		c.t.Fatal(err)
	}
	return swap.Pool{TAO: s.Pool.TAO, Alpha: s.Pool.AlphaIn}
}

// near checks a result against its preview. Every block first injects emission into the
// pool at its price, so a trade meets a deeper pool than the one quoted a block or two
// before and gets a little more: quoted ≤ got ≤ quoted + 1%.
func near(t *testing.T, what string, got, quoted uint64) {
	t.Helper()
	if quoted == 0 || got < quoted || got-quoted > quoted/100 {
		t.Errorf("%s: got %d, quoted %d", what, got, quoted)
	}
}

func (c *stakeChain) list(name string, extra ...string) stakeListResult {
	c.t.Helper()
	var l stakeListResult
	c.ok(&l, c.as(name, append([]string{"stake", "list"}, extra...)...)...)
	return l
}

func (l stakeListResult) find(hk string, netuid uint16) (stakeRow, bool) {
	for _, p := range l.Positions {
		if p.Hotkey == hk && p.Netuid == netuid {
			return p, true
		}
	}
	return stakeRow{}, false
}

func n(v uint16) string { return strconv.Itoa(int(v)) }

// summaryValue returns the value of "label:" in a confirmation summary.
func summaryValue(t *testing.T, stderr, label string) string {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		if v, ok := strings.CutPrefix(line, label+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %q line in:\n%s", label, stderr)
	return ""
}

// TestStaking drives the staking commands through the CLI against a real node: the quote
// shown before asking against what the chain did, --safe with and without partial fills,
// unstaking, moves, transfers, swaps, list totals, delegates and take, root registration,
// and the bad input of each.
func TestStaking(t *testing.T) {
	c := startStakeChain(t)
	ctx := t.Context()
	hot := []string{"--hotkey", c.aliceHot}

	// stake add: the amount, swap fee and tx fee are what was quoted; the alpha is what
	// was quoted plus what the block's emission into the pool added.
	var add stakeAddResult
	c.ok(&add, c.as("charlie", append([]string{"stake", "add", "--netuid", n(c.n1), "--amount", "10"}, hot...)...)...)
	if add.Quote.In != 10*tao || add.Staked != 10*tao || add.Quote.SwapFee != swap.DefaultFeeRate.Fee(10*tao) || add.SwapFee != add.Quote.SwapFee {
		t.Fatalf("stake add: %+v", add)
	}
	near(t, "stake add alpha", add.Alpha, add.Quote.Out)
	// The position is the stake's share of the hotkey's pool, rounded down.
	if add.Position+1 < add.Alpha || add.Balance != 1_000_000*tao-10*tao-add.Fee || add.Fee == 0 || add.Block == 0 {
		t.Fatalf("position %d, balance after %d, tx fee %d", add.Position, add.Balance, add.Fee)
	}
	// Exactly the quote on the pool the transaction met: the pool after its block with
	// the trade undone (the only trade on the subnet in that block).
	after := c.poolAt(c.n1, add.Block)
	met := swap.Pool{TAO: after.TAO - (add.Staked - add.SwapFee), Alpha: after.Alpha + add.Alpha}
	if q, err := swap.QuoteBuy(met, add.Staked, swap.DefaultFeeRate); err != nil || q.Out != add.Alpha || q.Fee != add.SwapFee || q.After != after {
		t.Fatalf("quote on the pool met %v: %+v, %v; chain did %+v", met, q, err, add)
	}

	// list: the position with its price and TAO value; totals add up.
	l := c.list("charlie")
	row, ok := l.find(c.aliceHot, c.n1)
	if !ok || row.Alpha < add.Alpha || row.Value == 0 || row.Price == "" || row.Netuid != c.n1 {
		t.Fatalf("list: %+v", l)
	}
	if l.Coldkey != c.charlie || l.Free != add.Balance || l.Staked != row.Value || l.Total != l.Free+l.Staked {
		t.Fatalf("list totals: %+v", l)
	}
	r := c.run(c.as("charlie", "stake", "list")...)
	if r.code != 0 || !strings.Contains(r.stdout, "VALUE (τ)") || !strings.Contains(r.stdout, c.aliceHot) || !strings.Contains(r.stdout, formatAlpha(add.Alpha)) {
		t.Fatalf("list table:\n%s%s", r.stdout, r.stderr)
	}

	// A person sees price, output, fee and impact before answering; what they were shown
	// is what they get.
	r = c.runIn("y\n", c.as("charlie", append([]string{"stake", "add", "--netuid", n(c.n1), "--amount", "3"}, hot...)...)...)
	if r.code != 0 {
		t.Fatalf("interactive stake add: %d\n%s", r.code, r.stderr)
	}
	for _, label := range []string{"Spot price", "Swap fee", "Price impact", "Tx fee"} {
		summaryValue(t, r.stderr, label)
	}
	shown, err := parseAlpha(summaryValue(t, r.stderr, "Expected"))
	if err != nil || !strings.Contains(r.stderr, "Do you want to stake?") {
		t.Fatalf("shown before asking: %v\n%s", err, r.stderr)
	}
	got := regexp.MustCompile(`Received (α[0-9.]+) `).FindStringSubmatch(r.stdout)
	if got == nil {
		t.Fatalf("result:\n%s", r.stdout)
	}
	received, _ := parseAlpha(got[1])
	near(t, "interactive stake add", received, shown)
	// Answering no submits nothing.
	before := c.list("charlie")
	r = c.runIn("n\n", c.as("charlie", append([]string{"stake", "add", "--netuid", n(c.n1), "--amount", "3"}, hot...)...)...)
	if r.code != ExitError || !strings.Contains(r.stderr, "cancelled") {
		t.Fatalf("declined: %d %s", r.code, r.stderr)
	}
	if after := c.list("charlie"); after.Free != before.Free {
		t.Fatal("a declined stake changed the balance")
	}

	// --safe with a tight tolerance: the whole amount does not fit and nothing is sent.
	big := append([]string{"stake", "add", "--netuid", n(c.n1), "--amount", "500", "--safe", "--tolerance", "0.01"}, hot...)
	c.failsWith(ExitError, []string{"SlippageTooHigh", "past your limit", "at most τ"}, c.as("charlie", big...)...)
	if after := c.list("charlie"); after.Free != before.Free {
		t.Fatal("a refused stake changed the balance")
	}
	// The chain agrees: the same limit order submitted directly fails the same way.
	p1 := c.pool(c.n1)
	tol, _ := parseTolerance("0.01")
	limit, err := limitPrice(api.Pool{TAO: p1.TAO, AlphaIn: p1.Alpha}, tol, true)
	if err != nil {
		t.Fatal(err)
	}
	charlieKey, _ := keys.FromURI("//Charlie")
	_, err = c.cl.Submit(ctx, charlieKey, client.AddStake(c.aliceHot, c.n1, 500*tao, limit, false), client.SubmitOptions{Wait: client.WaitFinal})
	if !errors.Is(err, swap.ErrSlippageTooHigh) {
		t.Fatalf("chain on the same limit order: %v", err)
	}
	// With --allow-partial the part that fits is staked and the price stays within the limit.
	var part stakeAddResult
	c.ok(&part, c.as("charlie", append(big, "--allow-partial")...)...)
	if part.Quote.LimitPrice != limit || part.Staked < part.Quote.In || part.Staked >= 500*tao || part.Alpha < part.Quote.Out || part.Quote.In == 0 {
		t.Fatalf("partial stake: %+v (limit %d)", part, limit)
	}
	if c.pool(c.n1).PriceRAO() > limit {
		t.Fatalf("price %d ended past the limit %d", c.pool(c.n1).PriceRAO(), limit)
	}

	// remove: what was quoted is what arrives.
	var rm stakeRemoveResult
	c.ok(&rm, c.as("charlie", append([]string{"stake", "remove", "--netuid", n(c.n1), "--amount", "1"}, hot...)...)...)
	if rm.Unstaked != tao || rm.Quote.In != tao || rm.Balance != part.Balance+rm.Received-rm.Fee {
		t.Fatalf("remove: %+v", rm)
	}
	near(t, "remove TAO", rm.Received, rm.Quote.Out)

	// move across subnets and hotkeys: one fee, the destination receives the quote.
	var mv moveResult
	c.ok(&mv, c.as("charlie", append([]string{"stake", "move", "--origin-netuid", n(c.n1), "--dest-netuid", n(c.n2), "--dest-hotkey", c.aliceHot2, "--amount", "2"}, hot...)...)...)
	if mv.Moved != 2*tao || mv.SwapFee == 0 || mv.Quote.OriginFee == 0 || mv.Quote.TAO == 0 {
		t.Fatalf("move: %+v", mv)
	}
	near(t, "move", mv.Received, mv.Quote.Out)
	if row, ok := c.list("charlie").find(c.aliceHot2, c.n2); !ok || row.Alpha+1 < mv.Received { // shares round down
		t.Fatalf("moved position: %+v", row)
	}
	// move within a subnet: the shares move as they are, no fee (--safe has nothing to limit).
	c.ok(&mv, c.as("charlie", append([]string{"stake", "move", "--origin-netuid", n(c.n1), "--dest-hotkey", c.aliceHot2, "--amount", "1", "--safe"}, hot...)...)...)
	if mv.Moved != tao || mv.Received != tao || mv.SwapFee != 0 || mv.ToNetuid != c.n1 {
		t.Fatalf("move within subnet: %+v", mv)
	}

	// transfer to another coldkey: it shows up in theirs.
	dave := ss58(t, "//Dave")
	var tr moveResult
	c.ok(&tr, c.as("charlie", append([]string{"stake", "transfer", "--dest-coldkey", dave, "--origin-netuid", n(c.n1), "--amount", "1.5"}, hot...)...)...)
	if tr.ToColdkey != dave || tr.Received != 1_500_000_000 {
		t.Fatalf("transfer: %+v", tr)
	}
	if row, ok := c.list("charlie", "--ss58", dave).find(c.aliceHot, c.n1); !ok || row.Alpha+1 < tr.Received {
		t.Fatalf("dave's stake: %+v", row)
	}

	// swap with --safe between subnets, same hotkey.
	var sw moveResult
	c.ok(&sw, c.as("charlie", append([]string{"stake", "swap", "--origin-netuid", n(c.n1), "--dest-netuid", n(c.n2), "--amount", "1", "--safe", "--tolerance", "5%"}, hot...)...)...)
	if sw.Moved != tao || sw.Quote.LimitPrice == 0 || sw.Quote.Tolerance != "5%" {
		t.Fatalf("swap: %+v", sw)
	}
	near(t, "swap", sw.Received, sw.Quote.Out)

	// move --safe across subnets on one hotkey is swap_stake_limit: with a tolerance the
	// whole position cannot fit and --allow-partial, the chain moves only part of it.
	whole, _ := c.list("charlie").find(c.aliceHot, c.n1)
	var ms moveResult
	c.ok(&ms, c.as("charlie", append([]string{"stake", "move", "--origin-netuid", n(c.n1), "--dest-netuid", n(c.n2), "--dest-hotkey", c.aliceHot,
		"--all", "--tolerance", "0.001", "--allow-partial"}, hot...)...)...)
	if ms.Quote.LimitPrice == 0 || !ms.Quote.AllowPartial || ms.Moved == 0 || ms.Moved >= whole.Alpha || ms.Received == 0 {
		t.Fatalf("move --safe --allow-partial of %d: %+v", whole.Alpha, ms)
	}

	// remove --all: the position is gone, the whole value paid out.
	held, _ := c.list("charlie").find(c.aliceHot, c.n1)
	c.ok(&rm, c.as("charlie", append([]string{"stake", "remove", "--netuid", n(c.n1), "--all"}, hot...)...)...)
	if rm.Unstaked < held.Alpha || rm.Received < rm.Quote.Out || rm.Position != 0 {
		t.Fatalf("remove --all of %d: %+v", held.Alpha, rm)
	}
	if _, ok := c.list("charlie").find(c.aliceHot, c.n1); ok {
		t.Fatalf("position still listed after remove --all: %+v", c.list("charlie"))
	}

	// Bad input: each a clear error, nothing sent.
	nobody := ss58(t, "//Nobody")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"below minimum", []string{"stake", "add", "--netuid", n(c.n1), "--amount", "0.001", "--hotkey", c.aliceHot}, ExitError, []string{"AmountTooLow", "minimum"}},
		{"more than balance", []string{"stake", "add", "--netuid", n(c.n1), "--amount", "2000000", "--hotkey", c.aliceHot}, ExitError, []string{"cannot cover", "stake less"}},
		{"unknown hotkey", []string{"stake", "add", "--netuid", n(c.n1), "--amount", "1", "--hotkey", nobody}, ExitError, []string{"never been registered", "delegates list"}},
		{"subnet not started", []string{"stake", "add", "--netuid", n(c.n3), "--amount", "1", "--hotkey", c.aliceHot}, ExitError, []string{"not been started", "subnets start --netuid " + n(c.n3)}},
		{"no such subnet", []string{"stake", "add", "--netuid", "77", "--amount", "1", "--hotkey", c.aliceHot}, ExitError, []string{"subnet 77 does not exist"}},
		{"2^64 rao", []string{"stake", "add", "--netuid", n(c.n1), "--amount", "18446744073709551616rao", "--hotkey", c.aliceHot}, ExitUsage, []string{"2^64"}},
		{"2^64 tao", []string{"stake", "add", "--netuid", n(c.n1), "--amount", "18446744073.709551616", "--hotkey", c.aliceHot}, ExitUsage, []string{"too large"}},
		{"2^64 alpha", []string{"stake", "remove", "--netuid", n(c.n2), "--amount", "18446744073709551616rao", "--hotkey", c.aliceHot}, ExitUsage, []string{"2^64"}},
		{"near 2^64 alpha", []string{"stake", "remove", "--netuid", n(c.n2), "--amount", "18446744073709551615rao", "--hotkey", c.aliceHot}, ExitError, []string{"holds", "less than"}},
		{"bad tolerance", []string{"stake", "add", "--netuid", n(c.n1), "--amount", "1", "--tolerance", "1.5"}, ExitUsage, []string{"--tolerance", "below 1"}},
		{"no amount", []string{"stake", "add", "--netuid", n(c.n1)}, ExitUsage, []string{"--amount is required"}},
		{"no netuid", []string{"stake", "add", "--amount", "1"}, ExitUsage, []string{"--netuid is required"}},
		{"remove nothing held", []string{"stake", "remove", "--netuid", n(c.n1), "--all", "--hotkey", c.aliceHot}, ExitError, []string{"no stake", "stake list"}},
		{"remove amount and all", []string{"stake", "remove", "--netuid", n(c.n1), "--all", "--amount", "1"}, ExitUsage, []string{"either --amount"}},
		{"same position", []string{"stake", "move", "--origin-netuid", n(c.n2), "--dest-hotkey", c.aliceHot2, "--amount", "1", "--hotkey", c.aliceHot2}, ExitUsage, []string{"same position"}},
		{"swap same subnet", []string{"stake", "swap", "--origin-netuid", n(c.n2), "--dest-netuid", n(c.n2), "--amount", "1"}, ExitUsage, []string{"both " + n(c.n2)}},
		{"transfer to self", []string{"stake", "transfer", "--dest-coldkey", c.charlie, "--origin-netuid", n(c.n2), "--amount", "1", "--hotkey", c.aliceHot2}, ExitUsage, []string{"same position"}},
		{"transfer across subnets --safe", []string{"stake", "transfer", "--dest-coldkey", dave, "--origin-netuid", n(c.n1), "--dest-netuid", n(c.n2), "--amount", "1", "--safe", "--hotkey", c.aliceHot}, ExitUsage, []string{"no price limit", "stake swap --safe"}},
		{"move to another hotkey across subnets --safe", []string{"stake", "move", "--origin-netuid", n(c.n1), "--dest-netuid", n(c.n2), "--dest-hotkey", c.aliceHot2, "--amount", "1", "--tolerance", "1%", "--hotkey", c.aliceHot}, ExitUsage, []string{"no price limit", "move within subnet"}},
		{"move to unknown hotkey", []string{"stake", "move", "--origin-netuid", n(c.n2), "--dest-hotkey", nobody, "--amount", "1", "--hotkey", c.aliceHot2}, ExitError, []string{"never been registered"}},
		{"move to unstarted subnet", []string{"stake", "move", "--origin-netuid", n(c.n2), "--dest-netuid", n(c.n3), "--dest-hotkey", c.aliceHot2, "--amount", "1", "--hotkey", c.aliceHot2}, ExitError, []string{"not been started"}},
		{"wizard without prompts", []string{"stake", "wizard"}, ExitUsage, []string{"--no-prompt", "btcli stake add --netuid N --amount TAO"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.failsWith(tc.code, tc.want, c.as("charlie", tc.args...)...)
		})
	}
	final := c.list("charlie")
	if final.Free != rm.Balance {
		t.Fatalf("failed commands changed the balance: %d, was %d", final.Free, rm.Balance)
	}

	// root register, then delegates.
	var rr rootRegisterResult
	c.ok(&rr, c.as("alice", "root", "register")...)
	if rr.Hotkey != c.aliceHot || rr.Block == 0 {
		t.Fatalf("root register: %+v", rr)
	}
	c.failsWith(ExitError, []string{"already uid"}, c.as("alice", "root", "register")...)
	c.failsWith(ExitError, []string{"owned by coldkey"}, c.as("charlie", "root", "register", "--hotkey", c.aliceHot2)...)

	var dl struct{ Delegates []delegateRow }
	c.ok(&dl, c.as("charlie", "delegates", "list")...)
	var found bool
	for _, d := range dl.Delegates {
		found = found || (d.Hotkey == c.aliceHot && d.Owner == ss58(t, "//Alice") && d.TakePct == "18.00%")
	}
	if !found {
		t.Fatalf("delegates list: %+v", dl)
	}
	var ds delegateShowResult
	c.ok(&ds, c.as("charlie", "delegates", "show", "--hotkey", c.aliceHot)...)
	var nominated bool
	for _, nm := range ds.Nominators {
		nominated = nominated || (nm.Coldkey == dave && nm.Netuid == c.n1 && nm.Alpha+1 >= tr.Received && nm.Value > 0)
	}
	if !nominated || ds.Owner != ss58(t, "//Alice") {
		t.Fatalf("delegates show: %+v", ds)
	}

	// take: a decrease applies at once; an increase right after is rate-limited until the
	// block the error names, and passes from then on.
	var tk takeResult
	c.ok(&tk, c.as("alice", "delegates", "take", "--take", "0.09")...)
	if tk.Direction != "decrease" || tk.Take != 5898 || tk.OldTake != 11796 || tk.TakePct != "9.00%" {
		t.Fatalf("take decrease: %+v", tk)
	}
	msg := c.fails(ExitError, c.as("alice", "delegates", "take", "--take", "10%")...)
	m := regexp.MustCompile(`next allowed at block (\d+)`).FindStringSubmatch(msg)
	if m == nil || !strings.Contains(msg, "DelegateTxRateLimitExceeded") || !strings.Contains(msg, "the chain is at block") {
		t.Fatalf("rate-limited increase: %q", msg)
	}
	next, _ := strconv.ParseInt(m[1], 10, 64)
	// The block store has a block before the application commits it, so wait for the
	// named block itself: by then the block before it is committed and CheckTx
	// validates as of the named block.
	if err := c.n.WaitHeight(ctx, next); err != nil {
		t.Fatal(err)
	}
	c.ok(&tk, c.as("alice", "delegates", "take", "--take", "10%")...)
	if tk.Direction != "increase" || tk.Take != 6553 || tk.OldTake != 5898 {
		t.Fatalf("take increase: %+v", tk)
	}
	c.failsWith(ExitError, []string{"already 10.00%"}, c.as("alice", "delegates", "take", "--take", "0.1")...)
	c.failsWith(ExitError, []string{"owned by coldkey", "--wallet.name"}, c.as("charlie", "delegates", "take", "--hotkey", c.aliceHot, "--take", "0.05")...)
	c.failsWith(ExitUsage, []string{"above 100%"}, c.as("alice", "delegates", "take", "--take", "9")...)
}

// TestStakeWizard answers the wizard's questions on stdin.
func TestStakeWizard(t *testing.T) {
	c := startStakeChain(t)
	// subnet, hotkey (default: the owner's), amount, tolerance, partial fill, confirm.
	stdin := n(c.n1) + "\n\n2.5\n10%\nn\ny\n"
	r := c.runIn(stdin, c.as("charlie", "stake", "wizard")...)
	if r.code != 0 {
		t.Fatalf("wizard: %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"Subnets that take stake", "Hotkeys on subnet", "(subnet owner)", "Limit price", "Expected:", "Do you want to stake?"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("wizard did not show %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, ss58(t, "//AliceHot3")) {
		t.Error("wizard offered a subnet that is not started")
	}
	row, ok := c.list("charlie").find(c.aliceHot, c.n1)
	if !ok || row.Alpha == 0 || !strings.Contains(r.stdout, "Staked τ2.5 to "+c.aliceHot) {
		t.Fatalf("wizard stake: %+v\n%s", row, r.stdout)
	}
	// Closed input ends the wizard with an error, not a loop.
	r = c.runIn(n(c.n1)+"\n", c.as("charlie", "stake", "wizard")...)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "input closed") {
		t.Fatalf("wizard on closed input: %d %s", r.code, r.stderr)
	}
}

// TestStakeRemoveBelowNominatorMinimum: on a chain with a nominator minimum, an unstake
// that leaves a nomination worth less says so before asking, and the result counts the
// rest the chain unstaked with it; one that leaves enough says nothing of it.
func TestStakeRemoveBelowNominatorMinimum(t *testing.T) {
	home := filepath.Join(t.TempDir(), "node")
	nodetest.Init(t, home, 0)
	gpath := filepath.Join(home, "config", "genesis.json")
	b, err := os.ReadFile(gpath)
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	params := g["app_state"].(map[string]any)["staking"].(map[string]any)["params"].(map[string]any)
	params["nominator_min_required_stake"] = strconv.FormatUint(tao, 10)
	if b, err = json.Marshal(g); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gpath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &stakeChain{chainCLI: &chainCLI{cli: newCLI(t), n: nodetest.Start(t, nodetest.Options{Home: home})}}
	c.cl = c.dial()
	c.wallet("charlie", "//Charlie", "//CharlieHot")
	alice, err := keys.FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	// Stake on subnet 1 to a hotkey that is no neuron there (Alice's owner hotkey of an
	// unstarted subnet 2): it earns no emission, so the position holds still.
	c.n1 = c.register(alice, ss58(t, "//AliceHot"), true)
	hk := ss58(t, "//AliceHot2")
	c.register(alice, hk, false)
	hot := []string{"--hotkey", hk}
	var add stakeAddResult
	c.ok(&add, c.as("charlie", append([]string{"stake", "add", "--netuid", n(c.n1), "--amount", "3"}, hot...)...)...)

	// Leaving about α1.9 (more than 1 TAO): no note, one StakeRemoved.
	r := c.runIn("y\n", c.as("charlie", append([]string{"stake", "remove", "--netuid", n(c.n1), "--amount", "1"}, hot...)...)...)
	if r.code != 0 || strings.Contains(r.stderr, "Nomination:") || !strings.Contains(r.stdout, "Unstaked α1 ") {
		t.Fatalf("unstake leaving enough: exit %d\n%s%s", r.code, r.stderr, r.stdout)
	}
	held, _ := c.list("charlie").find(hk, c.n1)
	// Leaving α0.2 (about τ0.2): the preview says the chain unstakes it too, and it does.
	rest := uint64(200_000_000)
	amount := formatAlpha(held.Alpha - rest)[len("α"):]
	r = c.runIn("y\n", c.as("charlie", append([]string{"stake", "remove", "--netuid", n(c.n1), "--amount", amount}, hot...)...)...)
	if r.code != 0 {
		t.Fatalf("unstake leaving little: exit %d\n%s", r.code, r.stderr)
	}
	if note := summaryValue(t, r.stderr, "Nomination"); !strings.Contains(note, "α0.2 left") || !strings.Contains(note, "nominator minimum τ1") {
		t.Fatalf("nomination note %q", note)
	}
	var rm stakeRemoveResult
	c.ok(&rm, c.as("charlie", append([]string{"stake", "add", "--netuid", n(c.n1), "--amount", "1"}, hot...)...)...)
	held, _ = c.list("charlie").find(hk, c.n1)
	c.ok(&rm, c.as("charlie", append([]string{"stake", "remove", "--netuid", n(c.n1), "--amount", formatAlpha(held.Alpha - rest)[len("α"):]}, hot...)...)...)
	if rm.Position != 0 || rm.Unstaked != held.Alpha || rm.Received == 0 {
		t.Fatalf("unstake of %d leaving %d below the nominator minimum: %+v", held.Alpha, rest, rm)
	}
	if _, ok := c.list("charlie").find(hk, c.n1); ok {
		t.Fatal("the small nomination is still listed")
	}
}
