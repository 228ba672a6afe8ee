package main

// Shared CLI plumbing for every btcli command: global flags, output as table or JSON,
// prompts that honour --no-prompt, wallet and password resolution, errors and exit codes.
//
// Adding a command group (say `stake`) in its own file cmd/btcli/stake.go:
//
//	func newStakeCmd(app *App) *cobra.Command {
//		cmd := &cobra.Command{Use: "stake", Aliases: []string{"st"}, Short: "..."}
//		cmd.AddCommand(&cobra.Command{
//			Use:  "add",
//			Args: noArgs,
//			RunE: func(cmd *cobra.Command, _ []string) error {
//				w, err := app.Wallet()            // --wallet.path/name/hotkey, BT_WALLET_* env
//				cold, err := app.Coldkey(w)       // asks or reads the password as configured
//				ok, err := app.Confirm("Do you want to continue?", true) // --no-prompt: true
//				return app.Print(result, func(t *Table) { t.Row("Netuid", "3") })
//			},
//		})
//		return cmd
//	}
//
// then add `root.AddCommand(newStakeCmd(app))` to newRootCmd in main.go. Flag names use
// dashes ("--n-words"); underscores are accepted too. Return errors, do not print them:
// run prints one line on stderr (and a JSON object on stdout with --json) and maps the
// error to an exit code (see exitCode); wrap a usage problem with usageErrorf.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

// Environment variables btcli reads (flags win over them).
const (
	EnvWalletPath     = "BT_WALLET_PATH"
	EnvWalletName     = "BT_WALLET_NAME"
	EnvWalletHotkey   = "BT_WALLET_HOTKEY"
	EnvWalletPassword = "BT_WALLET_PASSWORD" // plain password for the keyfile being unlocked or created
	EnvNetwork        = "BT_NETWORK"
	EnvChainEndpoint  = "BT_CHAIN_ENDPOINT"
)

// Exit codes. Scripts may rely on them; keep them stable.
const (
	ExitOK          = 0
	ExitError       = 1 // anything not below
	ExitUsage       = 2 // bad flags or arguments
	ExitAuth        = 3 // wrong or missing password
	ExitNotFound    = 4 // a keyfile or wallet does not exist
	ExitExists      = 5 // refused to overwrite an existing keyfile
	ExitInvalid     = 6 // a signature or other check came out false
	ExitInterrupted = 130
)

// App is the state every command shares: I/O streams, the environment and the global
// flags. Commands get it by closure (func newXCmd(app *App) *cobra.Command).
type App struct {
	In     io.Reader // prompts read here
	Out    io.Writer // results (tables, JSON)
	Err    io.Writer // prompts, warnings, errors
	Lookup func(string) (string, bool)

	// Global flags, after env fallbacks are applied (see resolve).
	JSON          bool
	NoPrompt      bool
	Network       string
	ChainEndpoint string
	WalletPath    string
	WalletName    string
	WalletHotkey  string
	PasswordFile  string

	br       *bufio.Reader
	prompter *wallet.Prompter
}

func newApp(in io.Reader, out, errOut io.Writer, lookup func(string) (string, bool)) *App {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return &App{In: in, Out: out, Err: errOut, Lookup: lookup}
}

// flagAliases maps other spellings (Bittensor's btcli, the Python SDK) to our flag names.
var flagAliases = map[string]string{
	"wallet-path": "wallet.path", "wallet_path": "wallet.path",
	"wallet-name": "wallet.name", "wallet_name": "wallet.name",
	"wallet-hotkey": "wallet.hotkey", "wallet_hotkey": "wallet.hotkey",
	"json-output": "json", "json-out": "json",
	"yes":                      "no-prompt",
	"subtensor.network":        "network",
	"subtensor.chain_endpoint": "chain-endpoint", "chain_endpoint": "chain-endpoint",
}

// normalizeFlag accepts aliases and underscores for dashes (except in dotted names, which
// are the Python SDK's own spellings).
func normalizeFlag(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	if canon, ok := flagAliases[name]; ok {
		return pflag.NormalizedName(canon)
	}
	if !strings.Contains(name, ".") {
		name = strings.ReplaceAll(name, "_", "-")
	}
	return pflag.NormalizedName(name)
}

