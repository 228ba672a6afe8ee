package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/node"
)

// localnetCmd is the one-command local chain: init on first use, start,
// and print each block as it is produced.
func localnetCmd() *cobra.Command {
	var reset bool
	var cfg node.Config
	c := &cobra.Command{
		Use:   "localnet",
		Short: "Start (creating on first use) a single-validator local chain and show its blocks",
		Long: `Start a single-validator local chain with fast blocks, creating its home on
first use (default ~/.gotensor/localnet), and print each block as it is produced.
The dev accounts //Alice ... //Ferdie hold 1,000,000 TAO each; //Alice is sudo.
State is kept between runs; --reset starts a fresh chain. Ctrl-C stops it cleanly.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, _ := cmd.Flags().GetString("home")
			if !cmd.Flags().Changed("home") && os.Getenv("SUBTENSOR_HOME") == "" {
				dir, err := os.UserHomeDir()
				if err != nil {
					return err
				}
				home = filepath.Join(dir, ".gotensor", "localnet")
			}
			if reset {
				if err := os.RemoveAll(home); err != nil {
					return err
				}
			}
			if _, err := os.Stat(filepath.Join(home, "config", "genesis.json")); err != nil {
				if _, err := node.Init(node.InitOptions{Home: home, Profile: node.ProfileLocalnet}); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created a new local chain in %s\n", home)
			}
			l := logger(cmd)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg.Home, cfg.Logger = home, quiet(l)
			cfg.OnUpgradeHaltWhileSyncing = haltWhileSyncing(cfg.Logger)
			n, err := node.Start(ctx, cfg)
			if err != nil {
				if u := upgradeOnDisk(home); u != nil {
					return u
				}
				return err
			}
			out := cmd.OutOrStdout()
			printBanner(out, n)
			// Print blocks until Ctrl-C, or until the chain reaches an upgrade this
			// binary does not declare (see upgrade.go).
			printCtx, stopPrinting := context.WithCancel(ctx)
			var wg sync.WaitGroup
			wg.Go(func() { printBlocks(printCtx, out, n) })
			u := waitUpgradeHalt(ctx, n)
			stopPrinting()
			wg.Wait()
			fmt.Fprintln(out, "\nstopping...")
			stopErr := n.Stop()
			if u != nil {
				if stopErr != nil {
					l.Error("stop", "err", stopErr)
				}
				return u
			}
			return stopErr
		},
	}
	f := c.Flags()
	f.BoolVar(&reset, "reset", false, "delete the chain's state and start from genesis")
	// The same listen flags as start, with the same defaults.
	f.StringVar(&cfg.RPCListen, "rpc.laddr", "", "CometBFT RPC address (default from config.toml, tcp://127.0.0.1:26657)")
	f.StringVar(&cfg.P2PListen, "p2p.laddr", "", "p2p address (default from config.toml)")
	f.StringVar(&cfg.RESTListen, "rest.laddr", "127.0.0.1:8080", `REST API address ("" disables)`)
	f.StringVar(&cfg.MetricsListen, "metrics.laddr", "", `Prometheus address (default from config.toml, 127.0.0.1:26660; "off" disables)`)
	return c
}

// printBanner says where the running localnet listens: the addresses the node
// actually uses, from the flags or the home's config.toml.
func printBanner(w io.Writer, n *node.Node) {
	alice, _ := node.DevKey("Alice")
	rest := "off"
	if a := n.RESTAddr(); a != "" {
		rest = "http://" + a + "/api/v1/status   (OpenAPI at /openapi.json)"
	}
	metrics := "off"
	if a := n.MetricsAddr(); a != "" {
		metrics = "http://" + dialable(a) + "/metrics"
	}
	// btcli's default endpoint is 127.0.0.1:26657; on another RPC address the
	// commands to try name it, so they reach this chain.
	endpoint := ""
	if rpc := dialable(n.RPCAddr()); rpc != "127.0.0.1:26657" {
		endpoint = " --chain-endpoint http://" + rpc
	}
	fmt.Fprintf(w, `gotensor localnet %s
  RPC:     %s   (btcli --chain-endpoint, CometBFT JSON-RPC)
  REST:    %s
  metrics: %s
  p2p:     %s
  dev accounts //Alice ... //Ferdie hold 1,000,000 TAO each; sudo is //Alice (%s)
  try:     go run ./cmd/btcli wallet regen_coldkey --wallet.name alice --uri //Alice --no-password
           go run ./cmd/btcli%s wallet transfer --wallet.name alice --dest 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --amount 1
Ctrl-C stops the chain; running this command again resumes it.

`, n.ChainID(), n.RPCAddr(), rest, metrics, n.P2PAddr(), alice.SS58(), endpoint)
}

// dialable turns a listen address into one to connect to: a wildcard or
// empty host (":26660", "0.0.0.0:26660") becomes 127.0.0.1.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(strings.TrimPrefix(addr, "tcp://"))
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// printBlocks writes one line per new block until ctx ends.
func printBlocks(ctx context.Context, w io.Writer, n *node.Node) {
	local := n.Local()
	last := n.Height()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for h := last + 1; h <= n.Height(); h++ {
			b, err := local.Block(ctx, &h)
			if err != nil {
				break
			}
			failed := 0
			if res, err := local.BlockResults(ctx, &h); err == nil {
				for _, r := range res.TxResults {
					if r.Code != 0 {
						failed++
					}
				}
			}
			fmt.Fprintf(w, "block %-7d %s  txs %-4d failed %-3d app %.12s\n", h, b.Block.Time.Format("15:04:05.000"), len(b.Block.Txs), failed, b.Block.AppHash.String())
			last = h
		}
	}
}
