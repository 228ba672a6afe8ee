package main

// btcli stake (reference §5.2 "stake"): add, remove, move, transfer, swap, list, wizard.
//
// Every command that trades follows chaintx.go's pattern and shows, before asking, the
// pool's spot price, what the staker should receive, the swap fee, the price impact and,
// with --safe, the limit price derived from --tolerance. Stake and unstake previews are the
// chain's own quotes (the pool math it will run on the same reserves), so when no other
// trade lands in between, the result equals the preview to the RAO.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

// Staking events (chain/staking/calls.go); stake_test.go checks them against the chain.
const (
	evStakeAdded     = "staking.StakeAdded"     // coldkey, hotkey, netuid, tao, alpha, fee
	evStakeRemoved   = "staking.StakeRemoved"   // coldkey, hotkey, netuid, alpha, tao, fee
	evStakeMoved     = "staking.StakeMoved"     // coldkey, to_coldkey, from_hotkey, to_hotkey, from_netuid, to_netuid, alpha, dest_alpha, fee
	evTakeChanged    = "staking.TakeChanged"    // hotkey, take, direction
	evRootRegistered = "staking.RootRegistered" // coldkey, hotkey
)

// rootNetuid is the root network: TAO staked 1:1, no pool, no swap fee.
const rootNetuid uint16 = 0

func newStakeCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "stake",
		Aliases: []string{"st"},
		Short:   "Stake TAO on subnets, unstake, move, transfer and swap stake (shows price, fee and slippage first)",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newStakeAddCmd(app), newStakeRemoveCmd(app), newStakeMoveCmd(app), newStakeTransferCmd(app),
		newStakeSwapCmd(app), newStakeListCmd(app), newStakeWizardCmd(app))
	return cmd
}

// safetyFlags are --safe, --tolerance and --allow-partial (Bittensor's --safe/--tolerance/
// --rate-tolerance/--allow-partial-stake).
type safetyFlags struct {
	safe, partial bool
	tolerance     string
	tol           ratio
}

const defaultTolerance = "0.005"

func addSafetyFlags(cmd *cobra.Command, s *safetyFlags) {
	f := cmd.Flags()
	f.BoolVar(&s.safe, "safe", false, "submit the *_limit call: refuse (or fill partly) rather than trade past --tolerance")
	f.StringVar(&s.tolerance, "tolerance", defaultTolerance, "with --safe, how far the price may move against you: a fraction (0.005) or a percent (0.5%); implies --safe when given")
	f.BoolVar(&s.partial, "allow-partial", false, "with --safe, trade the part that fits within the limit instead of refusing; implies --safe")
	f.BoolVar(&s.safe, "safe-staking", false, "alias of --safe")
	f.StringVar(&s.tolerance, "rate-tolerance", defaultTolerance, "alias of --tolerance")
	f.BoolVar(&s.partial, "allow-partial-stake", false, "alias of --allow-partial")
	for _, a := range []string{"safe-staking", "rate-tolerance", "allow-partial-stake"} {
		f.MarkHidden(a)
	}
}

// parse applies the implications and parses the tolerance (usage errors).
func (s *safetyFlags) parse(cmd *cobra.Command) error {
	f := cmd.Flags()
	if f.Changed("tolerance") || f.Changed("rate-tolerance") || s.partial {
		s.safe = true
	}
	if !s.safe {
		return nil
	}
	tol, err := parseTolerance(s.tolerance)
	s.tol = tol
	return err
}

// hotkeyFlag registers --hotkey (and Bittensor's --hotkey-ss58).
func hotkeyFlag(cmd *cobra.Command, p *string, usage string) {
	cmd.Flags().StringVar(p, "hotkey", "", usage+" (SS58; default: the wallet's hotkey, see --wallet.hotkey)")
	cmd.Flags().StringVar(p, "hotkey-ss58", "", "alias of --hotkey")
	cmd.Flags().MarkHidden("hotkey-ss58")
}

// stakeSession is what every staking command works with: the wallet, its coldkey's
// address and a client. Close it when done.
type stakeSession struct {
	app  *App
	c    *client.Client
	w    *wallet.Wallet
	cold keys.PublicKey
}

// openStake opens a session for a command that signs with the coldkey: a watch-only
// wallet is refused here (see signingColdkey), before any quote or question.
func (a *App) openStake(ctx context.Context) (*stakeSession, error) {
	w, err := a.Wallet()
	if err != nil {
		return nil, err
	}
	cold, err := signingColdkey(w)
	if err != nil {
		return nil, err
	}
	c, err := a.Client(ctx)
	if err != nil {
		return nil, err
	}
	return &stakeSession{app: a, c: c, w: w, cold: cold}, nil
}

func (s *stakeSession) Close() { s.c.Close() }

