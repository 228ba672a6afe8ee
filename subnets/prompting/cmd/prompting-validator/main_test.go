package main

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/prompting/miner"
)

func env(vars map[string]string) neuron.LookupFunc {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestExitCodes(t *testing.T) {
	wallets := t.TempDir()
	noHotkey := []string{"--wallet.path", wallets, "--wallet.name", "nobody"}
	gw, _ := keys.FromURI("//Ferdie/gateway")
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		say  string
	}{
		{"help", []string{"--help"}, nil, 0, "-reference.backend"},
		{"bad flag value", []string{"--netuid", "x"}, nil, 2, "netuid"},
		{"bad config", []string{"--neuron.moving_average_alpha", "2"}, nil, 2, "moving_average_alpha"},
		{"missing config file", []string{"--config", filepath.Join(wallets, "none.toml")}, nil, 2, "config file"},
		{"free ratio", []string{"--prompting.free_ratio", "1.5"}, nil, 2, "free_ratio"},
		{"careless reference", []string{"--reference.backend", "careless"}, nil, 2, "noise"},
		{"unknown reference", []string{"--reference.backend", "gpt"}, nil, 2, `unknown backend "gpt"`},
		{"openai reference without URL", []string{"--reference.backend", "openai"}, nil, 2, "--reference.openai"},
		{"open organic endpoint", []string{"--organic.addr", "127.0.0.1:0"}, nil, 2, "--organic.token"},
		{"bad signer", []string{"--organic.addr", "127.0.0.1:0", "--organic.signers", "5nope"}, nil, 2, "SS58"},
		{"token from env", append([]string{"--organic.addr", "127.0.0.1:0"}, noHotkey...), map[string]string{"GOTENSOR_ORGANIC_TOKEN": "t0k"}, 1, "btcli wallet new_hotkey"},
		{"signer", append([]string{"--organic.addr", "127.0.0.1:0", "--organic.signers", gw.SS58()}, noHotkey...), nil, 1, "organic_signers=1"},
		{"no hotkey", noHotkey, nil, 1, "btcli wallet new_hotkey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(tc.args, &out, env(tc.env)); code != tc.code || !strings.Contains(out.String(), tc.say) {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tc.code, out.String())
			}
			if strings.Contains(out.String(), "t0k") {
				t.Fatalf("the organic token was logged:\n%s", out.String())
			}
		})
	}
}

func TestResolve(t *testing.T) {
	parse := func(args ...string) (*flags, error) {
		var f flags
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		f.register(fs)
		if _, err := neuron.LoadConfig(fs, args, nil); err != nil {
			return nil, err
		}
		return &f, nil
	}
	f, _ := parse()
	if ref, err := f.resolve(env(nil)); err != nil || ref != nil || f.freeRatio != 0.2 {
		t.Fatalf("defaults: %v %v ratio %v", ref, err, f.freeRatio)
	}
	f, _ = parse("--reference.backend", "builtin", "--prompting.free_ratio", "0")
	if ref, err := f.resolve(env(nil)); err != nil || ref == nil || f.freeRatio >= 0 {
		t.Fatalf("builtin reference without free prompts: %v %v ratio %v", ref, err, f.freeRatio)
	}
	f, _ = parse("--reference.backend", "openai", "--reference.openai.base-url", "http://127.0.0.1:8080/v1", "--reference.openai.model", "m")
	ref, err := f.resolve(env(map[string]string{"OPENAI_API_KEY": "sk-env"}))
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := ref.(miner.OpenAI); !ok || o.APIKey != "sk-env" || o.Model != "m" {
		t.Fatalf("openai reference %+v", ref)
	}
}

// With --reference.backend openai and no server, the validator says so when it starts,
// naming its own flags.
func TestWarnsWhenTheReferenceServerIsDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	args := []string{"--reference.backend", "openai", "--reference.openai.base-url", down.URL + "/v1", "--reference.openai.model", "m",
		"--wallet.path", t.TempDir(), "--wallet.name", "nobody"}
	var out bytes.Buffer
	if code := run(args, &out, env(nil)); code != 1 || !strings.Contains(out.String(), "the reference model server does not answer") ||
		!strings.Contains(out.String(), "--reference.openai.base-url") {
		t.Fatalf("exit %d; output:\n%s", code, out.String())
	}
}
