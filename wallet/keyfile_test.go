package wallet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/keys"
)

func TestKeyfileDataFields(t *testing.T) {
	kp, err := keys.FromMnemonic(keys.DevPhrase, "")
	if err != nil {
		t.Fatal(err)
	}
	raw := DataFromKeypair(kp).Marshal()
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	pub := kp.Public()
	sec := kp.SecretKey()
	want := map[string]string{
		"accountId":    "0x" + hex.EncodeToString(pub[:]),
		"publicKey":    "0x" + hex.EncodeToString(pub[:]),
		"privateKey":   "0x" + hex.EncodeToString(sec[:]),
		"secretPhrase": keys.DevPhrase,
		"secretSeed":   "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e",
		"ss58Address":  "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV",
	}
	if len(m) != len(want) {
		t.Errorf("fields = %v", m)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
	pubOnly := DataFromPublicKey(pub).Marshal()
	var p map[string]string
	json.Unmarshal(pubOnly, &p)
	if len(p) != 3 || p["ss58Address"] != kp.SS58() || p["accountId"] != want["accountId"] || p["publicKey"] != want["publicKey"] {
		t.Errorf("public-only fields = %v", p)
	}
}

func TestKeyfileDataKeypair(t *testing.T) {
	dev, _ := keys.FromMnemonic(keys.DevPhrase, "")
	a := alice(t)
	aSec := a.SecretKey()
	aSeed, _ := a.Seed()
	// The Ed25519 form of Alice's secret (scalar times 8).
	var ed [64]byte
	var carry byte
	for i := range 32 {
		ed[i] = aSec[i]<<3 | carry
		carry = aSec[i] >> 5
	}
	copy(ed[32:], aSec[32:])
	tests := []struct {
		name    string
		json    string
		want    string // SS58; empty when an error is wanted
		wantErr error
	}{
		{"phrase only", `{"secretPhrase":"` + keys.DevPhrase + `"}`, dev.SS58(), nil},
		{"seed only", `{"secretSeed":"0x` + hex.EncodeToString(aSeed[:]) + `"}`, a.SS58(), nil},
		{"seed without 0x", `{"secretSeed":"` + hex.EncodeToString(aSeed[:]) + `"}`, a.SS58(), nil},
		{"private key canonical", `{"privateKey":"0x` + hex.EncodeToString(aSec[:]) + `","publicKey":"` + a.Public().Hex() + `"}`, a.SS58(), nil},
		{"private key ed25519 form", `{"privateKey":"0x` + hex.EncodeToString(ed[:]) + `","ss58Address":"` + a.SS58() + `"}`, a.SS58(), nil},
		{"phrase wins over seed", `{"secretPhrase":"` + keys.DevPhrase + `","secretSeed":"0x` + hex.EncodeToString(aSeed[:]) + `"}`, dev.SS58(), nil},
		{"phrase not matching public falls through", `{"secretPhrase":"` + keys.DevPhrase + `","secretSeed":"0x` + hex.EncodeToString(aSeed[:]) + `","publicKey":"` + a.Public().Hex() + `"}`, a.SS58(), nil},
		{"nulls", `{"secretPhrase":null,"secretSeed":"0x` + hex.EncodeToString(aSeed[:]) + `","privateKey":null,"accountId":null}`, a.SS58(), nil},
		{"public only", `{"ss58Address":"` + a.SS58() + `"}`, "", ErrPublicOnly},
		{"empty object", `{}`, "", ErrKeyfileCorrupt},
		{"not json", `hello`, "", ErrKeyfileCorrupt},
		{"bad phrase", `{"secretPhrase":"one two three"}`, "", ErrKeyfileCorrupt},
		{"bad seed", `{"secretSeed":"0x1234"}`, "", ErrKeyfileCorrupt},
		{"secret does not match declared key", `{"secretSeed":"0x` + hex.EncodeToString(aSeed[:]) + `","ss58Address":"` + dev.SS58() + `"}`, "", ErrKeyfileCorrupt},
		{"fields disagree", `{"publicKey":"` + a.Public().Hex() + `","ss58Address":"` + dev.SS58() + `"}`, "", ErrKeyfileCorrupt},
		{"wrong type", `{"secretSeed":5}`, "", ErrKeyfileCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseKeyfileData([]byte(tt.json))
			var kp *keys.Keypair
			if err == nil {
				kp, err = d.Keypair()
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if kp.SS58() != tt.want {
				t.Errorf("got %s, want %s", kp.SS58(), tt.want)
			}
		})
	}
}

func TestKeyfileWritePermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	kf := NewKeyfile(filepath.Join(dir, "key"))
	if err := kf.WriteKeypair(alice(t), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(kf.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(dir)
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", dst.Mode().Perm())
	}
	if err := kf.WriteKeypair(alice(t), WriteOptions{}); !errors.Is(err, ErrKeyfileExists) {
		t.Errorf("second write: err = %v, want ErrKeyfileExists", err)
	}
	if err := kf.WriteKeypair(alice(t), WriteOptions{Overwrite: true}); err != nil {
		t.Errorf("overwrite: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestKeyfileCorrupt(t *testing.T) {
	cheapKDF(t)
	dir := t.TempDir()
	write := func(name string, b []byte) *Keyfile {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return NewKeyfile(p)
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"truncated nacl", []byte("$NACL" + strings.Repeat("x", 20)), ErrKeyfileCorrupt},
		{"nacl garbage", append([]byte("$NACL"), make([]byte, 100)...), ErrWrongPassword},
		{"plaintext garbage", []byte("\x00\x01garbage"), ErrKeyfileCorrupt},
		{"empty", nil, ErrKeyfileCorrupt},
		{"vault garbage", []byte("$ANSIBLE_VAULT;1.1;AES256\nzz"), ErrKeyfileCorrupt},
		{"vault other cipher", []byte("$ANSIBLE_VAULT;1.1;AES\n00"), ErrUnsupportedFormat},
		{"fernet garbage", []byte("gAAAAA!!!"), ErrKeyfileCorrupt},
		{"fernet short", []byte("gAAAAABh"), ErrKeyfileCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kf := write(strings.ReplaceAll(tt.name, " ", "_"), tt.data)
			_, err := kf.Keypair(Password("pw123456"))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), kf.Path()) {
				t.Errorf("error %q does not name the file", err)
			}
			if tt.want == ErrKeyfileCorrupt && !strings.Contains(err.Error(), "regen_") {
				t.Errorf("error %q does not say how to restore the key", err)
			}
		})
	}
	// A corrupt pub file, read without a password, says the same.
	if _, err := write("corrupt_pub", []byte("{garbage")).PublicKey(); !errors.Is(err, ErrKeyfileCorrupt) || !strings.Contains(err.Error(), "regen_") {
		t.Errorf("corrupt pub file: %v", err)
	}
	if _, err := NewKeyfile(filepath.Join(dir, "missing")).Keypair(); !errors.Is(err, ErrKeyfileNotFound) {
		t.Errorf("missing: err = %v", err)
	}
}

