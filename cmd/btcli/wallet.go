package main

import (
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

// newWalletCmd returns the `wallet` group with its offline commands. Chain commands
// (balance, transfer, overview) are attached by main.go from wallet_chain.go.
func newWalletCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "wallet",
		Aliases: []string{"w", "wallets"},
		Short:   "Create, restore, list and use wallets (coldkeys and hotkeys)",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		newWalletCreateCmd(app),
		newKeyCmd(app, coldkey, false),
		newKeyCmd(app, hotkey, false),
		newKeyCmd(app, coldkey, true),
		newKeyCmd(app, hotkey, true),
		newRegenPubCmd(app, coldkey),
		newRegenPubCmd(app, hotkey),
		newWalletListCmd(app),
		newWalletSignCmd(app),
		newWalletVerifyCmd(app),
	)
	return cmd
}

type keyKind int

const (
	coldkey keyKind = iota
	hotkey
)

func (k keyKind) String() string {
	if k == coldkey {
		return "coldkey"
	}
	return "hotkey"
}

// keyFlags are the flags of commands that write a key pair.
type keyFlags struct {
	nWords      int
	mnemonic    string
	seed        string
	uri         string
	jsonPath    string
	jsonPass    string
	usePassword bool
	noPassword  bool
	overwrite   bool
}

func (f *keyFlags) register(cmd *cobra.Command, kind keyKind, regen bool) {
	fl := cmd.Flags()
	if regen {
		fl.StringVar(&f.mnemonic, "mnemonic", "", "the mnemonic (12-24 words, quoted) to restore from")
		fl.StringVar(&f.seed, "seed", "", "the 32-byte seed (secretSeed) as 0x hex to restore from")
		fl.StringVar(&f.jsonPath, "json-path", "", "a polkadot-js JSON export to restore from (--json is the output flag)")
		fl.StringVar(&f.jsonPass, "json-password", "", "the JSON export's password (else asked)")
	} else {
		fl.IntVar(&f.nWords, "n-words", 12, "mnemonic length: 12, 15, 18, 21 or 24")
	}
	fl.StringVar(&f.uri, "uri", "", "a Substrate secret URI instead, e.g. //Alice (development keys only)")
	fl.BoolVar(&f.usePassword, "use-password", kind == coldkey, "encrypt the key file with a password")
	fl.BoolVar(&f.noPassword, "no-password", false, "write the key file unencrypted (same as --use-password=false)")
	fl.BoolVar(&f.overwrite, "overwrite", false, "replace existing key files without asking")
	cmd.MarkFlagsMutuallyExclusive("use-password", "no-password")
	if regen {
		cmd.MarkFlagsMutuallyExclusive("mnemonic", "seed", "json-path", "uri")
	}
}

func (f *keyFlags) encrypt() bool { return f.usePassword && !f.noPassword }

// keyFromFlags builds the key a regen command restores, asking for a mnemonic when no
// source flag is given.
func (app *App) keyFromFlags(f *keyFlags) (*keys.Keypair, error) {
	switch {
	case f.uri != "":
		return keyFromURI(f.uri)
	case f.seed != "":
		b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(f.seed), "0x"))
		if err != nil || len(b) != 32 {
			return nil, usageErrorf("--seed must be 0x followed by 64 hex digits (the keyfile's secretSeed)")
		}
		return keys.FromSeed([32]byte(b))
	case f.jsonPath != "":
		data, err := os.ReadFile(wallet.ExpandPath(f.jsonPath))
		if err != nil {
			return nil, fmt.Errorf("read --json-path file: %w", err)
		}
		pass := f.jsonPass
		if pass == "" {
			if pass, err = app.AskSecret("Enter the JSON export's password: ", "--json-password"); err != nil {
				return nil, err
			}
		}
		return wallet.KeypairFromPolkadotJSON(data, pass)
	}
	phrase := f.mnemonic
	if phrase == "" {
		var err error
		if phrase, err = app.AskSecret("Enter your mnemonic (words separated by spaces): ", "--mnemonic"); err != nil {
			return nil, err
		}
	}
	kp, err := keys.FromMnemonic(phrase, "")
	if err != nil {
		return nil, fmt.Errorf("%w; pass the 12-24 words in order, quoted as one argument", err)
	}
	return kp, nil
}

// keyFromURI accepts btcli's short form: "Alice" means "//Alice".
func keyFromURI(uri string) (*keys.Keypair, error) {
	if !strings.ContainsAny(uri, "/ ") && !strings.HasPrefix(uri, "0x") {
		uri = "//" + uri
	}
	return keys.FromURI(uri)
}