// addGlobalFlags registers the persistent flags every command has.
func (a *App) addGlobalFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.BoolVar(&a.JSON, "json", false, "print machine-readable JSON on stdout (never mixed with prompts; combine with --no-prompt)")
	f.BoolVar(&a.NoPrompt, "no-prompt", false, "never ask: confirmations answer yes, missing input is an error (alias --yes)")
	f.StringVar(&a.Network, "network", "local", "network name (local, a name from ~/.gotensor/networks.json, or NAME with GOTENSOR_NETWORK_NAME=URL set) or endpoint URL [env "+EnvNetwork+"]")
	f.StringVar(&a.ChainEndpoint, "chain-endpoint", "", "chain RPC endpoint; overrides --network [env "+EnvChainEndpoint+"]")
	f.StringVar(&a.WalletPath, "wallet.path", "", "folder of all wallets (default "+wallet.DefaultRoot+") [env "+EnvWalletPath+"]")
	f.StringVar(&a.WalletName, "wallet.name", "", "wallet (coldkey) name (default \""+wallet.DefaultName+"\") [env "+EnvWalletName+"]")
	f.StringVar(&a.WalletHotkey, "wallet.hotkey", "", "hotkey name (default \""+wallet.DefaultHotkey+"\") [env "+EnvWalletHotkey+"]")
	f.StringVar(&a.PasswordFile, "password-file", "", "read keyfile passwords from this file (else "+EnvWalletPassword+", BT_PW_<path>, or a prompt)")
	root.SetGlobalNormalizationFunc(normalizeFlag)
}

// resolve applies env fallbacks to global flags the user did not set. It runs before
// every command (root PersistentPreRunE).
func (a *App) resolve(root *cobra.Command) {
	f := root.PersistentFlags()
	for _, e := range []struct {
		flag, env string
		dst       *string
	}{
		{"wallet.path", EnvWalletPath, &a.WalletPath},
		{"wallet.name", EnvWalletName, &a.WalletName},
		{"wallet.hotkey", EnvWalletHotkey, &a.WalletHotkey},
		{"network", EnvNetwork, &a.Network},
		{"chain-endpoint", EnvChainEndpoint, &a.ChainEndpoint},
	} {
		if f.Changed(e.flag) {
			continue
		}
		if v, ok := a.Lookup(e.env); ok && v != "" {
			*e.dst = v
		}
	}
}

// Wallet returns the wallet the flags and env name.
func (a *App) Wallet() (*wallet.Wallet, error) {
	w, err := wallet.New(wallet.Config{Path: a.WalletPath, Name: a.WalletName, Hotkey: a.WalletHotkey})
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return w, nil
}

// Passwords returns the password sources for unlocking keyfiles, in order: --password-file,
// BT_WALLET_PASSWORD, Bittensor's BT_PW_<path> (obfuscated or plain), then the prompt
// unless --no-prompt.
func (a *App) Passwords() []wallet.PasswordSource {
	var s []wallet.PasswordSource
	if a.PasswordFile != "" {
		s = append(s, wallet.PasswordFile(a.PasswordFile))
	}
	s = append(s, wallet.EnvPassword(EnvWalletPassword, a.Lookup), wallet.KeyfileEnvPassword(a.Lookup))
	if !a.NoPrompt {
		s = append(s, a.Prompter())
	}
	return s
}

// Coldkey unlocks the wallet's coldkey with Passwords.
func (a *App) Coldkey(w *wallet.Wallet) (*keys.Keypair, error) {
	if enc, err := w.ColdkeyFile().IsEncrypted(); err == nil && enc && !a.NoPrompt && !a.JSON {
		fmt.Fprintln(a.Err, "Decrypting coldkey (Argon2i, this takes a few seconds)...")
	}
	return w.Coldkey(a.Passwords()...)
}

// Hotkey unlocks the wallet's selected hotkey with Passwords.
func (a *App) Hotkey(w *wallet.Wallet) (*keys.Keypair, error) { return w.Hotkey(a.Passwords()...) }

// NewPassword returns the password to encrypt a new keyfile with: from --password-file or
// BT_WALLET_PASSWORD, else asked twice on the terminal. Either way it must pass
// wallet.CheckPassword.
func (a *App) NewPassword(what string) (string, error) {
	for _, src := range []wallet.PasswordSource{optionalFile(a.PasswordFile), wallet.EnvPassword(EnvWalletPassword, a.Lookup)} {
		if src == nil {
			continue
		}
		pws, err := src.Passwords("")
		if err != nil {
			return "", err
		}
		if len(pws) > 0 {
			if err := wallet.CheckPassword(pws[0]); err != nil {
				return "", fmt.Errorf("password from %s: %w", src.Name(), err)
			}
			return pws[0], nil
		}
	}
	if a.NoPrompt {
		return "", fmt.Errorf("%w: encrypting the %s needs a password; give --password-file or %s, or pass --no-password",
			wallet.ErrNoPassword, what, EnvWalletPassword)
	}
	fmt.Fprintf(a.Err, "Choose a password to encrypt the %s.\n", what)
	return a.Prompter().NewPassword()
}

func optionalFile(path string) wallet.PasswordSource {
	if path == "" {
		return nil
	}
	return wallet.PasswordFile(path)
}

