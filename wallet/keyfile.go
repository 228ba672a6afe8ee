package wallet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gotensor/gotensor/keys"
)

// KeyfileData is the JSON inside a keyfile (reference §1.2). Every field is optional;
// readers must not depend on their order.
type KeyfileData struct {
	AccountID    string `json:"accountId,omitempty"`    // 0x + hex public key
	PublicKey    string `json:"publicKey,omitempty"`    // 0x + hex public key
	PrivateKey   string `json:"privateKey,omitempty"`   // 0x + hex of the 64-byte schnorrkel secret
	SecretPhrase string `json:"secretPhrase,omitempty"` // BIP39 mnemonic
	SecretSeed   string `json:"secretSeed,omitempty"`   // 0x + hex of the 32-byte mini secret
	SS58Address  string `json:"ss58Address,omitempty"`
}

// keyfileJSON reads JSON where any field may also be null.
type keyfileJSON struct {
	AccountID    *string `json:"accountId"`
	PublicKey    *string `json:"publicKey"`
	PrivateKey   *string `json:"privateKey"`
	SecretPhrase *string `json:"secretPhrase"`
	SecretSeed   *string `json:"secretSeed"`
	SS58Address  *string `json:"ss58Address"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ParseKeyfileData parses decrypted keyfile JSON.
func ParseKeyfileData(b []byte) (KeyfileData, error) {
	var j keyfileJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return KeyfileData{}, fmt.Errorf("%w: not keyfile JSON: %v", ErrKeyfileCorrupt, err)
	}
	return KeyfileData{
		AccountID: deref(j.AccountID), PublicKey: deref(j.PublicKey), PrivateKey: deref(j.PrivateKey),
		SecretPhrase: deref(j.SecretPhrase), SecretSeed: deref(j.SecretSeed), SS58Address: deref(j.SS58Address),
	}, nil
}

// Marshal encodes the data as keyfile JSON (fields in a fixed order, empty ones left out,
// as the Python writer leaves out what it does not have).
func (d KeyfileData) Marshal() []byte {
	b, _ := json.Marshal(d) // strings only: cannot fail
	return b
}

// DataFromKeypair is what Bittensor writes for a full key pair: public key (twice), private
// key, and the mnemonic and seed when known.
func DataFromKeypair(kp *keys.Keypair) KeyfileData {
	pub := kp.Public()
	sec := kp.SecretKey()
	d := KeyfileData{
		AccountID:   pub.Hex(),
		PublicKey:   pub.Hex(),
		PrivateKey:  "0x" + hex.EncodeToString(sec[:]),
		SS58Address: pub.SS58(),
	}
	if p, ok := kp.Mnemonic(); ok {
		d.SecretPhrase = p
	}
	if s, ok := kp.Seed(); ok {
		d.SecretSeed = "0x" + hex.EncodeToString(s[:])
	}
	return d
}

// DataFromPublicKey is the content of coldkeypub.txt and <hotkey>pub.txt.
func DataFromPublicKey(pub keys.PublicKey) KeyfileData {
	return KeyfileData{AccountID: pub.Hex(), PublicKey: pub.Hex(), SS58Address: pub.SS58()}
}

func decodeHex(s string) ([]byte, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// Public returns the public key the data declares (publicKey, accountId or ss58Address),
// checking that those present agree. ok is false when none is present.
func (d KeyfileData) Public() (pub keys.PublicKey, ok bool, err error) {
	for _, f := range []struct{ name, v string }{{"publicKey", d.PublicKey}, {"accountId", d.AccountID}, {"ss58Address", d.SS58Address}} {
		if f.v == "" {
			continue
		}
		p, err := keys.ParsePublicKeyOrSS58(f.v)
		if err != nil {
			return keys.PublicKey{}, false, fmt.Errorf("%w: field %s: %v", ErrKeyfileCorrupt, f.name, err)
		}
		if ok && p != pub {
			return keys.PublicKey{}, false, fmt.Errorf("%w: field %s names another key than the fields before it", ErrKeyfileCorrupt, f.name)
		}
		pub, ok = p, true
	}
	return pub, ok, nil
}

// HasSecret reports whether the data holds a secret (phrase, seed or private key).
func (d KeyfileData) HasSecret() bool {
	return d.SecretPhrase != "" || d.SecretSeed != "" || d.PrivateKey != ""
}

// Keypair rebuilds the key pair in the reader precedence of reference §1.2: secretPhrase,
// then secretSeed, then privateKey. When the file also declares a public key, a source that
// gives another key is skipped (a 64-byte privateKey is tried in schnorrkel's canonical form
// and in the Ed25519 form old tools wrote). Data with only a public key gives ErrPublicOnly.
func (d KeyfileData) Keypair() (*keys.Keypair, error) {
	want, haveWant, err := d.Public()
	if err != nil {
		return nil, err
	}
	var candidates []func() (*keys.Keypair, error)
	if d.SecretPhrase != "" {
		candidates = append(candidates, func() (*keys.Keypair, error) { return keys.FromMnemonic(d.SecretPhrase, "") })
	}
	if d.SecretSeed != "" {
		candidates = append(candidates, func() (*keys.Keypair, error) {
			b, ok := decodeHex(d.SecretSeed)
			if !ok || len(b) != 32 {
				// btwallet writes "0x"+text when the seed bytes happen to be UTF-8.
				if raw := strings.TrimPrefix(d.SecretSeed, "0x"); len(raw) == 32 {
					b, ok = []byte(raw), true
				}
			}
			if !ok || len(b) != 32 {
				return nil, errors.New("secretSeed is not 32 bytes of hex")
			}
			return keys.FromSeed([32]byte(b))
		})
	}
	if d.PrivateKey != "" {
		b, ok := decodeHex(d.PrivateKey)
		switch {
		case ok && len(b) == 64:
			candidates = append(candidates,
				func() (*keys.Keypair, error) { return keys.FromSecretKey([64]byte(b)) },
				func() (*keys.Keypair, error) { return keys.FromEd25519SecretKey([64]byte(b)) })
		case ok && len(b) == 32:
			candidates = append(candidates, func() (*keys.Keypair, error) { return keys.FromSeed([32]byte(b)) })
		default:
			candidates = append(candidates, func() (*keys.Keypair, error) {
				return nil, errors.New("privateKey is not 64 (or 32) bytes of hex")
			})
		}
	}
	if len(candidates) == 0 {
		if haveWant {
			return nil, ErrPublicOnly
		}
		return nil, fmt.Errorf("%w: no key fields", ErrKeyfileCorrupt)
	}
	var firstErr error
	for _, c := range candidates {
		kp, err := c()
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if haveWant && kp.Public() != want {
			if firstErr == nil {
				firstErr = fmt.Errorf("its secret gives %s but the file declares %s", kp.SS58(), want.SS58())
			}
			continue
		}
		return kp, nil
	}
	return nil, fmt.Errorf("%w: %v", ErrKeyfileCorrupt, firstErr)
}

// Keyfile is one key file on disk. Methods read or write the file each time; a Keyfile holds
// no secret and is safe for concurrent use (concurrent writers of one file race as files do).
type Keyfile struct {
	path string
}

// NewKeyfile returns the keyfile at path ("~" is expanded).
func NewKeyfile(path string) *Keyfile { return &Keyfile{path: ExpandPath(path)} }

// Path returns the file's path.
func (k *Keyfile) Path() string { return k.path }

// Exists reports whether the file exists.
func (k *Keyfile) Exists() bool {
	_, err := os.Stat(k.path)
	return err == nil
}

// ReadRaw returns the file's bytes. A missing file gives ErrKeyfileNotFound.
func (k *Keyfile) ReadRaw() ([]byte, error) {
	b, err := os.ReadFile(k.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrKeyfileNotFound, k.path)
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: read keyfile: %w", err)
	}
	return b, nil
}

// Format returns how the file is stored.
func (k *Keyfile) Format() (Format, error) {
	b, err := k.ReadRaw()
	if err != nil {
		return 0, err
	}
	return DetectFormat(b), nil
}

// IsEncrypted reports whether the file needs a password.
func (k *Keyfile) IsEncrypted() (bool, error) {
	f, err := k.Format()
	return f.Encrypted(), err
}

// Plaintext reads the file and, when it is encrypted, decrypts it (see Keypair for how the
// password sources are used).
func (k *Keyfile) Plaintext(passwords ...PasswordSource) ([]byte, error) {
	raw, err := k.ReadRaw()
	if err != nil {
		return nil, err
	}
	if f := DetectFormat(raw); f.Encrypted() {
		return unlock(k.path, raw, passwords)
	}
	return raw, nil
}

// Data reads, decrypts and parses the file.
func (k *Keyfile) Data(passwords ...PasswordSource) (KeyfileData, error) {
	plain, err := k.Plaintext(passwords...)
	if err != nil {
		return KeyfileData{}, err
	}
	d, err := ParseKeyfileData(plain)
	if err != nil {
		return KeyfileData{}, fileError(k.path, err)
	}
	return d, nil
}

// Keypair reads the file and rebuilds its key pair. Encrypted files are opened with the
// password sources in order: the first source that has a password decides (an interactive
// source may ask again after a wrong one). Errors: ErrKeyfileNotFound, ErrNoPassword,
// ErrWrongPassword, ErrKeyfileCorrupt, ErrPublicOnly, each naming the file.
func (k *Keyfile) Keypair(passwords ...PasswordSource) (*keys.Keypair, error) {
	d, err := k.Data(passwords...)
	if err != nil {
		return nil, err
	}
	kp, err := d.Keypair()
	if err != nil {
		return nil, fileError(k.path, err)
	}
	return kp, nil
}

// PublicKey reads the public key of a plaintext file (a pub file, or an unencrypted
// hotkey). An encrypted file gives ErrNoPassword: use Keypair.
func (k *Keyfile) PublicKey() (keys.PublicKey, error) {
	raw, err := k.ReadRaw()
	if err != nil {
		return keys.PublicKey{}, err
	}
	if f := DetectFormat(raw); f.Encrypted() {
		return keys.PublicKey{}, fmt.Errorf("%w: %s is encrypted (%v); its public key needs the password", ErrNoPassword, k.path, f)
	}
	d, err := ParseKeyfileData(raw)
	if err != nil {
		return keys.PublicKey{}, fileError(k.path, err)
	}
	pub, ok, err := d.Public()
	if err == nil && !ok {
		var kp *keys.Keypair
		if kp, err = d.Keypair(); err == nil {
			pub, ok = kp.Public(), true
		}
	}
	if err != nil {
		return keys.PublicKey{}, fileError(k.path, err)
	}
	return pub, nil
}

// fileError names the keyfile in err and, for a corrupt one, says how to
// get the key back.
func fileError(path string, err error) error {
	if errors.Is(err, ErrKeyfileCorrupt) {
		return fmt.Errorf("%s: %w; restore the key from its mnemonic (btcli wallet regen_coldkey, regen_hotkey or regen_coldkeypub) or from a backup", path, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// WriteOptions says how to write a keyfile.
type WriteOptions struct {
	// Password encrypts the file as $NACL when not empty; empty writes plaintext JSON.
	Password string
	// Overwrite replaces an existing file; without it an existing file gives
	// ErrKeyfileExists and nothing is written.
	Overwrite bool
}

// WriteKeypair writes a full key pair.
func (k *Keyfile) WriteKeypair(kp *keys.Keypair, opts WriteOptions) error {
	return k.WriteData(DataFromKeypair(kp), opts)
}

// WritePublicKey writes a public-only file (never encrypted).
func (k *Keyfile) WritePublicKey(pub keys.PublicKey, overwrite bool) error {
	return k.WriteData(DataFromPublicKey(pub), WriteOptions{Overwrite: overwrite})
}

// WriteData writes keyfile JSON, encrypted when opts.Password is set. The directory is
// created 0700 and the file written 0600 through a temporary file and a rename, so a crash
// never leaves a half-written key.
func (k *Keyfile) WriteData(d KeyfileData, opts WriteOptions) error {
	if !opts.Overwrite && k.Exists() {
		return fmt.Errorf("%w: %s; pass overwrite (btcli: --overwrite) to replace it", ErrKeyfileExists, k.path)
	}
	body := d.Marshal()
	if opts.Password != "" {
		var err error
		if body, err = EncryptNaCl(body, opts.Password); err != nil {
			return err
		}
	}
	return writeFileAtomic(k.path, body)
}

func writeFileAtomic(path string, body []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("wallet: create directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("wallet: write keyfile: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("wallet: write keyfile: %w", err)
	}
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return fmt.Errorf("wallet: write keyfile: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("wallet: write keyfile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("wallet: write keyfile: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("wallet: write keyfile: %w", err)
	}
	return nil
}

// Reencrypt rewrites an encrypted file (any readable format) as $NACL with newPassword, or
// as plaintext when newPassword is empty. Use it to upgrade Ansible Vault or legacy files
// (btwallet check_and_update_encryption).
func (k *Keyfile) Reencrypt(newPassword string, passwords ...PasswordSource) error {
	plain, err := k.Plaintext(passwords...)
	if err != nil {
		return err
	}
	if _, err := ParseKeyfileData(plain); err != nil {
		return fmt.Errorf("%s: %w", k.path, err)
	}
	if newPassword != "" {
		if plain, err = EncryptNaCl(plain, newPassword); err != nil {
			return err
		}
	}
	return writeFileAtomic(k.path, plain)
}