// hotkey resolves --hotkey, or the wallet's hotkey when it is empty.
func (s *stakeSession) hotkey(flag string) (string, error) {
	if flag != "" {
		pk, err := keys.ParsePublicKeyOrSS58(flag)
		if err != nil {
			return "", usageErrorf("--hotkey %q: %v; give an SS58 address, or pick a wallet hotkey by name with --wallet.hotkey", flag, err)
		}
		return pk.SS58(), nil
	}
	pk, err := s.w.HotkeyPub()
	if err != nil {
		return "", fmt.Errorf("%w; pass --hotkey SS58 or choose the wallet hotkey with --wallet.hotkey NAME", err)
	}
	return pk.SS58(), nil
}

// requireHotkey refuses a hotkey the chain has never seen: it cannot hold stake.
func (s *stakeSession) requireHotkey(ctx context.Context, hk string) (api.Delegate, error) {
	return registeredHotkey(ctx, s.c, hk)
}

// registeredHotkey reads a hotkey's delegate view, refusing one never registered.
func registeredHotkey(ctx context.Context, c *client.Client, hk string) (api.Delegate, error) {
	d, err := c.Delegate(ctx, hk)
	if isNotFound(err) {
		return d, fmt.Errorf("hotkey %s has never been registered on a subnet, so it cannot hold stake; pick one from `btcli delegates list` or `btcli subnets show --netuid N`", hk)
	}
	return d, err
}

// stakeable reads a subnet and refuses one that takes no stake yet.
func (s *stakeSession) stakeable(ctx context.Context, netuid uint16) (api.Subnet, error) {
	sn, err := subnet(ctx, s.c, netuid)
	if err != nil {
		return sn, err
	}
	if netuid != rootNetuid && !sn.SubtokenEnabled {
		return sn, fmt.Errorf("subnet %d has not been started, so it takes no stake yet; its owner starts it with `btcli subnets start --netuid %d`", netuid, netuid)
	}
	return sn, nil
}

// position returns the coldkey's alpha on (hotkey, netuid).
func (s *stakeSession) position(ctx context.Context, coldkey, hk string, netuid uint16) (uint64, error) {
	ps, err := s.c.Stake(ctx, coldkey)
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		if p.Hotkey == hk && p.Netuid == netuid {
			return p.Alpha, nil
		}
	}
	return 0, nil
}

// minStake is the least TAO a stake operation may move (the chain's DefaultMinStake).
func (s *stakeSession) minStake(ctx context.Context) (uint64, error) {
	p, err := s.c.StakingParams(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the staking parameters: %w", err)
	}
	return p.MinStake, nil
}

// held returns the alpha to unstake or move: all of the position, or amount, which must
// not exceed it.
func (s *stakeSession) held(ctx context.Context, hk string, netuid uint16, amount uint64, all bool) (have, alpha uint64, err error) {
	have, err = s.position(ctx, s.cold.SS58(), hk, netuid)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case have == 0:
		return 0, 0, fmt.Errorf("coldkey %s has no stake on hotkey %s in subnet %d; see `btcli stake list`", s.cold.SS58(), hk, netuid)
	case all:
		return have, have, nil
	case amount > have:
		return have, 0, fmt.Errorf("coldkey %s holds %s on hotkey %s in subnet %d, less than the %s asked; lower --amount or use --all",
			s.cold.SS58(), formatStake(netuid, have), hk, netuid, formatStake(netuid, amount))
	}
	return have, amount, nil
}

// txFee estimates the transaction fee of call and checks the coldkey can pay cost plus it.
func (s *stakeSession) txFee(ctx context.Context, call *txpb.Call, cost uint64, what, way string) (uint64, api.Account, error) {
	fee, err := s.c.EstimateFee(ctx, s.cold, call, client.SubmitOptions{})
	if err != nil {
		return 0, api.Account{}, err
	}
	acct, err := funds(ctx, s.c, s.cold.SS58(), cost, what, fee, way)
	return fee, acct, err
}

// send shows summary, asks question, unlocks the coldkey and submits call.
func (s *stakeSession) send(ctx context.Context, call *txpb.Call, question, what string, summary [][2]string) (*client.Receipt, error) {
	if err := outsideSafeMode(ctx, s.c, what); err != nil {
		return nil, err
	}
	if err := s.app.confirm(question, summary...); err != nil {
		return nil, err
	}
	kp, err := s.app.Coldkey(s.w)
	if err != nil {
		return nil, err
	}
	return s.app.submit(ctx, s.c, kp, call, what)
}