func (a *App) isTerminal() bool {
	f, ok := a.In.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (a *App) lineReader() *bufio.Reader {
	if a.br == nil {
		a.br = bufio.NewReader(a.In)
	}
	return a.br
}

// Prompter returns the App's password prompter (on stderr), sharing the input stream with
// Confirm and Ask.
func (a *App) Prompter() *wallet.Prompter {
	if a.prompter == nil {
		in := a.In
		if !a.isTerminal() {
			in = a.lineReader()
		}
		a.prompter = &wallet.Prompter{In: in, Out: a.Err}
	}
	return a.prompter
}

// Confirm asks a yes/no question on stderr. With --no-prompt it does not ask and returns
// noPromptAnswer: pass true for "Do you want to continue?" (--no-prompt means yes) and false
// for destructive questions that need their own flag (such as --overwrite).
func (a *App) Confirm(question string, noPromptAnswer bool) (bool, error) {
	if a.NoPrompt {
		return noPromptAnswer, nil
	}
	fmt.Fprintf(a.Err, "%s (y/N): ", question)
	line, err := a.lineReader().ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("%w: no answer (input closed); use --no-prompt with the needed flags", errPrompt)
	}
	ans := strings.ToLower(strings.TrimSpace(line))
	return ans == "y" || ans == "yes", nil
}

var errPrompt = errors.New("cannot prompt")

// AskSecret asks for a secret (a mnemonic) without echo. With --no-prompt it is a usage
// error naming the flag to pass instead.
func (a *App) AskSecret(prompt, flag string) (string, error) {
	if a.NoPrompt {
		return "", usageErrorf("%s is required with --no-prompt", flag)
	}
	s, err := a.Prompter().Ask(prompt)
	if err != nil {
		return "", fmt.Errorf("%w; pass %s instead", err, flag)
	}
	return s, nil
}

// Infof prints a line for people on stderr; silent with --json.
func (a *App) Infof(format string, args ...any) {
	if !a.JSON {
		fmt.Fprintf(a.Err, format+"\n", args...)
	}
}

// Print writes a command's result: v as indented JSON with --json, else the table that
// human fills (nil human prints v as JSON too).
func (a *App) Print(v any, human func(t *Table)) error {
	if a.JSON || human == nil {
		enc := json.NewEncoder(a.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	t := &Table{w: tabwriter.NewWriter(a.Out, 0, 4, 2, ' ', 0)}
	human(t)
	return t.w.Flush()
}

// Table writes aligned columns for people.
type Table struct{ w *tabwriter.Writer }

// Row writes one row; cells are separated by tabs internally.
func (t *Table) Row(cells ...string) { fmt.Fprintln(t.w, strings.Join(cells, "\t")) }

// Line writes text that is not part of the columns (a title, a note).
func (t *Table) Line(format string, args ...any) {
	t.w.Flush()
	fmt.Fprintf(t.w, format+"\n", args...)
}

// usageError marks bad flags or arguments (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// invalidError marks a check that came out false, such as a bad signature (exit code 6).
// The command prints its result before returning it; with --json no error object follows.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }

// exitCode maps an error to btcli's exit code.
func exitCode(err error) int {
	var ue *usageError
	var ie *invalidError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ie):
		return ExitInvalid
	case errors.Is(err, wallet.ErrWrongPassword), errors.Is(err, wallet.ErrNoPassword), errors.Is(err, wallet.ErrWeakPassword):
		return ExitAuth
	case errors.Is(err, wallet.ErrKeyfileNotFound):
		return ExitNotFound
	case errors.Is(err, wallet.ErrKeyfileExists):
		return ExitExists
	case errors.Is(err, keys.ErrBadAddress), errors.Is(err, keys.ErrBadMnemonic), errors.Is(err, keys.ErrBadURI),
		errors.Is(err, wallet.ErrBadName), errors.Is(err, errPrompt):
		return ExitUsage
	}
	return ExitError
}

// printError writes err as one line on stderr and, with --json, as {"error": ...} on stdout.
func (a *App) printError(err error) {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	fmt.Fprintf(a.Err, "Error: %s\n", msg)
	var ie *invalidError
	if a.JSON && !errors.As(err, &ie) { // an invalid result was already printed as JSON
		enc := json.NewEncoder(a.Out)
		enc.Encode(map[string]any{"error": map[string]any{"message": msg, "exit_code": exitCode(err)}})
	}
}

// noArgs rejects positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q; see %s --help", cmd.CommandPath(), args, cmd.CommandPath())
	}
	return nil
}

// integer is the counts plural takes.
type integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// plural writes n with the noun in the form n needs: "1 neuron", "0 neurons", "2 neurons".
// many is the plural form; when empty it is one + "s".
func plural[T integer](n T, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	if many == "" {
		many = one + "s"
	}
	return fmt.Sprintf("%d %s", n, many)
}
