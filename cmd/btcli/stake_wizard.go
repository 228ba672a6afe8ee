package main

// btcli stake wizard: staking for people who do not know the netuids and hotkeys by heart.
// It lists the subnets that take stake, then the chosen subnet's hotkeys, asks the amount
// and the slippage protection, and hands over to `stake add`'s preview and confirmation.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/keys"
)

func newStakeWizardCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "wizard",
		Short: "Stake interactively: pick a subnet and a hotkey from lists, enter the amount, review the quote, confirm",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if app.NoPrompt {
				return usageErrorf("stake wizard asks questions, so it cannot run with --no-prompt; use " +
					"`btcli stake add --netuid N --amount TAO [--hotkey SS58] [--safe --tolerance 0.005 --allow-partial]` instead " +
					"(`btcli subnets list` and `btcli subnets show --netuid N` list the netuids and hotkeys)")
			}
			ctx := cmd.Context()
			s, err := app.openStake(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			sns, err := s.c.Subnets(ctx)
			if err != nil {
				return err
			}
			open := map[uint16]api.Subnet{}
			fmt.Fprintf(app.Err, "Subnets that take stake:\n  %-7s %-20s %-16s %s\n", "NETUID", "NAME", "PRICE (τ/α)", "POOL TAO")
			for _, sn := range sns {
				if sn.Netuid != rootNetuid && !sn.SubtokenEnabled {
					continue
				}
				open[sn.Netuid] = sn
				pool := formatTAO(sn.Pool.TAO)
				if sn.Netuid == rootNetuid {
					pool = "- (1:1, no pool)"
				}
				fmt.Fprintf(app.Err, "  %-7d %-20s %-16s %s\n", sn.Netuid, subnetName(sn), formatPrice(spot(sn)), pool)
			}
			var sn api.Subnet
			for {
				ans, err := app.askLine("Subnet netuid: ")
				if err != nil {
					return err
				}
				n, perr := strconv.ParseUint(ans, 10, 16)
				var ok bool
				if sn, ok = open[uint16(n)]; perr == nil && ok {
					break
				}
				fmt.Fprintf(app.Err, "%q is not one of the netuids listed; type a number from the first column.\n", ans)
			}
			hk, err := app.pickHotkey(cmd, s, sn)
			if err != nil {
				return err
			}
			acct, err := s.c.Account(ctx, s.cold.SS58())
			if err != nil {
				return err
			}
			var amount uint64
			for {
				ans, err := app.askLine(fmt.Sprintf("TAO to stake (free %s): ", formatTAO(acct.Free)))
				if err != nil {
					return err
				}
				if amount, err = parseTAO(ans); err == nil && amount > 0 && amount <= acct.Free {
					break
				}
				fmt.Fprintf(app.Err, "Enter a positive amount of TAO up to %s, such as 1.5.\n", formatTAO(acct.Free))
			}
			var sf safetyFlags
			if sn.Netuid != rootNetuid {
				for {
					ans, err := app.askLine(fmt.Sprintf("Price tolerance for a limit order (--safe), as 0.005 or 0.5%%; 'none' for no limit [%s]: ", defaultTolerance))
					if err != nil {
						return err
					}
					if strings.EqualFold(ans, "none") {
						break
					}
					if ans == "" {
						ans = defaultTolerance
					}
					tol, terr := parseTolerance(ans)
					if terr == nil {
						sf = safetyFlags{safe: true, tolerance: ans, tol: tol}
						break
					}
					fmt.Fprintln(app.Err, terr)
				}
				if sf.safe {
					if sf.partial, err = app.Confirm("If the whole amount would move the price past the limit, stake the part that fits?", false); err != nil {
						return err
					}
				}
			}
			res, err := s.add(ctx, hk, sn.Netuid, amount, sf)
			if err != nil {
				return err
			}
			return app.printStakeAdd(res)
		},
	}
}

// pickHotkey lists the subnet's hotkeys (and the wallet's own) and asks for one: a number
// from the list or an SS58 address; empty picks the subnet owner's hotkey.
func (a *App) pickHotkey(cmd *cobra.Command, s *stakeSession, sn api.Subnet) (string, error) {
	neurons, err := s.c.Neurons(cmd.Context(), sn.Netuid)
	if err != nil {
		return "", err
	}
	var choices []string
	fmt.Fprintf(a.Err, "Hotkeys on subnet %s:\n  %-4s %-5s %s\n", subnetLabel(sn), "#", "UID", "HOTKEY")
	for _, n := range neurons {
		choices = append(choices, n.Hotkey)
		note := ""
		if n.Hotkey == sn.OwnerHotkey {
			note = "  (subnet owner)"
		}
		fmt.Fprintf(a.Err, "  %-4d %-5d %s%s\n", len(choices), n.UID, n.Hotkey, note)
	}
	if own, err := s.w.HotkeyPub(); err == nil && !slices.Contains(choices, own.SS58()) {
		choices = append(choices, own.SS58())
		fmt.Fprintf(a.Err, "  %-4d %-5s %s  (your wallet's hotkey)\n", len(choices), "-", own.SS58())
	}
	def := sn.OwnerHotkey
	if def == "" && len(choices) > 0 {
		def = choices[0]
	}
	for {
		ans, err := a.askLine(fmt.Sprintf("Hotkey: # from the list or an SS58 address [%s]: ", short(def)))
		if err != nil {
			return "", err
		}
		if ans == "" && def != "" {
			return def, nil
		}
		if i, perr := strconv.Atoi(ans); perr == nil && i >= 1 && i <= len(choices) {
			return choices[i-1], nil
		}
		if pk, perr := keys.ParsePublicKeyOrSS58(ans); perr == nil {
			return pk.SS58(), nil
		}
		fmt.Fprintf(a.Err, "%q is neither a number from the list nor an SS58 address.\n", ans)
	}
}

// askLine asks a question on stderr and returns the trimmed answer line. With --no-prompt
// or closed input it is an error naming what to do instead.
func (a *App) askLine(prompt string) (string, error) {
	if a.NoPrompt {
		return "", usageErrorf("%s needs an answer; drop --no-prompt or give the value as a flag", strings.TrimSpace(prompt))
	}
	fmt.Fprint(a.Err, prompt)
	line, err := a.lineReader().ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("%w: no answer (input closed); use `btcli stake add` with flags instead", errPrompt)
	}
	return strings.TrimSpace(line), nil
}
