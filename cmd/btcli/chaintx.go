package main

// Helpers shared by the commands that read subnets or submit calls (subnets.go,
// sudo.go, axon.go, wallet_identity.go). Every submitting command follows the transfer
// command in wallet_chain.go:
//
//  1. parse and check flags (usage errors, before any connection);
//  2. read what the chain knows and refuse early what it would refuse (unknown subnet,
//     not the owner, balance below cost + fee), saying what to do;
//  3. show what will happen, the cost and the exact fee, and ask (--no-prompt: yes);
//  4. unlock the key, submit, wait for the block behind a spinner (submit);
//  5. print the result from the receipt's events (a table, or JSON with --json).
//
// Whatever the chain refuses that step 2 could not see arrives as a *client.ChainError
// whose text already names the error, the facts and the way out.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

// Event types and attributes the chain emits (chain/subnets, chain/neurons,
// chain/registration); subnets_test.go checks them against the chain's constants.
const (
	evNetworkAdded      = "subnets.NetworkAdded"      // netuid, owner, owner_hotkey, lock
	evNetworkRemoved    = "subnets.NetworkRemoved"    // netuid, reason, tao_refunded, tao_recycled, stakers
	evStartCalled       = "subnets.StartCalled"       // netuid, first_emission_block
	evHyperparameterSet = "subnets.HyperparameterSet" // netuid, name, value
	evParameterSet      = "subnets.ParameterSet"      // name, value
	evBurned            = "registration.Burned"       // netuid, uid, tao, alpha_burned, fee
	evNeuronReplaced    = "neurons.NeuronReplaced"    // netuid, uid, old_hotkey, hotkey, old_registered_at, old_emission, immune, reason
	evAxonServed        = "neurons.AxonServed"        // netuid, hotkey, endpoint
)

// errCancelled is returned when the user answers no.
var errCancelled = errors.New("cancelled; nothing was submitted")

// txInfo is what every submitting command reports about its transaction.
type txInfo struct {
	Fee   uint64 `json:"fee_rao,string"`
	Hash  string `json:"tx_hash"`
	Block int64  `json:"block"`
}

func newTxInfo(fee uint64, r *client.Receipt) txInfo {
	return txInfo{Fee: fee, Hash: r.Hash, Block: r.Height}
}

// netuidFlag registers --netuid.
func netuidFlag(cmd *cobra.Command, p *uint16) {
	cmd.Flags().Uint16Var(p, "netuid", 0, "subnet netuid (see btcli subnets list)")
}

// requireNetuid is a usage error unless --netuid was given.
func requireNetuid(cmd *cobra.Command) error {
	if !cmd.Flags().Changed("netuid") {
		return usageErrorf("--netuid is required; see `btcli subnets list` for the netuids")
	}
	return nil
}

// isNotFound reports a query the chain answered with "not found".
func isNotFound(err error) bool {
	var ce *client.ChainError
	return errors.As(err, &ce) && ce.Codespace == "query" && ce.Code == api.QueryCodeNotFound
}

// subnet reads one subnet, turning "not found" into a message that says what to do.
func subnet(ctx context.Context, c *client.Client, netuid uint16) (api.Subnet, error) {
	s, err := c.Subnet(ctx, netuid)
	if isNotFound(err) {
		return s, fmt.Errorf("subnet %d does not exist; see `btcli subnets list`", netuid)
	}
	return s, err
}

