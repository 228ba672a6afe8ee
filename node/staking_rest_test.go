package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node/nodetest"
)

// restGet fetches path from a node's REST facade: status, the
// X-Block-Height header and the body.
func restGet(t *testing.T, base, path string) (int, int64, []byte) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := strconv.ParseInt(resp.Header.Get("X-Block-Height"), 10, 64)
	return resp.StatusCode, h, b
}

// restOK fetches path, wants 200 and decodes the body into out; it returns
// the height the answer was read at.
func restOK(t *testing.T, base, path string, out any) int64 {
	t.Helper()
	code, h, b := restGet(t, base, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, b)
	}
	return h
}

func evU64(t *testing.T, ev map[string]string, key string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(ev[key], 10, 64)
	if err != nil {
		t.Fatalf("event %v: %s: %v", ev, key, err)
	}
	return v
}

// TestRESTStaking drives the staking routes of the REST facade on a real
// node: a started subnet, stake added and removed through transactions,
// and every route's answer checked against what the chain did.
//   - /quote/add_stake and /quote/remove_stake at the height before a
//     stake lands are the swap of that height's pool (recomputed here from
//     /subnets/{netuid} at the same height); the transaction then moves
//     exactly the quoted input and fee and gets at least the quoted output
//     (the block's own injection deepens the pool a little: ≤ 1% more).
//     Root quotes are 1:1 without fee.
//   - /stake/{coldkey} lists the positions the events credited, with their
//     TAO value at that height's spot price (1:1 on root).
//   - /delegates/{hotkey} lists the nominators with the same alpha;
//     /delegates lists the hotkeys that set a take (a decreased take, a
//     root registration) and not one that never did.
//   - /staking/params are the localnet profile's.
//   - bad input answers 400 (malformed keys and numbers, amounts near
//     2^64, a subnet that does not exist or has not started) or 404 (a
//     hotkey never registered, an unknown quote kind).
func TestRESTStaking(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	c, err := client.New(client.Config{Endpoints: []string{n.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	alice, bob, charlie := dev(t, "Alice"), dev(t, "Bob"), dev(t, "Charlie")
	ownerHot, rootHot, minerHot := dev(t, "AliceStakeHot"), dev(t, "AliceRootHot"), dev(t, "CharlieStakeHot")
	submit := func(kp *keys.Keypair, call *txpb.Call) *client.Receipt {
		t.Helper()
		r, err := c.Submit(ctx, kp, call, client.SubmitOptions{Wait: client.WaitFinal})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	event := func(r *client.Receipt, typ string) map[string]string {
		t.Helper()
		ev, ok := r.Event(typ)
		if !ok {
			t.Fatalf("no %s event in %+v", typ, r.Events)
		}
		return ev
	}
	register := func(hotkey string) uint16 {
		t.Helper()
		return uint16(evU64(t, event(submit(alice, client.RegisterNetwork(hotkey, nil)), subnets.EventNetworkAdded), "netuid"))
	}
	netuid := register(ownerHot.SS58())
	submit(alice, client.StartCall(netuid))
	idle := register(dev(t, "AliceIdleHot").SS58()) // never started
	submit(charlie, client.BurnedRegister(netuid, minerHot.SS58()))
	pool := func(h int64) swap.Pool {
		t.Helper()
		var s api.Subnet
		restOK(t, n.REST, fmt.Sprintf("/api/v1/subnets/%d?height=%d", netuid, h), &s)
		return swap.Pool{TAO: s.Pool.TAO, Alpha: s.Pool.AlphaIn}
	}
	quote := func(kind string, amount uint64, h int64) api.Quote {
		t.Helper()
		var q api.Quote
		path := fmt.Sprintf("/api/v1/quote/%s?netuid=%d&amount=%d&height=%d", kind, netuid, amount, h)
		if got := restOK(t, n.REST, path, &q); got != h {
			t.Fatalf("GET %s answered at height %d", path, got)
		}
		return q
	}
	sameQuote := func(what string, q api.Quote, want swap.Quote) {
		t.Helper()
		if q.Netuid != netuid || q.In != want.In || q.Out != want.Out || q.Fee != want.Fee ||
			q.PriceBefore != want.PriceBefore.String() || q.PriceAfter != want.PriceAfter.String() || q.Impact != want.Impact.String() {
			t.Fatalf("%s: REST quote %+v, the pool's swap gives %+v", what, q, want)
		}
	}
	near := func(what string, got, quoted uint64) {
		t.Helper()
		if quoted == 0 || got < quoted || got-quoted > quoted/100 {
			t.Fatalf("%s: got %d, quoted %d (want quoted ≤ got ≤ quoted + 1%%)", what, got, quoted)
		}
	}

	// add_stake: the quote at the block before matches what the stake got.
	amount := 10 * balances.RAOPerTAO
	r := submit(bob, client.AddStake(ownerHot.SS58(), netuid, amount, 0, false))
	added := event(r, staking.EventStakeAdded)
	q := quote("add_stake", amount, r.Height-1)
	want, err := swap.QuoteBuy(pool(r.Height-1), amount, swap.DefaultFeeRate)
	if err != nil {
		t.Fatal(err)
	}
	sameQuote("add_stake", q, want)
	if q.PriceAfter == q.PriceBefore || q.Impact == "0" {
		t.Fatalf("a 10 TAO buy moved nothing: %+v", q)
	}
	if got := evU64(t, added, "tao"); got != q.In {
		t.Fatalf("add_stake used %d TAO, quoted %d", got, q.In)
	}
	if got := evU64(t, added, "fee"); got != q.Fee || q.Fee == 0 {
		t.Fatalf("add_stake fee %d, quoted %d", got, q.Fee)
	}
	bobAlpha := evU64(t, added, "alpha")
	near("add_stake alpha", bobAlpha, q.Out)

	// remove_stake of half: the same, selling.
	r = submit(bob, client.RemoveStake(ownerHot.SS58(), netuid, bobAlpha/2, 0, false))
	removed := event(r, staking.EventStakeRemoved)
	q = quote("remove_stake", bobAlpha/2, r.Height-1)
	if want, err = swap.QuoteSell(pool(r.Height-1), bobAlpha/2, swap.DefaultFeeRate); err != nil {
		t.Fatal(err)
	}
	sameQuote("remove_stake", q, want)
	if got := evU64(t, removed, "alpha"); got != q.In {
		t.Fatalf("remove_stake sold %d alpha, quoted %d", got, q.In)
	}
	near("remove_stake TAO", evU64(t, removed, "tao"), q.Out)
	bobAlpha -= bobAlpha / 2

	// Root: 1:1, no fee, at any height.
	rootAmount := 3 * balances.RAOPerTAO
	var rq api.Quote
	restOK(t, n.REST, fmt.Sprintf("/api/v1/quote/add_stake?netuid=0&amount=%d", rootAmount), &rq)
	if rq != (api.Quote{Netuid: 0, In: rootAmount, Out: rootAmount, PriceBefore: "1", PriceAfter: "1", Impact: "0"}) {
		t.Fatalf("root quote %+v", rq)
	}
	event(submit(alice, client.RootRegister(rootHot.SS58())), staking.EventRootRegistered)
	r = submit(bob, client.AddStake(rootHot.SS58(), 0, rootAmount, 0, false))
	if ev := event(r, staking.EventStakeAdded); evU64(t, ev, "alpha") != rootAmount || evU64(t, ev, "fee") != 0 {
		t.Fatalf("root stake %v, quoted %+v", ev, rq)
	}
	// The owner lowers the subnet hotkey's take: it becomes a delegate.
	r = submit(alice, client.ChangeTake(ownerHot.SS58(), 5000, false))
	at := r.Height

	// Bob's positions, read at the block of the last transaction.
	var pos []api.StakePosition
	restOK(t, n.REST, fmt.Sprintf("/api/v1/stake/%s?height=%d", bob.SS58(), at), &pos)
	spot := pool(at)
	found := 0
	for _, p := range pos {
		switch {
		case p.Hotkey == ownerHot.SS58() && p.Netuid == netuid:
			// Rounding of the share pool may keep a RAO of dust in it; the
			// epoch pays validators' nominators, so the position may also
			// have grown since.
			if p.Alpha+1 < bobAlpha || p.TAOValue != spot.TAOValue(p.Alpha) {
				t.Errorf("subnet position %+v: want about %d alpha worth %d TAO", p, bobAlpha, spot.TAOValue(p.Alpha))
			}
			bobAlpha = p.Alpha
			found++
		case p.Hotkey == rootHot.SS58() && p.Netuid == 0:
			if p.Alpha != rootAmount || p.TAOValue != rootAmount {
				t.Errorf("root position %+v: want %d, worth as much", p, rootAmount)
			}
			found++
		default:
			t.Errorf("unexpected position %+v", p)
		}
	}
	if found != 2 {
		t.Fatalf("bob's positions %+v: want the subnet and the root one", pos)
	}
	var none []api.StakePosition
	if restOK(t, n.REST, "/api/v1/stake/"+dev(t, "Eve").SS58(), &none); none == nil || len(none) != 0 {
		t.Fatalf("a coldkey without stake: %+v, want []", none)
	}

	// The hotkey's nominators, at the same height.
	var d api.Delegate
	restOK(t, n.REST, fmt.Sprintf("/api/v1/delegates/%s?height=%d", ownerHot.SS58(), at), &d)
	if d.Hotkey != ownerHot.SS58() || d.Owner != alice.SS58() || d.Take != 5000 || d.TakePct != "7.63" || d.RootStake != 0 {
		t.Fatalf("delegate %+v", d)
	}
	var bobNom *api.Nominator
	for i, nom := range d.Nominators {
		if nom.Netuid != netuid {
			t.Errorf("nominator %+v of %s on another subnet", nom, ownerHot.SS58())
		}
		if nom.Coldkey == bob.SS58() {
			bobNom = &d.Nominators[i]
		}
	}
	if bobNom == nil || bobNom.Alpha != bobAlpha {
		t.Fatalf("nominators %+v: want bob with %d alpha", d.Nominators, bobAlpha)
	}
	d = api.Delegate{}
	restOK(t, n.REST, fmt.Sprintf("/api/v1/delegates/%s?height=%d", rootHot.SS58(), at), &d)
	if d.Owner != alice.SS58() || d.Take != 11796 || d.TakePct != "18.00" || d.RootStake != rootAmount ||
		len(d.Nominators) != 1 || d.Nominators[0] != (api.Nominator{Coldkey: bob.SS58(), Netuid: 0, Alpha: rootAmount}) {
		t.Fatalf("root delegate %+v", d)
	}
	// A registered hotkey that never set a take has the default, but is no delegate.
	d = api.Delegate{}
	restOK(t, n.REST, "/api/v1/delegates/"+minerHot.SS58(), &d)
	if d.Owner != charlie.SS58() || d.Take != 11796 || len(d.Nominators) != 0 {
		t.Fatalf("miner hotkey %+v", d)
	}

	// The delegates list.
	var ds []api.Delegate
	restOK(t, n.REST, fmt.Sprintf("/api/v1/delegates?height=%d", at), &ds)
	listed := map[string]api.Delegate{}
	for _, d := range ds {
		if len(d.Nominators) != 0 {
			t.Errorf("the list carries nominators: %+v", d)
		}
		listed[d.Hotkey] = d
	}
	if d, ok := listed[ownerHot.SS58()]; !ok || d.Take != 5000 || d.Owner != alice.SS58() {
		t.Errorf("subnet hotkey in the list: %+v (%v)", d, ok)
	}
	if d, ok := listed[rootHot.SS58()]; !ok || d.Take != 11796 || d.RootStake != rootAmount {
		t.Errorf("root hotkey in the list: %+v (%v)", d, ok)
	}
	if _, ok := listed[minerHot.SS58()]; ok {
		t.Errorf("a hotkey that never set a take is listed: %+v", ds)
	}

	// Parameters.
	var p api.StakingParams
	restOK(t, n.REST, "/api/v1/staking/params", &p)
	lp := staking.LocalnetParams()
	if p != (api.StakingParams{MinStake: lp.MinStake, NominatorMinStake: lp.NominatorMinStake, DefaultTake: lp.DefaultTake,
		MinTake: lp.MinTake, MaxTake: lp.MaxTake, TakeRateLimit: lp.TakeRateLimit, TaoWeightPPM: lp.TaoWeightPPM}) {
		t.Fatalf("params %+v, localnet profile %+v", p, lp)
	}
	if _, _, b := restGet(t, n.REST, "/api/v1/staking/params"); !strings.Contains(string(b), `"min_stake":"2000000"`) {
		t.Fatalf("min_stake is not a RAO string: %s", b)
	}

	// Bad input.
	unknown := dev(t, "NeverRegistered").SS58()
	for _, c := range []struct {
		path string
		code int
		says string
	}{
		{"/api/v1/stake/not-a-key", 400, "coldkey"},
		{"/api/v1/stake/" + bob.SS58() + "?height=x", 400, "height"},
		{"/api/v1/delegates/not-a-key", 400, "hotkey"},
		{"/api/v1/delegates/" + unknown, 404, "never been registered"},
		{"/api/v1/delegates?height=-1", 400, "height"},
		{fmt.Sprintf("/api/v1/quote/add_stake?netuid=%d&amount=ten", netuid), 400, "amount"},
		{fmt.Sprintf("/api/v1/quote/add_stake?netuid=%d", netuid), 400, "amount"},
		{fmt.Sprintf("/api/v1/quote/add_stake?netuid=%d&amount=18446744073709551616", netuid), 400, "amount"},
		{fmt.Sprintf("/api/v1/quote/add_stake?netuid=%d&amount=18446744073709551615", netuid), 400, ""},
		{fmt.Sprintf("/api/v1/quote/remove_stake?netuid=%d&amount=18446744073709551615", netuid), 400, ""},
		{fmt.Sprintf("/api/v1/quote/add_stake?netuid=%d&amount=1000000000&limit=cheap", netuid), 400, "limit"},
		{"/api/v1/quote/add_stake?netuid=65536&amount=1000000000", 400, "netuid"},
		{"/api/v1/quote/add_stake?amount=1000000000", 400, "netuid"},
		{"/api/v1/quote/add_stake?netuid=999&amount=1000000000", 400, "SubnetNotExists"},
		{fmt.Sprintf("/api/v1/quote/add_stake?netuid=%d&amount=1000000000", idle), 400, "SubtokenDisabled"},
		{fmt.Sprintf("/api/v1/quote/stake?netuid=%d&amount=1000000000", netuid), 404, "add_stake or remove_stake"},
		{"/api/v1/quote/stake?netuid=0&amount=1000000000", 404, "add_stake or remove_stake"},
	} {
		code, _, b := restGet(t, n.REST, c.path)
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(b, &e); err != nil || code != c.code || e.Error == "" || !strings.Contains(e.Error, c.says) {
			t.Errorf("GET %s: %d %s; want %d with an error naming %q", c.path, code, b, c.code, c.says)
		}
	}
}
