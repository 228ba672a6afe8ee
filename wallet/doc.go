// Package wallet stores Bittensor keys on disk exactly as Bittensor's wallet does
// (reference §1, SDK-SPEC "Wallet"), so a wallet made by either opens in the other.
//
// Layout under the root (default ~/.bittensor/wallets):
//
//	<name>/coldkey               full key pair, $NACL-encrypted by default
//	<name>/coldkeypub.txt        public key only, never encrypted
//	<name>/hotkeys/<hotkey>      full key pair, unencrypted by default
//	<name>/hotkeys/<hotkey>pub.txt
//
// Files are JSON (KeyfileData: accountId, publicKey, privateKey, secretPhrase, secretSeed,
// ss58Address), written 0600 in 0700 folders, atomically. Encrypted files are "$NACL" ‖
// nonce ‖ secretbox, keyed by Argon2i (libsodium's SENSITIVE limits, 512 MiB, fixed salt);
// Ansible Vault and the old Python wallet's Fernet files are read too.
//
// Use:
//
//	w, err := wallet.New(wallet.Config{Name: "miner", Hotkey: "h1"})
//	mnemonic, kp, err := w.CreateColdkey(12, wallet.KeyOptions{Password: pw})
//	cold, err := w.Coldkey(wallet.PasswordFile("/run/secrets/pw"), &wallet.Prompter{In: os.Stdin, Out: os.Stderr})
//	hot, err := w.Hotkey()        // hotkeys are normally unencrypted
//	addr, err := w.ColdkeyPub()   // no password needed
//
// Passwords come from PasswordSource values the caller chooses and orders: a fixed
// password, a password file, a plain environment variable, Bittensor's per-keyfile BT_PW_
// variable (obfuscated or plain), or a terminal prompt. The package reads no environment
// variable and no terminal by itself. Errors are sentinels (ErrWrongPassword, ErrNoPassword,
// ErrKeyfileNotFound, ErrKeyfileCorrupt, ErrKeyfileExists, ...) wrapped with the file's path
// and what to do; no input makes it panic.
//
// Unlocking a $NACL file costs about 512 MiB of memory and a few seconds of CPU, because
// that is what the format fixes; hotkeys of unattended miners are therefore unencrypted.
package wallet
