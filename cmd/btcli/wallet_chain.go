package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

const raoPerTAO = 1_000_000_000

// formatTAO renders RAO as TAO with up to 9 decimals and the τ sign.
func formatTAO(rao uint64) string {
	s := fmt.Sprintf("%d.%09d", rao/raoPerTAO, rao%raoPerTAO)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	return "τ" + s
}

// parseTAO parses "1.5" (TAO) or "1500rao" into RAO, rejecting anything
// that would not fit u64 or has more than 9 decimals.
func parseTAO(s string) (uint64, error) {
	s = strings.TrimSpace(strings.TrimPrefix(s, "τ"))
	if r, ok := strings.CutSuffix(s, "rao"); ok {
		v, err := strconv.ParseUint(r, 10, 64)
		if err != nil {
			return 0, usageErrorf("amount %q: RAO must be a whole number below 2^64", s)
		}
		return v, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 9 {
		return 0, usageErrorf("amount %q has more than 9 decimals (1 RAO = 0.000000001 TAO)", s)
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, usageErrorf("amount %q is not a number of TAO", s)
	}
	var f uint64
	if frac != "" {
		if f, err = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64); err != nil {
			return 0, usageErrorf("amount %q is not a number of TAO", s)
		}
	}
	if w > (^uint64(0)-f)/raoPerTAO {
		return 0, usageErrorf("amount %q is too large (more than 2^64 RAO)", s)
	}
	return w*raoPerTAO + f, nil
}

// Client connects to the node named by --chain-endpoint or --network.
func (a *App) Client(ctx context.Context) (*client.Client, error) {
	ep := a.ChainEndpoint
	if ep == "" {
		// An unknown name is a usage error here: dialing it as a host would
		// fail with a DNS error that does not say what was wrong.
		var err error
		ep, err = client.ResolveNetwork(a.Network, a.Lookup)
		if errors.Is(err, client.ErrUnknownNetwork) {
			known := slices.Sorted(maps.Keys(client.Networks))
			return nil, usageErrorf("unknown network %q: the known names are %s; give an endpoint with --chain-endpoint URL (or %s), name one with GOTENSOR_NETWORK_%s=URL, or add it to %s ({\"%s\": \"http://host:26657\"})",
				a.Network, strings.Join(known, ", "), EnvChainEndpoint, strings.ToUpper(a.Network), client.NetworksFile(a.Lookup), a.Network)
		}
		if err != nil {
			return nil, usageErrorf("--network %s: %v", a.Network, err)
		}
	}
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{ep}, Retries: 3})
	if err != nil {
		return nil, fmt.Errorf("%w (start one with `subtensor init && subtensor start`, or pass --chain-endpoint)", err)
	}
	return c, nil
}

// spin shows a spinner on stderr while f runs, when a person is watching.
func (a *App) spin(msg string, f func() error) error {
	if a.JSON || !a.isTerminal() {
		return f()
	}
	return spinTo(a.Err, msg, 120*time.Millisecond, f)
}

