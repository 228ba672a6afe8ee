package keys

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The well-known Substrate dev accounts (subkey inspect //Alice ...).
func TestDevAccounts(t *testing.T) {
	tests := []struct {
		uri, ss58 string
	}{
		{"//Alice", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"},
		{"//Bob", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"},
		{"//Charlie", "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"},
		{"//Dave", "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy"},
		{"//Eve", "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw"},
		{"//Ferdie", "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL"},
		// The dev phrase itself: sp_core DEV_ADDRESS.
		{DevPhrase, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"},
		{"", "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"},
		// Full-phrase and hex-seed spellings of //Alice. The seed is the dev phrase's mini
		// secret (schnorrkel-js hard_derives_pair vector).
		{DevPhrase + "//Alice", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"},
		{"0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e//Alice", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"},
		// Alice's secret seed as printed by subkey: a root with no path.
		{"0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"},
		// //Alice//stash: polkadot's dev stash account.
		{"//Alice//stash", "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			kp, err := FromURI(tt.uri)
			if err != nil {
				t.Fatal(err)
			}
			if got := kp.SS58(); got != tt.ss58 {
				t.Errorf("SS58 = %s, want %s", got, tt.ss58)
			}
			if _, ok := kp.Mnemonic(); ok {
				t.Error("a URI key records no mnemonic")
			}
		})
	}
}

// Vectors from polkadot-sdk substrate/primitives/core/src/sr25519.rs and schnorrkel-js.
func TestKnownPublicKeys(t *testing.T) {
	tests := []struct {
		name, uri, pubHex string
	}{
		{"sp_core derive_hard_known_pair", DevPhrase + "//Alice", "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"},
		{"sp_core derive_soft_known_pair", DevPhrase + "/Alice", "d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e"},
		{"sp_core default phrase soft", "/Alice", "d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e"},
		{"schnorrkel-js soft_derives_pair foo", DevPhrase + "/foo", "40b9675df90efa6069ff623b0fdfcf706cd47ca7452a5056c7ad58194d23440a"},
		{"schnorrkel-js from seed", "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e", "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a"},
		{"sp_core sr_test_vector", "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "44a996beb1eef7bdcab976ab6d2ca26104834164ecf28fb375600576fcc6eb0f"},
		{"sp_core seeded_pair", "0x" + hex.EncodeToString([]byte("12345678901234567890123456789012")), "741c08a06f41c596608f6774259bd9043304adfa5d3eea62760bd9be97634d63"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := FromURI(tt.uri)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(kp.pub[:]); got != tt.pubHex {
				t.Errorf("public = %s, want %s", got, tt.pubHex)
			}
		})
	}
}

func TestAliceSeed(t *testing.T) {
	kp, err := FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	seed, ok := kp.Seed()
	if !ok {
		t.Fatal("hard-only path should keep the seed")
	}
	if got := hex.EncodeToString(seed[:]); got != "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a" {
		t.Errorf("seed = %s", got)
	}
	soft, err := FromURI("//Alice/soft")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := soft.Seed(); ok {
		t.Error("a soft junction must drop the seed")
	}
	// The 64-byte secret rebuilds the same key (keyfile privateKey path).
	again, err := FromSecretKey(soft.SecretKey())
	if err != nil {
		t.Fatal(err)
	}
	if again.Public() != soft.Public() {
		t.Error("FromSecretKey(SecretKey()) changed the key")
	}
	// Derivation is deterministic, nonce included.
	soft2, _ := FromURI("//Alice/soft")
	if soft.SecretKey() != soft2.SecretKey() {
		t.Error("soft derivation is not reproducible")
	}
}

func TestURIPasswordAndDefaults(t *testing.T) {
	// sp_core default_phrase_should_be_used.
	a, err := FromURI("//Alice///password")
	if err != nil {
		t.Fatal(err)
	}
	root, err := FromMnemonic(DevPhrase, "password")
	if err != nil {
		t.Fatal(err)
	}
	b, err := root.Derive("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	if a.Public() != b.Public() {
		t.Error("//Alice///password differs from DevPhrase with password then //Alice")
	}
	plain, _ := FromURI("//Alice")
	if a.Public() == plain.Public() {
		t.Error("the password changed nothing")
	}
	if _, ok := root.Mnemonic(); ok {
		t.Error("a key with a BIP39 password must not record its phrase")
	}
}

func TestSoftPublicDerivation(t *testing.T) {
	// schnorrkel-js soft_derives_public.
	pub := PublicKey(mustHex(t, "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a"))
	got, err := pub.DeriveSoft("/foo")
	if err != nil {
		t.Fatal(err)
	}
	if want := "40b9675df90efa6069ff623b0fdfcf706cd47ca7452a5056c7ad58194d23440a"; hex.EncodeToString(got[:]) != want {
		t.Errorf("DeriveSoft = %x, want %s", got, want)
	}
	// Secret and public soft derivation agree over several steps.
	alice, _ := FromURI("//Alice")
	kp, err := alice.Derive("/1/two/3")
	if err != nil {
		t.Fatal(err)
	}
	p, err := alice.Public().DeriveSoft("/1/two/3")
	if err != nil {
		t.Fatal(err)
	}
	if p != kp.Public() {
		t.Error("public soft derivation differs from secret soft derivation")
	}
	if _, err := alice.Public().DeriveSoft("//hard"); !errors.Is(err, ErrBadURI) {
		t.Errorf("hard junction on a public key: err = %v, want ErrBadURI", err)
	}
}

func TestJunctionChainCode(t *testing.T) {
	long := strings.Repeat("x", 40)
	tests := []struct {
		code, want string
	}{
		{"Alice", "14416c6963650000000000000000000000000000000000000000000000000000"},
		{"foo", "0c666f6f00000000000000000000000000000000000000000000000000000000"},
		{"0", strings.Repeat("00", 32)},
		{"258", "0201" + strings.Repeat("00", 30)},
		{"+1", "01" + strings.Repeat("00", 31)},
		{"18446744073709551616", ""}, // u64 overflow: a string; length 20 → compact 0x50
		{long, ""},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			j := NewJunction(tt.code, true)
			got := hex.EncodeToString(j.ChainCode[:])
			switch tt.code {
			case "18446744073709551616":
				if !strings.HasPrefix(got, "50"+hex.EncodeToString([]byte(tt.code))) {
					t.Errorf("chain code = %s", got)
				}
			case long:
				// 1-byte compact length (40<<2 = 0xa0) plus 40 bytes > 32: hashed.
				data := append([]byte{0xa0}, long...)
				if bytes.Contains(j.ChainCode[:], data[:8]) {
					t.Errorf("long junction was not hashed: %s", got)
				}
			default:
				if got != tt.want {
					t.Errorf("chain code = %s, want %s", got, tt.want)
				}
			}
		})
	}
}

func TestCompact(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "00"}, {1, "04"}, {63, "fc"}, {64, "0101"}, {16383, "fdff"}, {16384, "02000100"},
		{1<<30 - 1, "feffffff"}, {1 << 30, "0300000040"}, {1<<64 - 1, "13ffffffffffffffff"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(appendCompact(nil, tt.n)); got != tt.want {
			t.Errorf("compact(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
}

func TestBadURI(t *testing.T) {
	for _, uri := range []string{
		"//", "//Alice//", "//Alice/", "0x1234//Alice", "0xzz", "bad-phrase//Alice",
		"0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e///pw",
		"not a real mnemonic at all//Alice",
	} {
		if _, err := FromURI(uri); err == nil {
			t.Errorf("FromURI(%q) succeeded", uri)
		}
	}
}

func TestSignVerify(t *testing.T) {
	kp, err := FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("hello bittensor")
	sig, err := kp.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) != SignatureSize {
		t.Fatalf("signature has %d bytes", len(sig))
	}
	if !Verify(kp.Public(), msg, sig) {
		t.Fatal("own signature does not verify")
	}
	bob, _ := FromURI("//Bob")
	bad := bytes.Clone(sig)
	bad[5] ^= 1
	for name, ok := range map[string]bool{
		"other message": Verify(kp.Public(), []byte("hello bittensor!"), sig),
		"other key":     Verify(bob.Public(), msg, sig),
		"flipped bit":   Verify(kp.Public(), msg, bad),
		"short":         Verify(kp.Public(), msg, sig[:63]),
		"long":          Verify(kp.Public(), msg, append(bytes.Clone(sig), 0)),
		"nil":           Verify(kp.Public(), msg, nil),
		"zero key":      Verify(PublicKey{}, msg, sig),
		"zero sig":      Verify(kp.Public(), msg, make([]byte, 64)),
		"ones":          Verify(PublicKey(bytes.Repeat([]byte{0xff}, 32)), msg, bytes.Repeat([]byte{0xff}, 64)),
	} {
		if ok {
			t.Errorf("%s: verified", name)
		}
	}
	// Signatures made by Rust schnorrkel / polkadot-js verify here.
	known := []struct {
		name, pub, msg, sig string
		wrapped             bool
	}{
		{"sr25519-bindings can_verify_known_message", "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
			"I hereby verify that I control 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
			"1037eb7e51613d0dcf5930ae518819c87d655056605764840d9280984e1b7063c4566b55bf292fcab07b369d01095879b50517beca4d26e6a65866e25fec0d83", false},
		{"polkadot-js signRaw wrapped", "f84d048da2ddae2d9d8fd6763f469566e8817a26114f39408de15547f6d47805",
			"message to sign",
			"48ce2c90e08651adfc8ecef84e916f6d1bb51ebebd16150ee12df247841a5437951ea0f9d632ca165e6ab391532e75e701be6a1caa88c8a6bcca3511f55b4183", true},
	}
	for _, k := range known {
		pub, sig := PublicKey(mustHex(t, k.pub)), mustHex(t, k.sig)
		if got := Verify(pub, []byte(k.msg), sig); got == k.wrapped {
			t.Errorf("%s: Verify = %v, want %v", k.name, got, !k.wrapped)
		}
		if !VerifyWrapped(pub, []byte(k.msg), sig) {
			t.Errorf("%s: VerifyWrapped = false", k.name)
		}
	}
	// sp_core verify_known_old_message: a pre-audit (0.1.x) signature must not verify.
	old := mustHex(t, "5a9755f069939f45d96aaf125cf5ce7ba1db998686f87f2fb3cbdea922078741a73891ba265f70c31436e18a9acd14d189d73c12317ab6c313285cd938453202")
	if Verify(PublicKey(mustHex(t, "b4bfa1f7a5166695eb75299fd1c4c03ea212871c342f2c5dfea0902b2c246918")),
		[]byte("Verifying that I am the owner of 5G9hQLdsKQswNPgB499DeA5PkFBbgkLPJWkkS6FAM6xGQ8xD. Hash: 221455a3\n"), old) {
		t.Error("deprecated signature verified")
	}
}

// Our Ed25519 expansion matches go-schnorrkel's, nonce included (checked via its ed25519
// byte form round trip).
func TestExpansionMatchesSchnorrkel(t *testing.T) {
	for i := range 20 {
		var seed [32]byte
		for j := range seed {
			seed[j] = byte(i*31 + j*7)
		}
		kp, err := FromSeed(seed)
		if err != nil {
			t.Fatal(err)
		}
		mini, _ := schnorrkel.NewMiniSecretKeyFromRaw(seed)
		if got, want := kp.Public(), PublicKey(mini.Public().Encode()); got != want {
			t.Fatalf("seed %d: public %x, schnorrkel %x", i, got, want)
		}
		sec := kp.SecretKey()
		scalar := mini.ExpandEd25519().Encode()
		if !bytes.Equal(sec[:32], scalar[:]) {
			t.Fatalf("seed %d: scalar differs", i)
		}
	}
}

func TestFromEd25519SecretKey(t *testing.T) {
	kp, _ := FromURI("//Alice")
	sec := kp.SecretKey()
	// Multiply the scalar by the cofactor 8: shift left three bits, little-endian.
	var ed [64]byte
	var carry byte
	for i := range 32 {
		ed[i] = sec[i]<<3 | carry
		carry = sec[i] >> 5
	}
	copy(ed[32:], sec[32:])
	again, err := FromEd25519SecretKey(ed)
	if err != nil {
		t.Fatal(err)
	}
	if again.Public() != kp.Public() || again.SecretKey() != sec {
		t.Error("Ed25519-form secret does not round-trip")
	}
}

func TestFromSecretKeyRejectsNonCanonical(t *testing.T) {
	var b [64]byte
	for i := range 32 {
		b[i] = 0xff
	}
	if _, err := FromSecretKey(b); !errors.Is(err, ErrBadSecret) {
		t.Errorf("err = %v, want ErrBadSecret", err)
	}
}

func TestKeypairDoesNotPrintSecret(t *testing.T) {
	kp, _ := FromURI("//Alice")
	sec := kp.SecretKey()
	for _, s := range []string{fmt.Sprint(kp), fmt.Sprintf("%v %+v %#v %s", kp, kp, kp, kp)} {
		if strings.Contains(s, hex.EncodeToString(sec[:8])) || strings.Contains(s, fmt.Sprint(sec[0], " ", sec[1])) {
			t.Errorf("secret printed: %s", s)
		}
		if !strings.Contains(s, kp.SS58()) {
			t.Errorf("address missing: %s", s)
		}
	}
}

func TestParseSignature(t *testing.T) {
	sig := strings.Repeat("ab", 64)
	for _, s := range []string{sig, "0x" + sig} {
		if b, err := ParseSignature(s); err != nil || len(b) != 64 {
			t.Errorf("ParseSignature(%q) = %d bytes, %v", s[:6], len(b), err)
		}
	}
	for _, s := range []string{"", "0x", "zz", sig[:126], sig + "00"} {
		if _, err := ParseSignature(s); err == nil {
			t.Errorf("ParseSignature(%q) succeeded", s)
		}
	}
}
