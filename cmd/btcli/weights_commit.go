package main

// Commit-reveal (reference §6.2) for the weights group: the saved commits, `weights commit`
// and `weights reveal`.

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/wallet"
)

// savedCommit is a commit's preimage, saved so `reveal` can send it.
type savedCommit struct {
	Netuid      uint16   `json:"netuid"`
	Hotkey      string   `json:"hotkey"`
	UIDs        []uint16 `json:"uids"`
	Weights     []uint16 `json:"weights"`
	Salt        []uint16 `json:"salt"`
	VersionKey  uint64   `json:"version_key"`
	Hash        string   `json:"hash"`
	CommitBlock int64    `json:"commit_block"` // 0 until the commit is in a block
	CommitEpoch uint64   `json:"commit_epoch"`
	RevealEpoch uint64   `json:"reveal_epoch"`
	TxHash      string   `json:"tx_hash,omitempty"`
	Path        string   `json:"path"`
}

// commitStore keeps saved commits as <dir>/<hotkey>-<netuid>-<hash hex>.json (0600).
type commitStore struct{ dir string }

func (a *App) commitStore(flag string) commitStore {
	if flag != "" {
		return commitStore{wallet.ExpandPath(flag)}
	}
	if v, ok := a.Lookup(EnvCommitsPath); ok && v != "" {
		return commitStore{wallet.ExpandPath(v)}
	}
	return commitStore{wallet.ExpandPath(defaultCommitsDir)}
}

func (s commitStore) path(hotkey string, netuid uint16, hash string) string {
	return filepath.Join(s.dir, fmt.Sprintf("%s-%d-%s.json", hotkey, netuid, strings.TrimPrefix(hash, "0x")))
}

// save writes c atomically (temporary file, then rename).
func (s commitStore) save(c *savedCommit) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("save commit: %w", err)
	}
	c.Path = s.path(c.Hotkey, c.Netuid, c.Hash)
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, ".commit-*")
	if err != nil {
		return fmt.Errorf("save commit: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save commit %s: %w", c.Path, err)
	}
	if err := os.Rename(tmp.Name(), c.Path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save commit: %w", err)
	}
	return nil
}

// list returns the hotkey's saved commits on netuid, oldest first.
func (s commitStore) list(hotkey string, netuid uint16) ([]savedCommit, error) {
	files, err := filepath.Glob(filepath.Join(s.dir, fmt.Sprintf("%s-%d-*.json", hotkey, netuid)))
	if err != nil {
		return nil, err
	}
	var out []savedCommit
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read saved commit: %w", err)
		}
		var c savedCommit
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("saved commit %s is not valid JSON: %w; move it away", f, err)
		}
		c.Path = f
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b savedCommit) int {
		if a.CommitBlock != b.CommitBlock {
			return int(a.CommitBlock - b.CommitBlock)
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out, nil
}

// randomSalt returns saltLen random u16.
func randomSalt() ([]uint16, error) {
	var b [2 * saltLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	out := make([]uint16, saltLen)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return out, nil
}

func joinU16(v []uint16) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(int(x))
	}
	return strings.Join(s, ",")
}

type weightsCommitResult struct {
	savedCommit
	UID uint16 `json:"uid"`
	// RevealFrom and RevealUntil estimate the blocks of the reveal epoch.
	RevealFrom  uint64 `json:"reveal_from_block"`
	RevealUntil uint64 `json:"reveal_until_block"`
	Block       int64  `json:"block"`
}

