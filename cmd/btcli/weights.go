package main

// The `weights` group (reference §5.2; the chain side is subtensor §6.1 and §6.2): a
// validator's hotkey sets weights directly, or commits a hash of them and reveals them an
// epoch later when the subnet has commit-reveal on; `status` says when the next call is
// allowed. Every call is signed by the wallet's HOTKEY and is free.
//
// Weights reach the chain as u16 values. Integers are sent as given; decimals are
// proportions, scaled so the largest becomes 65535 with exact decimal arithmetic (no
// floats), rounding half to even as the Python SDK's convert_weights_and_uids_for_emit
// does. The chain max-upscales the row again (§6.1), so both forms store the same row.
//
// A commit's salt and values are saved to <commits dir>/<hotkey>-<netuid>-<hash>.json
// before it is submitted, so `reveal` can find them; the chain keeps only the hash.

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

// Event types and attributes of chain/epoch; weights_test.go checks them against the
// chain's constants.
const (
	evWeightsSet       = "epoch.WeightsSet"       // netuid, uid, weights
	evWeightsCommitted = "epoch.WeightsCommitted" // netuid, uid, epoch, reveal_epoch
	evWeightsRevealed  = "epoch.WeightsRevealed"  // netuid, uid, weights
)

// Chain errors (chain/epoch errors.go) the weights commands explain further, matched by
// codespace and stable code: btcli links no chain module, so client.ChainError.Name is
// only the log's first word, which the chain prefixes with the call name.
const (
	codespaceEpoch        = "epoch"
	codeSettingTooFast    = 8  // SettingWeightsTooFast
	codeNoPermit          = 9  // NeuronNoValidatorPermit
	codeCommittingTooFast = 15 // CommittingWeightsTooFast
	codeExpiredCommit     = 18 // ExpiredWeightCommit
	codeRevealTooEarly    = 19 // RevealTooEarly
)

// isEpochError reports whether err is the chain's epoch error with code.
func isEpochError(err error, code uint32) bool {
	var ce *client.ChainError
	return errors.As(err, &ce) && ce.Codespace == codespaceEpoch && ce.Code == code
}

// EnvCommitsPath names the folder of saved commits (flag --commits-dir wins).
const EnvCommitsPath = "BT_COMMITS_PATH"

// defaultCommitsDir is where commits are saved unless --commits-dir or BT_COMMITS_PATH.
const defaultCommitsDir = "~/.bittensor/gotensor-commits"

// saltLen is how many random u16 a commit's salt has by default (the SDK uses 8).
const saltLen = 8

func newWeightsCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "weights",
		Aliases: []string{"wt", "weight"},
		Short:   "Set, commit and reveal a validator's weights; show when the next call is allowed",
		Long: `Set a validator's weights on a subnet, signed by the wallet's hotkey (free calls).

Subnets with commit_reveal_weights_enabled take "commit" (a hash) and, commit_reveal_period
epochs later, "reveal" (the weights); others take "set". Weights may be set once per
weights_set_rate_limit blocks; "status" shows when, the next epoch and saved commits.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newWeightsSetCmd(app), newWeightsCommitCmd(app), newWeightsRevealCmd(app), newWeightsStatusCmd(app))
	return cmd
}

// parseU16List reads "1,2,3" (spaces allowed) for flag.
func parseU16List(s, flag string) ([]uint16, error) {
	var out []uint16
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		v, err := strconv.ParseUint(f, 10, 16)
		if err != nil {
			return nil, usageErrorf("--%s %q: %q is not a whole number in 0..65535", flag, s, f)
		}
		out = append(out, uint16(v))
	}
	return out, nil
}

// parseWeights reads --weights. If every entry is an integer they are u16 values, sent as
// given. Otherwise each is a non-negative decimal proportion and the list is scaled so the
// largest becomes 65535: u16_i = round(w_i·65535/max w), half to even, in exact decimal
// arithmetic. The chain max-upscales the row again, so only the ratios matter.
func parseWeights(s string) ([]uint16, error) {
	fields := strings.Split(s, ",")
	nums := make([]*big.Int, len(fields))
	decimals, scale := false, 0
	for i, f := range fields {
		f = strings.TrimSpace(f)
		fields[i] = f
		whole, frac, dot := strings.Cut(f, ".")
		if (whole == "" && frac == "") || strings.Trim(whole+frac, "0123456789") != "" {
			if strings.HasPrefix(f, "-") {
				return nil, usageErrorf("--weights %q: %q is negative; weights are 0 or more", s, f)
			}
			return nil, usageErrorf("--weights %q: %q is not a number (give u16 integers like 100,200 or decimals like 0.2,0.8)", s, f)
		}
		decimals = decimals || dot
		scale = max(scale, len(frac))
	}
	var top *big.Int
	for i, f := range fields {
		whole, frac, _ := strings.Cut(f, ".")
		n, _ := new(big.Int).SetString("0"+whole+frac+strings.Repeat("0", scale-len(frac)), 10)
		nums[i] = n
		if top == nil || n.Cmp(top) > 0 {
			top = n
		}
	}
	out := make([]uint16, len(nums))
	if !decimals {
		for i, n := range nums {
			if !n.IsUint64() || n.Uint64() > 65535 {
				return nil, usageErrorf("--weights %q: %s is above 65535; integer weights are u16 values (use decimals such as 0.25 for proportions)", s, fields[i])
			}
			out[i] = uint16(n.Uint64())
		}
	} else if top.Sign() > 0 {
		var q, r big.Int
		for i, n := range nums {
			q.QuoRem(new(big.Int).Mul(n, big.NewInt(65535)), top, &r)
			switch c := new(big.Int).Lsh(&r, 1).Cmp(top); {
			case c > 0, c == 0 && q.Bit(0) == 1:
				q.Add(&q, big.NewInt(1))
			}
			out[i] = uint16(q.Uint64())
		}
	}
	if !slices.ContainsFunc(out, func(v uint16) bool { return v > 0 }) {
		return nil, usageErrorf("--weights %q: every weight is 0; give at least one positive weight", s)
	}
	return out, nil
}

// weightArgs are the flags set, commit and reveal share.
type weightArgs struct {
	netuid      uint16
	uids, vals  string
	versionKey  uint64
	commitsDir  string
	cmd         *cobra.Command
	needWeights bool // false: --uids/--weights are optional (reveal from a saved commit)
}

func addWeightArgs(cmd *cobra.Command, needWeights bool) *weightArgs {
	a := &weightArgs{cmd: cmd, needWeights: needWeights}
	netuidFlag(cmd, &a.netuid)
	f := cmd.Flags()
	f.StringVar(&a.uids, "uids", "", "comma-separated uids to weight, e.g. 1,2,3")
	f.StringVar(&a.vals, "weights", "", "one weight per uid: decimals (0.2,0.3,0.5) or u16 integers (100,200,300)")
	f.Uint64Var(&a.versionKey, "version-key", 0, "weights version key (default: the subnet's weights_version_key)")
	return a
}

// parse checks the flags before anything connects.
func (a *weightArgs) parse() (uids, vals []uint16, err error) {
	if err := requireNetuid(a.cmd); err != nil {
		return nil, nil, err
	}
	if a.netuid == 0 {
		return nil, nil, usageErrorf("CanNotSetRootNetworkWeights: netuid 0 is the root network, which takes no weights; give a subnet netuid")
	}
	if a.uids == "" && a.vals == "" && !a.needWeights {
		return nil, nil, nil
	}
	if a.uids == "" || a.vals == "" {
		return nil, nil, usageErrorf("--uids and --weights are both required, e.g. --uids 1,2,3 --weights 0.2,0.3,0.5")
	}
	if uids, err = parseU16List(a.uids, "uids"); err != nil {
		return nil, nil, err
	}
	if vals, err = parseWeights(a.vals); err != nil {
		return nil, nil, err
	}
	if len(uids) != len(vals) {
		return nil, nil, usageErrorf("WeightVecNotEqualSize: %s but %s; give one weight per uid", plural(len(uids), "uid", ""), plural(len(vals), "weight", ""))
	}
	seen := map[uint16]bool{}
	for _, u := range uids {
		if seen[u] {
			return nil, nil, usageErrorf("DuplicateUids: uid %d appears twice in --uids; give each uid once", u)
		}
		seen[u] = true
	}
	return uids, vals, nil
}

// version is --version-key, or the subnet's weights_version_key when not given.
func (a *weightArgs) version(hp map[string]uint64) uint64 {
	if a.cmd.Flags().Changed("version-key") {
		return a.versionKey
	}
	return hp["weights_version_key"]
}

// validator is what the weights commands read about the wallet's hotkey on a subnet.
type validator struct {
	c   *client.Client
	w   *wallet.Wallet
	hot keys.PublicKey
	m   api.Metagraph
	hp  map[string]uint64
	uid int // -1 when the hotkey is not registered on the subnet
	// ownerHotkey is the subnet owner's hotkey (exempt from the permit rule).
	ownerHotkey string
}

// loadValidator connects and reads the subnet's metagraph and hyperparameters; the caller
// closes v.c. With signing, the hotkey must be able to sign (checked before anything is
// asked); status needs only its address.
func (a *App) loadValidator(ctx context.Context, netuid uint16, full, signing bool) (*validator, error) {
	w, err := a.Wallet()
	if err != nil {
		return nil, err
	}
	hot, err := w.HotkeyPub()
	if signing {
		hot, err = signingHotkey(w)
	}
	if err != nil {
		return nil, err
	}
	c, err := a.Client(ctx)
	if err != nil {
		return nil, err
	}
	v := &validator{c: c, w: w, hot: hot, uid: -1}
	if v.m, err = c.Metagraph(ctx, netuid, 0, full); err != nil {
		c.Close()
		if isNotFound(err) {
			return nil, fmt.Errorf("subnet %d does not exist; see `btcli subnets list`", netuid)
		}
		return nil, err
	}
	hps, err := c.Hyperparameters(ctx, netuid)
	if err != nil {
		c.Close()
		return nil, err
	}
	s, err := c.Subnet(ctx, netuid)
	if err != nil {
		c.Close()
		return nil, err
	}
	v.ownerHotkey = s.OwnerHotkey
	v.hp = map[string]uint64{}
	for _, p := range hps {
		v.hp[p.Name] = p.Value
	}
	v.uid = slices.Index(v.m.Hotkeys, hot.SS58())
	return v, nil
}

// registered is an error unless the hotkey has a uid on the subnet.
func (v *validator) registered() error {
	if v.uid < 0 {
		return fmt.Errorf("HotKeyNotRegisteredInSubNet: hotkey %s is not registered on subnet %d; register it with `btcli subnets register --netuid %d --wallet.hotkey %s`",
			v.hot.SS58(), v.m.Netuid, v.m.Netuid, v.w.HotkeyName())
	}
	return nil
}

func (v *validator) commitReveal() bool { return v.hp["commit_reveal_weights_enabled"] == 1 }

// revealPeriod is commit_reveal_period in epochs (at least 1, as the chain reads it).
func (v *validator) revealPeriod() uint64 { return max(v.hp["commit_reveal_period"], 1) }

// epochStart estimates the block epoch e begins (its epoch block): epochs run every tempo
// blocks from the next one; a block with too many due subnets defers one by a block.
func epochStart(m api.Metagraph, e uint64) uint64 {
	if e <= m.EpochIndex {
		return 0
	}
	return m.NextEpochBlock + (e-m.EpochIndex-1)*m.Tempo
}

// nextAllowed is the first block a set_weights (or commit) passes the rate limit, from the
// metagraph's last_update; 0 when the hotkey is not registered.
func (v *validator) nextAllowed() uint64 {
	if v.uid < 0 {
		return 0
	}
	return v.m.LastUpdate[v.uid] + v.hp["weights_set_rate_limit"]
}

// rateLimited refuses early, as the chain would, a set or commit (name is the chain's
// error name) fewer than weights_set_rate_limit blocks after the uid's last update, counted at
// the next block. A uid that never set weights shows its registration block as its last
// update, which the chain rate-limits only for replaced uids: that case is left to it.
func (v *validator) rateLimited(name string) error {
	last, limit := v.m.LastUpdate[v.uid], v.hp["weights_set_rate_limit"]
	if last == v.m.RegisteredAt[v.uid] || last+limit <= uint64(v.m.Block)+1 {
		return nil
	}
	return fmt.Errorf("%s: uid %d last updated its weights at block %d and weights_set_rate_limit is %s: next allowed at block %d (chain at block %d)",
		name, v.uid, last, plural(limit, "block", ""), last+limit, v.m.Block)
}

// permitted refuses early, as the chain would, weights on other uids from a uid without a
// validator permit (the owner hotkey and a self-weight are exempt, §6.1 item 9).
func (v *validator) permitted(uids []uint16) error {
	if v.m.ValidatorPermit[v.uid] || v.hot.SS58() == v.ownerHotkey || (len(uids) == 1 && int(uids[0]) == v.uid) {
		return nil
	}
	return fmt.Errorf("NeuronNoValidatorPermit: uid %d has no validator permit on subnet %d; %s",
		v.uid, v.m.Netuid, v.permitHint())
}

// uidsExist refuses early, as the chain would (UidVecContainInvalidOne), a weight on a uid
// the subnet does not have.
func (v *validator) uidsExist(uids []uint16) error {
	for _, u := range uids {
		if int(u) >= v.m.N {
			return fmt.Errorf("UidVecContainInvalidOne: uid %d is not on subnet %d, which has uids 0..%d; see `btcli subnets show --netuid %d`",
				u, v.m.Netuid, v.m.N-1, v.m.Netuid)
		}
	}
	return nil
}

func (v *validator) permitHint() string {
	return fmt.Sprintf("permits go to the top %s at each epoch, the next at about block %d: stake to the hotkey (`btcli stake add`), then set weights after that epoch",
		plural(v.hp["max_allowed_validators"], "stake weight", ""), v.m.NextEpochBlock)
}

// explain adds what the chain's error does not know: when the next epoch (which issues
// permits) comes, and where the rate limit shows.
func (v *validator) explain(err error) error {
	switch {
	case isEpochError(err, codeNoPermit):
		return fmt.Errorf("%w; %s", err, v.permitHint())
	case isEpochError(err, codeSettingTooFast), isEpochError(err, codeCommittingTooFast):
		return fmt.Errorf("%w (weights_set_rate_limit is %s; `btcli weights status --netuid %d` shows it)",
			err, plural(v.hp["weights_set_rate_limit"], "block", ""), v.m.Netuid)
	}
	return err
}

// weightsSummary renders "uid=value (share%)" for the confirmation.
func weightsSummary(uids, vals []uint16) string {
	var sum uint64
	for _, x := range vals {
		sum += uint64(x)
	}
	parts := make([]string, len(uids))
	for i := range uids {
		pm := (uint64(vals[i])*1000 + sum/2) / max(sum, 1) // per mille, rounded
		parts[i] = fmt.Sprintf("%d=%d (%d.%d%%)", uids[i], vals[i], pm/10, pm%10)
	}
	return strings.Join(parts, ", ")
}

type weightsResult struct {
	Netuid     uint16   `json:"netuid"`
	Hotkey     string   `json:"hotkey"`
	UID        uint16   `json:"uid"`
	UIDs       []uint16 `json:"uids"`
	Weights    []uint16 `json:"weights"`
	VersionKey uint64   `json:"version_key"`
	// NextEpochBlock is when the weights first count.
	NextEpochBlock uint64 `json:"next_epoch_block"`
	txInfo
}

func newWeightsSetCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Set the wallet hotkey's weights on a subnet (set_weights; signed by the hotkey, free)",
		Long: `Set weights: --uids 1,2,3 --weights 0.2,0.3,0.5 (decimals are proportions) or