// keyResult is the JSON of a written key.
type keyResult struct {
	Kind      string `json:"kind"` // coldkey or hotkey
	Name      string `json:"name"` // wallet or hotkey name
	SS58      string `json:"ss58"`
	PublicKey string `json:"public_key"`
	Path      string `json:"path"`
	Encrypted bool   `json:"encrypted"`
	Mnemonic  string `json:"mnemonic,omitempty"`
}

func (app *App) keyFile(w *wallet.Wallet, kind keyKind) (key, pub *wallet.Keyfile) {
	if kind == coldkey {
		return w.ColdkeyFile(), w.ColdkeyPubFile()
	}
	return w.HotkeyFile(), w.HotkeyPubFile()
}

// allowOverwrite checks the target files: free, or --overwrite, or the user says yes.
func (app *App) allowOverwrite(overwrite bool, files ...*wallet.Keyfile) (bool, error) {
	if overwrite {
		return true, nil
	}
	for _, f := range files {
		if !f.Exists() {
			continue
		}
		ok, err := app.Confirm(fmt.Sprintf("File %s already exists. Overwrite?", f.Path()), false)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, fmt.Errorf("%w: %s; pass --overwrite to replace it (the old key is lost unless you have its mnemonic)",
				wallet.ErrKeyfileExists, f.Path())
		}
		return true, nil
	}
	return false, nil
}

// writeKey stores kp as the wallet's coldkey or hotkey, asking for a password if asked to
// encrypt.
func (app *App) writeKey(w *wallet.Wallet, kind keyKind, kp *keys.Keypair, f *keyFlags) (keyResult, error) {
	key, pub := app.keyFile(w, kind)
	overwrite, err := app.allowOverwrite(f.overwrite, key, pub)
	if err != nil {
		return keyResult{}, err
	}
	opts := wallet.KeyOptions{Overwrite: overwrite}
	if f.encrypt() {
		if opts.Password, err = app.NewPassword(kind.String()); err != nil {
			return keyResult{}, err
		}
	}
	if kind == coldkey {
		err = w.SetColdkey(kp, opts)
	} else {
		err = w.SetHotkey(kp, opts)
	}
	if err != nil {
		return keyResult{}, err
	}
	name := w.Name()
	if kind == hotkey {
		name = w.HotkeyName()
	}
	p := kp.Public()
	return keyResult{Kind: kind.String(), Name: name, SS58: p.SS58(), PublicKey: p.Hex(), Path: key.Path(), Encrypted: opts.Password != ""}, nil
}

// newKey makes a fresh mnemonic (or a URI key) and writes it.
func (app *App) newKey(w *wallet.Wallet, kind keyKind, f *keyFlags) (keyResult, error) {
	var kp *keys.Keypair
	var phrase string
	var err error
	if f.uri != "" {
		kp, err = keyFromURI(f.uri)
	} else {
		if phrase, err = keys.NewMnemonic(f.nWords); err != nil {
			return keyResult{}, usageErrorf("--n-words: %v", err)
		}
		kp, err = keys.FromMnemonic(phrase, "")
	}
	if err != nil {
		return keyResult{}, err
	}
	res, err := app.writeKey(w, kind, kp, f)
	res.Mnemonic = phrase
	return res, err
}

func printKeys(app *App, results ...keyResult) error {
	if app.JSON {
		if len(results) == 1 {
			return app.Print(results[0], nil)
		}
		return app.Print(map[string]any{"keys": results}, nil)
	}
	return app.Print(nil, func(t *Table) {
		for _, r := range results {
			enc := "unencrypted"
			if r.Encrypted {
				enc = "encrypted"
			}
			t.Line("%s %q written to %s (%s)", r.Kind, r.Name, r.Path, enc)
			t.Row("  address", r.SS58)
			t.Row("  public key", r.PublicKey)
			if r.Mnemonic != "" {
				t.Line("IMPORTANT: store this mnemonic in a secure (preferably offline) place; anyone who has it controls the %s.", r.Kind)
				t.Line("The mnemonic to the new %s is:\n\n  %s\n", r.Kind, r.Mnemonic)
				t.Line("You can use the mnemonic to recreate the key with `btcli wallet regen_%s` in case it gets lost.", r.Kind)
			}
		}
	})
}

func newWalletCreateCmd(app *App) *cobra.Command {
	var cold, hot keyFlags
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a new wallet: a coldkey (encrypted) and a hotkey (unencrypted)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := app.Wallet()
			if err != nil {
				return err
			}
			hot.nWords, hot.uri, hot.overwrite = cold.nWords, cold.uri, cold.overwrite
			c, err := app.newKey(w, coldkey, &cold)
			if err != nil {
				return err
			}
			h, err := app.newKey(w, hotkey, &hot)
			if err != nil {
				return fmt.Errorf("coldkey %s written, but hotkey: %w", c.SS58, err)
			}
			return printKeys(app, c, h)
		},
	}
	cold.register(cmd, coldkey, false)
	cmd.Flags().BoolVar(&hot.usePassword, "hotkey-use-password", false, "also encrypt the hotkey")
	return cmd
}

