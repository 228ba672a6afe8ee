package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
)

// addWalletIdentityCmds attaches set-identity and get-identity (the coldkey's on-chain
// identity, ChainIdentityV2) to the wallet group.
func addWalletIdentityCmds(app *App, walletCmd *cobra.Command) {
	walletCmd.AddCommand(newWalletSetIdentityCmd(app), newWalletGetIdentityCmd(app))
}

func chainIdentityFlags(cmd *cobra.Command) *identityFlags {
	var v [7]string
	f := &identityFlags{cmd: cmd}
	f.add("name", &v[0], 256, "display name")
	f.add("url", &v[1], 256, "website")
	f.add("github-repo", &v[2], 256, "source repository URL")
	f.add("image", &v[3], 1024, "image URL")
	f.add("discord", &v[4], 256, "Discord handle", "discord-handle")
	f.add("description", &v[5], 1024, "short description")
	f.add("additional", &v[6], 1024, "anything else", "additional-info")
	return f
}

func chainIdentityMap(id api.ChainIdentity) map[string]string {
	return map[string]string{"name": id.Name, "url": id.URL, "github-repo": id.GithubRepo, "image": id.Image,
		"discord": id.Discord, "description": id.Description, "additional": id.Additional}
}

func chainIdentityView(addr string, m map[string]string) api.ChainIdentity {
	return api.ChainIdentity{Address: addr, Name: m["name"], URL: m["url"], GithubRepo: m["github-repo"], Image: m["image"],
		Discord: m["discord"], Description: m["description"], Additional: m["additional"]}
}

type identityResult struct {
	Identity api.ChainIdentity `json:"identity"`
	txInfo
}

func newWalletSetIdentityCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "set-identity",
		Aliases: []string{"set_identity"},
		Short:   "Publish the coldkey's identity (name, links, description); fields not given keep their value",
		Args:    noArgs,
	}
	id := chainIdentityFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if !id.anyGiven() {
			return usageErrorf("give at least one identity flag (--name, --url, ...; see --help); pass --FLAG \"\" to clear one")
		}
		if err := id.check(); err != nil {
			return err
		}
		ctx := cmd.Context()
		w, cold, c, err := app.coldkeyClient(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		cur, err := c.Identity(ctx, cold.SS58())
		if err != nil && !isNotFound(err) {
			return err
		}
		old := chainIdentityMap(cur)
		next := id.merge(old)
		v := chainIdentityView(cold.SS58(), next)
		call := client.SetIdentity(&txpb.ChainIdentity{Name: v.Name, Url: v.URL, GithubRepo: v.GithubRepo, Image: v.Image,
			Discord: v.Discord, Description: v.Description, Additional: v.Additional})
		fee, err := feeCovered(ctx, c, cold, call)
		if err != nil {
			return err
		}
		summary := [][2]string{{"Coldkey", cold.SS58()}}
		for _, f := range id.fields {
			if old[f.flag] != next[f.flag] {
				summary = append(summary, [2]string{f.flag, fmt.Sprintf("%q → %q", old[f.flag], next[f.flag])})
			}
		}
		summary = append(summary, [2]string{"Fee", formatTAO(fee)})
		if err := outsideSafeMode(ctx, c, "set_identity (wallet set-identity)"); err != nil {
			return err
		}
		r, err := app.confirmAndSubmit(ctx, c, w, call, "set identity", "Do you want to set the identity?", summary...)
		if err != nil {
			return err
		}
		res := identityResult{Identity: v, txInfo: newTxInfo(fee, r)}
		return app.Print(res, func(t *Table) {
			t.Line("Set the identity of %s in block %d (tx %s)", cold.SS58(), res.Block, res.Hash)
		})
	}
	return cmd
}

func newWalletGetIdentityCmd(app *App) *cobra.Command {
	var ss58 string
	cmd := &cobra.Command{
		Use:     "get-identity",
		Aliases: []string{"get_identity"},
		Short:   "Show the identity of the wallet's coldkey or of --ss58",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			addr, err := app.addressFor(ss58)
			if err != nil {
				return err
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			id, err := c.Identity(ctx, addr)
			if isNotFound(err) {
				return fmt.Errorf("%s has no identity; set one with `btcli wallet set-identity --name ...`", addr)
			}
			if err != nil {
				return err
			}
			return app.Print(map[string]any{"identity": id}, func(t *Table) {
				t.Row("FIELD", "VALUE")
				t.Row("address", id.Address)
				for _, kv := range [][2]string{{"name", id.Name}, {"url", id.URL}, {"github-repo", id.GithubRepo}, {"image", id.Image},
					{"discord", id.Discord}, {"description", id.Description}, {"additional", id.Additional}} {
					t.Row(kv[0], kv[1])
				}
			})
		},
	}
	cmd.Flags().StringVar(&ss58, "ss58", "", "address to look up; default the wallet's coldkey")
	return cmd
}
