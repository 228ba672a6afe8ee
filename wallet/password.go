package wallet

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"
)

// PasswordSource supplies passwords for encrypted keyfiles. The library never reads the
// environment or the terminal on its own: the caller (btcli, a miner's main) chooses the
// sources and their order.
type PasswordSource interface {
	// Passwords returns the passwords to try for the keyfile at path, best first. None means
	// this source has no password for the file and the next source is asked.
	Passwords(path string) ([]string, error)
	// Name says where the password came from, for error messages ("password file /p").
	Name() string
}

// retrier is implemented by interactive sources that may be asked again after a wrong
// password, at most MaxAttempts times in all.
type retrier interface{ MaxAttempts() int }

// unlock decrypts raw with the first source that has a password for path.
func unlock(path string, raw []byte, sources []PasswordSource) ([]byte, error) {
	for _, src := range sources {
		if src == nil {
			continue
		}
		attempts := 1
		if r, ok := src.(retrier); ok && r.MaxAttempts() > 1 {
			attempts = r.MaxAttempts()
		}
		for a := 0; a < attempts; a++ {
			pws, err := src.Passwords(path)
			if err != nil {
				return nil, fileError(path, err)
			}
			if len(pws) == 0 {
				break
			}
			for _, pw := range pws {
				plain, err := Decrypt(raw, pw)
				if err == nil {
					return plain, nil
				}
				if !errors.Is(err, ErrWrongPassword) {
					return nil, fileError(path, err)
				}
			}
			if a+1 < attempts {
				if p, ok := src.(*Prompter); ok {
					fmt.Fprintln(p.Out, "Wrong password, try again.")
				}
				continue
			}
			return nil, fmt.Errorf("%w for %s (%v, from %s); check the password, or use the one this key was encrypted with",
				ErrWrongPassword, path, DetectFormat(raw), src.Name())
		}
	}
	return nil, fmt.Errorf("%w: %s is encrypted; give a password (btcli: --password-file, BT_WALLET_PASSWORD, or drop --no-prompt to be asked)",
		ErrNoPassword, path)
}

type staticPassword string

// Password is a source with one fixed password.
func Password(pw string) PasswordSource { return staticPassword(pw) }

func (p staticPassword) Passwords(string) ([]string, error) { return []string{string(p)}, nil }
func (p staticPassword) Name() string                       { return "the given password" }

type passwordFile string

// PasswordFile reads the password from a file: its content without the trailing newline.
// A missing or unreadable file is an error, not a fall-through: the caller asked for it.
func PasswordFile(path string) PasswordSource { return passwordFile(ExpandPath(path)) }

func (p passwordFile) Passwords(string) ([]string, error) {
	b, err := os.ReadFile(string(p))
	if err != nil {
		return nil, fmt.Errorf("wallet: password file: %w", err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return nil, fmt.Errorf("wallet: password file %s is empty", string(p))
	}
	return []string{s}, nil
}
func (p passwordFile) Name() string { return "password file " + string(p) }

// LookupFunc looks up an environment variable; pass os.LookupEnv.
type LookupFunc func(name string) (string, bool)

type envPassword struct {
	name   string
	lookup LookupFunc
}

// EnvPassword reads a plain password from an environment variable (btcli uses
// BT_WALLET_PASSWORD). An unset or empty variable has no password.
func EnvPassword(name string, lookup LookupFunc) PasswordSource {
	return envPassword{name: name, lookup: lookup}
}

func (e envPassword) Passwords(string) ([]string, error) {
	if v, ok := e.lookup(e.name); ok && v != "" {
		return []string{v}, nil
	}
	return nil, nil
}
func (e envPassword) Name() string { return "environment variable " + e.name }

type keyfileEnvPassword struct{ lookup LookupFunc }

// KeyfileEnvPassword reads BT_PW_<PATH>, the per-keyfile variable of Bittensor's wallet
// (reference §1.6, see EnvVarName). Its value is tried in the obfuscated form Bittensor
// writes (see ObfuscatePassword) and then as a plain password, so both work (btwallet#150).
func KeyfileEnvPassword(lookup LookupFunc) PasswordSource { return keyfileEnvPassword{lookup} }

func (e keyfileEnvPassword) Passwords(path string) ([]string, error) {
	name := EnvVarName(path)
	v, ok := e.lookup(name)
	if !ok || v == "" {
		return nil, nil
	}
	var out []string
	if pw, err := DeobfuscatePassword(name, v); err == nil && pw != "" {
		out = append(out, pw)
	}
	return append(out, v), nil
}
func (e keyfileEnvPassword) Name() string { return "environment variable BT_PW_<keyfile path>" }

// EnvVarName is the Bittensor wallet's per-keyfile password variable: "BT_PW_" and the
// absolute path upper-cased with '/' and '.' replaced by '_'. For
// /home/u/.bittensor/wallets/w/coldkey it is BT_PW__HOME_U__BITTENSOR_WALLETS_W_COLDKEY.
func EnvVarName(path string) string {
	if abs, err := filepath.Abs(ExpandPath(path)); err == nil {
		path = abs
	}
	r := strings.NewReplacer("/", "_", ".", "_")
	return "BT_PW_" + strings.ToUpper(r.Replace(path))
}

// ObfuscatePassword encodes a password the way Bittensor stores it in BT_PW_ variables:
// base64(password XOR the variable name repeated). This hides nothing; it is not encryption.
func ObfuscatePassword(envVarName, password string) string {
	return base64.StdEncoding.EncodeToString(xorKey([]byte(password), envVarName))
}

// DeobfuscatePassword reverses ObfuscatePassword. It fails when value is not base64 or does
// not decode to printable UTF-8 (then it is probably a plain password).
func DeobfuscatePassword(envVarName, value string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return "", fmt.Errorf("wallet: %s is not base64", envVarName)
	}
	pw := xorKey(raw, envVarName)
	if !utf8.Valid(pw) || strings.IndexFunc(string(pw), func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", fmt.Errorf("wallet: %s does not decode to a printable password", envVarName)
	}
	return string(pw), nil
}