// newKeyCmd builds new_coldkey, new_hotkey, regen_coldkey and regen_hotkey.
func newKeyCmd(app *App, kind keyKind, regen bool) *cobra.Command {
	var f keyFlags
	verb, short := "new", "Create a new "+kind.String()+" from a fresh mnemonic"
	if regen {
		verb, short = "regen", "Restore the "+kind.String()+" from its mnemonic, seed, polkadot-js JSON or URI"
	}
	name := verb + "_" + kind.String()
	cmd := &cobra.Command{
		Use:     name,
		Aliases: []string{verb + "-" + kind.String()},
		Short:   short,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := app.Wallet()
			if err != nil {
				return err
			}
			var res keyResult
			if regen {
				kp, err := app.keyFromFlags(&f)
				if err != nil {
					return err
				}
				res, err = app.writeKey(w, kind, kp, &f)
				if err != nil {
					return err
				}
			} else if res, err = app.newKey(w, kind, &f); err != nil {
				return err
			}
			return printKeys(app, res)
		},
	}
	f.register(cmd, kind, regen)
	return cmd
}

func newRegenPubCmd(app *App, kind keyKind) *cobra.Command {
	var ss58, pubHex string
	var overwrite bool
	cmd := &cobra.Command{
		Use:     "regen_" + kind.String() + "pub",
		Aliases: []string{"regen-" + kind.String() + "pub"},
		Short:   "Write only the " + kind.String() + "'s public key file, to watch an address without its secret",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := ss58
			if pubHex != "" {
				in = pubHex
			}
			if in == "" {
				var err error
				if in, err = app.AskSecret("Enter the ss58 address or 0x public key: ", "--ss58 or --public-key"); err != nil {
					return err
				}
			}
			pub, err := keys.ParsePublicKeyOrSS58(in)
			if err != nil {
				return err
			}
			w, err := app.Wallet()
			if err != nil {
				return err
			}
			_, file := app.keyFile(w, kind)
			ok, err := app.allowOverwrite(overwrite, file)
			if err != nil {
				return err
			}
			if err := file.WritePublicKey(pub, ok); err != nil {
				return err
			}
			name := w.Name()
			if kind == hotkey {
				name = w.HotkeyName()
			}
			return printKeys(app, keyResult{Kind: kind.String() + "pub", Name: name, SS58: pub.SS58(), PublicKey: pub.Hex(), Path: file.Path()})
		},
	}
	cmd.Flags().StringVar(&ss58, "ss58", "", "the SS58 address (prefix 42)")
	cmd.Flags().StringVar(&pubHex, "public-key", "", "the public key as 0x hex")
	cmd.Flags().StringVar(&pubHex, "public-key-hex", "", "alias of --public-key")
	cmd.Flags().MarkHidden("public-key-hex")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing file without asking")
	cmd.MarkFlagsMutuallyExclusive("ss58", "public-key")
	return cmd
}

func newWalletListCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List wallets and their hotkeys under --wallet.path",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := app.Wallet()
			if err != nil {
				return err
			}
			list, err := wallet.List(w.Root())
			if err != nil {
				return err
			}
			return app.Print(map[string]any{"path": w.Root(), "wallets": list}, func(t *Table) {
				if len(list) == 0 {
					t.Line("No wallets in %s. Create one with `btcli wallet create`.", w.Root())
					return
				}
				t.Line("Wallets in %s", w.Root())
				for _, wi := range list {
					addr := wi.Coldkey
					if addr == "" {
						addr = "? (" + wi.Error + ")"
					}
					t.Row("Coldkey "+wi.Name, addr)
					for _, h := range wi.Hotkeys {
						addr := h.SS58
						switch {
						case addr != "":
						case h.Error != "":
							addr = "? (" + h.Error + ")"
						default:
							addr = "? (encrypted, no pub file)"
						}
						t.Row("  Hotkey "+h.Name, addr)
					}
				}
			})
		},
	}
}

// messageBytes returns the bytes sign and verify work on. As in Bittensor's
// Keypair.sign/verify, a message starting with 0x is hex and stands for the bytes it
// spells; it must then be valid hex (even length, 0-9a-fA-F), else it is refused rather
// than taken as text, which would sign or check other bytes than meant. With text set
// (--text) the message is always its UTF-8 text, 0x prefix included.
func messageBytes(msg string, text bool) ([]byte, error) {
	if text || !strings.HasPrefix(msg, "0x") {
		return []byte(msg), nil
	}
	b, err := hex.DecodeString(msg[2:])
	if err != nil {
		return nil, usageErrorf("the message %q starts with 0x, so it is read as hex bytes, but it is not valid hex (%v); "+
			"fix the hex, or pass --text to use the text itself, 0x included", msg, err)
	}
	return b, nil
}

