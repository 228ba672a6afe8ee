package main

// btcli stake move, transfer and swap: stake changes hotkey, coldkey or subnet without
// passing through the free balance. Within one subnet the shares move as they are (no
// swap, no fee); across subnets the chain sells on the origin and buys on the destination,
// charging the swap fee once, on the sale (on the buy when the origin is root).

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
)

// moveSpec is one move_stake, transfer_stake or swap_stake.
type moveSpec struct {
	kind                 string // "move", "transfer" or "swap"
	fromHotkey, toHotkey string
	toColdkey            string // "" for the signer
	from, to             uint16
	amount               uint64
	all                  bool
	// sf limits the origin sale: swap_stake_limit for a swap, and for a move
	// across subnets on the same hotkey (the same trade); runMove refuses it
	// where the chain has no limit variant.
	sf safetyFlags
}

// moveQuote is what a move is expected to do, shown before asking.
type moveQuote struct {
	OriginPrice string `json:"origin_price"`
	DestPrice   string `json:"dest_price"`
	// Value is the amount's worth at the origin's spot price.
	Value uint64 `json:"tao_value_rao,string"`
	// Sold is the origin alpha that leaves the position (less than the amount only for a
	// partial fill); TAO what its sale yields and buys on the destination (0 within one
	// subnet); Out the alpha expected on the destination.
	Sold         uint64 `json:"sold_alpha_rao,string"`
	TAO          uint64 `json:"tao_rao,string"`
	Out          uint64 `json:"expected_alpha_rao,string"`
	OriginFee    uint64 `json:"origin_swap_fee_alpha_rao,string"`
	DestFee      uint64 `json:"dest_swap_fee_rao,string"`
	OriginImpact string `json:"origin_price_impact,omitempty"`
	DestImpact   string `json:"dest_price_impact,omitempty"`
	LimitPrice   uint64 `json:"limit_price_rao,omitempty,string"`
	Tolerance    string `json:"tolerance,omitempty"`
	AllowPartial bool   `json:"allow_partial,omitempty"`
}

type moveResult struct {
	Kind       string    `json:"kind"`
	Coldkey    string    `json:"coldkey"`
	ToColdkey  string    `json:"to_coldkey"`
	FromHotkey string    `json:"from_hotkey"`
	ToHotkey   string    `json:"to_hotkey"`
	FromNetuid uint16    `json:"from_netuid"`
	ToNetuid   uint16    `json:"to_netuid"`
	Amount     uint64    `json:"amount_alpha_rao,string"`
	Quote      moveQuote `json:"quote"`
	// Moved is the origin alpha taken, Received the alpha credited on the destination,
	// SwapFee the TAO the block author got (0 within one subnet).
	Moved    uint64 `json:"moved_alpha_rao,string"`
	Received uint64 `json:"received_alpha_rao,string"`
	SwapFee  uint64 `json:"swap_fee_rao,string"`
	txInfo
}

// moveFlags are the flags move, transfer and swap share.
type moveFlags struct {
	hotkey   string
	from, to uint16
	amount   string
	all      bool
}

func (f *moveFlags) register(cmd *cobra.Command, allAlias string) {
	fl := cmd.Flags()
	hotkeyFlag(cmd, &f.hotkey, "hotkey the stake is on")
	fl.Uint16Var(&f.from, "origin-netuid", 0, "subnet the stake is on")
	fl.Uint16Var(&f.to, "dest-netuid", 0, "subnet to move it to")
	fl.StringVar(&f.amount, "amount", "", "alpha to move, e.g. 2.5 (or 2500000000rao); see btcli stake list")
	fl.BoolVar(&f.all, "all", false, "move the whole position")
	fl.BoolVar(&f.all, allAlias, false, "alias of --all")
	fl.MarkHidden(allAlias)
}

