package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
)

// addMetagraphCmd attaches `metagraph` to the `subnets` group of root (main.go calls it
// after adding the group).
func addMetagraphCmd(app *App, root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() == "subnets" {
			c.AddCommand(newMetagraphCmd(app))
		}
	}
}

func newMetagraphCmd(app *App) *cobra.Command {
	var netuid uint16
	var full bool
	var block int64
	cmd := &cobra.Command{
		Use:   "metagraph [NETUID]",
		Short: "Show a subnet's metagraph: stake, rank, trust, consensus, incentive, dividends, emission and axon of every uid",
		Long: `Show a subnet's metagraph in one query, as the explorer does: a header with the block,
tempo, epoch, next epoch block, pool price and pending emission, then one row per uid.
Proportions (VTRUST ... DIVIDENDS) are the chain's u16 values divided by 65535; stake and
emission are alpha (EMISSION: what the last epoch paid), ROOT is TAO staked on root,
UPDATED is blocks since the uid's last weights. --json prints the chain's columns
unchanged (amounts in RAO); --full adds the weight and bond rows; --block reads a past
block. When every consensus is 0 although validators set weights because they hold less
than kappa of the active permit holders' stake weight, a note under the table gives their
share, the uids holding the rest and what clears it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				n, err := strconv.ParseUint(args[0], 10, 16)
				if err != nil {
					return usageErrorf("netuid %q must be a whole number in 0..65535", args[0])
				}
				if cmd.Flags().Changed("netuid") && uint16(n) != netuid {
					return usageErrorf("netuid given twice: %d and --netuid %d", n, netuid)
				}
				netuid = uint16(n)
			} else if err := requireNetuid(cmd); err != nil {
				return usageErrorf("give the netuid: `btcli subnets metagraph N` or --netuid N")
			}
			if block < 0 {
				return usageErrorf("--block %d must be a block height (0 = latest)", block)
			}
			ctx := cmd.Context()
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			m, err := c.Metagraph(ctx, netuid, block, full)
			if isNotFound(err) {
				return fmt.Errorf("subnet %d does not exist at that block; see `btcli subnets list`", netuid)
			}
			if err != nil {
				return err
			}
			if app.JSON {
				return app.Print(m, nil)
			}
			name, ownerHotkey := "", ""
			if s, err := c.Subnet(ctx, netuid); err == nil {
				name, ownerHotkey = subnetName(s), s.OwnerHotkey
			}
			// Every consensus 0 although validators set weights: say why (two more
			// queries, only then). A failed query leaves the table without the note.
			var stall consensusStall
			stalled := false
			if needsConsensusCheck(m) && ownerHotkey != "" {
				stall, stalled, _ = loadConsensusStall(ctx, c, m, ownerHotkey)
			}
			return app.Print(m, func(t *Table) {
				printMetagraph(t, m, name)
				if stalled {
					printConsensusStall(t, stall)
				}
			})
		},
	}
	netuidFlag(cmd, &netuid)
	cmd.Flags().BoolVar(&full, "full", false, "include every uid's weights and bonds")
	cmd.Flags().Int64Var(&block, "block", 0, "read the metagraph at this block (0 = latest; the node must keep that state)")
	return cmd
}

// formatU16 renders a u16 proportion as a fraction with 5 decimals (65535 = 1.00000).
func formatU16(v uint16) string {
	x := (uint64(v)*100_000 + 32767) / 65535
	return fmt.Sprintf("%d.%05d", x/100_000, x%100_000)
}

// formatShort renders RAO with 4 decimals (truncated) and a unit sign, for tables.
func formatShort(rao uint64, sign string) string {
	return fmt.Sprintf("%s%d.%04d", sign, rao/raoPerTAO, rao%raoPerTAO/100_000)
}

func printMetagraph(t *Table, m api.Metagraph, name string) {
	title := fmt.Sprintf("Subnet %d", m.Netuid)
	if name != "" {
		title += " " + name
	}
	if m.Netuid == rootNetuid {
		// Root runs no epochs and has no pool: its stake is TAO, 1:1 (the chain's epoch
		// and pool fields for it are placeholders).
		t.Line("%s at block %d: %s; the root network runs no epochs and has no pool (its stake is TAO, 1:1)", title, m.Block, plural(m.N, "uid", ""))
	} else {
		t.Line("%s at block %d: %s, tempo %d, epoch %d, next epoch at block %d (in %s)",
			title, m.Block, plural(m.N, "uid", ""), m.Tempo, m.EpochIndex, m.NextEpochBlock, plural(m.NextEpochBlock-min(m.NextEpochBlock, uint64(m.Block)), "block", ""))
		t.Line("Pool %s / %s, price %s τ/α (moving %s)", formatTAO(m.Pool.TAO), formatAlpha(m.Pool.AlphaIn), formatPrice(m.Pool.Price), formatPrice(m.Pool.MovingPrice))
		p := m.Pending
		t.Line("Pending emission for the next epoch: miners %s, validators %s, root %s, owner %s",
			formatAlpha(p.Server), formatAlpha(p.Validator), formatAlpha(p.Root), formatAlpha(p.OwnerCut))
	}
	t.Row("UID", "HOTKEY", "COLDKEY", "STAKE(α)", "ROOT(τ)", "VTRUST", "VPERMIT", "ACTIVE", "RANK", "TRUST", "CONSENSUS", "INCENTIVE", "DIVIDENDS", "EMISSION(α)", "UPDATED", "AXON")
	var stake, root, emission uint64
	for i := 0; i < m.N; i++ {
		axon := "-"
		if m.Axons[i] != nil {
			axon = endpointString(m.Axons[i])
		}
		permit := "-"
		if m.ValidatorPermit[i] {
			permit = "*"
		}
		stake += m.Stake[i]
		root += m.RootStake[i]
		emission += m.Emission[i]
		t.Row(strconv.Itoa(i), short(m.Hotkeys[i]), short(m.Coldkeys[i]), formatShort(m.Stake[i], "α"), formatShort(m.RootStake[i], "τ"),
			formatU16(m.ValidatorTrust[i]), permit, yesNo(m.Active[i]), formatU16(m.Rank[i]), formatU16(m.Trust[i]),
			formatU16(m.Consensus[i]), formatU16(m.Incentive[i]), formatU16(m.Dividends[i]), formatShort(m.Emission[i], "α"),
			strconv.FormatUint(uint64(m.Block)-min(uint64(m.Block), m.LastUpdate[i]), 10), axon)
	}
	t.Row("", "", "total", formatShort(stake, "α"), formatShort(root, "τ"), "", "", "", "", "", "", "", "", formatShort(emission, "α"), "", "")
	for _, sec := range []struct {
		name string
		rows [][][2]uint16
	}{{"Weights", m.Weights}, {"Bonds", m.Bonds}} {
		if sec.rows == nil {
			continue
		}
		t.Line("%s (row uid: column uid=u16 value):", sec.name)
		if !slices.ContainsFunc(sec.rows, func(r [][2]uint16) bool { return len(r) > 0 }) {
			t.Line("  none")
		}
		for i, row := range sec.rows {
			if len(row) == 0 {
				continue
			}
			parts := make([]string, len(row))
			for k, e := range row {
				parts[k] = fmt.Sprintf("%d=%d", e[0], e[1])
			}
			t.Line("  %d: %s", i, strings.Join(parts, " "))
		}
	}
}
