package neuron

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gotensor/gotensor/keys"
)

// validatorState is what Neuron.StateFile keeps (the template's state.npz, as JSON).
type validatorState struct {
	Netuid   uint16         `json:"netuid"`
	Hotkey   string         `json:"hotkey"`
	Step     uint64         `json:"step"`
	Scores   []float64      `json:"scores"`
	Hotkeys  []string       `json:"hotkeys"` // the hotkey each score belongs to
	LastSent uint64         `json:"last_sent"`
	Pending  *PendingCommit `json:"pending_commit,omitempty"`
}

// stateFileHint is what to do when the state file cannot be read or written.
const stateFileHint = "--neuron.state_file must name a file (in a folder) this user can read and write"

// saveState writes the state file atomically; without a file it does nothing.
func (v *Validator) saveState() error {
	path := v.cfg.Neuron.StateFile
	if path == "" {
		return nil
	}
	hks := v.scores.Hotkeys()
	s := validatorState{Netuid: v.cfg.Netuid, Hotkey: v.hotkey.SS58(), Step: v.step, Scores: v.scores.Values(),
		Hotkeys: make([]string, len(hks)), LastSent: v.wt.LastSent, Pending: v.wt.Pending}
	for i, hk := range hks {
		s.Hotkeys[i] = hk.SS58()
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("neuron: state: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("neuron: state: %w; %s", err, stateFileHint)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("neuron: state: %w; %s", err, stateFileHint)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("neuron: state: %w; %s", err, stateFileHint)
	}
	return nil
}

// loadState reads the state file if there is one. A file of another hotkey or subnet is an
// error: sharing a file between validators would mix their commits.
func (v *Validator) loadState() error {
	path := v.cfg.Neuron.StateFile
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("neuron: state: %w; %s", err, stateFileHint)
	}
	var s validatorState
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("neuron: state %s: %w; move it away to start from zero scores", path, err)
	}
	if s.Hotkey == "" {
		return fmt.Errorf("neuron: state %s names no hotkey, so it is not a validator's state file; move it away to start from zero scores", path)
	}
	if s.Netuid != v.cfg.Netuid || s.Hotkey != v.hotkey.SS58() {
		return fmt.Errorf("neuron: state %s belongs to hotkey %s on subnet %d, not %s on subnet %d; give each validator its own --neuron.state_file",
			path, s.Hotkey, s.Netuid, v.hotkey.SS58(), v.cfg.Netuid)
	}
	hks := make([]keys.PublicKey, len(s.Hotkeys))
	for i, a := range s.Hotkeys {
		hks[i], _ = keys.ParseSS58(a) // a bad entry is a zero key: that uid's score resets
	}
	v.scores.restore(s.Scores, hks)
	v.step, v.wt = s.Step, WeightsTracker{Pending: s.Pending, LastSent: s.LastSent}
	v.log.Info("state loaded", "path", path, "step", s.Step, "uids", len(s.Scores), "pending_commit", s.Pending != nil)
	return nil
}
