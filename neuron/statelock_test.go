//go:build unix && !aix && !hurd

package neuron_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gotensor/gotensor/neuron"
)

// Two validators on one hotkey and state file: the second fails at start, naming the pid
// that holds the lock and what to do; once the first stops, it starts. Validators with
// their own state files run side by side.
func TestValidatorStateFileLock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hot := key(t, "//Validator")
		f := newFakeChain(t, hot.Public(), false)
		dir := t.TempDir()
		cfg := testConfig(t)
		cfg.Neuron.StateFile = filepath.Join(dir, "sub", "state.json") // its folder is made
		start := func(cfg neuron.Config) (*neuron.Validator, func() error) {
			v, err := neuron.NewValidator(cfg, f, hot, rewardMiners)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			errc := make(chan error, 1)
			go func() { errc <- v.Run(ctx) }()
			for v.Health().UID < 0 { // running: it holds the lock
				select {
				case err := <-errc:
					t.Fatalf("validator on %s stopped at start: %v", cfg.Neuron.StateFile, err)
				case <-time.After(100 * time.Millisecond): // the bubble's clock
				}
			}
			return v, func() error { cancel(); return <-errc }
		}
		_, stopFirst := start(cfg)
		if b, err := os.ReadFile(cfg.Neuron.StateFile + ".lock"); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
			t.Errorf("lock file holds %q, %v; want this pid", b, err)
		}

		second, err := neuron.NewValidator(cfg, f, hot, rewardMiners)
		if err != nil {
			t.Fatal(err)
		}
		err = second.Run(t.Context())
		if !errors.Is(err, neuron.ErrStateLocked) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) ||
			!strings.Contains(err.Error(), "--neuron.state_file") {
			t.Fatalf("second validator on the same state file: %v; want ErrStateLocked naming the pid and --neuron.state_file", err)
		}

		other := cfg
		other.Neuron.StateFile = filepath.Join(dir, "other.json")
		_, stopOther := start(other)

		if err := stopFirst(); err != nil {
			t.Fatalf("first Run: %v", err)
		}
		_, stopThird := start(cfg) // the lock was released on exit
		if err := stopThird(); err != nil {
			t.Fatalf("validator started after the first stopped: %v", err)
		}
		if err := stopOther(); err != nil {
			t.Fatalf("validator with its own state file: %v", err)
		}
	})
}