// tradeQuote is what a stake or unstake is expected to do, shown before asking.
type tradeQuote struct {
	SpotPrice  string `json:"spot_price"`  // TAO per alpha before the trade
	PriceAfter string `json:"price_after"` // TAO per alpha after it
	Impact     string `json:"price_impact"`
	// In is what will be swapped: the amount, or less for a partial fill within the limit.
	In uint64 `json:"in_rao,string"`
	// Out is what the staker receives: alpha for a stake, TAO for an unstake.
	Out uint64 `json:"out_rao,string"`
	// SwapFee is in the input's units: TAO for a stake, alpha for an unstake.
	SwapFee      uint64 `json:"swap_fee_rao,string"`
	LimitPrice   uint64 `json:"limit_price_rao,omitempty,string"` // RAO per alpha
	Tolerance    string `json:"tolerance,omitempty"`
	AllowPartial bool   `json:"allow_partial,omitempty"`
}

func newTradeQuote(q api.Quote, limit uint64, sf safetyFlags) tradeQuote {
	t := tradeQuote{SpotPrice: q.PriceBefore, PriceAfter: q.PriceAfter, Impact: q.Impact, In: q.In, Out: q.Out, SwapFee: q.Fee, LimitPrice: limit}
	if limit > 0 {
		t.Tolerance, t.AllowPartial = sf.tol.String(), sf.partial
	}
	return t
}

// quote asks the chain for a stake (buy) or unstake (sell) quote. When a limit order would
// not fit whole, it says so with the facts (SlippageTooHigh) instead of the chain's query
// error, as the chain would refuse the transaction.
func (s *stakeSession) quote(ctx context.Context, buy bool, netuid uint16, amount, limit uint64, partial bool) (api.Quote, error) {
	get, verb, fmtIn := s.c.QuoteRemoveStake, "unstaking", func(v uint64) string { return formatStake(netuid, v) }
	if buy {
		get, verb, fmtIn = s.c.QuoteAddStake, "staking", formatTAO
	}
	q, err := get(ctx, netuid, amount, limit, partial)
	if err == nil {
		return q, nil
	}
	var ce *client.ChainError
	if !errors.As(err, &ce) {
		return q, err
	}
	if limit > 0 && !partial {
		if part, perr := get(ctx, netuid, amount, limit, true); perr == nil && part.In < amount {
			move := "past"
			if full, ferr := get(ctx, netuid, amount, 0, false); ferr == nil {
				move = fmt.Sprintf("from %s to %s τ/α, past", formatPrice(full.PriceBefore), formatPrice(full.PriceAfter))
			}
			return q, fmt.Errorf("%w: %s %s on subnet %d would move the price %s your limit %s; at most %s fits within it",
				swap.ErrSlippageTooHigh, verb, fmtIn(amount), netuid, move, formatPriceRAO(limit), fmtIn(part.In))
		}
	}
	return q, fmt.Errorf("%s %s on subnet %d: %s", verb, fmtIn(amount), netuid, ce.Log)
}

// limitFor derives the limit price of a --safe trade on pool (0: no limit). Root has no
// pool: stake there is 1:1 and needs no limit.
func (s *stakeSession) limitFor(sn api.Subnet, sf safetyFlags, buy bool) (uint64, error) {
	if !sf.safe {
		return 0, nil
	}
	if sn.Netuid == rootNetuid {
		s.app.Infof("Root stake trades 1:1, so --safe has nothing to limit on netuid 0.")
		return 0, nil
	}
	return limitPrice(sn.Pool, sf.tol, buy)
}

// quoteLines are the preview lines of a trade. Root stake is TAO, 1:1: its lines say so
// instead of showing an alpha price.
func quoteLines(q tradeQuote, buy bool, sn api.Subnet) [][2]string {
	fmtIn, fmtOut, dir := formatTAO, formatAlpha, "+"
	if !buy {
		fmtIn, fmtOut, dir = formatAlpha, formatTAO, "−"
	}
	if sn.Netuid == rootNetuid {
		return [][2]string{
			{"Price", "1:1 (root stake is TAO; no pool)"},
			{"Expected", formatTAO(q.Out)},
			{"Swap fee", "none (root stake is TAO, 1:1)"},
			{"Price impact", "none"},
		}
	}
	lines := [][2]string{
		{"Spot price", formatPrice(q.SpotPrice) + " τ/α"},
		{"Expected", fmtOut(q.Out)},
		{"Swap fee", fmtIn(q.SwapFee) + " (to the block author)"},
		{"Price impact", percentOf(q.Impact) + fmt.Sprintf(" (price after %s τ/α)", formatPrice(q.PriceAfter))},
	}
	{
		lines = append(lines, [2]string{"Note", "the pool takes emission every block, so the result can differ slightly from this preview; --safe bounds the price"})
	}
	if q.LimitPrice > 0 {
		lines = append(lines,
			[2]string{"Limit price", fmt.Sprintf("%s (spot %s%s)", formatPriceRAO(q.LimitPrice), dir, q.Tolerance)},
			[2]string{"Partial fill", yesNo(q.AllowPartial)})
	}
	return lines
}

