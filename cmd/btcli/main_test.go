package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

// cli runs btcli in-process against a temporary wallet root.
type cli struct {
	t    *testing.T
	root string
	env  map[string]string
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, root: t.TempDir(), env: map[string]string{}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (c *cli) runIn(stdin string, args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
	full := append([]string{"--wallet.path", c.root}, args...)
	code := run(full, strings.NewReader(stdin), &out, &errOut, lookup)
	return result{code, out.String(), errOut.String()}
}

func (c *cli) run(args ...string) result { c.t.Helper(); return c.runIn("", args...) }

// ok runs a command that must succeed with --json and decodes its output.
func (c *cli) ok(v any, args ...string) {
	c.t.Helper()
	r := c.run(append(args, "--json", "--no-prompt")...)
	if r.code != 0 {
		c.t.Fatalf("btcli %v: exit %d\nstderr: %s", args, r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		c.t.Fatalf("btcli %v: output is not JSON: %v\n%s", args, err, r.stdout)
	}
}

// fails runs a command that must fail with code, checks the one-line error and the JSON
// error object, and returns the error message.
func (c *cli) fails(code int, args ...string) string {
	c.t.Helper()
	r := c.run(append(args, "--json", "--no-prompt")...)
	if r.code != code {
		c.t.Fatalf("btcli %v: exit %d, want %d\nstdout: %s\nstderr: %s", args, r.code, code, r.stdout, r.stderr)
	}
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "Error: ") {
		c.t.Errorf("stderr is not one error line: %q", r.stderr)
	}
	var e struct {
		Error struct {
			Message  string `json:"message"`
			ExitCode int    `json:"exit_code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.Error.ExitCode != code || e.Error.Message == "" {
		c.t.Errorf("JSON error object %q: %v", r.stdout, err)
	}
	return e.Error.Message
}

type keyJSON struct {
	Kind, Name, SS58, Path, Mnemonic string
	PublicKey                        string `json:"public_key"`
	Encrypted                        bool
}

func TestCreateAndList(t *testing.T) {
	c := newCLI(t)
	var created struct{ Keys []keyJSON }
	c.ok(&created, "wallet", "create", "--wallet.name", "w1", "--wallet.hotkey", "h1", "--no-password", "--n-words", "15")
	if len(created.Keys) != 2 || created.Keys[0].Kind != "coldkey" || created.Keys[1].Kind != "hotkey" {
		t.Fatalf("created = %+v", created)
	}
	for _, k := range created.Keys {
		if len(strings.Fields(k.Mnemonic)) != 15 {
			t.Errorf("%s mnemonic %q", k.Kind, k.Mnemonic)
		}
		kp, err := keys.FromMnemonic(k.Mnemonic, "")
		if err != nil || kp.SS58() != k.SS58 {
			t.Errorf("%s: mnemonic does not give %s", k.Kind, k.SS58)
		}
		if k.Encrypted {
			t.Errorf("%s encrypted with --no-password", k.Kind)
		}
	}
	for _, f := range []string{"w1/coldkey", "w1/coldkeypub.txt", "w1/hotkeys/h1", "w1/hotkeys/h1pub.txt"} {
		if st, err := os.Stat(filepath.Join(c.root, f)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v", f, err)
		}
	}
	var list struct {
		Path    string
		Wallets []wallet.Info
	}
	c.ok(&list, "wallet", "list")
	if len(list.Wallets) != 1 || list.Wallets[0].Coldkey != created.Keys[0].SS58 ||
		len(list.Wallets[0].Hotkeys) != 1 || list.Wallets[0].Hotkeys[0].SS58 != created.Keys[1].SS58 {
		t.Errorf("list = %+v", list)
	}
	// Human output names both addresses.
	r := c.run("w", "list")
	if r.code != 0 || !strings.Contains(r.stdout, created.Keys[0].SS58) || !strings.Contains(r.stdout, "h1") {
		t.Errorf("list table:\n%s", r.stdout)
	}
}

func TestOverwriteRefused(t *testing.T) {
	c := newCLI(t)
	var first keyJSON
	c.ok(&first, "wallet", "new_coldkey", "--no-password")
	msg := c.fails(ExitExists, "wallet", "new_coldkey", "--no-password")
	if !strings.Contains(msg, "--overwrite") || !strings.Contains(msg, filepath.Join(c.root, "default", "coldkey")) {
		t.Errorf("message %q", msg)
	}
	// Asked, answering no: refused, file unchanged.
	r := c.runIn("n\n", "wallet", "new-coldkey", "--no-password")
	if r.code != ExitExists || !strings.Contains(r.stderr, "already exists. Overwrite?") {
		t.Errorf("answer n: exit %d, stderr %q", r.code, r.stderr)
	}
	var pub keys.PublicKey
	w, _ := wallet.New(wallet.Config{Path: c.root})
	if pub, _ = w.ColdkeyPub(); pub.SS58() != first.SS58 {
		t.Error("refused overwrite changed the key")
	}
	// Asked, answering yes; then --overwrite without asking.
	if r := c.runIn("y\n", "wallet", "new_coldkey", "--no-password"); r.code != 0 {
		t.Errorf("answer y: exit %d %s", r.code, r.stderr)
	}
	var second keyJSON
	c.ok(&second, "wallet", "new_coldkey", "--no-password", "--overwrite")
	if second.SS58 == first.SS58 {
		t.Error("overwrite kept the old key")
	}
}

func TestRegen(t *testing.T) {
	c := newCLI(t)
	var k keyJSON
	c.ok(&k, "wallet", "regen_coldkey", "--mnemonic", keys.DevPhrase, "--no-password")
	if k.SS58 != "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV" {
		t.Errorf("regen_coldkey --mnemonic: %s", k.SS58)
	}
	c.ok(&k, "wallet", "regen-hotkey", "--uri", "Bob")
	if k.SS58 != "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty" || k.Encrypted {
		t.Errorf("regen_hotkey --uri Bob: %+v", k)
	}
	c.ok(&k, "wallet", "regen_hotkey", "--wallet.hotkey", "h2", "--seed", "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a")
	if k.SS58 != "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" {
		t.Errorf("regen_hotkey --seed: %s", k.SS58)
	}
	// A polkadot-js export (btwallet README vector).
	jsonFile := filepath.Join(t.TempDir(), "export.json")
	os.WriteFile(jsonFile, []byte(polkadotJSExport), 0o600)
	c.ok(&k, "wallet", "regen_coldkey", "--wallet.name", "pjs", "--json-path", jsonFile, "--json-password", "Password123", "--no-password")
	if k.SS58 != "5CuByUQBWZci5AtXonuHHhcbRL3yxM5xDdJsTNaYN3vPDY6f" {
		t.Errorf("regen from JSON: %s", k.SS58)
	}
	c.fails(ExitAuth, "wallet", "regen_coldkey", "--wallet.name", "pjs2", "--json-path", jsonFile, "--json-password", "nope", "--no-password")
	// Mnemonic read from the prompt.
	r := c.runIn(keys.DevPhrase+"\n", "wallet", "regen_coldkey", "--wallet.name", "asked", "--no-password", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV") {
		t.Errorf("prompted mnemonic: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// Watch-only wallet.
	c.ok(&k, "wallet", "regen_coldkeypub", "--wallet.name", "watch", "--ss58", "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y")
	c.ok(&k, "wallet", "regen_coldkeypub", "--wallet.name", "watch2", "--public-key", "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
	if k.SS58 != "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" {
		t.Errorf("regen_coldkeypub --public-key: %s", k.SS58)
	}
	c.fails(ExitExists, "wallet", "regen_coldkeypub", "--wallet.name", "watch", "--ss58", "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y")
	msg := c.fails(ExitUsage, "wallet", "regen_coldkeypub", "--wallet.name", "w3", "--ss58", "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5")
	if !strings.Contains(msg, "expects 42") {
		t.Errorf("wrong prefix message %q", msg)
	}
	c.fails(ExitUsage, "wallet", "regen_coldkey", "--wallet.name", "w4", "--mnemonic", "not a mnemonic", "--no-password")
	c.fails(ExitUsage, "wallet", "regen_coldkey", "--wallet.name", "w5", "--no-password") // --no-prompt, no source
}

func TestSignVerifyHotkey(t *testing.T) {
	c := newCLI(t)
	var k keyJSON
	c.ok(&k, "wallet", "regen_hotkey", "--uri", "//Alice")
	var sig struct{ Signature, Signer, Key string }
	c.ok(&sig, "wallet", "sign", "--use-hotkey", "--message", "hello bittensor")
	if sig.Signer != k.SS58 || sig.Key != "hotkey" || len(sig.Signature) != 128 {
		t.Fatalf("sign = %+v", sig)
	}
	var v struct{ Valid bool }
	c.ok(&v, "wallet", "verify", "--message", "hello bittensor", "--signature", sig.Signature, "--address", k.SS58)
	if !v.Valid {
		t.Error("own signature invalid")
	}
	c.ok(&v, "wallet", "verify", "--message", "hello bittensor", "--signature", "0x"+sig.Signature, "--address", k.PublicKey)
	// A wrong message: exit 6, JSON result only.
	r := c.run("wallet", "verify", "--message", "hello bittensor!", "--signature", sig.Signature, "--address", k.SS58, "--json")
	if r.code != ExitInvalid || !strings.Contains(r.stdout, `"valid": false`) || strings.Contains(r.stdout, `"error"`) {
		t.Errorf("invalid: exit %d stdout %s", r.code, r.stdout)
	}
	// A polkadot-js signRaw signature (wrapped in <Bytes>) verifies, as in Bittensor.
	c.ok(&v, "wallet", "verify", "--message", "message to sign",
		"--signature", "48ce2c90e08651adfc8ecef84e916f6d1bb51ebebd16150ee12df247841a5437951ea0f9d632ca165e6ab391532e75e701be6a1caa88c8a6bcca3511f55b4183",
		"--address", "0xf84d048da2ddae2d9d8fd6763f469566e8817a26114f39408de15547f6d47805")
	// 0x messages are bytes.
	c.ok(&sig, "wallet", "sign", "--use-hotkey", "--message", "0x68656c6c6f")
	kp, _ := keys.FromURI("//Alice")
	raw, _ := keys.ParseSignature(sig.Signature)
	if !keys.Verify(kp.Public(), []byte("hello"), raw) {
		t.Error("0x message was not signed as bytes")
	}
	c.fails(ExitUsage, "wallet", "verify", "--message", "x", "--signature", "zz", "--address", k.SS58)
	c.fails(ExitUsage, "wallet", "verify", "--message", "x", "--address", k.SS58)
	c.fails(ExitUsage, "wallet", "sign", "--use-hotkey")
}

func TestMissingKeyfile(t *testing.T) {
	c := newCLI(t)
	msg := c.fails(ExitNotFound, "wallet", "sign", "--message", "x", "--wallet.name", "ghost")
	if !strings.Contains(msg, filepath.Join(c.root, "ghost", "coldkey")) || !strings.Contains(msg, "new_coldkey") {
		t.Errorf("message %q", msg)
	}
	msg = c.fails(ExitNotFound, "wallet", "sign", "--message", "x", "--use-hotkey", "--wallet.name", "ghost")
	if !strings.Contains(msg, "new_hotkey") {
		t.Errorf("message %q", msg)
	}
}

func TestEnvAndFlagAliases(t *testing.T) {
	c := newCLI(t)
	c.env["BT_WALLET_NAME"] = "fromenv"
	c.env["BT_WALLET_HOTKEY"] = "hkenv"
	var k keyJSON
	c.ok(&k, "wallet", "new_hotkey", "--n_words", "12")
	if !strings.HasSuffix(k.Path, filepath.Join("fromenv", "hotkeys", "hkenv")) {
		t.Errorf("env not used: %s", k.Path)
	}
	c.ok(&k, "wallet", "new-hotkey", "--wallet-name", "fromflag", "--wallet_hotkey", "hk")
	if !strings.HasSuffix(k.Path, filepath.Join("fromflag", "hotkeys", "hk")) {
		t.Errorf("flag did not win over env: %s", k.Path)
	}
	// BT_WALLET_PATH is used when --wallet.path is absent.
	other := t.TempDir()
	var out bytes.Buffer
	code := run([]string{"wallet", "regen_coldkeypub", "--ss58", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "--json-output", "--yes"},
		strings.NewReader(""), &out, &bytes.Buffer{}, func(k string) (string, bool) { return other, k == "BT_WALLET_PATH" })
	if code != 0 || !strings.Contains(out.String(), other) {
		t.Errorf("BT_WALLET_PATH: exit %d %s", code, out.String())
	}
}

func TestUsageErrors(t *testing.T) {
	c := newCLI(t)
	c.fails(ExitUsage, "bogus")
	c.fails(ExitUsage, "wallet", "bogus")
	c.fails(ExitUsage, "wallet", "list", "--bogus")
	c.fails(ExitUsage, "wallet", "new_coldkey", "--n-words", "13", "--no-password")
	c.fails(ExitUsage, "wallet", "new_coldkey", "--use-password", "--no-password")
	c.fails(ExitUsage, "wallet", "list", "--wallet.name", "../x")
	// Encrypting with --no-prompt and no password source.
	msg := c.fails(ExitAuth, "wallet", "new_coldkey")
	if !strings.Contains(msg, "--password-file") || !strings.Contains(msg, "--no-password") {
		t.Errorf("message %q", msg)
	}
	// A weak password from a file.
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("abc\n"), 0o600)
	c.fails(ExitAuth, "wallet", "new_coldkey", "--password-file", pw)
	if r := c.run("--help"); r.code != 0 || !strings.Contains(r.stdout, "wallet") {
		t.Errorf("--help: %d %s", r.code, r.stdout)
	}
}

// TestEncryptedColdkey runs the real $NACL cost (three Argon2i unlocks of 512 MiB).
func TestEncryptedColdkey(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping Argon2i-heavy test")
	}
	c := newCLI(t)
	// Password typed at the prompt, twice.
	r := c.runIn("correct horse\ncorrect horse\n", "wallet", "regen_coldkey", "--uri", "//Alice", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"encrypted": true`) {
		t.Fatalf("create: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// No password available with --no-prompt: no Argon2i run needed to say so.
	msg := c.fails(ExitAuth, "wallet", "sign", "--message", "m")
	if !strings.Contains(msg, "encrypted") {
		t.Errorf("message %q", msg)
	}
	// Wrong password from a file.
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("wrong horse\n"), 0o600)
	msg = c.fails(ExitAuth, "wallet", "sign", "--message", "m", "--password-file", pw)
	if !strings.Contains(msg, "wrong password") || !strings.Contains(msg, pw) {
		t.Errorf("message %q", msg)
	}
	// The right password from BT_WALLET_PASSWORD.
	c.env["BT_WALLET_PASSWORD"] = "correct horse"
	var sig struct{ Signer string }
	c.ok(&sig, "wallet", "sign", "--message", "m")
	if sig.Signer != "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" {
		t.Errorf("signer %s", sig.Signer)
	}
}

// An account exported by polkadot-js, published in btwallet's README with its passphrase.
const polkadotJSExport = `{"encoded":"Z1yzxASuj21ej3CANbZKc3ibDaOpQPMahTT0qkniyZgAgAAAAQAAAAgAAACSDgflXWKXrX36EmX9XcA6cRpkN+oZX30/9FhtNP17krIG/yHLKmDnL1km1W/nZ+BpC7Qid6IuBvbZeboFyewFeXsKtcoY/bRY6nx/cLB5BND9WpXXS6Enf4RXAX7vPu/BY+o2z7VwPaXyFARfyPTiqJKqLDJWm3W5ZlvK0ks8FBv66mWEBYc+lLx8jvuzDNkdD3pnV3G802OwwHTy","encoding":{"content":["pkcs8","sr25519"],"type":["scrypt","xsalsa20-poly1305"],"version":"3"},"address":"5CuByUQBWZci5AtXonuHHhcbRL3yxM5xDdJsTNaYN3vPDY6f","meta":{"genesisHash":null,"name":"test","whenCreated":1727395683981}}`
