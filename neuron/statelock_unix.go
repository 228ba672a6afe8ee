//go:build unix && !aix && !hurd

package neuron

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// lockFile takes flock's exclusive lock on the file at path, without waiting, and writes
// this process's id into it. When another open file holds the lock it returns
// ErrStateLocked with the pid recorded there (holder, "" when unreadable). The kernel drops
// the lock when the process ends, however it ends.
func lockFile(path string) (release func(), holder string, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, "", err
	}
	if err := flock(f, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			b, _ := io.ReadAll(io.LimitReader(f, 32))
			f.Close()
			holder := strings.TrimSpace(string(b))
			if _, perr := strconv.Atoi(holder); perr != nil {
				holder = ""
			}
			return nil, holder, ErrStateLocked
		}
		f.Close()
		return nil, "", err
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0) // only informs the error above
	}
	return func() {
		_ = f.Truncate(0)
		_ = flock(f, unix.LOCK_UN)
		f.Close()
	}, "", nil
}

// flock retries when a signal interrupts the call.
func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
