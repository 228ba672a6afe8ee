// Command prompting-miner runs a prompting subnet miner: an axon answering Chat synapses
// from a backend chosen by --backend: the built-in model with tools, the built-in model
// alone, any OpenAI-compatible server (llama.cpp, vLLM, Ollama, OpenAI), or a deliberately
// careless one for demonstrations. See docs/prompting-subnet.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/prompting/miner"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr, os.LookupEnv)) }

// flags are the miner's own flags, on top of the neuron runtime's.
type flags struct {
	backend string
	openai  miner.OpenAI
	stream  bool
}

func (f *flags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.backend, "backend", "builtin", "what answers: builtin (the bundled model with tools; also \"tools\"), builtin-notools, openai, careless")
	fs.StringVar(&f.openai.BaseURL, "openai.base-url", "", "OpenAI-compatible API root for --backend openai, e.g. http://127.0.0.1:8080/v1 (llama.cpp), http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:11434/v1 (Ollama)")
	fs.StringVar(&f.openai.APIKey, "openai.api-key", "", "bearer token for the OpenAI-compatible server; empty reads $OPENAI_API_KEY (never logged)")
	fs.StringVar(&f.openai.Model, "openai.model", "", "model name the server serves, e.g. llama3")
	fs.BoolVar(&f.stream, "axon.stream", false, "serve Chat as a streaming synapse (for a gateway run with StreamMiners)")
}

// backend resolves the flags into a backend, reading $OPENAI_API_KEY when no key was given.
func (f *flags) backendOf(env neuron.LookupFunc) (miner.Backend, error) {
	if f.openai.APIKey == "" {
		f.openai.APIKey, _ = env("OPENAI_API_KEY")
	}
	return miner.NewBackend(f.backend, f.openai)
}

// run returns the exit code: 0 after a clean stop, 1 when the miner failed, 2 for bad flags
// or configuration.
func run(args []string, stderr io.Writer, env neuron.LookupFunc) int {
	fs := flag.NewFlagSet("prompting-miner", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: prompting-miner [flags]\n\nServes the prompting subnet's Chat synapse from --backend. Flags also come from GOTENSOR_*\nvariables (GOTENSOR_OPENAI_MODEL for --openai.model) and --config FILE (JSON or TOML).\n\nFlags:")
		fs.PrintDefaults()
	}
	var f flags
	f.register(fs)
	cfg, err := neuron.LoadConfig(fs, args, env)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "prompting-miner:", err)
		return 2
	}
	b, err := f.backendOf(env)
	if err != nil {
		fmt.Fprintln(stderr, "prompting-miner:", err)
		return 2
	}
	log := cfg.Logging.NewLogger(stderr)
	cfg.Logger = log
	log.Info("config", "netuid", cfg.Netuid, "wallet", cfg.Wallet.Name, "hotkey", cfg.Wallet.Hotkey, "endpoint", cfg.Endpoint(),
		"axon_ip", cfg.Axon.IP, "axon_port", cfg.Axon.Port, "external_ip", cfg.Axon.ExternalIP, "external_port", cfg.Axon.ExternalPort,
		"backend", f.backend, "openai_base_url", f.openai.BaseURL, "openai_model", f.openai.Model, "openai_api_key_set", f.openai.APIKey != "",
		"stream", f.stream, "force_validator_permit", !cfg.Blacklist.AllowNoPermit, "health_addr", cfg.Neuron.HealthAddr)

	if f.backend == "openai" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := f.openai.Check(ctx); err != nil {
			log.Warn("the model server does not answer; the miner serves anyway, and answers every request with an error until it does", "err", err)
		}
		cancel()
	}

	return neuron.RunUntilSignal(cfg, env, "miner", func(c *client.Client, hotkey *keys.Keypair) (neuron.Runner, error) {
		return miner.NewNeuron(cfg, c, hotkey, b, f.stream)
	})
}