func subnetLabel(sn api.Subnet) string {
	if name := subnetName(sn); name != "" {
		return fmt.Sprintf("%d (%s)", sn.Netuid, name)
	}
	return strconv.Itoa(int(sn.Netuid))
}

// ---- add ----

type stakeAddResult struct {
	Coldkey string     `json:"coldkey"`
	Hotkey  string     `json:"hotkey"`
	Netuid  uint16     `json:"netuid"`
	Amount  uint64     `json:"amount_rao,string"`
	Quote   tradeQuote `json:"quote"`
	// Staked is the TAO taken from the balance for the swap (swap fee included); less
	// than Amount only after a partial fill.
	Staked   uint64 `json:"staked_rao,string"`
	Alpha    uint64 `json:"alpha_rao,string"`
	SwapFee  uint64 `json:"swap_fee_rao,string"`
	Position uint64 `json:"position_alpha_rao,string"`
	Balance  uint64 `json:"balance_after_rao,string"`
	txInfo
}

func newStakeAddCmd(app *App) *cobra.Command {
	var netuid uint16
	var hotkey, amount string
	var sf safetyFlags
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Stake TAO from the coldkey to a hotkey on a subnet (buys the subnet's alpha; shows price, fee and slippage first)",
		Long: `Stake TAO from the wallet's coldkey to a hotkey on a subnet. The TAO buys the subnet's
alpha from its pool; the stake is held in alpha. Before asking, btcli shows the pool's spot
price, the alpha you should receive, the swap fee and the price impact.

With --safe the transaction is add_stake_limit with a limit price of spot × (1 + tolerance):
the chain refuses the stake (SlippageTooHigh) if the whole amount would push the price past
it, or with --allow-partial stakes the part that fits and leaves the rest free.`,
		Example: `  btcli stake add --netuid 1 --amount 10
  btcli stake add --netuid 1 --amount 10 --hotkey 5F... --safe --tolerance 0.01 --allow-partial`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			if amount == "" {
				return usageErrorf("--amount is required: the TAO to stake, e.g. 10 or 0.5")
			}
			value, err := parseTAO(amount)
			if err != nil {
				return err
			}
			if value == 0 {
				return usageErrorf("--amount must be greater than zero")
			}
			if err := sf.parse(cmd); err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := app.openStake(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			hk, err := s.hotkey(hotkey)
			if err != nil {
				return err
			}
			res, err := s.add(ctx, hk, netuid, value, sf)
			if err != nil {
				return err
			}
			return app.printStakeAdd(res)
		},
	}
	netuidFlag(cmd, &netuid)
	hotkeyFlag(cmd, &hotkey, "hotkey to stake to")
	cmd.Flags().StringVar(&amount, "amount", "", "TAO to stake, e.g. 10 (or 10000000000rao)")
	addSafetyFlags(cmd, &sf)
	return cmd
}

// add previews, asks and submits add_stake (add_stake_limit with --safe).
func (s *stakeSession) add(ctx context.Context, hk string, netuid uint16, amount uint64, sf safetyFlags) (stakeAddResult, error) {
	var res stakeAddResult
	sn, err := s.stakeable(ctx, netuid)
	if err != nil {
		return res, err
	}
	if _, err := s.requireHotkey(ctx, hk); err != nil {
		return res, err
	}
	// The balance first: a quote for more than the coldkey has is beside the point.
	if acct, err := s.c.Account(ctx, s.cold.SS58()); err != nil {
		return res, err
	} else if acct.Free < amount {
		return res, fmt.Errorf("balance %s of %s cannot cover the stake %s; stake less or fund the coldkey", formatTAO(acct.Free), s.cold.SS58(), formatTAO(amount))
	}
	limit, err := s.limitFor(sn, sf, true)
	if err != nil {
		return res, err
	}
	q, err := s.quote(ctx, true, netuid, amount, limit, sf.partial)
	if err != nil {
		return res, err
	}
	// The chain's AmountTooLow, checked before asking: what reaches the pool after the
	// swap fee (of the part that fits, for a partial fill) must be at least the minimum.
	least, err := s.minStake(ctx)
	if err != nil {
		return res, err
	}
	if q.In < q.Fee || q.In-q.Fee < least {
		return res, fmt.Errorf("AmountTooLow: staking %s on subnet %d puts %s into the pool after the swap fee, below the minimum stake %s; stake more",
			formatTAO(q.In), netuid, formatTAO(q.In-min(q.Fee, q.In)), formatTAO(least))
	}
	call := client.AddStake(hk, netuid, amount, limit, sf.partial)
	fee, acct, err := s.txFee(ctx, call, amount, "the stake", "stake less or fund the coldkey")
	if err != nil {
		return res, err
	}
	res = stakeAddResult{Coldkey: s.cold.SS58(), Hotkey: hk, Netuid: netuid, Amount: amount, Quote: newTradeQuote(q, limit, sf)}
	amt := formatTAO(amount)
	if q.In < amount {
		amt = fmt.Sprintf("%s, of which %s fits within the limit (the rest stays free)", amt, formatTAO(q.In))
	}
	lines := [][2]string{
		{"Coldkey", fmt.Sprintf("%s (free %s)", s.cold.SS58(), formatTAO(acct.Free))},
		{"Hotkey", hk},
		{"Subnet", subnetLabel(sn)},
		{"Amount", amt},
	}
	lines = append(lines, quoteLines(res.Quote, true, sn)...)
	lines = append(lines, [2]string{"Tx fee", formatTAO(fee)})
	r, err := s.send(ctx, call, "Do you want to stake?", fmt.Sprintf("add stake on subnet %d", netuid), lines)
	if err != nil {
		return res, err
	}
	ev, _ := r.Event(evStakeAdded)
	res.Staked, res.Alpha, res.SwapFee = attrU64(ev, "tao"), attrU64(ev, "alpha"), attrU64(ev, "fee")
	res.txInfo = newTxInfo(fee, r)
	res.Balance = balanceAfter(ctx, s.c, s.cold.SS58())
	res.Position, _ = s.position(ctx, s.cold.SS58(), hk, netuid)
	return res, nil
}

