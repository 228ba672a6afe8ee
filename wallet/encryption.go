package wallet

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/nacl/secretbox"
)

// Format is how a keyfile's bytes are stored (reference §1.5: detected by prefix).
type Format int

const (
	FormatPlain        Format = iota // JSON, not encrypted
	FormatNaCl                       // "$NACL": Argon2i + XSalsa20-Poly1305, current
	FormatAnsibleVault               // "$ANSIBLE_VAULT": read-only legacy
	FormatFernet                     // "gAAAAA": the old Python wallet's Fernet, read-only legacy
)

func (f Format) String() string {
	switch f {
	case FormatPlain:
		return "plaintext"
	case FormatNaCl:
		return "NaCl"
	case FormatAnsibleVault:
		return "Ansible Vault"
	case FormatFernet:
		return "legacy (Fernet)"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Encrypted reports whether the format needs a password.
func (f Format) Encrypted() bool { return f != FormatPlain }

// DetectFormat returns the format of keyfile bytes.
func DetectFormat(data []byte) Format {
	switch {
	case bytes.HasPrefix(data, []byte(naclPrefix)):
		return FormatNaCl
	case bytes.HasPrefix(data, []byte("$ANSIBLE_VAULT")):
		return FormatAnsibleVault
	case bytes.HasPrefix(data, []byte("gAAAAA")):
		return FormatFernet
	}
	return FormatPlain
}

const naclPrefix = "$NACL"

// naclSalt is the fixed Argon2i salt of every Bittensor wallet (reference §1.5; the Python
// literal b"\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1").
var naclSalt = []byte{0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1}

// libsodium crypto_pwhash_argon2i OPSLIMIT_SENSITIVE and MEMLIMIT_SENSITIVE (512 MiB), the
// only parameters Bittensor wallets use. Unlocking costs about 512 MiB of memory and a
// second or more of CPU.
const (
	naclOps    = 8
	naclMemKiB = 512 * 1024
)

// naclCost holds the Argon2i cost; it is a variable only so this package's logic tests can
// run with a cheap one. The format tests use the real cost.
var naclCost = struct{ ops, memKiB uint32 }{naclOps, naclMemKiB}

// naclKey derives the secretbox key from a password.
func naclKey(password string) *[32]byte {
	var key [32]byte
	copy(key[:], argon2.Key([]byte(password), naclSalt, naclCost.ops, naclCost.memKiB, 1, 32))
	return &key
}

// EncryptNaCl encrypts keyfile data as Bittensor's wallet does: "$NACL" ‖ 24-byte random
// nonce ‖ secretbox(data) with the Argon2i key of password.
func EncryptNaCl(data []byte, password string) ([]byte, error) {
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("wallet: reading random nonce: %w", err)
	}
	out := append([]byte(naclPrefix), nonce[:]...)
	return secretbox.Seal(out, data, &nonce, naclKey(password)), nil
}

// DecryptNaCl opens "$NACL" keyfile bytes. A wrong password gives ErrWrongPassword.
func DecryptNaCl(data []byte, password string) ([]byte, error) {
	if !bytes.HasPrefix(data, []byte(naclPrefix)) {
		return nil, fmt.Errorf("%w: no $NACL prefix", ErrKeyfileCorrupt)
	}
	body := data[len(naclPrefix):]
	if len(body) < 24+secretbox.Overhead {
		return nil, fmt.Errorf("%w: $NACL data is %d bytes, shorter than nonce and tag", ErrKeyfileCorrupt, len(data))
	}
	var nonce [24]byte
	copy(nonce[:], body[:24])
	out, ok := secretbox.Open(nil, body[24:], &nonce, naclKey(password))
	if !ok {
		return nil, ErrWrongPassword
	}
	return out, nil
}

// Decrypt decrypts keyfile bytes of any supported format; plaintext is returned as is.
func Decrypt(data []byte, password string) ([]byte, error) {
	switch DetectFormat(data) {
	case FormatNaCl:
		return DecryptNaCl(data, password)
	case FormatAnsibleVault:
		return decryptAnsibleVault(data, password)
	case FormatFernet:
		return decryptLegacyFernet(data, password)
	}
	return data, nil
}

// Ansible Vault 1.1/1.2 AES256 (reference §1.5): the header line, then hex of
// "hex(salt)\nhex(hmac)\nhex(ciphertext)"; PBKDF2-HMAC-SHA256(password, salt, 10000) gives 80
// bytes: AES-256 key, HMAC-SHA256 key, CTR initial counter. The plaintext is PKCS#7 padded.
const ansibleIterations = 10000

func decryptAnsibleVault(data []byte, password string) ([]byte, error) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	header := strings.Split(strings.TrimSpace(lines[0]), ";")
	if len(header) < 3 || header[0] != "$ANSIBLE_VAULT" || (header[1] != "1.1" && header[1] != "1.2") || strings.TrimSpace(header[2]) != "AES256" {
		return nil, fmt.Errorf("%w: Ansible Vault header %q (only 1.1/1.2 AES256 is read)", ErrUnsupportedFormat, lines[0])
	}
	outer, err := hex.DecodeString(strings.Join(lines[1:], ""))
	if err != nil {
		return nil, fmt.Errorf("%w: Ansible Vault body is not hex", ErrKeyfileCorrupt)
	}
	parts := strings.Split(string(outer), "\n")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: Ansible Vault body has %d parts, want 3", ErrKeyfileCorrupt, len(parts))
	}
	salt, err1 := hex.DecodeString(parts[0])
	mac, err2 := hex.DecodeString(parts[1])
	ct, err3 := hex.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: Ansible Vault salt, HMAC or ciphertext malformed", ErrKeyfileCorrupt)
	}
	keys, err := pbkdf2.Key(sha256.New, password, salt, ansibleIterations, 80)
	if err != nil {
		return nil, fmt.Errorf("wallet: ansible vault kdf: %w", err)
	}
	h := hmac.New(sha256.New, keys[32:64])
	h.Write(ct)
	if !hmac.Equal(h.Sum(nil), mac) {
		return nil, ErrWrongPassword
	}
	block, err := aes.NewCipher(keys[:32])
	if err != nil {
		return nil, fmt.Errorf("wallet: ansible vault cipher: %w", err)
	}
	pt := make([]byte, len(ct))
	cipher.NewCTR(block, keys[64:80]).XORKeyStream(pt, ct)
	return unpadPKCS7(pt)
}

