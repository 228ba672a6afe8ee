package wallet

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"

	"github.com/gotensor/gotensor/keys"
)

// ErrBadJSONKey is returned for a polkadot-js export that cannot be imported.
var ErrBadJSONKey = errors.New("wallet: invalid polkadot-js JSON key")

// The PKCS#8 framing polkadot-js puts around an sr25519 secret (reference §1.7).
var (
	pkcs8Header  = []byte{0x30, 0x53, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20}
	pkcs8Divider = []byte{0xa1, 0x23, 0x03, 0x21, 0x00}
)

// KeypairFromPolkadotJSON imports an account exported by polkadot-js (browser extension,
// apps UI) as `btcli wallet regen_coldkey --json` does (reference §1.7): encoding version
// "3", content sr25519, scrypt + xsalsa20-poly1305 (or a zero-padded passphrase as the key).
// A wrong passphrase gives ErrWrongPassword.
func KeypairFromPolkadotJSON(data []byte, passphrase string) (*keys.Keypair, error) {
	var doc struct {
		Encoded  string `json:"encoded"`
		Address  string `json:"address"`
		Encoding struct {
			Content []string `json:"content"`
			Type    []string `json:"type"`
			Version string   `json:"version"`
		} `json:"encoding"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadJSONKey, err)
	}
	if doc.Encoding.Version != "3" {
		return nil, fmt.Errorf("%w: encoding version %q, only \"3\" is supported", ErrBadJSONKey, doc.Encoding.Version)
	}
	if !slices.Contains(doc.Encoding.Content, "sr25519") {
		return nil, fmt.Errorf("%w: content %v is not an sr25519 key", ErrBadJSONKey, doc.Encoding.Content)
	}
	enc, err := base64.StdEncoding.DecodeString(doc.Encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: encoded is not base64", ErrBadJSONKey)
	}
	plain := enc
	switch {
	case slices.Contains(doc.Encoding.Type, "xsalsa20-poly1305"):
		var key [32]byte
		if slices.Contains(doc.Encoding.Type, "scrypt") {
			if len(enc) < 44 {
				return nil, fmt.Errorf("%w: scrypt header truncated", ErrBadJSONKey)
			}
			salt := enc[:32]
			// polkadot-js stores N, p, r in this order, little-endian.
			n := binary.LittleEndian.Uint32(enc[32:36])
			p := binary.LittleEndian.Uint32(enc[36:40])
			r := binary.LittleEndian.Uint32(enc[40:44])
			// Bound the work an untrusted file can ask for (polkadot-js uses 2^15, 1, 8).
			if n > 1<<20 || p > 16 || r > 16 {
				return nil, fmt.Errorf("%w: scrypt parameters N=%d p=%d r=%d are out of range", ErrBadJSONKey, n, p, r)
			}
			k, err := scrypt.Key([]byte(passphrase), salt, int(n), int(r), int(p), 32)
			if err != nil {
				return nil, fmt.Errorf("%w: scrypt: %v", ErrBadJSONKey, err)
			}
			copy(key[:], k)
			enc = enc[44:]
		} else {
			copy(key[:], passphrase)
		}
		if len(enc) < 24+secretbox.Overhead {
			return nil, fmt.Errorf("%w: ciphertext truncated", ErrBadJSONKey)
		}
		var nonce [24]byte
		copy(nonce[:], enc[:24])
		var ok bool
		if plain, ok = secretbox.Open(nil, enc[24:], &nonce, &key); !ok {
			return nil, fmt.Errorf("%w for the JSON key; use the password it was exported with", ErrWrongPassword)
		}
	case slices.Contains(doc.Encoding.Type, "none"):
	default:
		return nil, fmt.Errorf("%w: encryption type %v", ErrBadJSONKey, doc.Encoding.Type)
	}
	want := len(pkcs8Header) + 64 + len(pkcs8Divider) + 32
	if len(plain) < want || !bytes.HasPrefix(plain, pkcs8Header) ||
		!bytes.Equal(plain[len(pkcs8Header)+64:len(pkcs8Header)+64+len(pkcs8Divider)], pkcs8Divider) {
		return nil, fmt.Errorf("%w: decrypted data is not a PKCS#8 sr25519 key", ErrBadJSONKey)
	}
	secret := [64]byte(plain[len(pkcs8Header) : len(pkcs8Header)+64])
	kp, err := keys.FromEd25519SecretKey(secret)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadJSONKey, err)
	}
	pub := plain[len(pkcs8Header)+64+len(pkcs8Divider):][:32]
	if got := kp.Public(); !bytes.Equal(pub, got[:]) {
		return nil, fmt.Errorf("%w: the secret does not match the public key in the file", ErrBadJSONKey)
	}
	if doc.Address != "" {
		if p, _, err := keys.DecodeSS58(doc.Address); err == nil && p != kp.Public() {
			return nil, fmt.Errorf("%w: address %s does not match the key", ErrBadJSONKey, doc.Address)
		}
	}
	return kp, nil
}
