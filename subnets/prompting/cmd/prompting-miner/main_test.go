package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/prompting/miner"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

func env(vars map[string]string) neuron.LookupFunc {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestExitCodes(t *testing.T) {
	wallets := t.TempDir()
	noHotkey := []string{"--wallet.path", wallets, "--wallet.name", "nobody"}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		say  string
	}{
		{"help", []string{"--help"}, nil, 0, "-openai.base-url"},
		{"bad flag value", []string{"--netuid", "x"}, nil, 2, "netuid"},
		{"bad config", []string{"--neuron.moving_average_alpha", "2"}, nil, 2, "moving_average_alpha"},
		{"missing config file", []string{"--config", filepath.Join(wallets, "none.toml")}, nil, 2, "config file"},
		{"unknown backend", []string{"--backend", "gpt"}, nil, 2, `unknown backend "gpt"`},
		{"openai without model", []string{"--backend", "openai", "--openai.base-url", "http://127.0.0.1:1/v1"}, nil, 2, "--openai.model"},
		{"backend from env", append([]string{}, noHotkey...), map[string]string{"GOTENSOR_BACKEND": "nonsense"}, 2, `unknown backend "nonsense"`},
		{"no hotkey", noHotkey, nil, 1, "btcli wallet new_hotkey"},
		{"openai, no hotkey", append([]string{"--backend", "openai", "--openai.base-url", "http://127.0.0.1:1/v1", "--openai.model", "m"}, noHotkey...), nil, 1, "btcli wallet new_hotkey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(tc.args, &out, env(tc.env)); code != tc.code || !strings.Contains(out.String(), tc.say) {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tc.code, out.String())
			}
		})
	}
}

// The API key comes from the flag, else $OPENAI_API_KEY, and is never written to the logs.
func TestAPIKeyNeverLogged(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"--openai.api-key", "sk-FLAGSECRET"}, nil},
		{nil, map[string]string{"OPENAI_API_KEY": "sk-ENVSECRET"}},
		{nil, map[string]string{"GOTENSOR_OPENAI_API_KEY": "sk-GTSECRET"}},
	} {
		args := append([]string{"--backend", "openai", "--openai.base-url", "http://127.0.0.1:1/v1", "--openai.model", "m",
			"--wallet.path", t.TempDir(), "--wallet.name", "nobody"}, tc.args...)
		var out bytes.Buffer
		if code := run(args, &out, env(tc.env)); code != 1 {
			t.Fatalf("exit %d; output:\n%s", code, out.String())
		}
		if strings.Contains(out.String(), "SECRET") || !strings.Contains(out.String(), "openai_api_key_set=true") {
			t.Fatalf("the key leaked or was not read:\n%s", out.String())
		}
	}
}

// The flags reach the backend: the key from $OPENAI_API_KEY is what the server sees.
func TestFlagsReachTheBackend(t *testing.T) {
	var gotAuth, gotModel string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		var body struct {
			Model string `json:"model"`
		}
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		gotModel = body.Model
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"chat.completion","model":"`+body.Model+`","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`)
	}))
	defer srv.Close()
	var f flags
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	f.register(fs)
	if _, err := neuron.LoadConfig(fs, []string{"--backend", "openai", "--openai.base-url", srv.URL, "--openai.model", "qwen"}, nil); err != nil {
		t.Fatal(err)
	}
	b, err := f.backendOf(env(map[string]string{"OPENAI_API_KEY": "sk-x"}))
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := b.Complete(context.Background(), &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: "hello"}}})
	if err != nil || text != "hi" || gotAuth != "Bearer sk-x" || gotModel != "qwen" {
		t.Fatalf("%q %v; server saw auth %q model %q", text, err, gotAuth, gotModel)
	}
	if _, ok := b.(miner.Streamer); !ok {
		t.Error("the openai backend should stream")
	}
}

// With --backend openai and no server, the miner says so when it starts.
func TestWarnsWhenTheServerIsDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	args := []string{"--backend", "openai", "--openai.base-url", down.URL + "/v1", "--openai.model", "m",
		"--wallet.path", t.TempDir(), "--wallet.name", "nobody"}
	var out bytes.Buffer
	if code := run(args, &out, env(nil)); code != 1 || !strings.Contains(out.String(), "the model server does not answer") {
		t.Fatalf("exit %d; output:\n%s", code, out.String())
	}
}