func TestNaClWithPasswordSources(t *testing.T) {
	cheapKDF(t)
	kf := NewKeyfile(filepath.Join(t.TempDir(), "coldkey"))
	a := alice(t)
	if err := kf.WriteKeypair(a, WriteOptions{Password: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	if f, _ := kf.Format(); f != FormatNaCl {
		t.Fatalf("format = %v", f)
	}
	if _, err := kf.Keypair(); !errors.Is(err, ErrNoPassword) {
		t.Errorf("no source: err = %v, want ErrNoPassword", err)
	}
	if _, err := kf.PublicKey(); !errors.Is(err, ErrNoPassword) {
		t.Errorf("PublicKey of encrypted: err = %v", err)
	}
	_, err := kf.Keypair(Password("wrong"))
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong: err = %v", err)
	}
	if !strings.Contains(err.Error(), kf.Path()) {
		t.Errorf("error %q lacks the path", err)
	}
	empty := EnvPassword("UNSET", func(string) (string, bool) { return "", false })
	kp, err := kf.Keypair(empty, Password("correct horse"))
	if err != nil || kp.Public() != a.Public() {
		t.Fatalf("right password after an empty source: %v", err)
	}
	// The first source with a password decides: a wrong one is not followed by the next.
	if _, err := kf.Keypair(Password("wrong"), Password("correct horse")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("err = %v", err)
	}

	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("correct horse\n"), 0o600)
	if _, err := kf.Keypair(PasswordFile(pwFile)); err != nil {
		t.Errorf("password file: %v", err)
	}
	if _, err := kf.Keypair(PasswordFile(pwFile + ".missing")); err == nil || errors.Is(err, ErrWrongPassword) {
		t.Errorf("missing password file: err = %v", err)
	}

	name := EnvVarName(kf.Path())
	for _, v := range []string{ObfuscatePassword(name, "correct horse"), "correct horse"} {
		env := func(k string) (string, bool) {
			if k == name {
				return v, true
			}
			return "", false
		}
		if _, err := kf.Keypair(KeyfileEnvPassword(env)); err != nil {
			t.Errorf("BT_PW_ value %q: %v", v, err)
		}
	}
	if _, err := kf.Keypair(EnvPassword("BT_WALLET_PASSWORD", func(k string) (string, bool) { return "correct horse", k == "BT_WALLET_PASSWORD" })); err != nil {
		t.Errorf("plain env: %v", err)
	}

	// A prompt that gets a wrong password, then the right one.
	var out strings.Builder
	p := &Prompter{In: strings.NewReader("nope\ncorrect horse\n"), Out: &out}
	if _, err := kf.Keypair(p); err != nil {
		t.Errorf("prompt retry: %v", err)
	}
	if !strings.Contains(out.String(), "Wrong password") {
		t.Errorf("prompt output %q", out.String())
	}
	p = &Prompter{In: strings.NewReader("a\nb\nc\nd\n"), Out: &out}
	if _, err := kf.Keypair(p); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("three wrong prompts: err = %v", err)
	}
	p = &Prompter{In: strings.NewReader(""), Out: &out}
	if _, err := kf.Keypair(p); !errors.Is(err, ErrNoPassword) {
		t.Errorf("closed input: err = %v", err)
	}

	// Re-encrypting to plaintext and back.
	if err := kf.Reencrypt("", Password("correct horse")); err != nil {
		t.Fatal(err)
	}
	if enc, _ := kf.IsEncrypted(); enc {
		t.Error("still encrypted")
	}
	if pub, err := kf.PublicKey(); err != nil || pub != a.Public() {
		t.Errorf("PublicKey of plaintext: %v", err)
	}
}