func xorKey(data []byte, key string) []byte {
	out := make([]byte, len(data))
	if key == "" {
		copy(out, data)
		return out
	}
	for i, b := range data {
		out[i] = b ^ key[i%len(key)]
	}
	return out
}

// Prompter asks for passwords on a terminal. When In is a terminal (*os.File) the input is
// not echoed; otherwise a line is read (so tests and pipes work); pass a *bufio.Reader to
// share one buffered stream with other readers. A Prompter is not safe for concurrent use.
type Prompter struct {
	In       io.Reader
	Out      io.Writer
	Attempts int // tries at a wrong password when unlocking; 0 means 3

	br *bufio.Reader
}

// MaxAttempts returns how often Keypair may ask again after a wrong password.
func (p *Prompter) MaxAttempts() int {
	if p.Attempts <= 0 {
		return 3
	}
	return p.Attempts
}

// Name implements PasswordSource.
func (p *Prompter) Name() string { return "the prompt" }

// Passwords asks for the password of the keyfile at path.
func (p *Prompter) Passwords(path string) ([]string, error) {
	pw, err := p.ask(fmt.Sprintf("Enter your password for %s: ", path))
	if err != nil {
		return nil, err
	}
	return []string{pw}, nil
}

// NewPassword asks for a new password twice and checks it with CheckPassword, asking again
// (up to MaxAttempts) when it is weak or the two differ.
func (p *Prompter) NewPassword() (string, error) {
	var last error
	for range p.MaxAttempts() {
		pw, err := p.ask("Specify password for key encryption: ")
		if err != nil {
			return "", err
		}
		if err := CheckPassword(pw); err != nil {
			fmt.Fprintln(p.Out, "Password not strong enough. Try increasing the length of the password or the password complexity.")
			last = err
			continue
		}
		again, err := p.ask("Retype your password: ")
		if err != nil {
			return "", err
		}
		if again != pw {
			fmt.Fprintln(p.Out, "Passwords do not match.")
			last = errors.New("wallet: passwords do not match")
			continue
		}
		return pw, nil
	}
	return "", last
}

// Ask prints prompt and reads one line, without echo on a terminal (for secrets such as a
// mnemonic), trimmed of surrounding space.
func (p *Prompter) Ask(prompt string) (string, error) { return p.ask(prompt) }

func (p *Prompter) ask(prompt string) (string, error) {
	out := p.Out
	if out == nil {
		out = io.Discard
	}
	fmt.Fprint(out, prompt)
	if f, ok := p.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(out)
		if err != nil {
			return "", fmt.Errorf("wallet: read password: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if p.In == nil {
		return "", fmt.Errorf("%w: no terminal to ask on", ErrNoPassword)
	}
	if p.br == nil {
		// Share a caller's bufio.Reader so prompts and other reads of one stream interleave.
		if br, ok := p.In.(*bufio.Reader); ok {
			p.br = br
		} else {
			p.br = bufio.NewReader(p.In)
		}
	}
	line, err := p.br.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%w: input ended before a password was typed", ErrNoPassword)
		}
		return "", fmt.Errorf("wallet: read password: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// CheckPassword applies the policy for new keyfile passwords: at least 6 characters (as
// Bittensor) and not made of one repeated character or a plain run such as "123456".
// Bittensor also scores passwords with the Rust passwords crate; this is a simpler stand-in.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < 6 {
		return fmt.Errorf("%w: %d characters, use at least 6", ErrWeakPassword, n)
	}
	distinct := map[rune]bool{}
	for _, r := range pw {
		distinct[r] = true
	}
	if len(distinct) < 3 {
		return fmt.Errorf("%w: use more than %d different characters", ErrWeakPassword, len(distinct))
	}
	lower := strings.ToLower(pw)
	for _, run := range []string{"01234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl"} {
		if strings.Contains(run, lower) {
			return fmt.Errorf("%w: a run of keyboard or alphabet characters is easy to guess", ErrWeakPassword)
		}
	}
	if strings.Contains(lower, "password") && n < 12 {
		return fmt.Errorf("%w: too easy to guess", ErrWeakPassword)
	}
	return nil
}