--weights 100,200,300 (u16 integers, sent as given). The hotkey needs a validator permit
(unless it only weights itself) and may set weights once per weights_set_rate_limit
blocks. On a subnet with commit-reveal use "commit", then "reveal".`,
		Args: noArgs,
	}
	a := addWeightArgs(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		uids, vals, err := a.parse()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		v, err := app.loadValidator(ctx, a.netuid, false, true)
		if err != nil {
			return err
		}
		defer v.c.Close()
		if err := v.registered(); err != nil {
			return err
		}
		if v.commitReveal() {
			return fmt.Errorf("CommitRevealEnabled: subnet %d uses commit-reveal; run `btcli weights commit --netuid %d --uids .. --weights ..`, then `btcli weights reveal --netuid %d` %s later",
				a.netuid, a.netuid, a.netuid, plural(v.revealPeriod(), "epoch", ""))
		}
		if err := v.rateLimited("SettingWeightsTooFast"); err != nil {
			return err
		}
		if err := v.permitted(uids); err != nil {
			return err
		}
		if err := v.uidsExist(uids); err != nil {
			return err
		}
		vk := a.version(v.hp)
		if err := outsideSafeMode(ctx, v.c, "set_weights"); err != nil {
			return err
		}
		if err := app.confirm("Do you want to set weights?",
			[2]string{"Subnet", fmt.Sprint(a.netuid)},
			[2]string{"Hotkey", fmt.Sprintf("%s (uid %d, permit %s) signs", v.hot.SS58(), v.uid, yesNo(v.m.ValidatorPermit[v.uid]))},
			[2]string{"Weights", weightsSummary(uids, vals)},
			[2]string{"Version key", fmt.Sprint(vk)},
			[2]string{"Counts from", fmt.Sprintf("the epoch at block %d", v.m.NextEpochBlock)},
			[2]string{"Fee", "none (set_weights is free)"},
		); err != nil {
			return err
		}
		kp, err := app.Hotkey(v.w)
		if err != nil {
			return err
		}
		r, err := app.submit(ctx, v.c, kp, client.SetWeights(a.netuid, uids, vals, vk), fmt.Sprintf("set weights on subnet %d", a.netuid))
		if err != nil {
			return v.explain(err)
		}
		ev, _ := r.Event(evWeightsSet)
		res := weightsResult{Netuid: a.netuid, Hotkey: v.hot.SS58(), UID: uint16(attrU64(ev, "uid")), UIDs: uids, Weights: vals,
			VersionKey: vk, NextEpochBlock: v.m.NextEpochBlock, txInfo: newTxInfo(0, r)}
		if m, err := v.c.Metagraph(ctx, a.netuid, 0, false); err == nil {
			res.NextEpochBlock = m.NextEpochBlock
		}
		return app.Print(res, func(t *Table) {
			t.Line("Set %s of uid %d on subnet %d in block %d (tx %s)", plural(len(uids), "weight", ""), res.UID, a.netuid, res.Block, res.Hash)
			t.Line("They count from the epoch at block %d; the next set is allowed from block %d", res.NextEpochBlock, uint64(res.Block)+v.hp["weights_set_rate_limit"])
		})
	}
	return cmd
}

// commitView is a saved commit with where it stands now.
type commitView struct {
	Hash        string `json:"hash"`
	CommitBlock int64  `json:"commit_block"`
	CommitEpoch uint64 `json:"commit_epoch"`
	RevealEpoch uint64 `json:"reveal_epoch"`
	// State is "waiting", "revealable" or "expired".
	State     string `json:"state"`
	FromBlock uint64 `json:"reveal_from_block,omitempty"`
	Path      string `json:"path"`
}

type weightsStatus struct {
	Netuid       uint16 `json:"netuid"`
	Block        int64  `json:"block"`
	Hotkey       string `json:"hotkey"`
	Registered   bool   `json:"registered"`
	UID          *int   `json:"uid,omitempty"`
	Permit       bool   `json:"validator_permit"`
	Active       bool   `json:"active"`
	LastUpdate   uint64 `json:"last_update"`
	RateLimit    uint64 `json:"weights_set_rate_limit"`
	NextAllowed  uint64 `json:"next_allowed_block"`
	CommitReveal bool   `json:"commit_reveal_weights_enabled"`
	RevealPeriod uint64 `json:"commit_reveal_period"`
	VersionKey   uint64 `json:"weights_version_key"`
	// MaxValidators is max_allowed_validators: how many permits each epoch issues.
	MaxValidators uint64 `json:"max_allowed_validators"`
	Tempo         uint64 `json:"tempo"`
	EpochIndex    uint64 `json:"epoch_index"`
	NextEpoch     uint64 `json:"next_epoch_block"`
	// Weights is the hotkey's stored row as [uid, u16] pairs.
	Weights [][2]uint16 `json:"weights"`
	// Pending are the hotkey's commits the chain holds (GET
	// /subnets/{netuid}/weight_commits/{hotkey}), oldest first; Saved says whether this
	// machine has the commit's file (its weights and salt) to reveal it.
	Pending []pendingCommitView `json:"pending_commits"`
	// Commits are the commits saved on this machine.
	Commits []commitView `json:"saved_commits"`
}

// pendingCommitView is one commit the chain holds.
type pendingCommitView struct {
	Hash        string `json:"hash"`
	CommitBlock uint64 `json:"commit_block"`
	CommitEpoch uint64 `json:"commit_epoch"`
	RevealEpoch uint64 `json:"reveal_epoch"`
	// State is "waiting", "revealable" or "expired".
	State     string `json:"state"`
	FromBlock uint64 `json:"reveal_from_block,omitempty"`
	Saved     bool   `json:"saved_here"`
}

// commitState says where a commit stands at the metagraph's epoch.
func commitState(m api.Metagraph, revealEpoch uint64) (string, uint64) {
	switch {
	case revealEpoch == m.EpochIndex:
		return "revealable", 0
	case revealEpoch > m.EpochIndex:
		return "waiting", epochStart(m, revealEpoch)
	}
	return "expired", 0
}

func newWeightsStatusCmd(app *App) *cobra.Command {
	var netuid uint16
	var commitsDir string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the wallet hotkey's weights, last update, the next allowed block, the next epoch and saved commits",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			if netuid == rootNetuid {
				return usageErrorf("CanNotSetRootNetworkWeights: netuid 0 is the root network, which takes no weights; give a subnet netuid")
			}
			ctx := cmd.Context()
			v, err := app.loadValidator(ctx, netuid, true, false)
			if err != nil {
				return err
			}
			defer v.c.Close()
			m := v.m
			st := weightsStatus{Netuid: netuid, Block: m.Block, Hotkey: v.hot.SS58(), Registered: v.uid >= 0,
				RateLimit: v.hp["weights_set_rate_limit"], CommitReveal: v.commitReveal(), RevealPeriod: v.revealPeriod(),
				VersionKey: v.hp["weights_version_key"], MaxValidators: v.hp["max_allowed_validators"], Tempo: m.Tempo, EpochIndex: m.EpochIndex, NextEpoch: m.NextEpochBlock,
				Weights: [][2]uint16{}, Pending: []pendingCommitView{}, Commits: []commitView{}}
			if v.uid >= 0 {
				uid := v.uid
				st.UID, st.Permit, st.Active, st.LastUpdate = &uid, m.ValidatorPermit[uid], m.Active[uid], m.LastUpdate[uid]
				st.NextAllowed = max(v.nextAllowed(), uint64(m.Block)+1)
				if uid < len(m.Weights) && m.Weights[uid] != nil {
					st.Weights = m.Weights[uid]
				}
			}
			saved, err := app.commitStore(commitsDir).list(v.hot.SS58(), netuid)
			if err != nil {
				return err
			}
			savedHash := map[string]bool{}
			for _, c := range saved {
				cv := commitView{Hash: c.Hash, CommitBlock: c.CommitBlock, CommitEpoch: c.CommitEpoch, RevealEpoch: c.RevealEpoch, Path: c.Path}
				cv.State, cv.FromBlock = commitState(m, c.RevealEpoch)
				st.Commits = append(st.Commits, cv)
				savedHash[strings.ToLower(strings.TrimPrefix(c.Hash, "0x"))] = true
			}
			pending, err := v.c.WeightCommits(ctx, netuid, v.hot.SS58())
			if err != nil {
				return fmt.Errorf("pending commits of %s on subnet %d: %w", v.hot.SS58(), netuid, err)
			}
			for _, c := range pending {
				pv := pendingCommitView{Hash: "0x" + c.Hash, CommitBlock: c.Block, CommitEpoch: c.Epoch, RevealEpoch: c.RevealEpoch, Saved: savedHash[strings.ToLower(c.Hash)]}
				pv.State, pv.FromBlock = commitState(m, c.RevealEpoch)
				st.Pending = append(st.Pending, pv)
			}
			return app.Print(st, func(t *Table) { printWeightsStatus(t, st) })
		},
	}
	netuidFlag(cmd, &netuid)
	cmd.Flags().StringVar(&commitsDir, "commits-dir", "", "folder of saved commits (default "+defaultCommitsDir+") [env "+EnvCommitsPath+"]")
	return cmd
}

func printWeightsStatus(t *Table, st weightsStatus) {
	t.Line("Subnet %d at block %d: tempo %d, epoch %d, next epoch at block %d (in %s)",
		st.Netuid, st.Block, st.Tempo, st.EpochIndex, st.NextEpoch, plural(st.NextEpoch-min(st.NextEpoch, uint64(st.Block)), "block", ""))
	if !st.Registered {
		t.Line("Hotkey %s is not registered on subnet %d", st.Hotkey, st.Netuid)
		return
	}
	t.Line("Hotkey %s: uid %d, validator permit %s, active %s", st.Hotkey, *st.UID, yesNo(st.Permit), yesNo(st.Active))
	if !st.Permit {
		t.Line("Without a permit a uid may weight only itself; the epoch at block %d gives permits to the top %s", st.NextEpoch, plural(st.MaxValidators, "stake weight", ""))
	}
	next := fmt.Sprintf("at block %d", st.NextAllowed)
	if st.NextAllowed <= uint64(st.Block)+1 {
		next = "now (next block)"
	}
	what := "set_weights"
	if st.CommitReveal {
		what = "commit_weights"
		t.Line("Commit-reveal on: commit (btcli weights commit), then reveal %s later (btcli weights reveal)", plural(st.RevealPeriod, "epoch", ""))
	}
	t.Line("Last update at block %d; weights_set_rate_limit %s: next %s allowed %s", st.LastUpdate, plural(st.RateLimit, "block", ""), what, next)
	if st.VersionKey != 0 {
		t.Line("weights_version_key %d (send at least this)", st.VersionKey)
	}
	if len(st.Weights) == 0 {
		t.Line("No weights stored")
	} else {
		parts := make([]string, len(st.Weights))
		for i, w := range st.Weights {
			parts[i] = fmt.Sprintf("%d=%d", w[0], w[1])
		}
		t.Line("Weights (uid=u16): %s", strings.Join(parts, ", "))
	}
	if len(st.Pending) > 0 {
		t.Line("Pending commits on chain:")
		t.Row("HASH", "COMMIT BLOCK", "COMMIT EPOCH", "REVEAL EPOCH", "STATE", "SAVED HERE")
		for _, c := range st.Pending {
			state := c.State
			if c.State == "waiting" {
				state = fmt.Sprintf("waiting (from about block %d)", c.FromBlock)
			}
			saved := "yes"
			if !c.Saved {
				saved = "no: reveal with --uids, --weights, --salt"
			}
			t.Row(short(c.Hash), strconv.FormatUint(c.CommitBlock, 10), strconv.FormatUint(c.CommitEpoch, 10), strconv.FormatUint(c.RevealEpoch, 10), state, saved)
		}
	} else if st.CommitReveal {
		t.Line("No pending commits on chain")
	}
	if len(st.Commits) == 0 {
		return
	}
	t.Line("Commits saved here (weights and salt to reveal them):")
	t.Row("HASH", "COMMIT BLOCK", "COMMIT EPOCH", "REVEAL EPOCH", "STATE")
	for _, c := range st.Commits {
		state := c.State
		if c.State == "waiting" {
			state = fmt.Sprintf("waiting (from about block %d)", c.FromBlock)
		}
		t.Row(short(c.Hash), strconv.FormatInt(c.CommitBlock, 10), strconv.FormatUint(c.CommitEpoch, 10), strconv.FormatUint(c.RevealEpoch, 10), state)
	}
}