func (a *App) printStakeAdd(res stakeAddResult) error {
	return a.Print(res, func(t *Table) {
		t.Line("Staked %s to %s on subnet %d in block %d (tx %s)", formatTAO(res.Staked), res.Hotkey, res.Netuid, res.Block, res.Hash)
		t.Line("Received %s (swap fee %s, tx fee %s)", formatStake(res.Netuid, res.Alpha), formatTAO(res.SwapFee), formatTAO(res.Fee))
		t.Line("Position now %s; free balance %s", formatStake(res.Netuid, res.Position), formatTAO(res.Balance))
	})
}

// ---- remove ----

type stakeRemoveResult struct {
	Coldkey string     `json:"coldkey"`
	Hotkey  string     `json:"hotkey"`
	Netuid  uint16     `json:"netuid"`
	Amount  uint64     `json:"amount_alpha_rao,string"`
	Quote   tradeQuote `json:"quote"`
	// Unstaked is the alpha taken from the position (less than Amount only after a
	// partial fill); Received the TAO paid to the coldkey; SwapFee the TAO the block
	// author got for the alpha fee.
	Unstaked uint64 `json:"unstaked_alpha_rao,string"`
	Received uint64 `json:"received_rao,string"`
	SwapFee  uint64 `json:"swap_fee_rao,string"`
	Position uint64 `json:"position_alpha_rao,string"`
	Balance  uint64 `json:"balance_after_rao,string"`
	txInfo
}

func newStakeRemoveCmd(app *App) *cobra.Command {
	var netuid uint16
	var hotkey, amount string
	var all, allNetuids bool
	var sf safetyFlags
	cmd := &cobra.Command{
		Use:     "remove",
		Aliases: []string{"unstake"},
		Short:   "Unstake alpha from a hotkey on a subnet back to free TAO (shows price, fee and slippage first)",
		Long: `Unstake: sell alpha of a stake position back to the subnet's pool for TAO, paid to the
coldkey. --amount is in alpha (see ` + "`btcli stake list`" + `); --all unstakes the whole position;
--all-netuids unstakes everything the coldkey holds on the hotkey, on every subnet
(unstake_all).

With --safe the sale is limited to a price of spot × (1 − tolerance): the chain refuses
(SlippageTooHigh) if the whole amount would push the price below it, or with
--allow-partial sells the part that fits and keeps the rest staked.`,
		Example: `  btcli stake remove --netuid 1 --amount 2.5
  btcli stake remove --netuid 1 --all --safe
  btcli stake remove --all-netuids --hotkey 5F...`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := sf.parse(cmd); err != nil {
				return err
			}
			if allNetuids {
				if cmd.Flags().Changed("netuid") || amount != "" || all {
					return usageErrorf("--all-netuids unstakes everything on the hotkey; drop --netuid, --amount and --all")
				}
				if sf.safe {
					return usageErrorf("--all-netuids (unstake_all) takes no price limit; unstake each subnet with --netuid N --all --safe")
				}
			} else {
				if err := requireNetuid(cmd); err != nil {
					return err
				}
				if (amount == "") == !all {
					return usageErrorf("give either --amount (alpha to unstake) or --all (the whole position)")
				}
			}
			var value uint64
			if amount != "" {
				var err error
				if value, err = parseAlpha(amount); err != nil {
					return err
				}
				if value == 0 {
					return usageErrorf("--amount must be greater than zero")
				}
			}
			ctx := cmd.Context()
			s, err := app.openStake(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			hk, err := s.hotkey(hotkey)
			if err != nil {
				return err
			}
			if allNetuids {
				res, err := s.unstakeAll(ctx, hk)
				if err != nil {
					return err
				}
				return app.Print(res, func(t *Table) {
					t.Line("Unstaked everything on %s in block %d (tx %s); received %s (tx fee %s)", hk, res.Block, res.Hash, formatTAO(res.Received), formatTAO(res.Fee))
					t.Row("NETUID", "UNSTAKED", "RECEIVED", "SWAP FEE")
					for _, p := range res.Positions {
						t.Row(strconv.Itoa(int(p.Netuid)), formatStake(p.Netuid, p.Alpha), formatTAO(p.TAO), formatTAO(p.Fee))
					}
					t.Line("Free balance now %s", formatTAO(res.Balance))
				})
			}
			res, err := s.remove(ctx, hk, netuid, value, all, sf)
			if err != nil {
				return err
			}
			return app.Print(res, func(t *Table) {
				t.Line("Unstaked %s from %s on subnet %d in block %d (tx %s)", formatStake(res.Netuid, res.Unstaked), res.Hotkey, res.Netuid, res.Block, res.Hash)
				t.Line("Received %s (swap fee %s, tx fee %s)", formatTAO(res.Received), formatTAO(res.SwapFee), formatTAO(res.Fee))
				t.Line("Position now %s; free balance %s", formatStake(res.Netuid, res.Position), formatTAO(res.Balance))
			})
		},
	}
	netuidFlag(cmd, &netuid)
	hotkeyFlag(cmd, &hotkey, "hotkey to unstake from")
	f := cmd.Flags()
	f.StringVar(&amount, "amount", "", "alpha to unstake, e.g. 2.5 (or 2500000000rao)")
	f.BoolVar(&all, "all", false, "unstake the whole position on --netuid")
	f.BoolVar(&allNetuids, "all-netuids", false, "unstake everything on the hotkey, every subnet (unstake_all)")
	f.BoolVar(&all, "unstake-all", false, "alias of --all")
	f.MarkHidden("unstake-all")
	addSafetyFlags(cmd, &sf)
	return cmd
}

