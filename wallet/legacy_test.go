package wallet

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func pad(b []byte) []byte {
	n := aes.BlockSize - len(b)%aes.BlockSize
	return append(append([]byte{}, b...), strings.Repeat(string(rune(n)), n)...)
}

// vaultEncrypt writes Ansible Vault 1.1 AES256 as ansible-vault does (test-only writer).
func vaultEncrypt(t *testing.T, plain []byte, password string) []byte {
	salt := []byte("0123456789abcdef0123456789abcdef")
	k, _ := pbkdf2.Key(sha256.New, password, salt, 10000, 80)
	block, _ := aes.NewCipher(k[:32])
	ct := pad(plain)
	cipher.NewCTR(block, k[64:80]).XORKeyStream(ct, ct)
	h := hmac.New(sha256.New, k[32:64])
	h.Write(ct)
	inner := hex.EncodeToString(salt) + "\n" + hex.EncodeToString(h.Sum(nil)) + "\n" + hex.EncodeToString(ct)
	outer := hex.EncodeToString([]byte(inner))
	var lines []string
	for len(outer) > 80 {
		lines, outer = append(lines, outer[:80]), outer[80:]
	}
	lines = append(lines, outer)
	return []byte("$ANSIBLE_VAULT;1.1;AES256\n" + strings.Join(lines, "\n") + "\n")
}

// fernetEncrypt writes the old Python wallet's legacy token (test-only writer).
func fernetEncrypt(t *testing.T, plain []byte, password string) []byte {
	k, _ := pbkdf2.Key(sha256.New, password, legacySalt, legacyIterations, 32)
	iv := []byte("fedcba9876543210")
	block, _ := aes.NewCipher(k[16:])
	ct := pad(plain)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, ct)
	tok := []byte{0x80}
	tok = binary.BigEndian.AppendUint64(tok, 1_600_000_000)
	tok = append(append(tok, iv...), ct...)
	h := hmac.New(sha256.New, k[:16])
	h.Write(tok)
	return []byte(base64.URLEncoding.EncodeToString(h.Sum(tok)))
}

func fewLegacyRounds(t *testing.T) {
	old := legacyIterations
	legacyIterations = 1000
	t.Cleanup(func() { legacyIterations = old })
}

func TestLegacyFormats(t *testing.T) {
	fewLegacyRounds(t)
	cheapKDF(t)
	a := alice(t)
	plain := DataFromKeypair(a).Marshal()
	for _, tt := range []struct {
		name   string
		data   []byte
		format Format
	}{
		{"ansible", vaultEncrypt(t, plain, "vaultpw"), FormatAnsibleVault},
		{"fernet", fernetEncrypt(t, plain, "vaultpw"), FormatFernet},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.HasPrefix(string(tt.data), map[Format]string{FormatAnsibleVault: "$ANSIBLE_VAULT", FormatFernet: "gAAAAA"}[tt.format]) {
				t.Fatalf("test writer produced %q", tt.data[:10])
			}
			path := filepath.Join(t.TempDir(), "coldkey")
			os.WriteFile(path, tt.data, 0o600)
			kf := NewKeyfile(path)
			if f, _ := kf.Format(); f != tt.format {
				t.Errorf("format = %v", f)
			}
			if _, err := kf.Keypair(Password("wrong")); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: %v", err)
			}
			kp, err := kf.Keypair(Password("vaultpw"))
			if err != nil || kp.Public() != a.Public() {
				t.Fatalf("Keypair: %v", err)
			}
			// Upgrade to $NACL.
			if err := kf.Reencrypt("newpassword", Password("vaultpw")); err != nil {
				t.Fatal(err)
			}
			if f, _ := kf.Format(); f != FormatNaCl {
				t.Errorf("after upgrade format = %v", f)
			}
			if kp, err := kf.Keypair(Password("newpassword")); err != nil || kp.Public() != a.Public() {
				t.Errorf("after upgrade: %v", err)
			}
		})
	}
}

// An account exported by polkadot-js, published in btwallet's README with its passphrase.
const polkadotJSExport = `{"encoded":"Z1yzxASuj21ej3CANbZKc3ibDaOpQPMahTT0qkniyZgAgAAAAQAAAAgAAACSDgflXWKXrX36EmX9XcA6cRpkN+oZX30/9FhtNP17krIG/yHLKmDnL1km1W/nZ+BpC7Qid6IuBvbZeboFyewFeXsKtcoY/bRY6nx/cLB5BND9WpXXS6Enf4RXAX7vPu/BY+o2z7VwPaXyFARfyPTiqJKqLDJWm3W5ZlvK0ks8FBv66mWEBYc+lLx8jvuzDNkdD3pnV3G802OwwHTy","encoding":{"content":["pkcs8","sr25519"],"type":["scrypt","xsalsa20-poly1305"],"version":"3"},"address":"5CuByUQBWZci5AtXonuHHhcbRL3yxM5xDdJsTNaYN3vPDY6f","meta":{"genesisHash":null,"name":"test","whenCreated":1727395683981}}`

func TestPolkadotJSON(t *testing.T) {
	kp, err := KeypairFromPolkadotJSON([]byte(polkadotJSExport), "Password123")
	if err != nil {
		t.Fatal(err)
	}
	if kp.SS58() != "5CuByUQBWZci5AtXonuHHhcbRL3yxM5xDdJsTNaYN3vPDY6f" {
		t.Errorf("address %s", kp.SS58())
	}
	sig, _ := kp.Sign([]byte("x"))
	if !verify(kp.Public(), []byte("x"), sig) {
		t.Error("imported key does not sign")
	}
	if _, err := KeypairFromPolkadotJSON([]byte(polkadotJSExport), "password123"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong passphrase: %v", err)
	}
	for _, bad := range []string{`{`, `{"encoding":{"version":"2"}}`, `{"encoding":{"version":"3","content":["pkcs8","ed25519"]}}`,
		`{"encoded":"AAAA","encoding":{"version":"3","content":["sr25519"],"type":["scrypt","xsalsa20-poly1305"]}}`,
		`{"encoded":"AAAA","encoding":{"version":"3","content":["sr25519"],"type":["none"]}}`} {
		if _, err := KeypairFromPolkadotJSON([]byte(bad), "x"); !errors.Is(err, ErrBadJSONKey) {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}
