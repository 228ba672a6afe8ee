package wallet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gotensor/gotensor/keys"
)

// Defaults of reference §1.1.
const (
	DefaultRoot   = "~/.bittensor/wallets"
	DefaultName   = "default"
	DefaultHotkey = "default"
)

// File names inside a wallet directory (reference §1.1).
const (
	ColdkeyFileName    = "coldkey"
	ColdkeyPubFileName = "coldkeypub.txt"
	HotkeysDirName     = "hotkeys"
	pubSuffix          = "pub.txt"
)

// Config names a wallet. The zero value is the default wallet: ~/.bittensor/wallets, name
// "default", hotkey "default". The library reads no environment variables; btcli resolves
// --wallet.path/BT_WALLET_PATH and friends into a Config.
type Config struct {
	Path   string // root folder of all wallets; "" means DefaultRoot; "~" is expanded
	Name   string // wallet (coldkey) name; "" means "default"
	Hotkey string // hotkey name; "" means "default"
}

// DefaultConfig returns the default wallet's Config with every field filled in.
func DefaultConfig() Config {
	return Config{Path: DefaultRoot, Name: DefaultName, Hotkey: DefaultHotkey}
}

// Validate checks that the names are plain file names.
func (c Config) Validate() error {
	for _, f := range []struct{ field, v string }{{"Name", c.Name}, {"Hotkey", c.Hotkey}} {
		if f.v == "" {
			continue
		}
		if err := ValidateName(f.v); err != nil {
			return fmt.Errorf("wallet config %s: %w", f.field, err)
		}
	}
	return nil
}

// ValidateName checks a wallet or hotkey name: not empty, no path separator, not "." or
// "..", no leading dot.
func ValidateName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty name", ErrBadName)
	case strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, 0):
		return fmt.Errorf("%w: %q contains a path separator", ErrBadName, name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("%w: %q starts with a dot", ErrBadName, name)
	}
	return nil
}

