package main

// btcli delegates: hotkeys that take a share (the take) of the dividends earned on stake
// nominated to them (reference §7.5). list and show read; take changes your hotkey's take,
// choosing increase_take or decrease_take from the current value.

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
)

// errTakeRateLimit is the chain's staking.ErrDelegateTxRateLimit (DelegateTxRateLimitExceeded),
// matched by codespace and code without linking the staking module; stake_test.go checks
// the code against the chain's.
var errTakeRateLimit = &errs.Error{Codespace: "staking", Code: 11, Name: "DelegateTxRateLimitExceeded"}

func newDelegatesCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "delegates",
		Aliases: []string{"delegate"},
		Short:   "List delegates and their take, show one with its nominators, change your hotkey's take",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDelegatesListCmd(app), newDelegatesShowCmd(app), newDelegatesTakeCmd(app))
	return cmd
}

type delegateRow struct {
	Hotkey    string `json:"hotkey"`
	Owner     string `json:"owner"`
	Take      uint64 `json:"take"` // parts of 65535
	TakePct   string `json:"take_percent"`
	RootStake uint64 `json:"root_stake_rao,string"`
}

func newDelegateRow(d api.Delegate) delegateRow {
	return delegateRow{Hotkey: d.Hotkey, Owner: d.Owner, Take: d.Take, TakePct: takePercent(d.Take), RootStake: d.RootStake}
}

func newDelegatesListCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List delegates: hotkey, owner coldkey, take, root stake (most root stake first)",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			ds, err := c.Delegates(ctx)
			if err != nil {
				return err
			}
			rows := make([]delegateRow, 0, len(ds))
			for _, d := range ds {
				rows = append(rows, newDelegateRow(d))
			}
			slices.SortFunc(rows, func(a, b delegateRow) int {
				if a.RootStake != b.RootStake {
					return cmp.Compare(b.RootStake, a.RootStake)
				}
				return cmp.Compare(a.Hotkey, b.Hotkey)
			})
			return app.Print(map[string]any{"delegates": rows}, func(t *Table) {
				t.Row("HOTKEY", "OWNER", "TAKE", "ROOT STAKE")
				for _, r := range rows {
					t.Row(r.Hotkey, r.Owner, r.TakePct, formatTAO(r.RootStake))
				}
				if len(rows) == 0 {
					t.Line("No delegates yet: a hotkey becomes one with `btcli root register`, `btcli delegates take`, or when someone other than its owner stakes to it with a limit price (`btcli stake add --safe`).")
				}
			})
		},
	}
}

type nominatorRow struct {
	Coldkey string `json:"coldkey"`
	Netuid  uint16 `json:"netuid"`
	Alpha   uint64 `json:"alpha_rao,string"`
	Value   uint64 `json:"tao_value_rao,string"`
}

type delegateShowResult struct {
	delegateRow
	Nominators []nominatorRow `json:"nominators"`
	Total      uint64         `json:"total_tao_value_rao,string"`
}

func newDelegatesShowCmd(app *App) *cobra.Command {
	var hotkey string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a delegate: owner, take, root stake and every nominator's stake with its TAO value",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			hk, err := app.delegateHotkey(hotkey)
			if err != nil {
				return err
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			d, err := registeredHotkey(ctx, c, hk)
			if err != nil {
				return err
			}
			sns, err := c.Subnets(ctx)
			if err != nil {
				return err
			}
			pools := map[uint16]api.Pool{}
			for _, sn := range sns {
				pools[sn.Netuid] = sn.Pool
			}
			res := delegateShowResult{delegateRow: newDelegateRow(d), Nominators: []nominatorRow{}}
			for _, n := range d.Nominators {
				if n.Alpha == 0 {
					continue // share dust left by a full unstake
				}
				v := n.Alpha
				if n.Netuid != rootNetuid {
					p := pools[n.Netuid]
					v = swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn}.TAOValue(n.Alpha)
				}
				res.Nominators = append(res.Nominators, nominatorRow{Coldkey: n.Coldkey, Netuid: n.Netuid, Alpha: n.Alpha, Value: v})
				res.Total = satAdd(res.Total, v)
			}
			return app.Print(res, func(t *Table) {
				t.Line("Delegate %s, owner %s, take %s, root stake %s", res.Hotkey, res.Owner, res.TakePct, formatTAO(res.RootStake))
				t.Row("COLDKEY", "NETUID", "STAKE", "VALUE (τ)")
				for _, n := range res.Nominators {
					t.Row(n.Coldkey, strconv.Itoa(int(n.Netuid)), formatStake(n.Netuid, n.Alpha), formatTAO(n.Value))
				}
				t.Line("Total nominated value %s", formatTAO(res.Total))
			})
		},
	}
	hotkeyFlag(cmd, &hotkey, "delegate hotkey")
	return cmd
}