func newWeightsCommitCmd(app *App) *cobra.Command {
	var salt string
	cmd := &cobra.Command{
		Use:   "commit",
		Short: "Commit a hash of the wallet hotkey's weights (commit_weights; signed by the hotkey, free)",
		Long: `Commit weights on a subnet with commit-reveal on: the chain stores only a hash of
(hotkey, netuid, uids, weights, salt, version key). The salt (8 random u16 unless --salt)
and the weights are printed and saved to --commits-dir, so "btcli weights reveal
--netuid N" can reveal them in the reveal epoch (commit epoch + commit_reveal_period).`,
		Args: noArgs,
	}
	a := addWeightArgs(cmd, true)
	cmd.Flags().StringVar(&salt, "salt", "", "comma-separated u16 salt (default: 8 random values)")
	cmd.Flags().StringVar(&a.commitsDir, "commits-dir", "", "folder of saved commits (default "+defaultCommitsDir+") [env "+EnvCommitsPath+"]")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		uids, vals, err := a.parse()
		if err != nil {
			return err
		}
		var saltV []uint16
		if salt != "" {
			if saltV, err = parseU16List(salt, "salt"); err != nil {
				return err
			}
		} else if saltV, err = randomSalt(); err != nil {
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
		if !v.commitReveal() {
			return fmt.Errorf("CommitRevealDisabled: subnet %d takes weights directly; use `btcli weights set --netuid %d`", a.netuid, a.netuid)
		}
		if err := v.rateLimited("CommittingWeightsTooFast"); err != nil {
			return err
		}
		vk := a.version(v.hp)
		hash := api.WeightsCommitHash(v.hot, a.netuid, uids, vals, saltV, vk)
		sc := savedCommit{Netuid: a.netuid, Hotkey: v.hot.SS58(), UIDs: uids, Weights: vals, Salt: saltV, VersionKey: vk,
			Hash: "0x" + hex.EncodeToString(hash[:]), CommitEpoch: v.m.EpochIndex, RevealEpoch: v.m.EpochIndex + v.revealPeriod()}
		store := app.commitStore(a.commitsDir)
		from := epochStart(v.m, sc.RevealEpoch)
		if err := outsideSafeMode(ctx, v.c, "commit_weights"); err != nil {
			return err
		}
		if err := app.confirm("Do you want to commit weights?",
			[2]string{"Subnet", fmt.Sprint(a.netuid)},
			[2]string{"Hotkey", fmt.Sprintf("%s (uid %d) signs", v.hot.SS58(), v.uid)},
			[2]string{"Weights", weightsSummary(uids, vals)},
			[2]string{"Salt", joinU16(saltV)},
			[2]string{"Version key", fmt.Sprint(vk)},
			[2]string{"Hash", sc.Hash},
			[2]string{"Reveal", fmt.Sprintf("in epoch %d, blocks %d..%d (about)", sc.RevealEpoch, from, from+v.m.Tempo-1)},
			[2]string{"Saved to", store.path(sc.Hotkey, a.netuid, sc.Hash)},
			[2]string{"Fee", "none (commit_weights is free)"},
		); err != nil {
			return err
		}
		kp, err := app.Hotkey(v.w)
		if err != nil {
			return err
		}
		// Save first: a commit whose salt is lost can never be revealed.
		if err := store.save(&sc); err != nil {
			return err
		}
		r, err := app.submit(ctx, v.c, kp, client.CommitWeights(a.netuid, hash[:]), fmt.Sprintf("commit weights on subnet %d", a.netuid))
		if err != nil {
			var ce *client.ChainError
			if errors.As(err, &ce) {
				os.Remove(sc.Path) // the chain refused it: nothing to reveal
				return v.explain(err)
			}
			return fmt.Errorf("%w; the commit may still land: its salt is saved in %s", err, sc.Path)
		}
		ev, _ := r.Event(evWeightsCommitted)
		sc.CommitBlock, sc.TxHash = r.Height, r.Hash
		sc.CommitEpoch, sc.RevealEpoch = attrU64(ev, "epoch"), attrU64(ev, "reveal_epoch")
		if err := store.save(&sc); err != nil {
			return fmt.Errorf("committed in block %d, but %w; keep the salt %s to reveal", r.Height, err, joinU16(saltV))
		}
		m := v.m
		if now, err := v.c.Metagraph(ctx, a.netuid, 0, false); err == nil {
			m = now
		}
		res := weightsCommitResult{savedCommit: sc, UID: uint16(attrU64(ev, "uid")), Block: r.Height}
		res.RevealFrom = epochStart(m, sc.RevealEpoch)
		res.RevealUntil = res.RevealFrom + m.Tempo - 1
		return app.Print(res, func(t *Table) {
			t.Line("Committed weights of uid %d on subnet %d in block %d, epoch %d (tx %s)", res.UID, a.netuid, res.Block, sc.CommitEpoch, sc.TxHash)
			t.Line("Salt %s, hash %s; saved to %s", joinU16(saltV), sc.Hash, sc.Path)
			t.Line("Reveal in epoch %d, blocks %d..%d (about): btcli weights reveal --netuid %d", sc.RevealEpoch, res.RevealFrom, res.RevealUntil, a.netuid)
		})
	}
	return cmd
}