// submit signs call with kp, waits for its block behind a spinner and returns the
// receipt; what says what was being done, for the error ("register on subnet 3").
func (a *App) submit(ctx context.Context, c *client.Client, kp *keys.Keypair, call *txpb.Call, what string) (*client.Receipt, error) {
	var r *client.Receipt
	err := a.spin("waiting for the block...", func() (err error) {
		r, err = c.Submit(ctx, kp, call, client.SubmitOptions{Wait: client.WaitFinal})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}

// confirmAndSubmit asks question over summary (see confirm), then signs call
// with w's coldkey, unlocked only after a yes, and submits it, waiting for
// the block (see submit); what names the action in errors.
func (a *App) confirmAndSubmit(ctx context.Context, c *client.Client, w *wallet.Wallet, call *txpb.Call, what, question string, summary ...[2]string) (*client.Receipt, error) {
	if err := a.confirm(question, summary...); err != nil {
		return nil, err
	}
	kp, err := a.Coldkey(w)
	if err != nil {
		return nil, err
	}
	return a.submit(ctx, c, kp, call, what)
}

// outsideSafeMode refuses, before the question, a call the chain refuses while safe mode
// is on (SafeModeActive: every call but governance and the sudo calls); what names the
// call. When the node cannot tell, the chain decides as before.
func outsideSafeMode(ctx context.Context, c *client.Client, what string) error {
	gp, err := c.GovernanceParams(ctx)
	if err != nil || !gp.SafeMode {
		return nil
	}
	return fmt.Errorf("SafeModeActive: the chain is in safe mode, so %s is paused until the sudo key (`btcli sudo safe-mode off`) or a governance proposal (`btcli gov propose --safe-mode off`) turns it off; `btcli gov params` shows it", what)
}

// confirm shows the summary (label, value pairs) on stderr and asks question. With
// --json --no-prompt nothing is shown; with --json alone the summary still comes before
// the question, since nobody should answer without the cost.
func (a *App) confirm(question string, summary ...[2]string) error {
	width := 0
	for _, kv := range summary {
		width = max(width, len(kv[0]))
	}
	if !a.JSON || !a.NoPrompt {
		for _, kv := range summary {
			fmt.Fprintf(a.Err, "%-*s  %s\n", width+1, kv[0]+":", kv[1])
		}
	}
	ok, err := a.Confirm(question, true)
	if err != nil {
		return err
	}
	if !ok {
		return errCancelled
	}
	return nil
}

// feeCovered estimates call's fee for cold and checks cold's free balance
// pays it (see funds), for calls that move no other TAO.
func feeCovered(ctx context.Context, c *client.Client, cold keys.PublicKey, call *txpb.Call) (uint64, error) {
	fee, err := c.EstimateFee(ctx, cold, call, client.SubmitOptions{})
	if err != nil {
		return 0, err
	}
	if _, err := funds(ctx, c, cold.SS58(), 0, "", fee, "fund the coldkey"); err != nil {
		return 0, err
	}
	return fee, nil
}

// funds reads addr's account and checks it can pay cost plus fee; way says what to do
// when it cannot.
func funds(ctx context.Context, c *client.Client, addr string, cost uint64, what string, fee uint64, way string) (api.Account, error) {
	acct, err := c.Account(ctx, addr)
	if err != nil {
		return acct, err
	}
	need := cost + fee
	if need < cost || acct.Free < need {
		if cost == 0 {
			return acct, fmt.Errorf("balance %s of %s cannot cover the fee %s; %s", formatTAO(acct.Free), addr, formatTAO(fee), way)
		}
		return acct, fmt.Errorf("balance %s of %s cannot cover %s %s plus the fee %s; %s",
			formatTAO(acct.Free), addr, what, formatTAO(cost), formatTAO(fee), way)
	}
	return acct, nil
}

// balanceAfter reads addr's free balance after a transaction (0 if the read fails: the
// transaction itself succeeded).
func balanceAfter(ctx context.Context, c *client.Client, addr string) uint64 {
	acct, err := c.Account(ctx, addr)
	if err != nil {
		return 0
	}
	return acct.Free
}

// attrU64 reads a numeric event attribute (0 when absent).
func attrU64(ev map[string]string, key string) uint64 {
	v, _ := strconv.ParseUint(ev[key], 10, 64)
	return v
}

// formatAlpha renders alpha RAO with the α sign.
func formatAlpha(rao uint64) string { return "α" + strings.TrimPrefix(formatTAO(rao), "τ") }

// formatPrice shortens a decimal price string to at most 9 decimals.
func formatPrice(s string) string {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok {
		return s
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// short abbreviates an SS58 address for tables ("5Grwva…utQY").
func short(addr string) string {
	if len(addr) <= 12 {
		return addr
	}
	return addr[:6] + "…" + addr[len(addr)-4:]
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// limitedField is an identity field with its byte limit (reference §3.1:
// SubnetIdentityV3 and ChainIdentityV2). The chain checks the same limits; checking
// here refuses before anything is signed and names the flag.
type limitedField struct {
	flag  string
	value *string
	max   int
}

// identityFlags registers string flags and remembers which were given.
type identityFlags struct {
	cmd    *cobra.Command
	fields []limitedField
}

func (f *identityFlags) add(name string, p *string, limit int, usage string, aliases ...string) {
	f.cmd.Flags().StringVar(p, name, "", fmt.Sprintf("%s (at most %d bytes)", usage, limit))
	for _, a := range aliases {
		f.cmd.Flags().StringVar(p, a, "", "alias of --"+name)
		f.cmd.Flags().MarkHidden(a)
	}
	f.fields = append(f.fields, limitedField{name, p, limit})
}

// given reports whether --name or one of its aliases was set.
func (f *identityFlags) given(name string) bool {
	if f.cmd.Flags().Changed(name) {
		return true
	}
	for _, a := range identityAliases[name] {
		if f.cmd.Flags().Changed(a) {
			return true
		}
	}
	return false
}

// identityAliases are Bittensor btcli's spellings of our identity flags.
var identityAliases = map[string][]string{
	"discord":    {"discord-handle"},
	"additional": {"additional-info"},
}

// anyGiven reports whether at least one identity flag was set.
func (f *identityFlags) anyGiven() bool {
	for _, fl := range f.fields {
		if f.given(fl.flag) {
			return true
		}
	}
	return false
}

// check applies the byte limits to the given flags.
func (f *identityFlags) check() error {
	for _, fl := range f.fields {
		if n := len(*fl.value); f.given(fl.flag) && n > fl.max {
			return usageErrorf("--%s is %d bytes; the limit is %d (the chain refuses it as InvalidIdentity)", fl.flag, n, fl.max)
		}
	}
	return nil
}

// merge sets each field to its flag's value when given, else keeps cur's.
func (f *identityFlags) merge(cur map[string]string) map[string]string {
	out := map[string]string{}
	for _, fl := range f.fields {
		out[fl.flag] = cur[fl.flag]
		if f.given(fl.flag) {
			out[fl.flag] = *fl.value
		}
	}
	return out
}

// coldkeyClient opens what a coldkey-signed command needs before it asks
// anything: the wallet (its key is unlocked only after the confirmation),
// the coldkey's public key (no password), and a chain client the caller
// closes.
func (a *App) coldkeyClient(ctx context.Context) (*wallet.Wallet, keys.PublicKey, *client.Client, error) {
	w, err := a.Wallet()
	if err != nil {
		return nil, keys.PublicKey{}, nil, err
	}
	cold, err := signingColdkey(w)
	if err != nil {
		return nil, keys.PublicKey{}, nil, err
	}
	c, err := a.Client(ctx)
	if err != nil {
		return nil, keys.PublicKey{}, nil, err
	}
	return w, cold, c, nil
}

// signingColdkey returns the coldkey's address for a command that signs with the
// coldkey, after checking that the wallet has a coldkey to sign with. A watch-only
// wallet (coldkeypub.txt only) is told so here, before any preview or question, and not
// after the confirmation. The password is still asked only after the confirmation: an
// encrypted coldkey is not opened here.
func signingColdkey(w *wallet.Wallet) (keys.PublicKey, error) {
	pub, err := w.ColdkeyPub()
	if err != nil {
		return keys.PublicKey{}, err
	}
	return pub, canSign(w.ColdkeyFile(), pub, fmt.Sprintf("wallet %q is watch-only: it has the coldkey's address %s (coldkeypub.txt)", w.Name(), pub.SS58()),
		fmt.Sprintf("restore the coldkey with `btcli wallet regen_coldkey --wallet.name %s` (from its mnemonic, seed or JSON export), or run the command where the coldkey is", w.Name()))
}

// signingHotkey is signingColdkey for commands the hotkey signs (weights, axon serve,
// commitments): it checks the hotkey file can sign before anything is asked.
func signingHotkey(w *wallet.Wallet) (keys.PublicKey, error) {
	pub, err := w.HotkeyPub()
	if err != nil {
		return keys.PublicKey{}, err
	}
	return pub, canSign(w.HotkeyFile(), pub, fmt.Sprintf("wallet %q knows the hotkey's address %s", w.Name(), pub.SS58()),
		fmt.Sprintf("restore the hotkey with `btcli wallet regen_hotkey --wallet.name %s --wallet.hotkey %s`, or run the command where the hotkey is", w.Name(), w.HotkeyName()))
}

// canSign reports an error unless f exists and holds a secret key; an encrypted file is
// not opened (its password is asked only after the confirmation).
func canSign(f *wallet.Keyfile, pub keys.PublicKey, what, restore string) error {
	raw, err := f.ReadRaw()
	if errors.Is(err, wallet.ErrKeyfileNotFound) {
		return fmt.Errorf("%w: %s but no key file %s to sign with; %s", wallet.ErrKeyfileNotFound, what, f.Path(), restore)
	}
	if err != nil {
		return err
	}
	if wallet.DetectFormat(raw).Encrypted() {
		return nil
	}
	d, err := wallet.ParseKeyfileData(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path(), err)
	}
	if !d.HasSecret() {
		return fmt.Errorf("%w: %s holds only the address %s, so it cannot sign; %s", wallet.ErrPublicOnly, f.Path(), pub.SS58(), restore)
	}
	return nil
}
