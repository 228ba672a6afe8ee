package neuron

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrStateLocked: another neuron holds the lock of the state file this one was given. Two
// validators writing one state file overwrite each other's scores and pending commits.
var ErrStateLocked = errors.New("neuron: state file in use by another neuron")

// stateLockSuffix names the lock file kept beside Neuron.StateFile: <state_file>.lock. The
// file stays after the neuron exits; only the lock on it ends, and with the process too.
const stateLockSuffix = ".lock"

// lockState takes the exclusive lock on the lock file beside the state file at path and
// records this process's id in it; release gives the lock back. Without a state file there
// is nothing to lock. The lock is advisory (flock) and taken only where the platform has
// it (see lockFile).
func lockState(path string) (release func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("neuron: state: %w; %s", err, stateFileHint)
	}
	lock := path + stateLockSuffix
	release, holder, err := lockFile(lock)
	if errors.Is(err, ErrStateLocked) {
		who := "another neuron"
		if holder != "" {
			who += " (pid " + holder + ")"
		}
		return nil, fmt.Errorf("%w: %s holds %s, the lock of state file %s; stop it before starting this one, or give this one its own --neuron.state_file",
			ErrStateLocked, who, lock, path)
	}
	if err != nil {
		return nil, fmt.Errorf("neuron: state lock %s: %w; %s", lock, err, stateFileHint)
	}
	return release, nil
}
