// Command prompting-validator runs a prompting subnet validator on the neuron runtime: it
// sends miners checkable challenges and, with a reference backend, free prompts; scores
// answers (correctness or similarity × latency factor); accepts organic samples from the
// gateway on POST /organic; and sets weights. See docs/prompting-subnet.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/prompting/miner"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/subnets/prompting/validator"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr, os.LookupEnv)) }

// flags are the validator's own flags, on top of the neuron runtime's.
type flags struct {
	reference string
	openai    miner.OpenAI
	freeRatio float64
	organic   validator.OrganicConfig
	signers   string
}

func (f *flags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.reference, "reference.backend", "", "reference backend for free prompts and organic requests: builtin (or tools), builtin-notools, openai; empty: checkable challenges only")
	fs.StringVar(&f.openai.BaseURL, "reference.openai.base-url", "", "OpenAI-compatible API root for --reference.backend openai, e.g. http://127.0.0.1:8080/v1")
	fs.StringVar(&f.openai.APIKey, "reference.openai.api-key", "", "bearer token for that server; empty reads $OPENAI_API_KEY (never logged)")
	fs.StringVar(&f.openai.Model, "reference.openai.model", "", "model name that server serves")
	fs.Float64Var(&f.freeRatio, "prompting.free_ratio", validator.DefaultFreeRatio, "share of tasks that are free prompts when there is a reference backend, in [0, 1]")
	fs.StringVar(&f.organic.Addr, "organic.addr", "", "host:port answering POST /organic and GET /healthz; empty: no organic endpoint")
	fs.StringVar(&f.organic.Token, "organic.token", "", "bearer token POST /organic accepts (never logged)")
	fs.StringVar(&f.signers, "organic.signers", "", "comma-separated SS58 hotkeys whose Epistula-signed POST /organic requests are accepted (the gateway's)")
	fs.IntVar(&f.organic.Queue, "organic.queue", 256, "organic samples that may wait to be scored; more are refused with 503")
	fs.BoolVar(&f.organic.RequireSigned, "organic.require_signed", false, "score only organic answers the miner signed (the gateway's --signed-answers): drop unsigned answers and the gateway's failed marks")
}

// resolve checks the flags and turns them into the validator's settings.
func (f *flags) resolve(env neuron.LookupFunc) (validator.Reference, error) {
	if !(f.freeRatio >= 0 && f.freeRatio <= 1) {
		return nil, fmt.Errorf("--prompting.free_ratio = %v; want a share in [0, 1]", f.freeRatio)
	}
	if f.freeRatio == 0 {
		f.freeRatio = -1 // validator.Config: negative means none, zero the default
	}
	for _, s := range strings.Split(f.signers, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		pk, err := keys.ParseSS58(s)
		if err != nil {
			return nil, fmt.Errorf("--organic.signers: %q is not an SS58 address: %w", s, err)
		}
		f.organic.Signers = append(f.organic.Signers, pk)
	}
	if f.organic.Queue <= 0 {
		return nil, fmt.Errorf("--organic.queue = %d; want at least 1", f.organic.Queue)
	}
	if err := f.organic.Validate(); err != nil {
		return nil, err
	}
	switch f.reference {
	case "":
		return nil, nil
	case "careless":
		return nil, errors.New("--reference.backend careless would score miners against noise; use builtin, builtin-notools or openai")
	}
	if f.openai.APIKey == "" {
		f.openai.APIKey, _ = env("OPENAI_API_KEY")
	}
	f.openai.Flags = "--reference.openai." // errors and hints name the validator's flags
	b, err := miner.NewBackend(f.reference, f.openai)
	if err != nil {
		return nil, fmt.Errorf("--reference.backend: %w", err)
	}
	return b, nil
}

// run returns the exit code: 0 after a clean stop, 1 when the validator failed, 2 for bad
// flags or configuration.
func run(args []string, stderr io.Writer, env neuron.LookupFunc) int {
	fs := flag.NewFlagSet("prompting-validator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: prompting-validator [flags]\n\nScores the prompting subnet's miners and sets weights. Flags also come from GOTENSOR_*\nvariables (GOTENSOR_ORGANIC_TOKEN for --organic.token) and --config FILE (JSON or TOML).\n\nFlags:")
		fs.PrintDefaults()
	}
	var f flags
	f.register(fs)
	cfg, err := neuron.LoadConfig(fs, args, env)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "prompting-validator:", err)
		return 2
	}
	ref, err := f.resolve(env)
	if err != nil {
		fmt.Fprintln(stderr, "prompting-validator:", err)
		return 2
	}
	log := cfg.Logging.NewLogger(stderr)
	cfg.Logger = log
	n := cfg.Neuron
	log.Info("config", "netuid", cfg.Netuid, "wallet", cfg.Wallet.Name, "hotkey", cfg.Wallet.Hotkey, "endpoint", cfg.Endpoint(),
		"external_ip", cfg.Axon.ExternalIP, "sample_size", n.SampleSize, "moving_average_alpha", n.MovingAverageAlpha,
		"timeout", n.Timeout, "epoch_length", n.EpochLength, "step_interval", n.StepInterval, "disable_set_weights", n.DisableSetWeights,
		"state_file", n.StateFile, "health_addr", n.HealthAddr, "version_key", protocol.SpecVersion,
		"reference", f.reference, "reference_openai_base_url", f.openai.BaseURL, "reference_openai_model", f.openai.Model,
		"reference_openai_api_key_set", f.openai.APIKey != "", "free_ratio", max(f.freeRatio, 0),
		"organic_addr", f.organic.Addr, "organic_token_set", f.organic.Token != "", "organic_signers", len(f.organic.Signers), "organic_require_signed", f.organic.RequireSigned)
	if f.reference == "openai" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := f.openai.Check(ctx); err != nil {
			log.Warn("the reference model server does not answer; free prompts and unscorable organic requests fail until it does", "err", err)
		}
		cancel()
	}

	return neuron.RunUntilSignal(cfg, env, "validator", func(c *client.Client, hotkey *keys.Keypair) (neuron.Runner, error) {
		return validator.New(validator.Config{Hotkey: hotkey, Chain: c, Base: cfg, Reference: ref, FreeRatio: f.freeRatio, Organic: f.organic})
	})
}
