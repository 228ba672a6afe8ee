package neuron_test

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/wallet"
)

func env(kv map[string]string) neuron.LookupFunc {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

func load(t *testing.T, args []string, e map[string]string) (neuron.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return neuron.LoadConfig(fs, args, env(e))
}

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Netuid != 1 || c.Wallet.Name != "default" || c.Wallet.Hotkey != "default" || c.Axon.Port != 8091 ||
		c.Neuron.SampleSize != 50 || c.Neuron.MovingAverageAlpha != 0.1 || c.Neuron.Timeout != 10*time.Second ||
		c.Blacklist.AllowNoPermit || c.Neuron.VpermitTAOLimit != 4096_000_000_000 || c.Endpoint() != "http://127.0.0.1:26657" {
		t.Fatalf("defaults %+v", c)
	}
	if err := (neuron.Config{}).Validate(); err != nil {
		t.Fatalf("zero Config: %v", err)
	}
}

// TestLoadConfigPrecedence: flags over environment over file over defaults.
func TestLoadConfigPrecedence(t *testing.T) {
	toml := write(t, "neuron.toml", `# a template validator
netuid = 7
[wallet]
name = "file-wallet"   # comment after a value
hotkey = 'file-hot'
[neuron]
sample_size = 1_6
timeout = "3s"
moving_average_alpha = 0.25
[axon]
port = 9000
external_ip = "10.0.0.1"
[blacklist]
force_validator_permit = false
`)
	json := write(t, "neuron.json", `{"netuid": 7, "wallet": {"name": "file-wallet", "hotkey": "file-hot"},
		"neuron": {"sample_size": 16, "timeout": 3, "moving_average_alpha": 0.25},
		"axon.port": 9000, "axon": {"external_ip": "10.0.0.1"}, "blacklist": {"force_validator_permit": false}}`)
	for _, file := range []string{toml, json} {
		t.Run(filepath.Ext(file), func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				args  []string
				env   map[string]string
				check func(c neuron.Config) bool
			}{
				{"file", []string{"--config", file}, nil, func(c neuron.Config) bool {
					return c.Netuid == 7 && c.Wallet.Name == "file-wallet" && c.Wallet.Hotkey == "file-hot" && c.Neuron.SampleSize == 16 &&
						c.Neuron.Timeout == 3*time.Second && c.Neuron.MovingAverageAlpha == 0.25 && c.Axon.Port == 9000 &&
						c.Axon.ExternalIP == "10.0.0.1" && c.Blacklist.AllowNoPermit
				}},
				{"file from the environment", nil, map[string]string{"GOTENSOR_CONFIG": file}, func(c neuron.Config) bool {
					return c.Netuid == 7 && c.Neuron.SampleSize == 16
				}},
				{"environment over file", []string{"--config", file}, map[string]string{"GOTENSOR_NETUID": "8", "GOTENSOR_NEURON_TIMEOUT": "1m", "BT_WALLET_NAME": "bt"}, func(c neuron.Config) bool {
					return c.Netuid == 8 && c.Neuron.Timeout == time.Minute && c.Wallet.Name == "bt" && c.Neuron.SampleSize == 16
				}},
				{"GOTENSOR_ over BT_", nil, map[string]string{"GOTENSOR_WALLET_NAME": "g", "BT_WALLET_NAME": "bt", "BT_WALLET_HOTKEY": "h"}, func(c neuron.Config) bool {
					return c.Wallet.Name == "g" && c.Wallet.Hotkey == "h"
				}},
				{"flags over environment", []string{"--config", file, "--netuid", "9", "--neuron.timeout=0.5", "--wallet.name", "flag"},
					map[string]string{"GOTENSOR_NETUID": "8", "GOTENSOR_WALLET_NAME": "env"}, func(c neuron.Config) bool {
						return c.Netuid == 9 && c.Neuron.Timeout == 500*time.Millisecond && c.Wallet.Name == "flag"
					}},
				{"template flags", []string{"--netuid", "3", "--wallet.path", "/w", "--subtensor.network", "http://h:1", "--axon.external_port", "443",
					"--neuron.sample_size", "4", "--neuron.moving_average_alpha", "0.5", "--blacklist.force_validator_permit=false",
					"--neuron.vpermit_tao_limit", "0.5", "--blacklist.min_stake", "1.25"}, nil, func(c neuron.Config) bool {
					return c.Netuid == 3 && c.Wallet.Path == "/w" && c.Endpoint() == "http://h:1" && c.Axon.ExternalPort == 443 &&
						c.Neuron.SampleSize == 4 && c.Blacklist.AllowNoPermit && c.Neuron.VpermitTAOLimit == 500_000_000 && c.Blacklist.MinStake == 1_250_000_000
				}},
				{"chain endpoint over network", []string{"--subtensor.network", "local", "--subtensor.chain_endpoint", "http://x:2"}, nil, func(c neuron.Config) bool {
					return c.Endpoint() == "http://x:2"
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					c, err := load(t, tc.args, tc.env)
					if err != nil {
						t.Fatal(err)
					}
					if !tc.check(c) {
						t.Fatalf("config %+v", c)
					}
				})
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		env      map[string]string
		file     string // TOML body, given with --config
		wantErr  error
		wantText string
	}{
		{name: "unknown key in the file", file: "[neuron]\nsmaple_size = 3\n", wantErr: neuron.ErrConfig, wantText: "neuron.smaple_size"},
		{name: "bad value in the file", file: "netuid = 70000\n", wantErr: neuron.ErrConfig, wantText: "netuid"},
		{name: "arrays are refused with the line", file: "netuid = 1\nx = [1, 2]\n", wantErr: neuron.ErrConfig, wantText: "line 2"},
		{name: "bad value in the environment", env: map[string]string{"GOTENSOR_NEURON_SAMPLE_SIZE": "many"}, wantErr: neuron.ErrConfig, wantText: "GOTENSOR_NEURON_SAMPLE_SIZE"},
		{name: "loopback external IP", args: []string{"--axon.external_ip", "127.0.0.1"}, wantErr: neuron.ErrConfig, wantText: "10.0.0.1"},
		{name: "not an IP", args: []string{"--axon.external_ip", "example.com"}, wantErr: neuron.ErrConfig, wantText: "axon.external_ip"},
		{name: "alpha above 1", args: []string{"--neuron.moving_average_alpha", "1.5"}, wantErr: neuron.ErrConfig, wantText: "moving_average_alpha"},
		{name: "negative sample size", args: []string{"--neuron.sample_size", "-1"}, wantErr: neuron.ErrConfig, wantText: "sample_size"},
		{name: "port out of range", args: []string{"--axon.port", "70000"}, wantErr: neuron.ErrConfig, wantText: "axon.port"},
		{name: "bad wallet name", args: []string{"--wallet.name", "../x"}, wantErr: neuron.ErrConfig, wantText: "wallet"},
		{name: "too many TAO decimals", args: []string{"--neuron.vpermit_tao_limit", "0.0000000001"}, wantText: "9 decimals"},
		{name: "health address without a port", args: []string{"--neuron.health_addr", "localhost"}, wantErr: neuron.ErrConfig, wantText: "neuron.health_addr"},
		{name: "health address not host:port", args: []string{"--neuron.health_addr", "nonsense::::"}, wantErr: neuron.ErrConfig, wantText: "host:port"},
		{name: "missing file", args: []string{"--config", "/nonexistent.toml"}, wantErr: neuron.ErrConfig},
		{name: "help", args: []string{"-h"}, wantErr: flag.ErrHelp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.file != "" {
				args = append(args, "--config", write(t, "c.toml", tc.file))
			}
			_, err := load(t, args, tc.env)
			if err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("err %v, want %v containing %q", err, tc.wantErr, tc.wantText)
			}
		})
	}
}

