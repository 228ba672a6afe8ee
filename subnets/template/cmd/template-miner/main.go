// Command template-miner runs the template subnet's miner: an axon answering Dummy
// synapses with the double of their input. See README.md and docs/subnet-builder.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/template"
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
	log := cfg.Logging.NewLogger(stderr)
	cfg.Logger = log
	log.Info("config", "netuid", cfg.Netuid, "wallet", cfg.Wallet.Name, "hotkey", cfg.Wallet.Hotkey, "endpoint", cfg.Endpoint(),
		"axon_ip", cfg.Axon.IP, "axon_port", cfg.Axon.Port, "external_ip", cfg.Axon.ExternalIP, "external_port", cfg.Axon.ExternalPort,
		"force_validator_permit", !cfg.Blacklist.AllowNoPermit, "allow_non_registered", cfg.Blacklist.AllowNonRegistered,
		"health_addr", cfg.Neuron.HealthAddr)

	return neuron.RunUntilSignal(cfg, os.LookupEnv, "miner", func(c *client.Client, hotkey *keys.Keypair) (neuron.Runner, error) {
		return template.NewMiner(cfg, c, hotkey)
	})
}