// remove previews, asks and submits remove_stake (remove_stake_limit with --safe;
// remove_stake_full_limit for --all without --allow-partial).
func (s *stakeSession) remove(ctx context.Context, hk string, netuid uint16, amount uint64, all bool, sf safetyFlags) (stakeRemoveResult, error) {
	var res stakeRemoveResult
	sn, err := s.stakeable(ctx, netuid)
	if err != nil {
		return res, err
	}
	have, alpha, err := s.held(ctx, hk, netuid, amount, all)
	if err != nil {
		return res, err
	}
	limit, err := s.limitFor(sn, sf, false)
	if err != nil {
		return res, err
	}
	q, err := s.quote(ctx, false, netuid, alpha, limit, sf.partial)
	if err != nil {
		return res, err
	}
	// The chain's AmountTooLow, checked before asking: a sale that leaves stake behind
	// must pay at least the minimum.
	least, err := s.minStake(ctx)
	if err != nil {
		return res, err
	}
	if q.In < have && q.Out < least {
		return res, fmt.Errorf("AmountTooLow: unstaking %s on subnet %d pays %s, below the minimum %s, and leaves stake behind; unstake more, or all of it with --all",
			formatStake(netuid, q.In), netuid, formatTAO(q.Out), formatTAO(least))
	}
	note, err := s.smallNominationNote(ctx, hk, netuid, have-q.In, q.PriceAfter)
	if err != nil {
		return res, err
	}
	call := client.RemoveStake(hk, netuid, alpha, limit, sf.partial)
	if all && !sf.partial {
		call = client.RemoveStakeFullLimit(hk, netuid, limit)
	}
	fee, acct, err := s.txFee(ctx, call, 0, "", "fund the coldkey with a little TAO for the fee")
	if err != nil {
		return res, err
	}
	res = stakeRemoveResult{Coldkey: s.cold.SS58(), Hotkey: hk, Netuid: netuid, Amount: alpha, Quote: newTradeQuote(q, limit, sf)}
	amt := fmt.Sprintf("%s of %s held", formatStake(netuid, alpha), formatStake(netuid, have))
	if q.In < alpha {
		amt = fmt.Sprintf("%s, of which %s fits within the limit (the rest stays staked)", amt, formatStake(netuid, q.In))
	}
	lines := [][2]string{
		{"Coldkey", fmt.Sprintf("%s (free %s)", s.cold.SS58(), formatTAO(acct.Free))},
		{"Hotkey", hk},
		{"Subnet", subnetLabel(sn)},
		{"Amount", amt},
	}
	lines = append(lines, quoteLines(res.Quote, false, sn)...)
	if note != "" {
		lines = append(lines, [2]string{"Nomination", note})
	}
	lines = append(lines, [2]string{"Tx fee", formatTAO(fee)})
	r, err := s.send(ctx, call, "Do you want to unstake?", fmt.Sprintf("remove stake on subnet %d", netuid), lines)
	if err != nil {
		return res, err
	}
	// Two events when the chain also cleared a nomination left below its minimum.
	for _, e := range r.Events {
		if e.Type != evStakeRemoved {
			continue
		}
		m := map[string]string{}
		for _, a := range e.Attributes {
			m[a.Key] = a.Value
		}
		res.Unstaked, res.Received = satAdd(res.Unstaked, attrU64(m, "alpha")), satAdd(res.Received, attrU64(m, "tao"))
		res.SwapFee = satAdd(res.SwapFee, attrU64(m, "fee"))
	}
	res.txInfo = newTxInfo(fee, r)
	res.Balance = balanceAfter(ctx, s.c, s.cold.SS58())
	res.Position, _ = s.position(ctx, s.cold.SS58(), hk, netuid)
	return res, nil
}