// parse checks the shared flags; destRequired says --dest-netuid has no default.
func (f *moveFlags) parse(cmd *cobra.Command, destRequired bool) (uint64, error) {
	fl := cmd.Flags()
	if !fl.Changed("origin-netuid") {
		return 0, usageErrorf("--origin-netuid is required: the subnet the stake is on (see `btcli stake list`)")
	}
	if !fl.Changed("dest-netuid") {
		if destRequired {
			return 0, usageErrorf("--dest-netuid is required: the subnet to move the stake to")
		}
		f.to = f.from
	}
	if (f.amount == "") == !f.all {
		return 0, usageErrorf("give either --amount (alpha to move) or --all (the whole position)")
	}
	if f.all {
		return 0, nil
	}
	v, err := parseAlpha(f.amount)
	if err != nil {
		return 0, err
	}
	if v == 0 {
		return 0, usageErrorf("--amount must be greater than zero")
	}
	return v, nil
}

func newStakeMoveCmd(app *App) *cobra.Command {
	var mf moveFlags
	var sf safetyFlags
	var destHotkey string
	cmd := &cobra.Command{
		Use:   "move",
		Short: "Move stake to another hotkey and/or subnet, same coldkey (shows prices, fee and slippage first)",
		Long: `Move stake to another hotkey and/or subnet; the coldkey stays the same. Within one
subnet the shares move as they are (no swap, no fee). Across subnets the origin alpha is
sold and the TAO buys the destination's alpha, for one swap fee.

--safe limits the origin sale to spot × (1 − tolerance) when the hotkey stays the same (sent
as swap_stake_limit, the same trade); the chain has no limit for a move to another hotkey
across subnets, so there --safe is refused: move within the subnet first, then swap.`,
		Example: `  btcli stake move --origin-netuid 1 --dest-netuid 2 --dest-hotkey 5F... --amount 3
  btcli stake move --origin-netuid 1 --dest-hotkey 5F... --all`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			amount, err := mf.parse(cmd, false)
			if err != nil {
				return err
			}
			if err := sf.parse(cmd); err != nil {
				return err
			}
			if destHotkey == "" {
				return usageErrorf("--dest-hotkey is required: the SS58 hotkey to move the stake to")
			}
			to, err := keys.ParsePublicKeyOrSS58(destHotkey)
			if err != nil {
				return usageErrorf("--dest-hotkey %q: %v", destHotkey, err)
			}
			return app.runMove(cmd, moveSpec{kind: "move", toHotkey: to.SS58(), from: mf.from, to: mf.to, amount: amount, all: mf.all, sf: sf}, mf.hotkey)
		},
	}
	mf.register(cmd, "stake-all")
	addSafetyFlags(cmd, &sf)
	cmd.Flags().StringVar(&destHotkey, "dest-hotkey", "", "hotkey to move the stake to (SS58)")
	cmd.Flags().StringVar(&destHotkey, "to", "", "alias of --dest-hotkey")
	cmd.Flags().MarkHidden("to")
	return cmd
}

func newStakeTransferCmd(app *App) *cobra.Command {
	var mf moveFlags
	var sf safetyFlags
	var dest string
	cmd := &cobra.Command{
		Use:   "transfer",
		Short: "Give stake to another coldkey, same hotkey (shows prices, fee and slippage first)",
		Long: `Transfer stake to another coldkey: the receiver holds it on the same hotkey, on
--dest-netuid (default: the same subnet, no swap). Both subnets must allow transfers.

Within one subnet there is no swap, so --safe has nothing to limit. The chain has no limit
for a transfer across subnets, so there --safe is refused: swap with --safe first, then
transfer within the destination subnet.`,
		Example: `  btcli stake transfer --dest-coldkey 5F... --origin-netuid 1 --amount 3
  btcli stake transfer --dest-coldkey 5F... --origin-netuid 1 --dest-netuid 2 --all`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			amount, err := mf.parse(cmd, false)
			if err != nil {
				return err
			}
			if err := sf.parse(cmd); err != nil {
				return err
			}
			if dest == "" {
				return usageErrorf("--dest-coldkey is required: the SS58 coldkey that receives the stake")
			}
			to, err := keys.ParsePublicKeyOrSS58(dest)
			if err != nil {
				return usageErrorf("--dest-coldkey %q: %v", dest, err)
			}
			return app.runMove(cmd, moveSpec{kind: "transfer", toColdkey: to.SS58(), from: mf.from, to: mf.to, amount: amount, all: mf.all, sf: sf}, mf.hotkey)
		},
	}
	mf.register(cmd, "stake-all")
	addSafetyFlags(cmd, &sf)
	cmd.Flags().StringVar(&dest, "dest-coldkey", "", "coldkey that receives the stake (SS58)")
	cmd.Flags().StringVar(&dest, "dest-ss58", "", "alias of --dest-coldkey")
	cmd.Flags().MarkHidden("dest-ss58")
	return cmd
}