// textFlagUsage documents --text for sign and verify.
const textFlagUsage = "take --message as text even when it starts with 0x (without it, a 0x message is hex bytes and must be valid hex)"

func newWalletSignCmd(app *App) *cobra.Command {
	var message string
	var useHotkey, text bool
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "Sign a message with the coldkey (or the hotkey with --use-hotkey)",
		Long: `Sign a message with the coldkey (or the hotkey with --use-hotkey). The signature is
sr25519 with signing context "substrate", as in Bittensor and Polkadot.

A message starting with 0x is hex, as in Bittensor: 0x68656c6c6f signs the five bytes
"hello". It must then be valid hex (an even number of 0-9a-f digits), else nothing is
signed. To sign text that starts with 0x as text, pass --text.`,
		Example: `  btcli wallet sign --message "I own this key"
  btcli wallet sign --message 0x68656c6c6f          # the bytes "hello"
  btcli wallet sign --message "0x is my prefix" --text`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := app.Wallet()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("message") {
				if app.NoPrompt {
					return usageErrorf("--message is required with --no-prompt")
				}
				fmt.Fprint(app.Err, "Enter the message to sign: ")
				line, err := app.lineReader().ReadString('\n')
				if err != nil && line == "" {
					return usageErrorf("no message given; pass --message")
				}
				message = strings.TrimRight(line, "\r\n")
			}
			msg, err := messageBytes(message, text)
			if err != nil {
				return err
			}
			var kp *keys.Keypair
			if useHotkey {
				kp, err = app.Hotkey(w)
			} else {
				kp, err = app.Coldkey(w)
			}
			if err != nil {
				return err
			}
			sig, err := kp.Sign(msg)
			if err != nil {
				return err
			}
			res := map[string]any{"message": message, "signature": hex.EncodeToString(sig), "signer": kp.SS58(),
				"key": map[bool]string{true: "hotkey", false: "coldkey"}[useHotkey]}
			return app.Print(res, func(t *Table) {
				t.Line("Message signed successfully!")
				t.Row("Signature:", hex.EncodeToString(sig))
				t.Row("Signer address:", kp.SS58())
			})
		},
	}
	cmd.Flags().StringVar(&message, "message", "", "the message: text, or 0x followed by hex, signed as those bytes (see --text)")
	cmd.Flags().BoolVar(&useHotkey, "use-hotkey", false, "sign with the hotkey instead of the coldkey")
	cmd.Flags().BoolVar(&text, "text", false, textFlagUsage)
	return cmd
}

func newWalletVerifyCmd(app *App) *cobra.Command {
	var message, signature, address string
	var text bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Verify a signature of a message by an address (exit code 6 if it does not verify)",
		Long: `Verify a signature of a message by an address; exit code 6 if it does not verify.
The message is read as by ` + "`btcli wallet sign`" + `: a message starting with 0x is hex bytes and
must be valid hex; --text takes it as text.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, r := range []struct{ flag, v string }{{"--message", message}, {"--signature", signature}, {"--address", address}} {
				if r.v == "" && !(r.flag == "--message" && cmd.Flags().Changed("message")) {
					return usageErrorf("%s is required", r.flag)
				}
			}
			pub, err := keys.ParsePublicKeyOrSS58(address)
			if err != nil {
				return err
			}
			sig, err := keys.ParseSignature(strings.TrimSpace(signature))
			if err != nil {
				return usageErrorf("--signature: %v", err)
			}
			msg, err := messageBytes(message, text)
			if err != nil {
				return err
			}
			valid := keys.VerifyWrapped(pub, msg, sig)
			if err := app.Print(map[string]any{"valid": valid, "message": message, "address": pub.SS58()}, func(t *Table) {
				if valid {
					t.Line("Signature is valid: %s signed this message.", pub.SS58())
				} else {
					t.Line("Signature is NOT valid for this message and address.")
				}
			}); err != nil {
				return err
			}
			if !valid {
				return &invalidError{msg: "signature does not verify; check the message (exact bytes), the address and the signature"}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&message, "message", "", "the signed message: text, or 0x followed by hex, taken as those bytes (see --text)")
	cmd.Flags().BoolVar(&text, "text", false, textFlagUsage)
	cmd.Flags().StringVar(&signature, "signature", "", "the signature as hex (with or without 0x)")
	cmd.Flags().StringVar(&address, "address", "", "the signer's SS58 address or 0x public key")
	return cmd
}
