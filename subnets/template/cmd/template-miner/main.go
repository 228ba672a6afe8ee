// Command template-miner runs the template subnet's miner: an axon answering Dummy
// synapses with the double of their input. See README.md and docs/subnet-builder.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/template"
	"github.com/gotensor/gotensor/wallet"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

// run returns the exit code: 0 after a clean stop, 1 when the miner failed, 2 for bad flags
// or configuration.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("template-miner", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: template-miner [flags]\n\nServes the template subnet's Dummy synapse. Flags also come from GOTENSOR_* variables\n(GOTENSOR_WALLET_NAME for --wallet.name) and --config FILE (JSON or TOML).\n\nFlags:")
		fs.PrintDefaults()
	}
	cfg, err := neuron.LoadConfig(fs, args, os.LookupEnv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "template-miner:", err)
		return 2
	}
	log := logger(cfg.Logging, stderr)
	cfg.Logger = log
	log.Info("config", "netuid", cfg.Netuid, "wallet", cfg.Wallet.Name, "hotkey", cfg.Wallet.Hotkey, "endpoint", cfg.Endpoint(),
		"axon_ip", cfg.Axon.IP, "axon_port", cfg.Axon.Port, "external_ip", cfg.Axon.ExternalIP, "external_port", cfg.Axon.ExternalPort,
		"force_validator_permit", !cfg.Blacklist.AllowNoPermit, "allow_non_registered", cfg.Blacklist.AllowNonRegistered,
		"health_addr", cfg.Neuron.HealthAddr)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hotkey, err := cfg.Hotkey(wallet.KeyfileEnvPassword(os.LookupEnv))
	if err != nil {
		log.Error("cannot open the hotkey", "err", err)
		return 1
	}
	c, err := client.Dial(ctx, cfg.ClientConfig())
	if err != nil {
		log.Error("cannot reach the chain; check --subtensor.network or --subtensor.chain_endpoint", "endpoint", cfg.Endpoint(), "err", err)
		return 1
	}
	defer c.Close()
	m, err := template.NewMiner(cfg, c, hotkey)
	if err != nil {
		log.Error("cannot start the miner", "err", err)
		return 2
	}
	if err := m.Run(ctx); err != nil {
		log.Error("miner stopped", "err", err)
		return 1
	}
	return 0
}

func logger(c neuron.LoggingConfig, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if c.Debug {
		opts.Level = slog.LevelDebug
	}
	if c.JSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