// spinTo draws a spinner on w every interval while f runs, and returns only
// after the spinner has erased itself, so nothing it writes lands after what
// the caller prints next.
func spinTo(w io.Writer, msg string, interval time.Duration, f func() error) error {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		frames := `|/-\`
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-done:
				fmt.Fprintf(w, "\r%s\r", strings.Repeat(" ", len(msg)+4))
				return
			case <-tick.C:
				fmt.Fprintf(w, "\r%c %s", frames[i%len(frames)], msg)
			}
		}
	}()
	err := f()
	close(done)
	<-stopped
	return err
}

// addressFor resolves --ss58 or the wallet's coldkeypub (no password).
func (a *App) addressFor(ss58 string) (string, error) {
	if ss58 != "" {
		pk, err := keys.ParsePublicKeyOrSS58(ss58)
		if err != nil {
			return "", err
		}
		return pk.SS58(), nil
	}
	w, err := a.Wallet()
	if err != nil {
		return "", err
	}
	pk, err := w.ColdkeyPub()
	if err != nil {
		return "", err
	}
	return pk.SS58(), nil
}

func addWalletChainCmds(app *App, walletCmd *cobra.Command) {
	walletCmd.AddCommand(newBalanceCmd(app), newTransferCmd(app), newOverviewCmd(app))
}

type balanceRow struct {
	Wallet  string `json:"wallet,omitempty"`
	Address string `json:"address"`
	Free    uint64 `json:"free_rao,string"`
	FreeTAO string `json:"free"`
	Nonce   uint64 `json:"nonce"`
}

func newBalanceCmd(app *App) *cobra.Command {
	var addrs []string
	cmd := &cobra.Command{
		Use:   "balance",
		Short: "Show the free balance of the wallet's coldkey or of --ss58 addresses",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if len(addrs) == 0 {
				addrs = []string{""}
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			var rows []balanceRow
			for _, s := range addrs {
				addr, err := app.addressFor(s)
				if err != nil {
					return err
				}
				acct, err := c.Account(ctx, addr)
				if err != nil {
					return err
				}
				row := balanceRow{Address: addr, Free: acct.Free, FreeTAO: formatTAO(acct.Free), Nonce: acct.Nonce}
				if s == "" {
					row.Wallet = app.WalletName
				}
				rows = append(rows, row)
			}
			return app.Print(map[string]any{"balances": rows}, func(t *Table) {
				t.Row("WALLET", "ADDRESS", "FREE")
				for _, r := range rows {
					t.Row(r.Wallet, r.Address, r.FreeTAO)
				}
			})
		},
	}
	cmd.Flags().StringArrayVar(&addrs, "ss58", nil, "address to look up (repeatable); default the wallet's coldkey")
	return cmd
}

type transferResult struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Amount   uint64 `json:"amount_rao,string"`
	Fee      uint64 `json:"fee_rao,string"`
	Hash     string `json:"tx_hash"`
	Height   int64  `json:"block,omitempty"`
	Included bool   `json:"included"`
	Balance  uint64 `json:"balance_after_rao,string"`
}

// evTransfer is the chain's transfer event (chain/balances); userwalk_test.go checks it.
const evTransfer = "balances.Transfer"

func newTransferCmd(app *App) *cobra.Command {
	var dest, amount string
	var keepAlive, all, noWait bool
	cmd := &cobra.Command{
		Use:   "transfer",
		Short: "Send TAO from the wallet's coldkey (shows the fee and asks first)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if dest == "" {
				return usageErrorf("--dest is required: the SS58 address to send to")
			}
			to, err := keys.ParsePublicKeyOrSS58(dest)
			if err != nil {
				return err
			}
			var value uint64
			if !all {
				if amount == "" {
					return usageErrorf("--amount is required (TAO, e.g. 1.5), or use --all")
				}
				if value, err = parseTAO(amount); err != nil {
					return err
				}
				if value == 0 {
					return usageErrorf("--amount must be greater than zero")
				}
			}
			w, err := app.Wallet()
			if err != nil {
				return err
			}
			pub, err := signingColdkey(w)
			if err != nil {
				return err
			}
			from := pub.SS58()
			if to.SS58() == from {
				return fmt.Errorf("TransferToSelf: --dest %s is this wallet's own coldkey, and the chain refuses a transfer to the same account; give another address", from)
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			acct, err := c.Account(ctx, from)
			if err != nil {
				return err
			}
			call := client.Transfer(to.SS58(), value)
			switch {
			case all:
				call = client.TransferAll(to.SS58(), keepAlive)
			case keepAlive:
				call = client.TransferKeepAlive(to.SS58(), value)
			}
			fee, err := c.EstimateFee(ctx, pub, call, client.SubmitOptions{})
			if err != nil {
				return err
			}
			if all {
				value = acct.Free - min(fee, acct.Free)
				if keepAlive {
					// transfer_all with keep_alive leaves the existential deposit behind.
					p, err := c.Params(ctx)
					if err != nil {
						return err
					}
					value -= min(p.ExistentialDeposit, value)
				}
				if value == 0 {
					return fmt.Errorf("balance %s of %s leaves nothing to send after the fee %s%s; fund the account first",
						formatTAO(acct.Free), from, formatTAO(fee), map[bool]string{true: " and the existential deposit kept by --keep-alive"}[keepAlive])
				}
			}
			if value+fee > acct.Free || value+fee < value {
				return fmt.Errorf("balance %s cannot cover %s plus the fee %s; send less or fund %s", formatTAO(acct.Free), formatTAO(value), formatTAO(fee), from)
			}
			if err := outsideSafeMode(ctx, c, "transfer"); err != nil {
				return err
			}
			app.Infof("From:   %s (%s)\nTo:     %s\nAmount: %s\nFee:    %s\nAfter:  %s", from, formatTAO(acct.Free), to.SS58(), formatTAO(value), formatTAO(fee), formatTAO(acct.Free-value-fee))
			ok, err := app.Confirm("Do you want to transfer?", true)
			if err != nil {
				return err
			}
			if !ok {
				return errCancelled
			}
			kp, err := app.Coldkey(w)
			if err != nil {
				return err
			}
			wait := client.WaitFinal
			if noWait {
				wait = client.WaitNone
			}
			var r *client.Receipt
			err = app.spin("waiting for inclusion...", func() error {
				r, err = c.Submit(ctx, kp, call, client.SubmitOptions{Wait: wait})
				return err
			})
			if err != nil {
				return fmt.Errorf("send %s to %s: %w", formatTAO(value), to.SS58(), err)
			}
			if ev, ok := r.Event(evTransfer); ok {
				value = attrU64(ev, "amount") // what the chain moved
			}
			res := transferResult{From: from, To: to.SS58(), Amount: value, Fee: fee, Hash: r.Hash, Height: r.Height, Included: r.Success}
			if after, err := c.Account(ctx, from); err == nil {
				res.Balance = after.Free
			}
			return app.Print(res, func(t *Table) {
				if r.Success {
					t.Line("Transferred %s to %s in block %d (tx %s)", formatTAO(value), res.To, r.Height, r.Hash)
				} else {
					t.Line("Submitted %s to %s (tx %s); not waiting for inclusion", formatTAO(value), res.To, r.Hash)
				}
				t.Line("Balance now: %s", formatTAO(res.Balance))
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&dest, "dest", "", "destination SS58 address")
	f.StringVar(&amount, "amount", "", "TAO to send, e.g. 1.5 (or 1500rao)")
	f.BoolVar(&keepAlive, "keep-alive", false, "fail rather than leave the sender below the existential deposit")
	f.BoolVar(&all, "all", false, "send the whole free balance after the fee")
	f.BoolVar(&noWait, "no-wait", false, "return once the mempool accepts it")
	return cmd
}

func newOverviewCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "overview",
		Short: "Show the wallet's coldkey balance and its hotkeys",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := app.Wallet()
			if err != nil {
				return err
			}
			pub, err := w.ColdkeyPub()
			if err != nil {
				return err
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			acct, err := c.Account(ctx, pub.SS58())
			if err != nil {
				return err
			}
			st, err := c.Status(ctx)
			if err != nil {
				return err
			}
			infos, err := wallet.List(w.Root())
			if err != nil {
				return err
			}
			type hk struct {
				Name    string `json:"name"`
				Address string `json:"address,omitempty"`
			}
			hks := []hk{}
			for _, info := range infos {
				if info.Name != w.Name() {
					continue
				}
				for _, h := range info.Hotkeys {
					hks = append(hks, hk{h.Name, h.SS58})
				}
			}
			out := map[string]any{"wallet": w.Name(), "coldkey": pub.SS58(), "free_rao": strconv.FormatUint(acct.Free, 10), "free": formatTAO(acct.Free),
				"nonce": acct.Nonce, "hotkeys": hks, "chain_id": st.ChainID, "block": st.Height}
			return app.Print(out, func(t *Table) {
				t.Line("Wallet %s  coldkey %s  on %s at block %d", w.Name(), pub.SS58(), st.ChainID, st.Height)
				t.Line("Free balance: %s", formatTAO(acct.Free))
				t.Row("HOTKEY", "ADDRESS")
				for _, h := range hks {
					t.Row(h.Name, h.Address)
				}
			})
		},
	}
}