func newStakeSwapCmd(app *App) *cobra.Command {
	var mf moveFlags
	var sf safetyFlags
	cmd := &cobra.Command{
		Use:   "swap",
		Short: "Swap stake from one subnet to another, same hotkey and coldkey (shows prices, fee and slippage first)",
		Long: `Swap stake between subnets: the origin alpha is sold for TAO, which buys the
destination's alpha, for one swap fee. With --safe the sale on the origin is limited to
spot × (1 − tolerance) (swap_stake_limit); --allow-partial swaps the part that fits.`,
		Example: `  btcli stake swap --origin-netuid 1 --dest-netuid 2 --amount 3 --safe --tolerance 0.01`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			amount, err := mf.parse(cmd, true)
			if err != nil {
				return err
			}
			if mf.from == mf.to {
				return usageErrorf("--origin-netuid and --dest-netuid are both %d; swap moves stake between two subnets", mf.from)
			}
			if err := sf.parse(cmd); err != nil {
				return err
			}
			return app.runMove(cmd, moveSpec{kind: "swap", from: mf.from, to: mf.to, amount: amount, all: mf.all, sf: sf}, mf.hotkey)
		},
	}
	mf.register(cmd, "swap-all")
	addSafetyFlags(cmd, &sf)
	return cmd
}