// TestLoadConfigExtraFlags: a binary's own flags take values from the same sources.
func TestLoadConfigExtraFlags(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	mode := fs.String("mode", "a", "")
	file := write(t, "c.json", `{"mode": "b"}`)
	if _, err := neuron.LoadConfig(fs, []string{"--config", file}, nil); err != nil || *mode != "b" {
		t.Fatalf("mode %q err %v", *mode, err)
	}
	fs = flag.NewFlagSet("test", flag.ContinueOnError)
	mode = fs.String("mode", "a", "")
	if _, err := neuron.LoadConfig(fs, nil, env(map[string]string{"GOTENSOR_MODE": "c"})); err != nil || *mode != "c" {
		t.Fatalf("mode %q err %v", *mode, err)
	}
}

// Through the runtime, a missing hotkey's hint (added by the wallet package) appears once.
func TestConfigHotkeyMissingHintOnce(t *testing.T) {
	cfg, err := load(t, []string{"--wallet.path", t.TempDir(), "--wallet.name", "w", "--wallet.hotkey", "h"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Hotkey()
	if !errors.Is(err, wallet.ErrKeyfileNotFound) {
		t.Fatalf("Hotkey: %v, want ErrKeyfileNotFound", err)
	}
	if n := strings.Count(err.Error(), "btcli wallet new_hotkey"); n != 1 {
		t.Errorf("error names btcli wallet new_hotkey %d times, want once: %v", n, err)
	}
}
