package app

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/keys"
)

const maxListed = 1000

func taoValue(r store.Reader, netuid uint16, alpha uint64) uint64 {
	if netuid == staking.RootNetuid {
		return alpha
	}
	p := pools.Get(r, netuid)
	return swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn}.TAOValue(alpha)
}

func delegateView(r store.Reader, hk keys.PublicKey, withNominators bool) api.Delegate {
	t := staking.GetTake(r, hk)
	d := api.Delegate{Hotkey: hk.SS58(), Take: t.Take, TakePct: percent(t.Take),
		RootStake: staking.TotalHotkeyAlpha(r, hk, staking.RootNetuid)}
	if o, ok := neurons.Owner(r, hk); ok {
		d.Owner = o.SS58()
	}
	if withNominators {
		for _, n := range staking.NetuidsOfHotkey(r, hk, maxListed) {
			for _, nom := range staking.Nominators(r, hk, n, maxListed) {
				d.Nominators = append(d.Nominators, api.Nominator{Coldkey: nom.Coldkey.SS58(), Netuid: n, Alpha: nom.Alpha})
			}
		}
	}
	return d
}

func quote(r store.Reader, kind, rawQuery string) (any, error) {
	// The kind first: root answers 1:1 below without looking at it.
	if kind != "add_stake" && kind != "remove_stake" {
		return nil, notFound("unknown quote %q (use add_stake or remove_stake)", kind)
	}
	q := parseQuery(rawQuery)
	netuid, err := parseNetuid(q.Get("netuid"))
	if err != nil {
		return nil, err
	}
	amount, err := strconv.ParseUint(q.Get("amount"), 10, 64)
	if err != nil {
		return nil, badRequest("amount %q must be a whole number of RAO (alpha for remove_stake)", q.Get("amount"))
	}
	var limit uint64
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.ParseUint(s, 10, 64); err != nil {
			return nil, badRequest("limit %q must be RAO per alpha", s)
		}
	}
	partial := q.Get("partial") == "true"
	// Quote only what the chain would take: not a subnet that does not
	// exist (its empty pool would read as no liquidity) or has not started.
	if err := staking.RequireStakeable(r, netuid); err != nil {
		return nil, fmt.Errorf("quote %s on subnet %d: %w", kind, netuid, err)
	}
	if netuid == staking.RootNetuid {
		return api.Quote{Netuid: 0, In: amount, Out: amount, PriceBefore: "1", PriceAfter: "1", Impact: "0"}, nil
	}
	p := pools.Get(r, netuid)
	sp := swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn}
	var sq swap.Quote
	switch {
	case kind == "add_stake" && limit > 0:
		sq, err = swap.QuoteBuyLimit(sp, amount, limit, partial, swap.DefaultFeeRate)
	case kind == "add_stake":
		sq, err = swap.QuoteBuy(sp, amount, swap.DefaultFeeRate)
	case kind == "remove_stake" && limit > 0:
		sq, err = swap.QuoteSellLimit(sp, amount, limit, partial, swap.DefaultFeeRate)
	case kind == "remove_stake":
		sq, err = swap.QuoteSell(sp, amount, swap.DefaultFeeRate)
	default:
		return nil, notFound("unknown quote %q (use add_stake or remove_stake)", kind)
	}
	if err != nil {
		return nil, fmt.Errorf("quote %s on subnet %d: %w", kind, netuid, err)
	}
	return api.Quote{Netuid: netuid, In: sq.In, Out: sq.Out, Fee: sq.Fee, PriceBefore: sq.PriceBefore.String(),
		PriceAfter: sq.PriceAfter.String(), Impact: sq.Impact.String()}, nil
}

// queryStaking serves the staking paths; ok is false for other paths.
func queryStaking(snap *store.Snapshot, route, rawQuery string) (any, bool, error) {
	switch {
	case strings.HasPrefix(route, api.PathStake):
		ck, err := keys.ParsePublicKeyOrSS58(strings.TrimPrefix(route, api.PathStake))
		if err != nil {
			return nil, true, badRequest("coldkey: %v", err)
		}
		out := []api.StakePosition{}
		for _, p := range staking.PositionsOf(snap, ck, maxListed) {
			out = append(out, api.StakePosition{Hotkey: p.Hotkey.SS58(), Netuid: p.Netuid, Alpha: p.Alpha, TAOValue: taoValue(snap, p.Netuid, p.Alpha)})
		}
		return out, true, nil
	case route == api.PathDelegates:
		out := []api.Delegate{}
		for _, hk := range staking.Delegates(snap, maxListed) {
			out = append(out, delegateView(snap, hk, false))
		}
		return out, true, nil
	case strings.HasPrefix(route, api.PathDelegates+"/"):
		hk, err := keys.ParsePublicKeyOrSS58(strings.TrimPrefix(route, api.PathDelegates+"/"))
		if err != nil {
			return nil, true, badRequest("hotkey: %v", err)
		}
		if _, ok := neurons.Owner(snap, hk); !ok {
			return nil, true, notFound("hotkey %s has never been registered", hk.SS58())
		}
		return delegateView(snap, hk, true), true, nil
	case route == api.PathStakingParams:
		p := staking.GetParams(snap)
		return api.StakingParams{MinStake: p.MinStake, NominatorMinStake: p.NominatorMinStake, DefaultTake: p.DefaultTake,
			MinTake: p.MinTake, MaxTake: p.MaxTake, TakeRateLimit: p.TakeRateLimit, TaoWeightPPM: p.TaoWeightPPM}, true, nil
	case strings.HasPrefix(route, api.PathQuote):
		v, err := quote(snap, strings.TrimPrefix(route, api.PathQuote), rawQuery)
		return v, true, err
	}
	return nil, false, nil
}

// percent renders a u16 fraction of 65535 as a percentage with two decimals.
// percent renders parts of 65535 as a percentage with two decimals, rounded
// to nearest as btcli shows it (11796 parts is 18.00, not 17.99).
func percent(parts uint64) string {
	hundredths := (parts*10000 + 65535/2) / 65535
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}

type queryArgs map[string]string

func (q queryArgs) Get(k string) string { return q[k] }

// parseQuery splits "a=1&b=2" (values are plain tokens: numbers, booleans).
func parseQuery(raw string) queryArgs {
	q := queryArgs{}
	for _, kv := range strings.Split(raw, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			q[k] = v
		}
	}
	return q
}
