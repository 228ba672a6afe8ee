// Command template-validator runs the template subnet's validator: it asks miners to
// double numbers, scores their answers and sets weights. See README.md and
// docs/subnet-builder.md.
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

// run returns the exit code: 0 after a clean stop, 1 when the validator failed, 2 for bad
// flags or configuration.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("template-validator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: template-validator [flags]\n\nQueries the template subnet's miners and sets weights. Flags also come from GOTENSOR_*\nvariables (GOTENSOR_NEURON_SAMPLE_SIZE for --neuron.sample_size) and --config FILE (JSON or TOML).\n\nFlags:")
		fs.PrintDefaults()
	}
	cfg, err := neuron.LoadConfig(fs, args, os.LookupEnv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "template-validator:", err)
		return 2
	}
	log := cfg.Logging.NewLogger(stderr)
	cfg.Logger = log
	n := cfg.Neuron
	log.Info("config", "netuid", cfg.Netuid, "wallet", cfg.Wallet.Name, "hotkey", cfg.Wallet.Hotkey, "endpoint", cfg.Endpoint(),
		"external_ip", cfg.Axon.ExternalIP, "sample_size", n.SampleSize, "moving_average_alpha", n.MovingAverageAlpha,
		"timeout", n.Timeout, "epoch_length", n.EpochLength, "step_interval", n.StepInterval, "disable_set_weights", n.DisableSetWeights,
		"state_file", n.StateFile, "health_addr", n.HealthAddr, "version_key", template.SpecVersion)

	return neuron.RunUntilSignal(cfg, os.LookupEnv, "validator", func(c *client.Client, hotkey *keys.Keypair) (neuron.Runner, error) {
		return template.NewValidator(cfg, c, hotkey)
	})
}
