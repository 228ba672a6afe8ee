package gateway_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gotensor/gotensor/internal/freeport"
)

// TestMain stops the throwaway PostgreSQL cluster (if a test started one) after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := pg.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "gateway tests:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// pg is the PostgreSQL the store tests use, started on first need.
var pg pgCluster

type pgCluster struct {
	once    sync.Once
	dsn     string
	skipped string // why there is none
	err     error

	bin, dir string // a cluster this process started, or ""
}

// postgresDSN returns a PostgreSQL DSN for the store tests: GOTENSOR_PG_DSN when set,
// otherwise a throwaway cluster started from Debian's binaries (/usr/lib/postgresql/*/bin)
// in a temp dir on a free loopback port, stopped and removed by TestMain. Without either it
// returns "" and why; GOTENSOR_PG_REQUIRED=1 (scripts/pg-test.sh) makes that a failure.
func postgresDSN(t *testing.T) (dsn, skipped string) {
	t.Helper()
	pg.once.Do(pg.start)
	if pg.err != nil {
		t.Fatalf("PostgreSQL for the store tests: %v\n(set GOTENSOR_PG_DSN to use a running server instead)", pg.err)
	}
	if pg.dsn == "" && os.Getenv("GOTENSOR_PG_REQUIRED") == "1" {
		t.Fatalf("GOTENSOR_PG_REQUIRED=1 but %s", pg.skipped)
	}
	return pg.dsn, pg.skipped
}

func (c *pgCluster) start() {
	if c.dsn = os.Getenv("GOTENSOR_PG_DSN"); c.dsn != "" {
		return
	}
	initdbs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(initdbs) == 0 {
		c.skipped = "GOTENSOR_PG_DSN is unset and PostgreSQL is not installed (scripts/install-test-deps.sh installs Debian's postgresql)"
		return
	}
	// The newest major version: /usr/lib/postgresql/<major>/bin/initdb.
	slices.SortFunc(initdbs, func(a, b string) int { return pgMajor(a) - pgMajor(b) })
	c.bin = filepath.Dir(initdbs[len(initdbs)-1])
	// As root, under /tmp: $TMPDIR may be a directory the postgres user cannot enter.
	parent := ""
	if os.Geteuid() == 0 {
		parent = "/tmp"
	}
	var err error
	if c.dir, err = os.MkdirTemp(parent, "gotensor-pg-"); err != nil {
		c.err = err
		return
	}
	// initdb refuses to run as root: as root the cluster belongs to the postgres user.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			c.err = fmt.Errorf("running as root, and there is no postgres user to own the cluster: %w", err)
			return
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			c.err = err
			return
		}
	}
	port, err := freePort()
	if err != nil {
		c.err = err
		return
	}
	data := filepath.Join(c.dir, "data")
	if err := c.run(c.bin+"/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		c.err = err
		return
	}
	// fsync off: the cluster is thrown away, so durability buys nothing.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, c.dir)
	if err := c.run(c.bin+"/pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.err = fmt.Errorf("%w\nserver log:\n%s", err, log)
		return
	}
	c.dsn = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// stop stops and removes a cluster start made, if any.
func (c *pgCluster) stop() error {
	if c.dir == "" {
		return nil
	}
	var err error
	if c.dsn != "" {
		err = c.run(c.bin+"/pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "stop")
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

// run runs a PostgreSQL program, as the postgres user when this process is root.
func (c *pgCluster) run(args ...string) error {
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		cmd = exec.Command("su", "postgres", "-s", "/bin/sh", "-c", strings.Join(quoted, " "))
	} else {
		cmd = exec.Command(args[0], args[1:]...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", filepath.Base(args[0]), err, out.String())
	}
	return nil
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// freePort returns a loopback port nothing listens on now.
func freePort() (int, error) { return freeport.Get() }
