// Package keys holds Bittensor's account cryptography: sr25519 key pairs (schnorrkel, signing
// context "substrate"), SS58 addresses with prefix 42, Substrate-style BIP39 mnemonics and
// Substrate derivation paths, as ARCHITECTURE.md decision 4 and reference §1.3–1.4 describe.
// A mnemonic made by Bittensor's wallet gives the same address here.
//
// Addresses:
//
//	pub, err := keys.ParseSS58("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
//	// errors.Is(err, keys.ErrBadChecksum), keys.ErrWrongPrefix, keys.ErrBadAddress
//	fmt.Println(pub.SS58(), pub.Hex())
//
// Keys:
//
//	phrase, _ := keys.NewMnemonic(12)
//	kp, _ := keys.FromMnemonic(phrase, "")  // as `btcli wallet regen_coldkey --mnemonic`
//	alice, _ := keys.FromURI("//Alice")      // the well-known dev account
//	sig, _ := kp.Sign(msg)
//	ok := keys.Verify(kp.Public(), msg, sig)
//
// A mnemonic becomes a key the Substrate way, not the BIP32 way: the phrase's entropy (not
// its BIP39 seed) goes through PBKDF2-HMAC-SHA512 with salt "mnemonic"+password, 2048 rounds;
// the first 32 bytes are the mini secret key, expanded in schnorrkel's Ed25519 mode.
//
// Derivation follows sp_core: "//x" is a hard junction (a new mini secret from the parent
// secret and the junction's chain code), "/x" a soft one (public derivation works too, see
// PublicKey.DeriveSoft). A junction's chain code is the SCALE encoding of its text (u64
// little-endian when it is a number), zero-padded to 32 bytes or BLAKE2b-256-hashed when
// longer.
//
// Signatures are randomized schnorrkel signatures; Verify never panics and takes any input.
// A server that checks many signatures by the same keys keeps each key decoded:
// pub.Verifier() for one key, a VerifierCache (bounded) for its callers.
// A Keypair never prints its secret (String and GoString show the address).
package keys