func unpadPKCS7(b []byte) ([]byte, error) {
	if len(b) == 0 || len(b)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: padded data of %d bytes", ErrKeyfileCorrupt, len(b))
	}
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize {
		return nil, fmt.Errorf("%w: bad padding", ErrKeyfileCorrupt)
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, fmt.Errorf("%w: bad padding", ErrKeyfileCorrupt)
		}
	}
	return b[:len(b)-n], nil
}

// The old Python wallet's "legacy" encryption (reference §1.5): a Fernet token whose key is
// urlsafe-base64(PBKDF2-HMAC-SHA256(password, legacySalt, 10,000,000 rounds, 32 bytes)).
// btwallet 4.0 derives that key and then uses a random one (btwallet#185), so such files
// open nowhere else; here they open. The 10 million rounds take several seconds.
var legacySalt = []byte("Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins")

// legacyIterations is a variable only so tests can use a small count.
var legacyIterations = 10_000_000

func decryptLegacyFernet(data []byte, password string) ([]byte, error) {
	token := strings.TrimSpace(string(data))
	raw, err := base64.URLEncoding.DecodeString(token)
	if err != nil {
		if raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(token, "=")); err != nil {
			return nil, fmt.Errorf("%w: legacy token is not base64", ErrKeyfileCorrupt)
		}
	}
	// version(1) ‖ timestamp(8) ‖ iv(16) ‖ ciphertext(16·k) ‖ hmac(32)
	if len(raw) < 1+8+16+16+32 || raw[0] != 0x80 || (len(raw)-1-8-16-32)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: legacy token has a bad length or version", ErrKeyfileCorrupt)
	}
	key, err := pbkdf2.Key(sha256.New, password, legacySalt, legacyIterations, 32)
	if err != nil {
		return nil, fmt.Errorf("wallet: legacy kdf: %w", err)
	}
	signed, mac := raw[:len(raw)-32], raw[len(raw)-32:]
	h := hmac.New(sha256.New, key[:16])
	h.Write(signed)
	if !hmac.Equal(h.Sum(nil), mac) {
		return nil, ErrWrongPassword
	}
	block, err := aes.NewCipher(key[16:])
	if err != nil {
		return nil, fmt.Errorf("wallet: legacy cipher: %w", err)
	}
	iv, ct := raw[9:25], raw[25:len(raw)-32]
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	return unpadPKCS7(pt)
}
