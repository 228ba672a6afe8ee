package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/client"
)

// Event types of the owner's schedule calls (chain/epoch); subnets_epoch_test.go
// checks them against the chain's constants.
const (
	evTempoSet       = "epoch.TempoSet"       // netuid, tempo, next_epoch_block
	evEpochTriggered = "epoch.EpochTriggered" // netuid, by, fires_at
)

// maxTempo is the largest tempo (chain/subnets.MaxTempo).
const maxTempo = 50400

type setTempoResult struct {
	Netuid         uint16 `json:"netuid"`
	OldTempo       uint64 `json:"old_tempo"`
	Tempo          uint64 `json:"tempo"`
	NextEpochBlock uint64 `json:"next_epoch_block"`
	txInfo
}

func newSubnetSetTempoCmd(app *App) *cobra.Command {
	var netuid uint16
	var tempo uint64
	cmd := &cobra.Command{
		Use:   "set-tempo",
		Short: "Change a subnet's tempo; the epoch cycle restarts at once (owner; set_tempo)",
		Long: `Change a subnet's tempo, the number of blocks between its epochs (owner only).

The cycle restarts in the block the transaction lands in: the next epoch is --tempo
blocks later. The chain accepts tempos from min_owner_tempo (360 on mainnet; the
localnet profile allows shorter) to 50400, once per tempo_rate_limit blocks, and not in
the admin freeze window (the last admin_freeze_window blocks before an epoch, or while a
triggered epoch is pending). Sudo sets the tempo with btcli sudo set --param tempo.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			if !cmd.Flags().Changed("tempo") {
				return usageErrorf("--tempo is required: the blocks between epochs (see btcli subnets hyperparameters --netuid %d for the current one)", netuid)
			}
			ctx := cmd.Context()
			w, cold, c, err := app.coldkeyClient(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			s, err := ownedSubnet(cmd, c, netuid, cold.SS58())
			if err != nil {
				return err
			}
			gp, err := c.NetworkParams(ctx)
			if err != nil {
				return err
			}
			lo := uint64(1)
			if p, ok := findParam(gp, "min_owner_tempo"); ok {
				lo = max(p.Value, 1)
			}
			if tempo < lo || tempo > maxTempo {
				return usageErrorf("--tempo %d is outside %d..%d, the owner's range on this chain (min_owner_tempo..50400)", tempo, lo, maxTempo)
			}
			if tempo == s.Tempo {
				return usageErrorf("subnet %d's tempo is already %d", netuid, tempo)
			}
			rule := "tempo changes are rate-limited"
			if p, ok := findParam(gp, "tempo_rate_limit"); ok {
				rule = "the next change is allowed " + plural(p.Value, "block", "") + " after this one"
			}
			call := client.SetTempo(netuid, tempo)
			fee, err := feeCovered(ctx, c, cold, call)
			if err != nil {
				return err
			}
			if err := outsideSafeMode(ctx, c, "set_tempo (subnets set-tempo)"); err != nil {
				return err
			}
			r, err := app.confirmAndSubmit(ctx, c, w, call, fmt.Sprintf("set subnet %d's tempo", netuid), "Do you want to change the tempo?",
				[2]string{"Subnet", fmt.Sprintf("%d %s", netuid, subnetName(s))},
				[2]string{"Tempo", fmt.Sprintf("%d → %d blocks", s.Tempo, tempo)},
				[2]string{"Effect", fmt.Sprintf("the cycle restarts: the next epoch is %d blocks after the block this lands in", tempo)},
				[2]string{"Rate limit", rule},
				[2]string{"Fee", formatTAO(fee)},
			)
			if err != nil {
				return err
			}
			ev, _ := r.Event(evTempoSet)
			res := setTempoResult{Netuid: netuid, OldTempo: s.Tempo, Tempo: tempo, NextEpochBlock: attrU64(ev, "next_epoch_block"), txInfo: newTxInfo(fee, r)}
			return app.Print(res, func(t *Table) {
				t.Line("Subnet %d's tempo is %d (was %d) from block %d (tx %s); next epoch at block %d",
					netuid, tempo, res.OldTempo, res.Block, res.Hash, res.NextEpochBlock)
			})
		},
	}
	netuidFlag(cmd, &netuid)
	cmd.Flags().Uint64Var(&tempo, "tempo", 0, "blocks between epochs")
	return cmd
}

type triggerEpochResult struct {
	Netuid  uint16 `json:"netuid"`
	FiresAt uint64 `json:"fires_at"`
	txInfo
}

func newSubnetTriggerEpochCmd(app *App) *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{
		Use:   "trigger-epoch",
		Short: "Run a subnet's epoch admin_freeze_window blocks from now (owner; trigger_epoch)",
		Long: `Schedule a subnet's epoch ahead of its tempo (owner only).

The epoch runs admin_freeze_window blocks after the block the transaction lands in (at
least the next block); the result names that block. Until it runs, the owner's
hyperparameter and tempo changes are refused (the admin freeze window). The chain
refuses a trigger while commit-reveal is on, while another epoch is pending, when the
automatic epoch is nearer than admin_freeze_window blocks anyway, and more often than
owner_hparam_rate_limit tempos apart.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			ctx := cmd.Context()
			w, cold, c, err := app.coldkeyClient(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			s, err := ownedSubnet(cmd, c, netuid, cold.SS58())
			if err != nil {
				return err
			}
			hp, err := c.Hyperparameters(ctx, netuid)
			if err != nil {
				return err
			}
			if p, ok := findParam(hp, "commit_reveal_weights_enabled"); ok && p.Value == 1 {
				return fmt.Errorf("DynamicTempoBlockedByCommitReveal: subnet %d has commit-reveal on, and its reveal windows count epochs; turn it off first (btcli sudo set --netuid %d --param commit_reveal_weights_enabled --value false)", netuid, netuid)
			}
			window := uint64(0)
			if gp, err := c.NetworkParams(ctx); err == nil {
				if p, ok := findParam(gp, "admin_freeze_window"); ok {
					window = p.Value
				}
			}
			m, err := c.Metagraph(ctx, netuid, 0, false)
			if err != nil {
				return err
			}
			call := client.TriggerEpoch(netuid)
			fee, err := feeCovered(ctx, c, cold, call)
			if err != nil {
				return err
			}
			if err := outsideSafeMode(ctx, c, "trigger_epoch (subnets trigger-epoch)"); err != nil {
				return err
			}
			r, err := app.confirmAndSubmit(ctx, c, w, call, fmt.Sprintf("trigger subnet %d's epoch", netuid), "Do you want to trigger the epoch?",
				[2]string{"Subnet", fmt.Sprintf("%d %s", netuid, subnetName(s))},
				[2]string{"Next epoch now", fmt.Sprintf("block %d (current block %d, tempo %d)", m.NextEpochBlock, m.Block, m.Tempo)},
				[2]string{"Runs at", fmt.Sprintf("%s after the block this lands in", plural(max(window, 1), "block", ""))},
				[2]string{"Freeze", "the owner's hyperparameter and tempo changes are refused until it runs"},
				[2]string{"Fee", formatTAO(fee)},
			)
			if err != nil {
				return err
			}
			ev, _ := r.Event(evEpochTriggered)
			res := triggerEpochResult{Netuid: netuid, FiresAt: attrU64(ev, "fires_at"), txInfo: newTxInfo(fee, r)}
			return app.Print(res, func(t *Table) {
				t.Line("Triggered subnet %d's epoch in block %d (tx %s); it runs at block %d", netuid, res.Block, res.Hash, res.FiresAt)
			})
		},
	}
	netuidFlag(cmd, &netuid)
	return cmd
}
