package client_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/client"
)

func TestResolveNetwork(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "networks.json")
	if err := os.WriteFile(file, []byte(`{"test": "http://10.0.0.5:26657", "local": "http://127.0.0.1:36657"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{client.NetworksFileEnv: file, "GOTENSOR_NETWORK_STAGING": "http://staging:26657"}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for in, want := range map[string]string{
		"http://a:1":     "http://a:1",           // a URL as given
		"staging":        "http://staging:26657", // the environment
		"test":           "http://10.0.0.5:26657",
		"local":          "http://127.0.0.1:36657", // the file overrides a built-in name
		"127.0.0.1:9999": "http://127.0.0.1:9999",
	} {
		if got, err := client.ResolveNetwork(in, getenv); err != nil || got != want {
			t.Errorf("ResolveNetwork(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := client.ResolveNetwork("finney", getenv)
	if !errors.Is(err, client.ErrUnknownNetwork) || !strings.Contains(err.Error(), file) {
		t.Errorf("unknown name: %v", err)
	}

	// A malformed file is reported for a name that needs it; built-in names still work.
	os.WriteFile(file, []byte(`{"test": "10.0.0.5:26657"}`), 0o600)
	if _, err := client.ResolveNetwork("test", getenv); err == nil || !strings.Contains(err.Error(), "not a URL") {
		t.Errorf("endpoint without scheme: %v", err)
	}
	os.WriteFile(file, []byte(`["test"]`), 0o600)
	if _, err := client.ResolveNetwork("test", getenv); err == nil || errors.Is(err, client.ErrUnknownNetwork) || !strings.Contains(err.Error(), "JSON object") {
		t.Errorf("not an object: %v", err)
	}
	if got, err := client.ResolveNetwork("local", getenv); err != nil || got != client.Networks["local"] {
		t.Errorf("local with a broken file: %q, %v", got, err)
	}
	// No file at all: built-in names only.
	env[client.NetworksFileEnv] = filepath.Join(dir, "missing.json")
	if _, err := client.ResolveNetwork("test", getenv); !errors.Is(err, client.ErrUnknownNetwork) {
		t.Errorf("missing file: %v", err)
	}
}