type revealResult struct {
	Netuid     uint16   `json:"netuid"`
	Hotkey     string   `json:"hotkey"`
	UID        uint16   `json:"uid"`
	UIDs       []uint16 `json:"uids"`
	Weights    []uint16 `json:"weights"`
	Salt       []uint16 `json:"salt"`
	VersionKey uint64   `json:"version_key"`
	Hash       string   `json:"hash"`
	// Removed are the saved commit files deleted: this one and older ones, which the chain
	// dropped with it.
	Removed []string `json:"removed_files,omitempty"`
	txInfo
}

// pickCommit chooses the saved commit to reveal at epoch cur: the oldest whose window is
// open, else the oldest still to come (the chain will say when), else the newest.
func pickCommit(cs []savedCommit, cur uint64, hash string) (savedCommit, bool) {
	if hash != "" {
		for _, c := range cs {
			if strings.EqualFold(strings.TrimPrefix(c.Hash, "0x"), strings.TrimPrefix(hash, "0x")) {
				return c, true
			}
		}
		return savedCommit{}, false
	}
	for _, want := range []func(savedCommit) bool{
		func(c savedCommit) bool { return c.RevealEpoch == cur },
		func(c savedCommit) bool { return c.RevealEpoch > cur },
	} {
		if i := slices.IndexFunc(cs, want); i >= 0 {
			return cs[i], true
		}
	}
	if len(cs) == 0 {
		return savedCommit{}, false
	}
	return cs[len(cs)-1], true
}

