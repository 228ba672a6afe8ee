package wallet

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/keys"
)

func TestNewConfig(t *testing.T) {
	w, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	if w.Path() != filepath.Join(home, ".bittensor", "wallets", "default") || w.HotkeyName() != "default" {
		t.Errorf("zero Config gives %s / %s", w.Path(), w.HotkeyName())
	}
	for _, bad := range []Config{{Name: "../x"}, {Name: "a/b"}, {Hotkey: ".."}, {Hotkey: ".hidden"}} {
		if _, err := New(bad); !errors.Is(err, ErrBadName) {
			t.Errorf("New(%+v): err = %v, want ErrBadName", bad, err)
		}
	}
}

func TestCreateLayout(t *testing.T) {
	cheapKDF(t)
	w := newWallet(t)
	mnemonic, cold, err := w.CreateColdkey(12, KeyOptions{Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.Fields(mnemonic)) != 12 {
		t.Errorf("mnemonic %q", mnemonic)
	}
	if again, _ := keys.FromMnemonic(mnemonic, ""); again.Public() != cold.Public() {
		t.Error("the mnemonic does not give the coldkey")
	}
	_, hot, err := w.CreateHotkey(24, KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path      string
		encrypted bool
	}{
		{filepath.Join(w.Path(), "coldkey"), true},
		{filepath.Join(w.Path(), "coldkeypub.txt"), false},
		{filepath.Join(w.Path(), "hotkeys", "h1"), false},
		{filepath.Join(w.Path(), "hotkeys", "h1pub.txt"), false},
	} {
		st, err := os.Stat(f.path)
		if err != nil {
			t.Errorf("missing %s", f.path)
			continue
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", f.path, st.Mode().Perm())
		}
		if enc, _ := NewKeyfile(f.path).IsEncrypted(); enc != f.encrypted {
			t.Errorf("%s encrypted = %v", f.path, enc)
		}
	}
	for _, d := range []string{w.Path(), filepath.Join(w.Path(), "hotkeys")} {
		if st, _ := os.Stat(d); st.Mode().Perm() != 0o700 {
			t.Errorf("%s mode %v", d, st.Mode().Perm())
		}
	}
	if pub, err := w.ColdkeyPub(); err != nil || pub != cold.Public() {
		t.Errorf("ColdkeyPub = %v, %v", pub, err)
	}
	if pub, err := w.HotkeyPub(); err != nil || pub != hot.Public() {
		t.Errorf("HotkeyPub = %v, %v", pub, err)
	}
	if kp, err := w.Hotkey(); err != nil || kp.Public() != hot.Public() {
		t.Errorf("Hotkey = %v", err)
	}
	if kp, err := w.Coldkey(Password("correct horse")); err != nil || kp.Public() != cold.Public() {
		t.Errorf("Coldkey = %v", err)
	}
	if _, err := w.Coldkey(Password("nope")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := w.Coldkey(); !errors.Is(err, ErrNoPassword) {
		t.Errorf("no password: %v", err)
	}

	// Overwrite protection: nothing changes.
	before, _ := os.ReadFile(filepath.Join(w.Path(), "coldkeypub.txt"))
	if _, _, err := w.CreateColdkey(12, KeyOptions{}); !errors.Is(err, ErrKeyfileExists) {
		t.Errorf("second create: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(w.Path(), "coldkeypub.txt"))
	if string(before) != string(after) {
		t.Error("refused create changed coldkeypub.txt")
	}
	// Only the pub file existing also blocks a new coldkey.
	os.Remove(w.ColdkeyFile().Path())
	if _, _, err := w.CreateColdkey(12, KeyOptions{}); !errors.Is(err, ErrKeyfileExists) {
		t.Errorf("create over coldkeypub.txt: %v", err)
	}
	if _, newCold, err := w.CreateColdkey(12, KeyOptions{Overwrite: true}); err != nil || newCold.Public() == cold.Public() {
		t.Errorf("overwrite: %v", err)
	}
}

func TestRegenAndMissing(t *testing.T) {
	w := newWallet(t)
	_, err := w.Coldkey()
	if !errors.Is(err, ErrKeyfileNotFound) || !strings.Contains(err.Error(), "new_coldkey") || !strings.Contains(err.Error(), w.ColdkeyFile().Path()) {
		t.Errorf("missing coldkey: %v", err)
	}
	if _, err := w.ColdkeyPub(); !errors.Is(err, ErrKeyfileNotFound) {
		t.Errorf("missing coldkeypub: %v", err)
	}
	if _, err := w.HotkeyPub(); !errors.Is(err, ErrKeyfileNotFound) {
		t.Errorf("missing hotkey: %v", err)
	}
	a := alice(t)
	if err := w.RegenColdkeyPub(a.Public(), false); err != nil {
		t.Fatal(err)
	}
	if pub, err := w.ColdkeyPub(); err != nil || pub.SS58() != "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" {
		t.Errorf("ColdkeyPub = %v, %v", pub, err)
	}
	if _, err := w.Coldkey(); !errors.Is(err, ErrKeyfileNotFound) {
		t.Errorf("coldkey of a watch-only wallet: %v", err)
	}
	if err := w.RegenColdkeyPub(a.Public(), false); !errors.Is(err, ErrKeyfileExists) {
		t.Errorf("regen over existing: %v", err)
	}
	if err := w.SetColdkey(a, KeyOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	kp, err := w.Coldkey()
	if err != nil || kp.Public() != a.Public() {
		t.Fatalf("unencrypted coldkey: %v", err)
	}
	// Old wallets have no hotkey pub file: the address comes from the hotkey file.
	if err := w.HotkeyFile().WriteKeypair(a, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if pub, err := w.HotkeyPub(); err != nil || pub != a.Public() {
		t.Errorf("HotkeyPub without pub file: %v", err)
	}
}

func TestCreateIfNotExists(t *testing.T) {
	w := newWallet(t)
	c, h, err := w.CreateIfNotExists(12, "")
	if err != nil || c == "" || h == "" {
		t.Fatalf("first: %q %q %v", c, h, err)
	}
	c, h, err = w.CreateIfNotExists(12, "")
	if err != nil || c != "" || h != "" {
		t.Fatalf("second: %q %q %v", c, h, err)
	}
}

func TestList(t *testing.T) {
	root := t.TempDir()
	a, b := alice(t), func() *keys.Keypair { k, _ := keys.FromURI("//Bob"); return k }()
	w1, _ := New(Config{Path: root, Name: "alpha"})
	w1.SetColdkey(a, KeyOptions{})
	for _, hk := range []string{"h2", "h1"} {
		hw, _ := w1.WithHotkey(hk)
		hw.SetHotkey(b, KeyOptions{})
	}
	hw, _ := w1.WithHotkey("watch")
	hw.RegenHotkeyPub(a.Public(), false)
	w2, _ := New(Config{Path: root, Name: "beta"})
	w2.RegenColdkeyPub(b.Public(), false)
	os.MkdirAll(filepath.Join(root, "not-a-wallet"), 0o700)
	os.MkdirAll(filepath.Join(root, ".hidden", "hotkeys"), 0o700)

	list, err := List(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "alpha" || list[1].Name != "beta" {
		t.Fatalf("list = %+v", list)
	}
	if list[0].Coldkey != a.SS58() || list[1].Coldkey != b.SS58() {
		t.Errorf("coldkeys %s %s", list[0].Coldkey, list[1].Coldkey)
	}
	var names []string
	for _, h := range list[0].Hotkeys {
		names = append(names, h.Name+"="+h.SS58[:4])
	}
	if got := strings.Join(names, ","); got != "h1=5FHn,h2=5FHn,watch=5Grw" {
		t.Errorf("hotkeys = %s", got)
	}
	if hks, err := w1.Hotkeys(); err != nil || strings.Join(hks, ",") != "h1,h2,watch" {
		t.Errorf("Hotkeys = %v, %v", hks, err)
	}
	if hks, err := w2.Hotkeys(); err != nil || hks == nil || len(hks) != 0 {
		t.Errorf("Hotkeys of a wallet without hotkeys = %v, %v", hks, err)
	}
	if empty, err := List(filepath.Join(root, "nope")); err != nil || len(empty) != 0 {
		t.Errorf("missing root: %v %v", empty, err)
	}
}

// A missing hotkey's error names the btcli command that makes it exactly once, with
// --wallet.path because the wallet is not in the default folder.
func TestMissingHotkeyHintOnce(t *testing.T) {
	w := newWallet(t)
	for name, get := range map[string]func() error{
		"Hotkey":    func() error { _, err := w.Hotkey(); return err },
		"HotkeyPub": func() error { _, err := w.HotkeyPub(); return err },
	} {
		err := get()
		if !errors.Is(err, ErrKeyfileNotFound) {
			t.Fatalf("%s: %v, want ErrKeyfileNotFound", name, err)
		}
		want := "btcli wallet new_hotkey --wallet.name w1 --wallet.hotkey h1 --wallet.path " + w.Root()
		if n := strings.Count(err.Error(), "new_hotkey"); n != 1 || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %q names new_hotkey %d times, want once as %q", name, err, n, want)
		}
	}
	def, err := New(Config{Name: "w1", Hotkey: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	if f := def.hotkeyFlags(); strings.Contains(f, "--wallet.path") {
		t.Errorf("default folder: flags %q should leave out --wallet.path", f)
	}
}
