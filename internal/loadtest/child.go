package loadtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gotensor/gotensor/node"
)

// The node under load runs in a child process (this same binary, re-executed
// with these variables set), so its CPU time and resident memory are its own
// and not the load generator's.
const (
	envNodeHome    = "GOTENSOR_LOADTEST_NODE_HOME"
	envNodeRPC     = "GOTENSOR_LOADTEST_NODE_RPC"
	envNodeREST    = "GOTENSOR_LOADTEST_NODE_REST"
	envNodeProfile = "GOTENSOR_LOADTEST_NODE_CPUPROFILE"
	envNodeAllocs  = "GOTENSOR_LOADTEST_NODE_ALLOCPROFILE"
)

// ServeNodeIfChild runs the node and exits when this process is the child Run
// started; otherwise it returns at once. A binary that calls Run must call it
// first thing in main (or TestMain).
func ServeNodeIfChild() {
	home := os.Getenv(envNodeHome)
	if home == "" {
		return
	}
	if path := os.Getenv(envNodeProfile); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest node:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	n, err := node.Start(ctx, node.Config{Home: home, RPCListen: "tcp://" + os.Getenv(envNodeRPC), P2PListen: "tcp://127.0.0.1:0",
		RESTListen: os.Getenv(envNodeREST), MetricsListen: "off", Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest node:", err)
		os.Exit(1)
	}
	<-ctx.Done()
	err = n.Stop()
	pprof.StopCPUProfile()
	if path := os.Getenv(envNodeAllocs); path != "" {
		if f, ferr := os.Create(path); ferr == nil {
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest node: stop:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// nodeProcess is the child running the node.
type nodeProcess struct {
	cmd  *exec.Cmd
	done chan error
	log  string
}

func startNodeProcess(home, rpcAddr, restAddr, cpuProfile, allocProfile string, verbose bool) (*nodeProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start node process: %w", err)
	}
	p := &nodeProcess{cmd: exec.Command(exe), done: make(chan error, 1), log: filepath.Join(filepath.Dir(home), "node.log")}
	p.cmd.Env = append(os.Environ(), envNodeHome+"="+home, envNodeRPC+"="+rpcAddr, envNodeREST+"="+restAddr, envNodeProfile+"="+cpuProfile, envNodeAllocs+"="+allocProfile)
	if verbose {
		p.cmd.Stderr = os.Stderr
	} else {
		f, err := os.Create(p.log)
		if err != nil {
			return nil, err
		}
		defer f.Close() // the child has its own copy
		p.cmd.Stderr = f
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start node process: %w", err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	return p, nil
}

// exited reports why the child is gone, or nil while it runs.
func (p *nodeProcess) exited() error {
	select {
	case err := <-p.done:
		p.done <- err
		tail, _ := os.ReadFile(p.log)
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return fmt.Errorf("node process exited (%v): %s", err, strings.TrimSpace(string(tail)))
	default:
		return nil
	}
}

// stop asks the node to stop and waits for it (killing it after 20 s).
func (p *nodeProcess) stop() error {
	if err := p.exited(); err != nil {
		return err
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		return errors.Join(errors.New("node process did not stop in 20 s; killed"), <-p.done)
	}
}

// cpu is the CPU time (user and system) the node process has used so far,
// from /proc (0 where there is none).
func (p *nodeProcess) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces:
	// state is field 3, utime 14, stime 15 (clock ticks of 1/100 s on Linux).
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// maxRSS is the node process's peak resident set (VmHWM).
func (p *nodeProcess) maxRSS() int64 {
	return vmHWM(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
}
