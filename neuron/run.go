package neuron

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

// NewLogger returns the logger c asks for (text or JSON lines, info or debug), writing to w.
func (c LoggingConfig) NewLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if c.Debug {
		opts.Level = slog.LevelDebug
	}
	if c.JSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Runner is a neuron a binary runs until it is stopped: *Miner, *Validator, or a subnet's
// own type around them.
type Runner interface {
	Run(ctx context.Context) error
}

// Exit codes of RunUntilSignal, as the neuron binaries document them.
const (
	ExitOK     = 0 // stopped cleanly by SIGINT or SIGTERM
	ExitFailed = 1 // the hotkey, the chain or the neuron failed
	ExitConfig = 2 // bad flags or configuration
)

// RunUntilSignal is the common tail of a neuron binary's main, after its flags are parsed
// into cfg (with cfg.Logger set): it opens cfg's hotkey (its password from env as wallet
// documents), dials the chain, builds the neuron with build and runs it until SIGINT or
// SIGTERM. It returns the exit code: ExitConfig when build refuses the configuration,
// ExitFailed when anything else fails, ExitOK after a clean stop. role names the neuron in
// logs ("miner", "validator").
func RunUntilSignal(cfg Config, env LookupFunc, role string, build func(c *client.Client, hotkey *keys.Keypair) (Runner, error)) int {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hotkey, err := cfg.Hotkey(wallet.KeyfileEnvPassword(wallet.LookupFunc(env)))
	if err != nil {
		log.Error("cannot open the hotkey", "err", err)
		return ExitFailed
	}
	c, err := client.Dial(ctx, cfg.ClientConfig())
	if err != nil {
		log.Error("cannot reach the chain; check --subtensor.network or --subtensor.chain_endpoint", "endpoint", cfg.Endpoint(), "err", err)
		return ExitFailed
	}
	defer c.Close()
	n, err := build(c, hotkey)
	if err != nil {
		log.Error("cannot start the "+role, "err", err)
		return ExitConfig
	}
	if err := n.Run(ctx); err != nil {
		if errors.Is(err, ErrNotRegistered) {
			// The error can only say NAME and HOTKEY; here the hotkey is cfg's wallet's.
			log.Error(role+" stopped", "err", err, "register_with", registerCommand(cfg))
		} else {
			log.Error(role+" stopped", "err", err)
		}
		return ExitFailed
	}
	return ExitOK
}

// registerCommand is the btcli command that registers cfg's hotkey on cfg's subnet.
func registerCommand(cfg Config) string {
	cfg = cfg.withDefaults()
	name, hotkey := cmp.Or(cfg.Wallet.Name, wallet.DefaultName), cmp.Or(cfg.Wallet.Hotkey, wallet.DefaultHotkey)
	s := fmt.Sprintf("btcli subnets register --netuid %d --wallet.name %s --wallet.hotkey %s", cfg.Netuid, name, hotkey)
	if p := cfg.Wallet.Path; p != "" && p != wallet.DefaultRoot {
		s += " --wallet.path " + p
	}
	return s
}