// ExpandPath expands a leading "~" to the user's home directory.
func ExpandPath(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// Wallet is one coldkey with its hotkeys, stored as <root>/<name>/coldkey,
// coldkeypub.txt, hotkeys/<hotkey> and hotkeys/<hotkey>pub.txt. A Wallet holds names only,
// never keys: every call reads the files, so it is safe for concurrent use.
type Wallet struct {
	root, name, hotkey string
}

// New returns the wallet cfg names. Nothing is read or created.
func New(cfg Config) (*Wallet, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := &Wallet{root: cfg.Path, name: cfg.Name, hotkey: cfg.Hotkey}
	if w.root == "" {
		w.root = DefaultRoot
	}
	if w.name == "" {
		w.name = DefaultName
	}
	if w.hotkey == "" {
		w.hotkey = DefaultHotkey
	}
	w.root = ExpandPath(w.root)
	if abs, err := filepath.Abs(w.root); err == nil {
		w.root = abs
	}
	return w, nil
}

// Name returns the wallet name.
func (w *Wallet) Name() string { return w.name }

// HotkeyName returns the selected hotkey's name.
func (w *Wallet) HotkeyName() string { return w.hotkey }

// Root returns the folder holding all wallets.
func (w *Wallet) Root() string { return w.root }

// Path returns this wallet's folder.
func (w *Wallet) Path() string { return filepath.Join(w.root, w.name) }

// WithHotkey returns the same wallet with another hotkey selected.
func (w *Wallet) WithHotkey(hotkey string) (*Wallet, error) {
	if err := ValidateName(hotkey); err != nil {
		return nil, err
	}
	c := *w
	c.hotkey = hotkey
	return &c, nil
}

// ColdkeyFile is <wallet>/coldkey.
func (w *Wallet) ColdkeyFile() *Keyfile { return &Keyfile{filepath.Join(w.Path(), ColdkeyFileName)} }

// ColdkeyPubFile is <wallet>/coldkeypub.txt.
func (w *Wallet) ColdkeyPubFile() *Keyfile {
	return &Keyfile{filepath.Join(w.Path(), ColdkeyPubFileName)}
}

// HotkeyFile is <wallet>/hotkeys/<hotkey>.
func (w *Wallet) HotkeyFile() *Keyfile {
	return &Keyfile{filepath.Join(w.Path(), HotkeysDirName, w.hotkey)}
}

// HotkeyPubFile is <wallet>/hotkeys/<hotkey>pub.txt.
func (w *Wallet) HotkeyPubFile() *Keyfile {
	return &Keyfile{filepath.Join(w.Path(), HotkeysDirName, w.hotkey+pubSuffix)}
}

// hotkeyFlags are the btcli flags that select this wallet's hotkey, with --wallet.path only
// when the wallets folder is not the default one.
func (w *Wallet) hotkeyFlags() string {
	f := fmt.Sprintf("--wallet.name %s --wallet.hotkey %s", w.name, w.hotkey)
	if def, err := filepath.Abs(ExpandPath(DefaultRoot)); err != nil || def != w.root {
		f += " --wallet.path " + w.root
	}
	return f
}

// notFoundHint adds create, the command that makes the missing file, to a not-found error.
// It is the only place the hint is added: callers (the neuron runtime among them) pass the
// error on unchanged, so it is printed once.
func notFoundHint(err error, what, create string) error {
	if errors.Is(err, ErrKeyfileNotFound) {
		return fmt.Errorf("%w; %s", err, create)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Coldkey unlocks the coldkey with the password sources (see Keyfile.Keypair).
func (w *Wallet) Coldkey(passwords ...PasswordSource) (*keys.Keypair, error) {
	kp, err := w.ColdkeyFile().Keypair(passwords...)
	if err != nil {
		return nil, notFoundHint(err, "coldkey",
			fmt.Sprintf("create it with `btcli wallet new_coldkey --wallet.name %s` or restore it with `btcli wallet regen_coldkey`", w.name))
	}
	return kp, nil
}

// ColdkeyPub reads coldkeypub.txt, which needs no password. If only the coldkey exists
// and it is not encrypted, its public key is returned.
func (w *Wallet) ColdkeyPub() (keys.PublicKey, error) {
	pub, err := w.ColdkeyPubFile().PublicKey()
	if errors.Is(err, ErrKeyfileNotFound) {
		if p, err2 := w.ColdkeyFile().PublicKey(); err2 == nil {
			return p, nil
		}
		return keys.PublicKey{}, fmt.Errorf("%w; create the wallet with `btcli wallet create --wallet.name %s` or restore the address with `btcli wallet regen_coldkeypub --ss58 <address>`", err, w.name)
	}
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("coldkeypub: %w", err)
	}
	return pub, nil
}

// Hotkey unlocks the selected hotkey (hotkeys are normally not encrypted).
func (w *Wallet) Hotkey(passwords ...PasswordSource) (*keys.Keypair, error) {
	kp, err := w.HotkeyFile().Keypair(passwords...)
	if err != nil {
		return nil, notFoundHint(err, "hotkey",
			"create it with `btcli wallet new_hotkey "+w.hotkeyFlags()+"`")
	}
	return kp, nil
}

// HotkeyPub returns the hotkey's public key from <hotkey>pub.txt, or from the hotkey file
// when that is not encrypted (older wallets have no pub file).
func (w *Wallet) HotkeyPub() (keys.PublicKey, error) {
	pub, err := w.HotkeyPubFile().PublicKey()
	if err == nil {
		return pub, nil
	}
	if !errors.Is(err, ErrKeyfileNotFound) {
		return keys.PublicKey{}, fmt.Errorf("hotkeypub: %w", err)
	}
	pub, err = w.HotkeyFile().PublicKey()
	if err != nil {
		return keys.PublicKey{}, notFoundHint(err, "hotkey",
			"create it with `btcli wallet new_hotkey "+w.hotkeyFlags()+"`")
	}
	return pub, nil
}

// KeyOptions says how to store a new or regenerated key.
type KeyOptions struct {
	// Password encrypts the key file ($NACL). Empty writes it unencrypted, which Bittensor
	// does for hotkeys and btcli offers for coldkeys with --no-password.
	Password string
	// Overwrite replaces existing files; without it an existing key file or pub file gives
	// ErrKeyfileExists and nothing is written.
	Overwrite bool
}

// checkFree returns ErrKeyfileExists when any file exists and overwrite is false, before
// anything is written, so a refused create never leaves a half-written key.
func checkFree(overwrite bool, files ...*Keyfile) error {
	if overwrite {
		return nil
	}
	for _, f := range files {
		if f.Exists() {
			return fmt.Errorf("%w: %s; pass --overwrite to replace it (the old key is lost unless you have its mnemonic)", ErrKeyfileExists, f.Path())
		}
	}
	return nil
}

// SetColdkey writes kp as the coldkey (encrypted when opts.Password is set) and its
// coldkeypub.txt.
func (w *Wallet) SetColdkey(kp *keys.Keypair, opts KeyOptions) error {
	cold, pub := w.ColdkeyFile(), w.ColdkeyPubFile()
	if err := checkFree(opts.Overwrite, cold, pub); err != nil {
		return err
	}
	if err := cold.WriteKeypair(kp, WriteOptions{Password: opts.Password, Overwrite: true}); err != nil {
		return err
	}
	return pub.WritePublicKey(kp.Public(), true)
}

// SetHotkey writes kp as the selected hotkey and its pub file.
func (w *Wallet) SetHotkey(kp *keys.Keypair, opts KeyOptions) error {
	hot, pub := w.HotkeyFile(), w.HotkeyPubFile()
	if err := checkFree(opts.Overwrite, hot, pub); err != nil {
		return err
	}
	if err := hot.WriteKeypair(kp, WriteOptions{Password: opts.Password, Overwrite: true}); err != nil {
		return err
	}
	return pub.WritePublicKey(kp.Public(), true)
}

// CreateColdkey makes a new mnemonic of words words (0 means 12) and stores its key as the
// coldkey. It returns the mnemonic, which the caller must show the user once.
func (w *Wallet) CreateColdkey(words int, opts KeyOptions) (string, *keys.Keypair, error) {
	return w.create(words, opts, w.SetColdkey)
}

// CreateHotkey makes a new mnemonic and stores its key as the selected hotkey.
func (w *Wallet) CreateHotkey(words int, opts KeyOptions) (string, *keys.Keypair, error) {
	return w.create(words, opts, w.SetHotkey)
}

func (w *Wallet) create(words int, opts KeyOptions, set func(*keys.Keypair, KeyOptions) error) (string, *keys.Keypair, error) {
	if words == 0 {
		words = 12
	}
	phrase, err := keys.NewMnemonic(words)
	if err != nil {
		return "", nil, err
	}
	kp, err := keys.FromMnemonic(phrase, "")
	if err != nil {
		return "", nil, err
	}
	if err := set(kp, opts); err != nil {
		return "", nil, err
	}
	return phrase, kp, nil
}

// RegenColdkeyPub writes coldkeypub.txt only (reference §1.7 regenerate_coldkeypub), for
// watching an address without its secret.
func (w *Wallet) RegenColdkeyPub(pub keys.PublicKey, overwrite bool) error {
	return w.ColdkeyPubFile().WritePublicKey(pub, overwrite)
}

// RegenHotkeyPub writes the selected hotkey's pub file only.
func (w *Wallet) RegenHotkeyPub(pub keys.PublicKey, overwrite bool) error {
	return w.HotkeyPubFile().WritePublicKey(pub, overwrite)
}

// CreateIfNotExists creates the coldkey if neither coldkey nor coldkeypub.txt exists, and the
// hotkey if neither hotkey file exists (reference §1.7). Hotkeys are written unencrypted.
// It returns the mnemonics it created (empty when the key existed).
func (w *Wallet) CreateIfNotExists(words int, coldkeyPassword string) (coldMnemonic, hotMnemonic string, err error) {
	if !w.ColdkeyFile().Exists() && !w.ColdkeyPubFile().Exists() {
		if coldMnemonic, _, err = w.CreateColdkey(words, KeyOptions{Password: coldkeyPassword}); err != nil {
			return "", "", err
		}
	}
	if !w.HotkeyFile().Exists() && !w.HotkeyPubFile().Exists() {
		if hotMnemonic, _, err = w.CreateHotkey(words, KeyOptions{}); err != nil {
			return coldMnemonic, "", err
		}
	}
	return coldMnemonic, hotMnemonic, nil
}

// Info describes a wallet found on disk, as `btcli wallet list` shows it.
type Info struct {
	Name      string       `json:"name"`
	Path      string       `json:"path"`
	Coldkey   string       `json:"coldkey_ss58,omitempty"` // empty when unknown
	Encrypted bool         `json:"coldkey_encrypted"`
	Error     string       `json:"error,omitempty"` // why the coldkey address is unknown
	Hotkeys   []HotkeyInfo `json:"hotkeys"`
}

// HotkeyInfo describes one hotkey of a wallet.
type HotkeyInfo struct {
	Name      string `json:"name"`
	SS58      string `json:"ss58,omitempty"` // empty when the hotkey is encrypted and has no pub file
	Encrypted bool   `json:"encrypted"`
	Error     string `json:"error,omitempty"`
}

// List returns the wallets under root ("" means DefaultRoot), sorted by name, with their
// hotkeys. Folders without a coldkey, coldkeypub.txt or hotkeys folder are skipped. A
// missing root gives an empty list.
func List(root string) ([]Info, error) {
	if root == "" {
		root = DefaultRoot
	}
	root = ExpandPath(root)
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return []Info{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: list %s: %w", root, err)
	}
	out := []Info{}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		w, err := New(Config{Path: root, Name: e.Name()})
		if err != nil {
			continue
		}
		cold, coldPub := w.ColdkeyFile(), w.ColdkeyPubFile()
		_, hotErr := os.Stat(filepath.Join(w.Path(), HotkeysDirName))
		if !cold.Exists() && !coldPub.Exists() && hotErr != nil {
			continue
		}
		info := Info{Name: w.name, Path: w.Path(), Hotkeys: []HotkeyInfo{}}
		if enc, err := cold.IsEncrypted(); err == nil {
			info.Encrypted = enc
		}
		if pub, err := w.ColdkeyPub(); err == nil {
			info.Coldkey = pub.SS58()
		} else {
			info.Error = err.Error()
		}
		names, err := hotkeyNames(filepath.Join(w.Path(), HotkeysDirName))
		if err != nil {
			return nil, err
		}
		for _, hk := range names {
			hw := *w
			hw.hotkey = hk
			hi := HotkeyInfo{Name: hk}
			if enc, err := hw.HotkeyFile().IsEncrypted(); err == nil {
				hi.Encrypted = enc
			}
			if pub, err := hw.HotkeyPub(); err == nil {
				hi.SS58 = pub.SS58()
			} else {
				hi.Error = err.Error()
			}
			info.Hotkeys = append(info.Hotkeys, hi)
		}
		out = append(out, info)
	}
	return out, nil
}

// Hotkeys returns the names of the wallet's hotkeys, sorted: each hotkey file, and each
// pub file without one (a watch-only hotkey). A wallet without a hotkeys folder has none.
func (w *Wallet) Hotkeys() ([]string, error) {
	names, err := hotkeyNames(filepath.Join(w.Path(), HotkeysDirName))
	if names == nil && err == nil {
		names = []string{}
	}
	return names, err
}

// hotkeyNames lists hotkeys in a hotkeys folder: key files, and pub files without one.
func hotkeyNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: list %s: %w", dir, err)
	}
	files := map[string]bool{}
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			files[e.Name()] = true
		}
	}
	var names []string
	for f := range files {
		if base, ok := strings.CutSuffix(f, pubSuffix); ok && base != "" {
			if !files[base] {
				names = append(names, base) // a pub file alone (regen_hotkeypub)
			}
			continue
		}
		names = append(names, f)
	}
	slices.Sort(names)
	return names, nil
}
