package main

// btcli root: the root network (netuid 0, reference §13). Its members are hotkeys whose TAO
// stake counts, weighted by TaoWeight, in every subnet; joining makes the hotkey a delegate.

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/client"
)

func newRootNetCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "root",
		Short: "Root network (netuid 0): register a hotkey",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newRootRegisterCmd(app))
	return cmd
}

type rootRegisterResult struct {
	Coldkey string `json:"coldkey"`
	Hotkey  string `json:"hotkey"`
	UID     uint16 `json:"uid"`
	txInfo
}

func newRootRegisterCmd(app *App) *cobra.Command {
	var hotkey string
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register a hotkey on the root network (root_register; shows the fee and asks first)",
		Long: `Register a hotkey of your coldkey on the root network. The hotkey becomes a delegate
(with the default take unless it already set one). When the root network is full, the
hotkey replaces the member with the least root stake and must hold more root stake than it;
stake TAO to it on netuid 0 first with ` + "`btcli stake add --netuid 0`" + `.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
			root, err := subnet(ctx, s.c, rootNetuid)
			if err != nil {
				return err
			}
			members, err := s.c.Neurons(ctx, rootNetuid)
			if err != nil {
				return err
			}
			for _, n := range members {
				if n.Hotkey == hk {
					return fmt.Errorf("hotkey %s is already uid %d on the root network; nothing to do", hk, n.UID)
				}
			}
			if d, err := s.c.Delegate(ctx, hk); err == nil && d.Owner != "" && d.Owner != s.cold.SS58() {
				return fmt.Errorf("hotkey %s is owned by coldkey %s, not this wallet's %s; register it with its owner's wallet (--wallet.name)", hk, d.Owner, s.cold.SS58())
			} else if err != nil && !isNotFound(err) {
				return err
			}
			call := client.RootRegister(hk)
			fee, _, err := s.txFee(ctx, call, 0, "", "fund the coldkey with a little TAO for the fee")
			if err != nil {
				return err
			}
			seats := fmt.Sprintf("%d of %d seats taken", len(members), root.MaxAllowedUids)
			if uint64(len(members)) >= root.MaxAllowedUids {
				seats += "; full: the hotkey replaces the member with the least root stake, and needs more root stake than it"
			}
			r, err := s.send(ctx, call, "Do you want to register on the root network?", "root register "+hk, [][2]string{
				{"Coldkey", s.cold.SS58()},
				{"Hotkey", hk},
				{"Root network", seats},
				{"Fee", formatTAO(fee)},
			})
			if err != nil {
				return err
			}
			res := rootRegisterResult{Coldkey: s.cold.SS58(), Hotkey: hk, txInfo: newTxInfo(fee, r)}
			if ns, err := s.c.Neurons(ctx, rootNetuid); err == nil {
				for _, n := range ns {
					if n.Hotkey == hk {
						res.UID = n.UID
					}
				}
			}
			return app.Print(res, func(t *Table) {
				t.Line("Registered %s on the root network as uid %d in block %d (tx %s)", hk, res.UID, res.Block, res.Hash)
			})
		},
	}
	hotkeyFlag(cmd, &hotkey, "hotkey to register")
	return cmd
}
