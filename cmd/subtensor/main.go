// Command subtensor runs a Gotensor node.
//
//	subtensor init --home DIR [--profile localnet|mainnet] [--chain-id ID] [--genesis FILE [--validator-key-from OLDHOME]]
//	subtensor start --home DIR [--rpc.laddr ...] [--p2p.laddr ...] [--rest.laddr ...] [--metrics.laddr ...]
//	subtensor localnet [--home DIR] [--reset] [--rpc.laddr ...] [--p2p.laddr ...] [--rest.laddr ...] [--metrics.laddr ...]
//	subtensor testnet --validators N --output DIR
//	subtensor export --home DIR [--out FILE]
//	subtensor version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/app"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/node"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// declaredUpgrades adds comma-separated upgrade names to those this binary declares
// (node.KnownUpgrades), set at build time with -ldflags "-X main.declaredUpgrades=v0.2.0".
// It is for upgrades that change no state (a consensus-compatible rebuild, a rehearsal on
// a testnet); an upgrade that migrates state adds its name to node.KnownUpgrades beside
// the migration.
var declaredUpgrades = ""

func main() {
	node.KnownUpgrades = withDeclared(node.KnownUpgrades, declaredUpgrades)
	if err := newRoot().Execute(); err != nil {
		var u *upgradeNeededError
		if errors.As(err, &u) {
			exitForUpgrade(u)
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func defaultHome() string {
	if h := os.Getenv("SUBTENSOR_HOME"); h != "" {
		return h
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".subtensor"
	}
	return filepath.Join(dir, ".subtensor")
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "subtensor",
		Short:         "Gotensor node: CometBFT consensus with the Bittensor state machine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("home", defaultHome(), "node home folder (env SUBTENSOR_HOME)")
	root.PersistentFlags().String("log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().Bool("log-json", false, "log as JSON lines")
	root.AddCommand(localnetCmd(), initCmd(), startCmd(), testnetCmd(), exportCmd(), versionCmd())
	return root
}

func logger(cmd *cobra.Command) *slog.Logger {
	lvl := slog.LevelInfo
	s, _ := cmd.Flags().GetString("log-level")
	lvl.UnmarshalText([]byte(s))
	opts := &slog.HandlerOptions{Level: lvl}
	if j, _ := cmd.Flags().GetBool("log-json"); j {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// parseBalances parses "ADDRESS=AMOUNT" with AMOUNT in TAO ("1.5") or RAO ("1500rao").
func parseBalances(list []string) (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, s := range list {
		addr, amt, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("--balance %q: use ADDRESS=TAO, e.g. 5Grw...=1000", s)
		}
		v, err := parseAmount(amt)
		if err != nil {
			return nil, fmt.Errorf("--balance %q: %w", s, err)
		}
		out[addr] += v
	}
	return out, nil
}

func parseAmount(s string) (uint64, error) {
	if r, ok := strings.CutSuffix(s, "rao"); ok {
		return strconv.ParseUint(r, 10, 64)
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 9 {
		return 0, fmt.Errorf("amount %q has more than 9 decimals", s)
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q is not a number of TAO", s)
	}
	f := uint64(0)
	if frac != "" {
		f, err = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("amount %q is not a number of TAO", s)
		}
	}
	if w > balances.MaxSupply/balances.RAOPerTAO {
		return 0, fmt.Errorf("amount %q exceeds the supply", s)
	}
	return w*balances.RAOPerTAO + f, nil
}

// quiet keeps the app's per-block info lines out of the localnet view,
// which prints its own; warnings and errors still show.
func quiet(l *slog.Logger) *slog.Logger {
	return slog.New(levelFloor{l.Handler(), slog.LevelWarn})
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(name), h.min}
}

func initCmd() *cobra.Command {
	var o node.InitOptions
	var bal []string
	c := &cobra.Command{
		Use:   "init",
		Short: "Create a node home: keys, config.toml and genesis",
		Long: `Create a node home: keys, config.toml and genesis.

The localnet profile funds the substrate dev accounts (//Alice ... //Ferdie,
1,000,000 TAO each), makes //Alice the sudo key and uses fast blocks.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Home, _ = cmd.Flags().GetString("home")
			var err error
			if o.Balances, err = parseBalances(bal); err != nil {
				return err
			}
			doc, err := node.Init(o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "initialised %s\n  chain id: %s\n  genesis:  %s\n", o.Home, doc.ChainID, filepath.Join(o.Home, "config", "genesis.json"))
			if o.Genesis != "" {
				chk, err := node.CheckValidatorKey(o.Home)
				if err != nil {
					return err
				}
				if !chk.InGenesis {
					warnNotValidator(cmd.ErrOrStderr(), o, chk)
				}
			}
			fmt.Fprintf(out, "start it with: subtensor start --home %s\n", o.Home)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Profile, "profile", node.ProfileLocalnet, "genesis profile: localnet or mainnet")
	f.StringVar(&o.ChainID, "chain-id", "", "chain id (default gotensor-<profile>)")
	f.StringVar(&o.Moniker, "moniker", "", "node name")
	f.StringVar(&o.Genesis, "genesis", "", "use this genesis file (e.g. from `subtensor export`) instead of making one")
	f.StringVar(&o.Sudo, "sudo", "", "sudo key SS58 (localnet default //Alice)")
	f.StringVar(&o.RewardAccount, "reward-account", "", "SS58 address that receives this validator's fees (localnet default //Alice)")
	f.StringArrayVar(&bal, "balance", nil, "initial balance ADDRESS=TAO (repeatable)")
	f.BoolVar(&o.Overwrite, "overwrite", false, "replace an existing home's config and genesis (keys and data are kept)")
	f.StringVar(&o.ValidatorKeyFrom, "validator-key-from", "", "take the consensus key from this node home (or priv_validator_key.json file) instead of a new one, e.g. the home --genesis was exported from")
	return c
}

// warnNotValidator explains, after init --genesis, that the home's key is
// none of the genesis validators, and how to make it one.
func warnNotValidator(w io.Writer, o node.InitOptions, chk node.ValidatorKeyCheck) {
	fmt.Fprintf(w, `warning: this node's validator key (%s,
  address %s) is not one of the genesis validators:
    %s
  Started like this the node makes no blocks: it stays at its first height,
  catching up, waiting for peers that are validators.
  - To continue a chain exported with `+"`subtensor export`"+` as its validator, give this
    home the old validator key before starting it:
      subtensor init --home %s --genesis %s --validator-key-from OLDHOME --overwrite
    (or: cp OLDHOME/config/priv_validator_key.json %s). Don't run the old node too.
  - To join a running chain instead, list its nodes in %s
    (p2p.persistent_peers = "node-id@host:port").
`, chk.KeyFile, chk.Address, chk.Validators, o.Home, o.Genesis, filepath.Join(o.Home, "config")+string(filepath.Separator),
		filepath.Join(o.Home, "config", "config.toml"))
}

func startCmd() *cobra.Command {
	var cfg node.Config
	c := &cobra.Command{
		Use:   "start",
		Short: "Run the node until SIGINT or SIGTERM",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Home, _ = cmd.Flags().GetString("home")
			cfg.Logger = logger(cmd)
			cfg.OnUpgradeHaltWhileSyncing = haltWhileSyncing(cfg.Logger)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			n, err := node.Start(ctx, cfg)
			if err != nil {
				if u := upgradeOnDisk(cfg.Home); u != nil {
					return u
				}
				return err
			}
			// Until SIGINT/SIGTERM, or until the chain reaches an upgrade this binary
			// does not declare (see upgrade.go).
			u := waitUpgradeHalt(ctx, n)
			cfg.Logger.Info("shutting down")
			stopErr := n.Stop()
			if u != nil {
				if stopErr != nil {
					cfg.Logger.Error("stop", "err", stopErr)
				}
				return u
			}
			return stopErr
		},
	}
	f := c.Flags()
	f.StringVar(&cfg.RPCListen, "rpc.laddr", "", "CometBFT RPC address (default from config.toml, tcp://127.0.0.1:26657)")
	f.StringVar(&cfg.P2PListen, "p2p.laddr", "", "p2p address (default from config.toml)")
	f.StringVar(&cfg.RESTListen, "rest.laddr", "127.0.0.1:8080", `REST API address ("" disables)`)
	f.StringVar(&cfg.MetricsListen, "metrics.laddr", "", `Prometheus address (default from config.toml, 127.0.0.1:26660; "off" disables)`)
	f.Int64Var(&cfg.KeepVersions, "pruning.keep", 0, "state versions kept for historical queries (0 keeps all)")
	f.BoolVar(&cfg.VerboseConsensus, "log-consensus", false, "show CometBFT's info-level logs")
	return c
}

func testnetCmd() *cobra.Command {
	var o node.TestnetOptions
	var bal []string
	c := &cobra.Command{
		Use:   "testnet",
		Short: "Create N validator homes wired as peers on loopback ports",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("home") && !cmd.Flags().Changed("output") {
				home, _ := cmd.Flags().GetString("home")
				return fmt.Errorf("testnet makes one home per validator under --output (default ./testnet) and does not use --home; run: subtensor testnet --output %s", home)
			}
			var err error
			if o.Balances, err = parseBalances(bal); err != nil {
				return err
			}
			homes, err := node.Testnet(o)
			if err != nil {
				return err
			}
			for i, h := range homes {
				fmt.Fprintf(cmd.OutOrStdout(), "validator %d: subtensor start --home %s --rest.laddr 127.0.0.1:%d\n", i, h.Home, h.RESTPort)
			}
			return nil
		},
	}
	f := c.Flags()
	f.IntVar(&o.Validators, "validators", 4, "number of validators")
	f.StringVar(&o.Output, "output", "./testnet", "folder for the homes")
	f.StringVar(&o.ChainID, "chain-id", "gotensor-testnet", "chain id")
	f.StringVar(&o.Profile, "profile", node.ProfileLocalnet, "genesis profile")
	f.IntVar(&o.BasePort, "base-port", 26000, "first port; each validator uses 4 from base+10*i")
	f.StringVar(&o.Sudo, "sudo", "", "sudo key SS58 (localnet default //Alice; mainnet: none unless given)")
	f.StringArrayVar(&bal, "balance", nil, "initial balance ADDRESS=TAO (repeatable; on mainnet the only funded accounts)")
	return c
}

func exportCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "export",
		Short: "Write the node's latest state as a genesis file (stop the node first)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, _ := cmd.Flags().GetString("home")
			doc, err := node.Export(home)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				b, err := node.MarshalGenesis(doc)
				if err != nil {
					return err
				}
				_, err = os.Stdout.Write(append(b, '\n'))
				return err
			}
			if err := doc.SaveAs(out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), `exported height %d to %s. To continue the chain from it, with this node's
validator key (the genesis names this chain's validators, not a new key):
  subtensor init --home NEWHOME --genesis %s --validator-key-from %s
  subtensor start --home NEWHOME
Stop using %s for this chain afterwards: two nodes signing with one key is double signing.
`, doc.InitialHeight-1, out, out, home, home)
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "file to write (default stdout)")
	return c
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print versions",
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "subtensor %s (app %s, protocol %d, %s)\n", version, app.Version, app.AppVersion, node.CometVersion())
			fmt.Fprintf(out, "declared upgrades: %s\n", declaredList())
			return nil
		},
	}
}