// runMove resolves the hotkeys, refuses a move to the same position and runs it.
func (a *App) runMove(cmd *cobra.Command, m moveSpec, hotkeyFlag string) error {
	ctx := cmd.Context()
	s, err := a.openStake(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if m.fromHotkey, err = s.hotkey(hotkeyFlag); err != nil {
		return err
	}
	if m.toHotkey == "" {
		m.toHotkey = m.fromHotkey
	}
	if m.fromHotkey == m.toHotkey && m.from == m.to && (m.toColdkey == "" || m.toColdkey == s.cold.SS58()) {
		return usageErrorf("origin and destination are the same position (hotkey %s on subnet %d, coldkey %s); change --dest-netuid, the destination hotkey or coldkey",
			m.fromHotkey, m.from, s.cold.SS58())
	}
	if m.sf.safe && m.kind != "swap" {
		switch {
		case m.from == m.to:
			a.Infof("Within one subnet the shares move as they are, without a swap: --safe has nothing to limit.")
			m.sf = safetyFlags{}
		case m.kind == "transfer":
			return usageErrorf("transfer_stake across subnets takes no price limit on chain, so --safe cannot protect it; swap with `btcli stake swap --safe` first, then transfer within subnet %d, or drop --safe", m.to)
		case m.fromHotkey != m.toHotkey:
			return usageErrorf("move_stake to another hotkey across subnets takes no price limit on chain, so --safe cannot protect it; move within subnet %d first, then `btcli stake swap --safe`, or drop --safe", m.from)
		}
	}
	res, err := s.move(ctx, m)
	if err != nil {
		return err
	}
	return a.Print(res, func(t *Table) {
		verb := map[string]string{"move": "Moved", "transfer": "Transferred", "swap": "Swapped"}[m.kind]
		t.Line("%s %s (hotkey %s, subnet %d) in block %d (tx %s)", verb, formatStake(res.FromNetuid, res.Moved), res.FromHotkey, res.FromNetuid, res.Block, res.Hash)
		t.Line("Received %s on hotkey %s, subnet %d, coldkey %s", formatStake(res.ToNetuid, res.Received), res.ToHotkey, res.ToNetuid, res.ToColdkey)
		t.Line("Swap fee %s, tx fee %s", formatTAO(res.SwapFee), formatTAO(res.Fee))
	})
}

// spot is a subnet's price for display (root: 1).
func spot(sn api.Subnet) string {
	if sn.Netuid == rootNetuid {
		return "1"
	}
	return sn.Pool.Price
}

// move previews, asks and submits a move, transfer or swap.
func (s *stakeSession) move(ctx context.Context, m moveSpec) (moveResult, error) {
	var res moveResult
	from, err := s.stakeable(ctx, m.from)
	if err != nil {
		return res, err
	}
	to := from
	if m.to != m.from {
		if to, err = s.stakeable(ctx, m.to); err != nil {
			return res, err
		}
	}
	if m.toHotkey != m.fromHotkey {
		if _, err := s.requireHotkey(ctx, m.toHotkey); err != nil {
			return res, err
		}
	}
	have, alpha, err := s.held(ctx, m.fromHotkey, m.from, m.amount, m.all)
	if err != nil {
		return res, err
	}
	q, err := s.quoteMove(ctx, m, from, to, alpha)
	if err != nil {
		return res, err
	}
	toCold := s.cold.SS58()
	if m.toColdkey != "" {
		toCold = m.toColdkey
	}
	var call *txpb.Call
	switch {
	case m.kind == "transfer":
		call = client.TransferStake(toCold, m.fromHotkey, m.from, m.to, alpha)
	case m.kind == "move" && q.LimitPrice == 0:
		call = client.MoveStake(m.fromHotkey, m.toHotkey, m.from, m.to, alpha)
	default:
		// A swap, or a limited move on one hotkey across subnets: the same trade.
		call = client.SwapStake(m.fromHotkey, m.from, m.to, alpha, q.LimitPrice, m.sf.partial)
	}
	fee, acct, err := s.txFee(ctx, call, 0, "", "fund the coldkey with a little TAO for the fee")
	if err != nil {
		return res, err
	}
	res = moveResult{Kind: m.kind, Coldkey: s.cold.SS58(), ToColdkey: toCold, FromHotkey: m.fromHotkey, ToHotkey: m.toHotkey,
		FromNetuid: m.from, ToNetuid: m.to, Amount: alpha, Quote: q}
	lines := [][2]string{{"Coldkey", fmt.Sprintf("%s (free %s)", s.cold.SS58(), formatTAO(acct.Free))}}
	if toCold != s.cold.SS58() {
		lines = append(lines, [2]string{"To coldkey", toCold})
	}
	amt := fmt.Sprintf("%s of %s held (worth %s at %s τ/α)", formatAlpha(alpha), formatAlpha(have), formatTAO(q.Value), formatPrice(q.OriginPrice))
	if m.from == rootNetuid {
		amt = fmt.Sprintf("%s of %s held (root stake is TAO)", formatTAO(alpha), formatTAO(have))
	}
	if q.Sold < alpha {
		amt += fmt.Sprintf("; %s fits within the limit, the rest stays", formatStake(m.from, q.Sold))
	}
	lines = append(lines,
		[2]string{"From", fmt.Sprintf("hotkey %s on subnet %s", m.fromHotkey, subnetLabel(from))},
		[2]string{"To", fmt.Sprintf("hotkey %s on subnet %s", m.toHotkey, subnetLabel(to))},
		[2]string{"Amount", amt})
	if m.from == m.to {
		lines = append(lines, [2]string{"Swap", "none: the shares move within the subnet, no swap fee"})
	} else {
		sale := fmt.Sprintf("%s → %s at %s τ/α", formatAlpha(q.Sold), formatTAO(q.TAO), formatPrice(q.OriginPrice))
		if m.from == rootNetuid {
			sale = fmt.Sprintf("%s → %s (root is 1:1, no fee)", formatTAO(q.Sold), formatTAO(q.TAO))
		} else {
			sale += fmt.Sprintf(", fee %s, impact %s", formatAlpha(q.OriginFee), percentOf(q.OriginImpact))
		}
		buy := fmt.Sprintf("%s → %s at %s τ/α", formatTAO(q.TAO), formatAlpha(q.Out), formatPrice(q.DestPrice))
		switch {
		case m.to == rootNetuid:
			buy = fmt.Sprintf("%s → %s (root is 1:1)", formatTAO(q.TAO), formatTAO(q.Out))
		case m.from == rootNetuid:
			buy += fmt.Sprintf(", fee %s, impact %s", formatTAO(q.DestFee), percentOf(q.DestImpact))
		default:
			buy += fmt.Sprintf(", no fee (charged once, on the sale), impact %s", percentOf(q.DestImpact))
		}
		lines = append(lines, [2]string{"Sale on origin", sale}, [2]string{"Buy on destination", buy})
	}
	lines = append(lines, [2]string{"Expected", formatStake(m.to, q.Out)})
	if q.LimitPrice > 0 {
		lines = append(lines,
			[2]string{"Limit price", fmt.Sprintf("%s on the origin sale (spot −%s)", formatPriceRAO(q.LimitPrice), q.Tolerance)},
			[2]string{"Partial fill", yesNo(q.AllowPartial)})
	}
	lines = append(lines, [2]string{"Tx fee", formatTAO(fee)})
	r, err := s.send(ctx, call, fmt.Sprintf("Do you want to %s the stake?", m.kind),
		fmt.Sprintf("%s stake from subnet %d to %d", m.kind, m.from, m.to), lines)
	if err != nil {
		return res, err
	}
	ev, _ := r.Event(evStakeMoved)
	res.Moved, res.Received, res.SwapFee = attrU64(ev, "alpha"), attrU64(ev, "dest_alpha"), attrU64(ev, "fee")
	res.txInfo = newTxInfo(fee, r)
	return res, nil
}

// quoteMove previews a move of alpha from one subnet to another: the origin sale is the
// chain's quote; the destination buy uses the destination's reserves with the fee the chain
// charges there (none, unless the origin is root, whose sale has none).
func (s *stakeSession) quoteMove(ctx context.Context, m moveSpec, from, to api.Subnet, alpha uint64) (moveQuote, error) {
	q := moveQuote{OriginPrice: spot(from), DestPrice: spot(to), Value: alpha}
	if m.from != rootNetuid {
		q.Value = swap.Pool{TAO: from.Pool.TAO, Alpha: from.Pool.AlphaIn}.TAOValue(alpha)
	}
	if m.from == m.to {
		q.Sold, q.Out = alpha, alpha
		return q, nil
	}
	limit, err := s.limitFor(from, m.sf, false)
	if err != nil {
		return q, err
	}
	if limit > 0 {
		q.LimitPrice, q.Tolerance, q.AllowPartial = limit, m.sf.tol.String(), m.sf.partial
	}
	if m.from == rootNetuid {
		q.Sold, q.TAO = alpha, alpha
	} else {
		oq, err := s.quote(ctx, false, m.from, alpha, limit, m.sf.partial)
		if err != nil {
			return q, err
		}
		q.Sold, q.TAO, q.OriginFee, q.OriginImpact = oq.In, oq.Out, oq.Fee, oq.Impact
	}
	switch {
	case m.to == rootNetuid:
		q.Out = q.TAO
	case m.from == rootNetuid:
		dq, err := s.quote(ctx, true, m.to, q.TAO, 0, false)
		if err != nil {
			return q, err
		}
		q.Out, q.DestFee, q.DestImpact = dq.Out, dq.Fee, dq.Impact
	default:
		dq, err := swap.QuoteBuy(swap.Pool{TAO: to.Pool.TAO, Alpha: to.Pool.AlphaIn}, q.TAO, 0)
		if err != nil {
			return q, fmt.Errorf("buying on subnet %d with %s: %w", m.to, formatTAO(q.TAO), err)
		}
		q.Out, q.DestImpact = dq.Out, dq.Impact.String()
	}
	return q, nil
}