func TestEnvVarName(t *testing.T) {
	if got := EnvVarName("/home/u/.bittensor/wallets/w/coldkey"); got != "BT_PW__HOME_U__BITTENSOR_WALLETS_W_COLDKEY" {
		t.Errorf("EnvVarName = %s", got)
	}
	name := "BT_PW__HOME_U__BITTENSOR_WALLETS_W_COLDKEY"
	for _, pw := range []string{"x", "hunter22", "pässwörd with spaces", strings.Repeat("long", 30)} {
		got, err := DeobfuscatePassword(name, ObfuscatePassword(name, pw))
		if err != nil || got != pw {
			t.Errorf("round trip %q = %q, %v", pw, got, err)
		}
	}
	// XOR of "a" with "B" is 0x23 '#': base64 "Iw==".
	if got := ObfuscatePassword("B", "a"); got != "Iw==" {
		t.Errorf("ObfuscatePassword = %s", got)
	}
	if _, err := DeobfuscatePassword(name, "not base64!"); err == nil {
		t.Error("plain text deobfuscated")
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tt := range []struct {
		pw   string
		weak bool
	}{
		{"", true}, {"abc", true}, {"aaaaaaaa", true}, {"ababab", true}, {"123456", true},
		{"qwerty", true}, {"password1", true}, {"correct horse", false}, {"Tr0ub4dor&3", false}, {"h7$kQ2", false},
	} {
		err := CheckPassword(tt.pw)
		if (err != nil) != tt.weak {
			t.Errorf("CheckPassword(%q) = %v, weak want %v", tt.pw, err, tt.weak)
		}
		if err != nil && !errors.Is(err, ErrWeakPassword) {
			t.Errorf("CheckPassword(%q) = %v, want ErrWeakPassword", tt.pw, err)
		}
	}
}

func TestPrompterNewPassword(t *testing.T) {
	var out strings.Builder
	p := &Prompter{In: strings.NewReader("abc\ncorrect horse\ncorrect hose\ncorrect horse\ncorrect horse\n"), Out: &out}
	pw, err := p.NewPassword()
	if err != nil || pw != "correct horse" {
		t.Fatalf("NewPassword = %q, %v", pw, err)
	}
	for _, s := range []string{"not strong enough", "do not match", "Retype"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("prompt output lacks %q: %s", s, out.String())
		}
	}
	p = &Prompter{In: strings.NewReader("abc\nabc\nabc\n"), Out: &out}
	if _, err := p.NewPassword(); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("three weak: err = %v", err)
	}
}
