package gateway_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/gateway"
)

// docsURL is the base URL docs/api.md's examples use; the test swaps in its gateway's.
const docsURL = "http://127.0.0.1:8000/v1"

// docExample returns the first ```lang block after the line of docs/api.md that starts
// with intro, with its base URL replaced by base.
func docExample(t *testing.T, intro, lang, base string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut("\n"+string(doc), "\n"+intro)
	if !ok {
		t.Fatalf("docs/api.md has no line starting with %q", intro)
	}
	_, after, ok = strings.Cut(after, "\n```"+lang+"\n")
	if !ok {
		t.Fatalf("docs/api.md has no ```%s block after %q", lang, intro)
	}
	code, _, ok := strings.Cut(after, "\n```\n")
	if !ok || !strings.Contains(code, docsURL) {
		t.Fatalf("docs/api.md's %s example is unterminated or does not use %s", lang, docsURL)
	}
	return strings.ReplaceAll(code, docsURL, base) + "\n"
}

// runExample runs name with args in dir with GATEWAY_KEY set and returns its stdout.
func runExample(t *testing.T, dir, key string, timeout time.Duration, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GATEWAY_KEY="+key, "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestDocExamples runs docs/api.md's Go and Node.js examples as printed, with only the
// base URL changed, against a gateway over a real node and a real miner, with the stock
// OpenAI clients: openai-go pinned in testdata/openai-go (fetched through the Go module
// proxy when not in the module cache) and the openai npm package in testdata/openai-js
// (scripts/install-test-deps.sh installs it). Each half skips when its client cannot be
// had; an example that no longer compiles or runs against the gateway fails.
func TestDocExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the openai-go client: skipped with -short")
	}
	nw := startNetwork(t)
	cfg := baseConfig(nw, false)
	cfg.Models = []gateway.Model{{ID: "gotensor-chat", Netuid: 1}}
	g := startGateway(t, nw, cfg)
	_, key, _ := createKey(t, g, "free")

	t.Run("go", func(t *testing.T) {
		goBin, err := exec.LookPath("go")
		if err != nil {
			t.Skip("no go command on PATH to build the example with")
		}
		dir := t.TempDir()
		for _, f := range []string{"go.mod", "go.sum"} {
			b, err := os.ReadFile(filepath.Join("testdata", "openai-go", f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		src := docExample(t, "Go (`go get", "go", g.url+"/v1")
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		dl := exec.Command(goBin, "mod", "download")
		dl.Dir, dl.Env = dir, append(os.Environ(), "GOWORK=off")
		if out, err := dl.CombinedOutput(); err != nil {
			t.Skipf("openai-go (testdata/openai-go/go.mod) is not in the module cache and cannot be downloaded: %v\n%s", err, out)
		}
		runExample(t, dir, key, 5*time.Minute, goBin, "build", "-mod=readonly", "-o", "example", ".")
		out := runExample(t, dir, key, time.Minute, filepath.Join(dir, "example"))
		if want := "gotensor-chat\necho Hello\necho Hello\necho Say hi\n"; out != want {
			t.Fatalf("the Go example printed\n%s\nwant\n%s", out, want)
		}
	})

	t.Run("node", func(t *testing.T) {
		node, err := exec.LookPath("node")
		if err != nil {
			t.Skip("node is not installed; scripts/install-test-deps.sh installs Node.js and the openai npm client")
		}
		mods, err := filepath.Abs(filepath.Join("testdata", "openai-js", "node_modules"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(mods, "openai", "package.json")); err != nil {
			t.Skipf("the openai npm client is not installed in %s; run `npm ci` there (scripts/install-test-deps.sh does)", filepath.Dir(mods))
		}
		dir := t.TempDir()
		if err := os.Symlink(mods, filepath.Join(dir, "node_modules")); err != nil {
			t.Fatal(err)
		}
		src := docExample(t, "Node.js (`npm install", "js", g.url+"/v1")
		if err := os.WriteFile(filepath.Join(dir, "example.mjs"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		out := runExample(t, dir, key, time.Minute, node, "example.mjs")
		// chat content and total_tokens (1 prompt word, 2 answer words), the stream, the
		// completion, and the typed 404 of an unknown model.
		if want := "gotensor-chat\necho Hello 3\necho Hello\necho Say hi\ntrue 404 model_not_found\n"; out != want {
			t.Fatalf("the Node.js example printed\n%s\nwant\n%s", out, want)
		}
	})
}
