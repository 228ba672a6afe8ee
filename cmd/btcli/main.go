// Command btcli is Gotensor's command-line client, with the commands and flags of
// Bittensor's btcli (reference §5). See README.md.
package main

import (
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
}

// run executes btcli with args and returns the exit code. Tests call it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	app := newApp(stdin, stdout, stderr, lookup)
	root := newRootCmd(app)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		if isCobraUsageError(err) {
			err = usageErrorf("%v; see btcli --help", err)
		}
		// When flags did not parse, --json was not applied either; honour it for the error.
		app.JSON = app.JSON || wantsJSON(args)
		app.printError(err)
		return exitCode(err)
	}
	return ExitOK
}

// isCobraUsageError recognises the usage errors cobra makes itself (its flag parsing errors
// already pass through SetFlagErrorFunc).
func isCobraUsageError(err error) bool {
	for _, p := range []string{"unknown command", "if any flags in the group", "required flag", "at least one of the flags"} {
		if strings.HasPrefix(err.Error(), p) {
			return true
		}
	}
	return false
}

// wantsJSON reports whether args ask for JSON output before any "--".
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch {
		case a == "--":
			return false
		case a == "--json", a == "--json-output", a == "--json-out", a == "--json=true":
			return true
		}
	}
	return false
}

// newRootCmd builds the command tree. Each group lives in its own file and is wired here,
// explicitly, in help order; no init() registration.
func newRootCmd(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:           "btcli",
		Short:         "Gotensor command-line client: wallets, staking, subnets, weights, governance",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Offline commands must start instantly: nothing here connects or loads anything.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			app.resolve(cmd.Root())
			return nil
		},
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	app.addGlobalFlags(root)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErrorf("%v; see %s --help", err, cmd.CommandPath())
	})

	walletCmd := newWalletCmd(app)        // wallet.go: offline wallet commands
	addWalletChainCmds(app, walletCmd)    // wallet_chain.go: balance, transfer, overview
	addWalletIdentityCmds(app, walletCmd) // wallet_identity.go: set-identity, get-identity
	root.AddCommand(walletCmd)
	root.AddCommand(newAxonCmd(app))    // axon.go
	root.AddCommand(newSubnetsCmd(app)) // subnets.go
	root.AddCommand(newSudoCmd(app))    // sudo.go

	root.AddCommand(newStakeCmd(app))     // stake.go, stake_move.go, stake_wizard.go
	root.AddCommand(newDelegatesCmd(app)) // delegates.go
	root.AddCommand(newRootNetCmd(app))   // root.go

	root.AddCommand(newGovCmd(app)) // gov.go

	root.AddCommand(newWeightsCmd(app))  // weights.go
	root.AddCommand(newGatewayCmd(app))  // gateway.go
	root.AddCommand(newLocalnetCmd(app)) // localnet.go
	addMetagraphCmd(app, root)           // metagraph.go: subnets metagraph

	return root
}
