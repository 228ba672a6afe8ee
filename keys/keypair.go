package keys

import (
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	r255 "github.com/gtank/ristretto255"
)

// SignatureSize is the length of an sr25519 signature.
const SignatureSize = 64

// SecretKeySize is the length of schnorrkel's SecretKey::to_bytes form: a 32-byte scalar
// followed by a 32-byte nonce (the keyfile's privateKey, reference §1.2).
const SecretKeySize = 64

// signingContext is the sr25519 signing context of Substrate and Bittensor (reference §0).
var signingContext = []byte("substrate")

// ErrBadSecret is returned for secret key bytes that are not a valid sr25519 secret.
var ErrBadSecret = errors.New("keys: invalid secret key")

// Keypair is an sr25519 key pair. It always holds the secret; a public-only key is a
// PublicKey. A Keypair is immutable and safe for concurrent use. Its String and GoString
// print only the address, so a Keypair logged by mistake does not leak the secret.
type Keypair struct {
	pub    PublicKey
	secret [SecretKeySize]byte // scalar ‖ nonce, schnorrkel canonical form
	x      *r255.Scalar        // the secret scalar, decoded once for Sign
	ss58   string              // the address, encoded once: requests carry it

	seed    [32]byte // mini secret, when known
	hasSeed bool
	phrase  string // mnemonic, when the key is exactly FromMnemonic(phrase, "")
}

// FromSeed expands a 32-byte mini secret key in Ed25519 mode, as Substrate's
// Pair::from_seed and Bittensor's secretSeed (reference §1.3 step 4).
func FromSeed(seed [32]byte) (*Keypair, error) {
	mini, err := schnorrkel.NewMiniSecretKeyFromRaw(seed)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSecret, err)
	}
	var secret [SecretKeySize]byte
	scalar := mini.ExpandEd25519().Encode()
	copy(secret[:32], scalar[:])
	// ExpandEd25519 keeps the upper half of SHA-512(seed) as the nonce; go-schnorrkel has no
	// accessor for it, so recompute it.
	h := sha512.Sum512(seed[:])
	copy(secret[32:], h[32:])
	kp, err := fromSecret(secret)
	if err != nil {
		return nil, err
	}
	kp.seed, kp.hasSeed = seed, true
	return kp, nil
}

// FromSecretKey builds a key pair from schnorrkel's 64-byte SecretKey::to_bytes form (scalar
// ‖ nonce), the keyfile's privateKey.
func FromSecretKey(b [SecretKeySize]byte) (*Keypair, error) { return fromSecret(b) }

// FromEd25519SecretKey builds a key pair from schnorrkel's 64-byte "Ed25519" secret form
// (scalar multiplied by the cofactor ‖ nonce), which polkadot-js exports and older Python
// tooling (py-sr25519-bindings) stored.
func FromEd25519SecretKey(b [SecretKeySize]byte) (*Keypair, error) {
	sk := schnorrkel.NewSecretKeyFromEd25519Bytes(b)
	var secret [SecretKeySize]byte
	scalar := sk.Encode()
	copy(secret[:32], scalar[:])
	copy(secret[32:], b[32:])
	return fromSecret(secret)
}

func fromSecret(secret [SecretKeySize]byte) (*Keypair, error) {
	x := r255.NewScalar()
	if err := x.Decode(secret[:32]); err != nil { // the scalar is not canonical
		return nil, fmt.Errorf("%w: %v", ErrBadSecret, err)
	}
	var pub PublicKey
	r255.NewElement().ScalarBaseMult(x).Encode(pub[:0])
	return &Keypair{pub: pub, secret: secret, x: x, ss58: pub.SS58()}, nil
}

