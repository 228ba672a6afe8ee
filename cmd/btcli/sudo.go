package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/client"
)

// newSudoCmd returns the `sudo` group: subnet hyperparameters (owner or sudo), global
// parameters and dissolving subnets (sudo). Values are whole numbers as the chain stores
// them, in the unit paramUnits names: amounts in RAO (1 TAO = 10^9 RAO), booleans 0/1
// (true/false accepted), burn_increase_mult in parts per million.
func newSudoCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "sudo",
		Aliases: []string{"su"},
		Short:   "Set and read subnet hyperparameters and global parameters; dissolve subnets; switch safe mode",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newSudoSetCmd(app), newSudoGetCmd(app), newSudoDissolveCmd(app), newSudoSafeModeCmd(app))
	return cmd
}

// parseParamValue reads --value for parameter p: a whole number (underscores allowed) in
// the parameter's unit (paramUnits), or true/false for a 0..1 parameter. A fraction is
// refused with the unit and the whole number to give (1.5 in ppm is 1500000).
func parseParamValue(s string, p api.Hyperparameter) (uint64, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "false", "no", "off":
		if p.Min != 0 || p.Max != 1 {
			return 0, usageErrorf("%s is not a boolean; give a whole number in %d..%d", p.Name, p.Min, p.Max)
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "yes", "on":
			return 1, nil
		}
		return 0, nil
	}
	v, err := strconv.ParseUint(strings.ReplaceAll(strings.TrimSpace(s), "_", ""), 10, 64)
	if err != nil {
		if hint, ok := notWholeHint(s, p.Name); ok {
			return 0, usageErrorf("%s", hint)
		}
		return 0, usageErrorf("--value %q for %s must be a whole number in %s", s, p.Name, unitOf(p.Name).text)
	}
	if v < p.Min || v > p.Max {
		return 0, usageErrorf("ValueNotInBounds: %s = %d, allowed %d..%d, in %s", p.Name, v, p.Min, p.Max, unitOf(p.Name).text)
	}
	return v, nil
}

func findParam(ps []api.Hyperparameter, name string) (api.Hyperparameter, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return api.Hyperparameter{}, false
}

func paramNames(ps []api.Hyperparameter, ownerOnly bool) string {
	var names []string
	for _, p := range ps {
		if !ownerOnly || p.OwnerSettable {
			names = append(names, p.Name)
		}
	}
	return strings.Join(names, ", ")
}

type sudoSetResult struct {
	Netuid *uint16 `json:"netuid,omitempty"`
	Param  string  `json:"param"`
	Old    uint64  `json:"old_value,string"`
	Value  uint64  `json:"value,string"`
	As     string  `json:"as"` // "owner" or "sudo"
	txInfo
}