// smallNominationNote says when what an unstake leaves of the coldkey's nomination on
// hk is worth less than the chain's nominator minimum, at priceAfter (TAO per alpha):
// the chain then unstakes that rest too, unless the coldkey owns the hotkey. Empty
// otherwise.
func (s *stakeSession) smallNominationNote(ctx context.Context, hk string, netuid uint16, rest uint64, priceAfter string) (string, error) {
	if rest == 0 {
		return "", nil
	}
	p, err := s.c.StakingParams(ctx)
	if err != nil {
		return "", fmt.Errorf("read the staking parameters: %w", err)
	}
	if p.NominatorMinStake == 0 {
		return "", nil
	}
	d, err := registeredHotkey(ctx, s.c, hk)
	if err != nil {
		return "", err
	}
	if d.Owner == s.cold.SS58() {
		return "", nil
	}
	value := rest
	if netuid != rootNetuid {
		price, ok := new(big.Rat).SetString(priceAfter)
		if !ok {
			return "", fmt.Errorf("the chain quoted an unreadable price %q", priceAfter)
		}
		v := new(big.Rat).Mul(price, new(big.Rat).SetInt(new(big.Int).SetUint64(rest)))
		if f := new(big.Int).Quo(v.Num(), v.Denom()); f.IsUint64() {
			value = f.Uint64()
		} else {
			value = ^uint64(0)
		}
	}
	if value >= p.NominatorMinStake {
		return "", nil
	}
	return fmt.Sprintf("the %s left (worth about %s) is below the chain's nominator minimum %s, so the chain unstakes it too (no swap fee); keep more staked to keep the nomination",
		formatStake(netuid, rest), formatTAO(value), formatTAO(p.NominatorMinStake)), nil
}

type unstakedPosition struct {
	Netuid uint16 `json:"netuid"`
	Alpha  uint64 `json:"alpha_rao,string"`
	TAO    uint64 `json:"tao_rao,string"`
	Fee    uint64 `json:"swap_fee_rao,string"`
}

type unstakeAllResult struct {
	Coldkey   string             `json:"coldkey"`
	Hotkey    string             `json:"hotkey"`
	Expected  uint64             `json:"expected_rao,string"`
	Received  uint64             `json:"received_rao,string"`
	Positions []unstakedPosition `json:"positions"`
	Balance   uint64             `json:"balance_after_rao,string"`
	txInfo
}

// unstakeAll previews every position on hk, asks and submits unstake_all.
func (s *stakeSession) unstakeAll(ctx context.Context, hk string) (unstakeAllResult, error) {
	res := unstakeAllResult{Coldkey: s.cold.SS58(), Hotkey: hk}
	ps, err := s.c.Stake(ctx, s.cold.SS58())
	if err != nil {
		return res, err
	}
	lines := [][2]string{{"Coldkey", s.cold.SS58()}, {"Hotkey", hk}}
	for _, p := range ps {
		if p.Hotkey != hk || p.Alpha == 0 {
			continue
		}
		q, err := s.quote(ctx, false, p.Netuid, p.Alpha, 0, false)
		if err != nil {
			return res, err
		}
		res.Expected = satAdd(res.Expected, q.Out)
		summary := fmt.Sprintf("%s → %s at %s τ/α (fee %s, impact %s)",
			formatAlpha(p.Alpha), formatTAO(q.Out), formatPrice(q.PriceBefore), formatAlpha(q.Fee), percentOf(q.Impact))
		if p.Netuid == rootNetuid {
			summary = fmt.Sprintf("%s → %s (1:1, no fee)", formatTAO(p.Alpha), formatTAO(q.Out))
		}
		lines = append(lines, [2]string{fmt.Sprintf("Subnet %d", p.Netuid), summary})
	}
	if len(lines) == 2 {
		return res, fmt.Errorf("coldkey %s has no stake on hotkey %s; see `btcli stake list`", s.cold.SS58(), hk)
	}
	call := client.UnstakeAll(hk, false)
	fee, _, err := s.txFee(ctx, call, 0, "", "fund the coldkey with a little TAO for the fee")
	if err != nil {
		return res, err
	}
	lines = append(lines, [2]string{"Expected", formatTAO(res.Expected)}, [2]string{"Tx fee", formatTAO(fee)})
	r, err := s.send(ctx, call, "Do you want to unstake everything on this hotkey?", "unstake all", lines)
	if err != nil {
		return res, err
	}
	res.Positions = []unstakedPosition{}
	for _, e := range r.Events {
		if e.Type != evStakeRemoved {
			continue
		}
		m := map[string]string{}
		for _, a := range e.Attributes {
			m[a.Key] = a.Value
		}
		p := unstakedPosition{Netuid: uint16(attrU64(m, "netuid")), Alpha: attrU64(m, "alpha"), TAO: attrU64(m, "tao"), Fee: attrU64(m, "fee")}
		res.Received = satAdd(res.Received, p.TAO)
		res.Positions = append(res.Positions, p)
	}
	res.txInfo = newTxInfo(fee, r)
	res.Balance = balanceAfter(ctx, s.c, s.cold.SS58())
	return res, nil
}