// FromMnemonic derives the key of a BIP39 mnemonic the Substrate way (reference §1.3):
// entropy → PBKDF2-SHA512("mnemonic"+password, 2048 rounds) → first 32 bytes as mini secret.
// Bittensor wallets never use a password; pass "".
func FromMnemonic(phrase, password string) (*Keypair, error) {
	seed64, err := SeedFromMnemonic(phrase, password)
	if err != nil {
		return nil, err
	}
	var seed [32]byte
	copy(seed[:], seed64[:32])
	kp, err := FromSeed(seed)
	if err != nil {
		return nil, err
	}
	if password == "" {
		// The phrase alone rebuilds this key only without a password; a keyfile reader
		// prefers secretPhrase, so never record it otherwise.
		kp.phrase, _ = NormalizeMnemonic(phrase)
	}
	return kp, nil
}

// Public returns the public key (the account id).
func (k *Keypair) Public() PublicKey { return k.pub }

// SS58 returns the address with prefix 42.
func (k *Keypair) SS58() string { return k.ss58 }

// String returns the SS58 address; the secret is never printed.
func (k Keypair) String() string { return k.ss58 }

// GoString returns a form for %#v that shows only the address.
func (k Keypair) GoString() string { return "keys.Keypair{" + k.ss58 + "}" }

// Seed returns the 32-byte mini secret if the key was built from one (a seed, a mnemonic, or
// a URI whose path has only hard junctions), as the keyfile's secretSeed.
func (k *Keypair) Seed() ([32]byte, bool) { return k.seed, k.hasSeed }

// Mnemonic returns the normalized phrase if the key is exactly FromMnemonic(phrase, ""),
// as the keyfile's secretPhrase.
func (k *Keypair) Mnemonic() (string, bool) { return k.phrase, k.phrase != "" }

// SecretKey returns schnorrkel's 64-byte secret (scalar ‖ nonce), the keyfile's privateKey.
func (k *Keypair) SecretKey() [SecretKeySize]byte { return k.secret }

func (k *Keypair) schnorrkel() *schnorrkel.SecretKey {
	var scalar, nonce [32]byte
	copy(scalar[:], k.secret[:32])
	copy(nonce[:], k.secret[32:])
	return schnorrkel.NewSecretKey(scalar, nonce)
}

// Sign returns a 64-byte sr25519 signature of msg with signing context "substrate".
// Signatures are randomized: two signatures of one message differ and both verify.
func (k *Keypair) Sign(msg []byte) ([]byte, error) { return sign(k.x, &k.pub, msg) }

// Verify reports whether sig is a valid sr25519 signature of msg by pub under the
// "substrate" signing context. Any input is safe: wrong lengths, non-canonical encodings and
// invalid points return false.
//
// Verify decodes pub each call; to check many signatures by one key, keep pub.Verifier()
// or use a VerifierCache.
func Verify(pub PublicKey, msg, sig []byte) bool {
	if len(sig) != SignatureSize {
		return false
	}
	v, err := pub.Verifier()
	if err != nil {
		return false
	}
	return v.Verify(msg, sig)
}

// VerifyWrapped is Verify, then, if that fails, Verify of "<Bytes>"+msg+"</Bytes>": the
// polkadot-js signRaw convention that Bittensor's Keypair.verify also accepts (reference
// §1.3). Use it for messages people sign with browser wallets, not for transactions.
func VerifyWrapped(pub PublicKey, msg, sig []byte) bool {
	if Verify(pub, msg, sig) {
		return true
	}
	wrapped := make([]byte, 0, len(msg)+len("<Bytes></Bytes>"))
	wrapped = append(wrapped, "<Bytes>"...)
	wrapped = append(wrapped, msg...)
	wrapped = append(wrapped, "</Bytes>"...)
	return Verify(pub, wrapped, sig)
}

// ParseSignature decodes a signature given as hex, with or without "0x".
func ParseSignature(s string) ([]byte, error) {
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("keys: signature is not hex: %w", err)
	}
	if len(b) != SignatureSize {
		return nil, fmt.Errorf("keys: signature has %d bytes, an sr25519 signature has %d", len(b), SignatureSize)
	}
	return b, nil
}