func newSudoSetCmd(app *App) *cobra.Command {
	var netuid uint16
	var param, value string
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Set a subnet hyperparameter (--netuid; the owner's or the sudo coldkey) or a global parameter (no --netuid; sudo)",
		Long: `Set a subnet hyperparameter with --netuid, signed by the wallet's coldkey: the subnet
owner may set the owner-settable ones (each at most once per owner_hparam_rate_limit
tempos; weights_version_key once per 5 tempos), the sudo key any of them at any time. Without --netuid, set a global parameter
(sudo only). See the names, current values and bounds with ` + "`btcli sudo get [--netuid N]`" + `.

Values are whole numbers in the unit the chain stores (the UNIT column of ` + "`btcli sudo get`" + `):
amounts in RAO (1 TAO = 10^9 RAO), booleans 0/1 (true/false accepted), ppm in parts
per million (burn_increase_mult 1.26 = 1260000, bonds_moving_average 0.9 = 900000),
/65535 as a fraction of 65535 (kappa 0.5 ≈ 32767), blocks, tempos or epochs as counts.
A fraction such as 1.5 is refused with the whole number to give instead.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if param == "" || value == "" {
				return usageErrorf("--param and --value are required; see `btcli sudo get [--netuid N]` for the names")
			}
			ctx := cmd.Context()
			w, cold, c, err := app.coldkeyClient(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			chain, err := c.Params(ctx)
			if err != nil {
				return err
			}
			isSudo := chain.Sudo != "" && chain.Sudo == cold.SS58()
			global := !cmd.Flags().Changed("netuid")
			var ps []api.Hyperparameter
			var s api.Subnet
			if global {
				ps, err = c.NetworkParams(ctx)
			} else {
				if s, err = subnet(ctx, c, netuid); err != nil {
					return err
				}
				ps, err = c.Hyperparameters(ctx, netuid)
			}
			if err != nil {
				return err
			}
			p, ok := findParam(ps, param)
			if !ok {
				where := "subnet hyperparameters"
				if global {
					where = "global parameters (give --netuid for a subnet hyperparameter)"
				}
				return usageErrorf("unknown parameter %q; the %s are: %s", param, where, paramNames(ps, false))
			}
			v, err := parseParamValue(value, p)
			if err != nil {
				return err
			}
			govHint := fmt.Sprintf("only governance can change it: `btcli gov propose --title .. --param %s --value %s --deposit ..`", param, value)
			if !global {
				govHint = fmt.Sprintf("only governance can change it: `btcli gov propose --title .. --param %s --value %s --netuid %d --deposit ..`", param, value, netuid)
			}
			as := "sudo"
			var target, rule string
			switch {
			case global && chain.Sudo == "":
				return fmt.Errorf("BadOrigin: this chain's sudo key was retired, so no transaction can set global parameters; %s", govHint)
			case global && !isSudo:
				return fmt.Errorf("BadOrigin: only the sudo key %s may set global parameters, not %s", chain.Sudo, cold.SS58())
			case global:
				target = "global parameter " + param
			case isSudo:
				target = fmt.Sprintf("%s on subnet %d", param, netuid)
				rule = "sudo: no rate limit"
			case netuid == 0 && chain.Sudo == "":
				return fmt.Errorf("NotPermittedOnRootSubnet: the root network's hyperparameters were the sudo key's, which was retired; %s", govHint)
			case netuid == 0:
				return fmt.Errorf("NotPermittedOnRootSubnet: only the sudo key %s may set the root network's hyperparameters", chain.Sudo)
			case !p.OwnerSettable && chain.Sudo == "":
				return fmt.Errorf("BadOrigin: %s is set by sudo only, and the sudo key was retired; %s. The owner may set: %s", param, govHint, paramNames(ps, true))
			case s.Owner != cold.SS58() && chain.Sudo == "":
				return fmt.Errorf("NotSubnetOwner: subnet %d is owned by %s, not %s; sign with the owner's wallet (the sudo key was retired, so otherwise %s)", netuid, s.Owner, cold.SS58(), govHint)
			case s.Owner != cold.SS58():
				return fmt.Errorf("NotSubnetOwner: subnet %d is owned by %s, not %s; sign with the owner's wallet or the sudo key", netuid, s.Owner, cold.SS58())
			case !p.OwnerSettable:
				return fmt.Errorf("BadOrigin: %s is set by sudo only; the owner may set: %s", param, paramNames(ps, true))
			default:
				as = "owner"
				target = fmt.Sprintf("%s on subnet %d", param, netuid)
				rule = "owner: once per owner_hparam_rate_limit tempos for each parameter"
				if param == "weights_version_key" {
					rule = fmt.Sprintf("owner: the next change of %s is allowed %s later", param, plural(subnets.WeightsVersionKeyRateLimit*s.Tempo, "block", ""))
				} else if gp, err := c.NetworkParams(ctx); err == nil {
					if lim, ok := findParam(gp, "owner_hparam_rate_limit"); ok {
						rule = fmt.Sprintf("owner: the next change of %s is allowed %s later", param, plural(lim.Value*s.Tempo, "block", ""))
					}
				}
			}
			call := client.SudoSetParameter(param, v)
			if !global {
				call = client.SetHyperparameter(netuid, param, v)
			}
			fee, err := feeCovered(ctx, c, cold, call)
			if err != nil {
				return err
			}
			summary := [][2]string{{"Set", target}, {"Value", fmt.Sprintf("%d → %d (allowed %d..%d)", p.Value, v, p.Min, p.Max)}}
			if rule != "" {
				summary = append(summary, [2]string{"As", rule})
			}
			summary = append(summary, [2]string{"Fee", formatTAO(fee)})
			r, err := app.confirmAndSubmit(ctx, c, w, call, "set "+target, "Do you want to set it?", summary...)
			if err != nil {
				return err
			}
			res := sudoSetResult{Param: param, Old: p.Value, Value: v, As: as, txInfo: newTxInfo(fee, r)}
			if !global {
				res.Netuid = &netuid
			}
			return app.Print(res, func(t *Table) {
				t.Line("Set %s to %d (was %d) in block %d (tx %s)", target, v, p.Value, res.Block, res.Hash)
			})
		},
	}
	netuidFlag(cmd, &netuid)
	cmd.Flags().StringVar(&param, "param", "", "parameter name, e.g. immunity_period (see btcli sudo get)")
	cmd.Flags().StringVar(&value, "value", "", "new value: a whole number in the parameter's unit (RAO for amounts, ppm for burn_increase_mult: 1.26 = 1260000; see UNIT in btcli sudo get) or true/false")
	return cmd
}

type networkParamsResult struct {
	Sudo       string               `json:"sudo,omitempty"`
	SafeMode   bool                 `json:"safe_mode"`
	Parameters []api.Hyperparameter `json:"parameters"`
	// Units maps each parameter name to the unit of its value (see paramUnits).
	Units map[string]string `json:"units"`
}

// hyperNames returns the names of ps.
func hyperNames(ps []api.Hyperparameter) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

func newSudoGetCmd(app *App) *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{
		Use:   "get",
		Short: "Show a subnet's hyperparameters (--netuid) or the global parameters, the sudo key and safe mode",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("netuid") {
				return app.printHyperparameters(cmd, netuid)
			}
			ctx := cmd.Context()
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			chain, err := c.Params(ctx)
			if err != nil {
				return err
			}
			ps, err := c.NetworkParams(ctx)
			if err != nil {
				return err
			}
			gp, err := c.GovernanceParams(ctx)
			if err != nil {
				return err
			}
			return app.Print(networkParamsResult{chain.Sudo, gp.SafeMode, ps, unitNames(hyperNames(ps))}, func(t *Table) {
				sudo := chain.Sudo
				if sudo == "" {
					sudo = "none (retired)"
				}
				t.Line("Global parameters (sudo key %s; set with `btcli sudo set --param NAME --value V`)", sudo)
				if gp.SafeMode {
					t.Line("Safe mode: ON, only governance and sudo calls run (`btcli sudo safe-mode off` or a governance proposal turns it off)")
				} else {
					t.Line("Safe mode: off")
				}
				t.Row("NAME", "VALUE", "UNIT", "MIN", "MAX")
				for _, p := range ps {
					t.Row(p.Name, strconv.FormatUint(p.Value, 10), unitOf(p.Name).name, strconv.FormatUint(p.Min, 10), strconv.FormatUint(p.Max, 10))
				}
			})
		},
	}
	netuidFlag(cmd, &netuid)
	return cmd
}

type dissolveResult struct {
	Netuid   uint16 `json:"netuid"`
	Refunded uint64 `json:"tao_refunded_rao,string"` // to stakers, pro rata by alpha
	Stakers  uint64 `json:"stakers"`
	Recycled uint64 `json:"tao_recycled_rao,string"` // the protocol's share
	txInfo
}

func newSudoDissolveCmd(app *App) *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{
		Use:   "dissolve",
		Short: "Remove a subnet and its neurons; its pool's TAO goes back to its stakers (sudo)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			if netuid == 0 {
				return usageErrorf("netuid 0 is the root network and cannot be dissolved")
			}
			ctx := cmd.Context()
			w, cold, c, err := app.coldkeyClient(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			s, err := subnet(ctx, c, netuid)
			if err != nil {
				return err
			}
			chain, err := c.Params(ctx)
			if err != nil {
				return err
			}
			switch {
			case chain.Sudo == "":
				return fmt.Errorf("BadOrigin: this chain's sudo key was retired, so no transaction can dissolve a subnet")
			case chain.Sudo != cold.SS58():
				return fmt.Errorf("BadOrigin: only the sudo key %s may dissolve a subnet, not %s", chain.Sudo, cold.SS58())
			}
			call := client.SudoDissolveNetwork(netuid)
			fee, err := feeCovered(ctx, c, cold, call)
			if err != nil {
				return err
			}
			r, err := app.confirmAndSubmit(ctx, c, w, call, fmt.Sprintf("dissolve subnet %d", netuid), fmt.Sprintf("Do you want to dissolve subnet %d?", netuid),
				[2]string{"Subnet", fmt.Sprintf("%d %s, owner %s, %s", netuid, subnetName(s), s.Owner, plural(s.Neurons, "neuron", ""))},
				[2]string{"Effect", fmt.Sprintf("the subnet and its neurons are removed; its pool's %s goes to its stakers pro rata by alpha, the protocol's share is recycled", formatTAO(s.Pool.TAO))},
				[2]string{"Fee", formatTAO(fee)},
			)
			if err != nil {
				return err
			}
			ev, _ := r.Event(evNetworkRemoved)
			res := dissolveResult{Netuid: netuid, Refunded: attrU64(ev, "tao_refunded"), Stakers: attrU64(ev, "stakers"),
				Recycled: attrU64(ev, "tao_recycled"), txInfo: newTxInfo(fee, r)}
			return app.Print(res, func(t *Table) {
				t.Line("Dissolved subnet %d in block %d (tx %s); refunded %s to %s, recycled %s", netuid, res.Block, res.Hash,
					formatTAO(res.Refunded), plural(res.Stakers, "staker", ""), formatTAO(res.Recycled))
			})
		},
	}
	netuidFlag(cmd, &netuid)
	return cmd
}

// safeModeBlocks says what safe mode pauses (chain/app exemptFromSafeMode).
const safeModeBlocks = "every transaction except governance (propose, deposit, vote) and the sudo calls is refused with SafeModeActive (transfers, staking, registration, weights, serving axons, a subnet owner's hyperparameter changes ...); blocks, epochs and emission go on"

type sudoSafeModeResult struct {
	SafeMode bool `json:"safe_mode"`
	Was      bool `json:"was"`
	txInfo
}

// parseOnOff reads on|off (true/false, 1/0 too) for a switch named what.
func parseOnOff(s, what string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return false, usageErrorf("%s is on or off, not %q", what, s)
}

func newSudoSafeModeCmd(app *App) *cobra.Command {
	onOff := map[bool]string{true: "on", false: "off"}
	cmd := &cobra.Command{
		Use:   "safe-mode on|off",
		Short: "Turn safe mode on or off at once (sudo_set_safe_mode; the sudo coldkey)",
		Long: `Turn safe mode on or off at once with sudo_set_safe_mode, signed by the wallet's
coldkey, which must be the chain's sudo key. While safe mode is on, every transaction except
governance (propose, deposit, vote) and the sudo calls is refused with SafeModeActive;
block production, epochs and emission go on. ` + "`btcli sudo get`" + ` and ` + "`btcli gov params`" + ` show
whether it is on. Once sudo is retired only a governance proposal switches it
(` + "`btcli gov propose --safe-mode on|off`" + `).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("give on or off: `btcli sudo safe-mode on` or `btcli sudo safe-mode off`")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			on, err := parseOnOff(args[0], "safe mode")
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			w, cold, c, err := app.coldkeyClient(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			gp, err := c.GovernanceParams(ctx)
			if err != nil {
				return err
			}
			govHint := fmt.Sprintf("`btcli gov propose --title .. --safe-mode %s --deposit ..`", onOff[on])
			switch {
			case gp.Sudo == "":
				return fmt.Errorf("BadOrigin: this chain's sudo key was retired, so no transaction can switch safe mode; only governance can: %s", govHint)
			case gp.Sudo != cold.SS58():
				return fmt.Errorf("BadOrigin: only the sudo key %s may switch safe mode, not %s; sign with the sudo wallet, or propose it: %s", gp.Sudo, cold.SS58(), govHint)
			case gp.SafeMode == on:
				return fmt.Errorf("safe mode is already %s; nothing to switch (`btcli sudo get` shows it)", onOff[on])
			}
			call := client.SudoSetSafeMode(on)
			fee, err := feeCovered(ctx, c, cold, call)
			if err != nil {
				return err
			}
			effect := "the transactions safe mode paused run again"
			if on {
				effect = "until safe mode is turned off, " + safeModeBlocks
			}
			r, err := app.confirmAndSubmit(ctx, c, w, call, "turn safe mode "+onOff[on], fmt.Sprintf("Do you want to turn safe mode %s?", onOff[on]),
				[2]string{"Safe mode", fmt.Sprintf("%s → %s", onOff[gp.SafeMode], onOff[on])},
				[2]string{"Effect", effect},
				[2]string{"As", "sudo " + cold.SS58()},
				[2]string{"Fee", formatTAO(fee)},
			)
			if err != nil {
				return err
			}
			res := sudoSafeModeResult{SafeMode: on, Was: gp.SafeMode, txInfo: newTxInfo(fee, r)}
			return app.Print(res, func(t *Table) {
				t.Line("Safe mode is %s from block %d (tx %s)", onOff[on], res.Block, res.Hash)
			})
		},
	}
	return cmd
}