// formatStake formats a stake amount on netuid: root stake (netuid 0) is TAO, held 1:1
// without a pool; every other subnet's stake is its alpha.
func formatStake(netuid uint16, v uint64) string {
	if netuid == rootNetuid {
		return formatTAO(v)
	}
	return formatAlpha(v)
}

func satAdd(a, b uint64) uint64 {
	if a > ^uint64(0)-b {
		return ^uint64(0)
	}
	return a + b
}

// ---- list ----

type stakeRow struct {
	Netuid uint16 `json:"netuid"`
	Name   string `json:"name,omitempty"`
	Hotkey string `json:"hotkey"`
	Alpha  uint64 `json:"alpha_rao,string"`
	Price  string `json:"price"` // TAO per alpha
	Value  uint64 `json:"tao_value_rao,string"`
}

type stakeListResult struct {
	Coldkey   string     `json:"coldkey"`
	Positions []stakeRow `json:"positions"`
	Staked    uint64     `json:"total_tao_value_rao,string"`
	Free      uint64     `json:"free_rao,string"`
	Total     uint64     `json:"total_rao,string"`
}

func newStakeListCmd(app *App) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the coldkey's stake: alpha per hotkey and subnet, price, TAO value, totals",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cold, err := app.addressFor(addr)
			if err != nil {
				return err
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			ps, err := c.Stake(ctx, cold)
			if err != nil {
				return err
			}
			sns, err := c.Subnets(ctx)
			if err != nil {
				return err
			}
			byNetuid := map[uint16]api.Subnet{}
			for _, sn := range sns {
				byNetuid[sn.Netuid] = sn
			}
			acct, err := c.Account(ctx, cold)
			if err != nil {
				return err
			}
			res := stakeListResult{Coldkey: cold, Positions: []stakeRow{}, Free: acct.Free}
			for _, p := range ps {
				if p.Alpha == 0 {
					continue // share dust the chain keeps after a full unstake: worth nothing
				}
				sn := byNetuid[p.Netuid]
				price := sn.Pool.Price
				if p.Netuid == rootNetuid {
					price = "1"
				}
				res.Positions = append(res.Positions, stakeRow{Netuid: p.Netuid, Name: subnetName(sn), Hotkey: p.Hotkey, Alpha: p.Alpha, Price: price, Value: p.TAOValue})
				res.Staked = satAdd(res.Staked, p.TAOValue)
			}
			slices.SortFunc(res.Positions, func(a, b stakeRow) int {
				if a.Netuid != b.Netuid {
					return int(a.Netuid) - int(b.Netuid)
				}
				return cmp.Compare(a.Hotkey, b.Hotkey)
			})
			res.Total = satAdd(res.Free, res.Staked)
			return app.Print(res, func(t *Table) {
				t.Line("Stake of coldkey %s", cold)
				t.Row("NETUID", "NAME", "HOTKEY", "STAKE", "PRICE (τ/α)", "VALUE (τ)")
				for _, r := range res.Positions {
					t.Row(strconv.Itoa(int(r.Netuid)), r.Name, r.Hotkey, formatStake(r.Netuid, r.Alpha), formatPrice(r.Price), formatTAO(r.Value))
				}
				if len(res.Positions) == 0 {
					t.Line("No stake; add some with `btcli stake add --netuid N --amount TAO`.")
				}
				t.Line("Staked value %s + free %s = total %s", formatTAO(res.Staked), formatTAO(res.Free), formatTAO(res.Total))
			})
		},
	}
	cmd.Flags().StringVar(&addr, "ss58", "", "coldkey address to list (default: the wallet's coldkey)")
	return cmd
}