func newWeightsRevealCmd(app *App) *cobra.Command {
	var salt, hash string
	var wait bool
	cmd := &cobra.Command{
		Use:   "reveal",
		Short: "Reveal committed weights (reveal_weights; signed by the hotkey, free)",
		Long: `Reveal weights committed with "btcli weights commit": by default the saved commit of
the wallet's hotkey on --netuid whose reveal epoch is now (--hash picks one). Or give
--uids, --weights, --salt and --version-key of a commit made elsewhere. The reveal is
accepted only in the commit's reveal epoch (commit epoch + commit_reveal_period).`,
		Args: noArgs,
	}
	a := addWeightArgs(cmd, false)
	cmd.Flags().StringVar(&salt, "salt", "", "the commit's salt, comma-separated u16 (with --uids and --weights)")
	cmd.Flags().StringVar(&hash, "hash", "", "reveal the saved commit with this hash")
	cmd.Flags().BoolVar(&wait, "wait", false, "if the commit's reveal epoch has not begun, wait for it, then reveal")
	cmd.Flags().StringVar(&a.commitsDir, "commits-dir", "", "folder of saved commits (default "+defaultCommitsDir+") [env "+EnvCommitsPath+"]")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		uids, vals, err := a.parse()
		if err != nil {
			return err
		}
		explicit := uids != nil
		var saltV []uint16
		switch {
		case explicit && salt == "":
			return usageErrorf("--salt is required with --uids and --weights: the salt the commit was made with")
		case !explicit && salt != "":
			return usageErrorf("--salt needs --uids and --weights too")
		case explicit:
			if saltV, err = parseU16List(salt, "salt"); err != nil {
				return err
			}
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
		if !v.commitReveal() {
			return fmt.Errorf("CommitRevealDisabled: subnet %d takes weights directly; use `btcli weights set --netuid %d`", a.netuid, a.netuid)
		}
		store := app.commitStore(a.commitsDir)
		saved, err := store.list(v.hot.SS58(), a.netuid)
		if err != nil {
			return err
		}
		var sc savedCommit
		if explicit {
			vk := a.version(v.hp)
			h := api.WeightsCommitHash(v.hot, a.netuid, uids, vals, saltV, vk)
			sc = savedCommit{Netuid: a.netuid, Hotkey: v.hot.SS58(), UIDs: uids, Weights: vals, Salt: saltV, VersionKey: vk, Hash: "0x" + hex.EncodeToString(h[:])}
			if c, ok := pickCommit(saved, v.m.EpochIndex, sc.Hash); ok {
				sc = c
			}
		} else {
			var ok bool
			if sc, ok = pickCommit(saved, v.m.EpochIndex, hash); !ok {
				if hash != "" {
					return fmt.Errorf("no saved commit with hash %s for hotkey %s on subnet %d in %s", hash, v.hot.SS58(), a.netuid, store.dir)
				}
				return fmt.Errorf("no saved commit for hotkey %s on subnet %d in %s; pass --uids, --weights, --salt (and --version-key) of the commit",
					v.hot.SS58(), a.netuid, store.dir)
			}
		}
		window := "unknown (not saved)"
		if sc.RevealEpoch > 0 {
			window = fmt.Sprintf("epoch %d (now %d)", sc.RevealEpoch, v.m.EpochIndex)
		}
		if err := outsideSafeMode(ctx, v.c, "reveal_weights"); err != nil {
			return err
		}
		if err := app.confirm("Do you want to reveal weights?",
			[2]string{"Subnet", fmt.Sprint(a.netuid)},
			[2]string{"Hotkey", fmt.Sprintf("%s (uid %d) signs", v.hot.SS58(), v.uid)},
			[2]string{"Weights", weightsSummary(sc.UIDs, sc.Weights)},
			[2]string{"Salt", joinU16(sc.Salt)},
			[2]string{"Commit", sc.Hash},
			[2]string{"Reveal window", window},
			[2]string{"Fee", "none (reveal_weights is free)"},
		); err != nil {
			return err
		}
		kp, err := app.Hotkey(v.w)
		if err != nil {
			return err
		}
		if wait && sc.RevealEpoch > v.m.EpochIndex {
			err := app.spin(fmt.Sprintf("waiting for epoch %d (about block %d)...", sc.RevealEpoch, epochStart(v.m, sc.RevealEpoch)), func() error {
				return v.waitEpoch(ctx, sc.RevealEpoch)
			})
			if err != nil {
				return err
			}
		}
		call := client.RevealWeights(a.netuid, sc.UIDs, sc.Weights, sc.Salt, sc.VersionKey)
		r, err := app.submit(ctx, v.c, kp, call, fmt.Sprintf("reveal weights on subnet %d", a.netuid))
		if err != nil {
			if isEpochError(err, codeRevealTooEarly) && sc.RevealEpoch > v.m.EpochIndex {
				return fmt.Errorf("%w; epoch %d begins at about block %d (chain at %d): run this again then, or add --wait", err, sc.RevealEpoch, epochStart(v.m, sc.RevealEpoch), v.m.Block)
			}
			if isEpochError(err, codeExpiredCommit) {
				return fmt.Errorf("%w; the saved commit stays in %s", err, store.dir)
			}
			return v.explain(err)
		}
		ev, _ := r.Event(evWeightsRevealed)
		res := revealResult{Netuid: a.netuid, Hotkey: v.hot.SS58(), UID: uint16(attrU64(ev, "uid")), UIDs: sc.UIDs, Weights: sc.Weights,
			Salt: sc.Salt, VersionKey: sc.VersionKey, Hash: sc.Hash, txInfo: newTxInfo(0, r)}
		// The chain removed this commit and every older one (§6.2): so do we.
		for _, c := range saved {
			if c.Path == sc.Path || (c.CommitBlock > 0 && sc.CommitBlock > 0 && c.CommitBlock <= sc.CommitBlock) {
				if err := os.Remove(c.Path); err == nil {
					res.Removed = append(res.Removed, c.Path)
				}
			}
		}
		return app.Print(res, func(t *Table) {
			t.Line("Revealed %s of uid %d on subnet %d in block %d (tx %s)", plural(len(sc.UIDs), "weight", ""), res.UID, a.netuid, res.Block, res.txInfo.Hash)
			t.Line("They count from the epoch at block %d", v.m.NextEpochBlock)
			for _, p := range res.Removed {
				t.Line("Removed %s", p)
			}
		})
	}
	return cmd
}

// waitEpoch waits until the subnet's epoch index reaches e (its epoch block is committed),
// refreshing v.m. It polls the chain's height, and the metagraph only once the estimated
// epoch block has passed (an epoch can be deferred by a block).
func (v *validator) waitEpoch(ctx context.Context, e uint64) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for v.m.EpochIndex < e {
		p, err := v.c.Params(ctx)
		if err != nil {
			return err
		}
		if uint64(p.Height) >= epochStart(v.m, e) {
			m, err := v.c.Metagraph(ctx, v.m.Netuid, 0, false)
			if err != nil {
				return err
			}
			v.m = m
			if v.m.EpochIndex >= e {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for epoch %d: %w", e, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}