// delegateHotkey resolves --hotkey, or the wallet's hotkey (no password needed).
func (a *App) delegateHotkey(flag string) (string, error) {
	if flag != "" {
		pk, err := keys.ParsePublicKeyOrSS58(flag)
		if err != nil {
			return "", usageErrorf("--hotkey %q: %v", flag, err)
		}
		return pk.SS58(), nil
	}
	w, err := a.Wallet()
	if err != nil {
		return "", err
	}
	s := &stakeSession{app: a, w: w}
	return s.hotkey("")
}

type takeResult struct {
	Hotkey     string `json:"hotkey"`
	OldTake    uint64 `json:"old_take"`
	OldTakePct string `json:"old_take_percent"`
	Take       uint64 `json:"take"` // parts of 65535
	TakePct    string `json:"take_percent"`
	Direction  string `json:"direction"` // increase or decrease
	txInfo
}

func newDelegatesTakeCmd(app *App) *cobra.Command {
	var hotkey, take string
	cmd := &cobra.Command{
		Use:   "take",
		Short: "Set your hotkey's delegate take (increase_take or decrease_take, chosen from the current take)",
		Long: `Set the take of a hotkey your coldkey owns: the share of the dividends on stake
nominated to it that the hotkey keeps. --take is a fraction (0.09) or a percent (9%); the
chain stores it in parts of 65535, rounded down. A decrease applies at once; an increase is
allowed only once per rate-limit period after the last change (the error names the block),
and never above the maximum (18% by default).`,
		Example: `  btcli delegates take --take 0.09
  btcli delegates take --hotkey 5F... --take 12%`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if take == "" {
				return usageErrorf("--take is required: a fraction (0.09) or a percent (9%%)")
			}
			parts, err := parseTake(take)
			if err != nil {
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
			d, err := s.requireHotkey(ctx, hk)
			if err != nil {
				return err
			}
			if d.Owner != s.cold.SS58() {
				return fmt.Errorf("hotkey %s is owned by coldkey %s, not this wallet's %s; only the owner may set its take (choose its wallet with --wallet.name)",
					hk, d.Owner, s.cold.SS58())
			}
			// The chain's bounds, checked before asking.
			sp, err := s.c.StakingParams(ctx)
			if err != nil {
				return err
			}
			switch {
			case uint64(parts) > sp.MaxTake:
				return fmt.Errorf("DelegateTakeTooHigh: --take %s (%d/65535) is above the maximum %s (%d/65535); choose at most %s",
					takePercent(uint64(parts)), parts, takePercent(sp.MaxTake), sp.MaxTake, takePercent(sp.MaxTake))
			case uint64(parts) < sp.MinTake:
				return fmt.Errorf("DelegateTakeTooLow: --take %s (%d/65535) is below the minimum %s (%d/65535); choose at least %s",
					takePercent(uint64(parts)), parts, takePercent(sp.MinTake), sp.MinTake, takePercent(sp.MinTake))
			}
			if uint64(parts) == d.Take {
				return fmt.Errorf("the take of %s is already %s (%d/65535); nothing to change", hk, takePercent(d.Take), d.Take)
			}
			increase := uint64(parts) > d.Take
			res := takeResult{Hotkey: hk, OldTake: d.Take, OldTakePct: takePercent(d.Take), Take: uint64(parts), TakePct: takePercent(uint64(parts)), Direction: "decrease"}
			if increase {
				res.Direction = "increase"
			}
			call := client.ChangeTake(hk, parts, increase)
			r, err := s.send(ctx, call, "Do you want to change the take?", res.Direction+" take of "+hk, [][2]string{
				{"Hotkey", hk},
				{"Take", fmt.Sprintf("%s → %s (%d/65535, %s)", res.OldTakePct, res.TakePct, parts, res.Direction)},
				{"Fee", "none (take changes are free)"},
			})
			if errors.Is(err, errTakeRateLimit) {
				if st, serr := s.c.Status(ctx); serr == nil {
					err = fmt.Errorf("%w; the chain is at block %d. Decreases are not rate-limited", err, st.Height)
				}
			}
			if err != nil {
				return err
			}
			res.txInfo = newTxInfo(0, r)
			if ev, ok := r.Event(evTakeChanged); ok {
				res.Take = attrU64(ev, "take")
				res.TakePct = takePercent(res.Take)
			}
			return app.Print(res, func(t *Table) {
				t.Line("Take of %s: %s → %s in block %d (tx %s)", hk, res.OldTakePct, res.TakePct, res.Block, res.Hash)
			})
		},
	}
	hotkeyFlag(cmd, &hotkey, "your delegate hotkey")
	cmd.Flags().StringVar(&take, "take", "", "new take: a fraction (0.09) or a percent (9%)")
	return cmd
}
