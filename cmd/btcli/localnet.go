package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/localnet"
)

// newLocalnetCmd is `btcli localnet up|down|status|logs`: a whole network on one machine.
func newLocalnetCmd(app *App) *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "localnet",
		Short: "Run a whole local network: node, prompting and template subnets, validators, miners, gateway",
	}
	c.PersistentFlags().StringVar(&dir, "dir", localnet.DefaultDir(), "state folder (node, wallets, logs); running up again resumes it")

	var o upOptions
	up := &cobra.Command{
		Use:   "up",
		Short: "Start the local network and show it live (Ctrl-C stops everything; --detach runs it in the background)",
		Long: `Start a localnet node (created on first use), write wallets for the dev accounts
under <dir>/wallets, and create and start two subnets:
  - prompting: two staked validators and three miners, one using tools, one using
    the built-in model alone and one careless;
  - template (subnets/template): one validator and three miners.
The gateway serves the prompting miners as an OpenAI-compatible API, with a dev API
key made on first start. The view updates every block; --json writes the same as
JSON events, one per line. Ctrl-C stops everything; running up again resumes.

--detach runs the network as a background process instead (output in
<dir>/localnet.log), returns once it is up and prints where each service listens;
then use localnet status, logs and down.

--rpc.laddr, --rest.laddr and --gateway.laddr, when not passed, are those of the
folder's last run (so "up --dir D" resumes on the same ports, "off" included,
also after a first run interrupted during setup); a fresh folder gets the
defaults shown below.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.detach && o.detached {
				return usageErrorf("--detach and --detached are exclusive")
			}
			if pid, err := readPID(dir); err == nil {
				return fmt.Errorf("a localnet already runs from %s (process %d); see `btcli localnet status --dir %s` or stop it with `btcli localnet down --dir %s`", dir, pid, dir, dir)
			}
			if o.reset {
				if err := resetDir(dir); err != nil {
					return err
				}
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return fmt.Errorf("state folder: %w; pass another --dir", err)
			}
			if !o.detached {
				// A bad state file is reported by Start, with what to do.
				if st, err := localnet.LoadState(dir); err == nil {
					o.reused = reuseAddrs(cmd.Flags().Changed, st, &o)
				}
				if len(o.reused) > 0 && !app.JSON {
					fmt.Fprintf(app.Err, "reusing the last run's addresses: %s (pass the flag to change)\n", reusedText(o.reused))
				}
			}
			if o.detach {
				return upDetached(cmd.Context(), app, dir, o)
			}
			return upHere(cmd.Context(), app, dir, o)
		},
	}
	up.Flags().StringVar(&o.rpc, "rpc.laddr", defaultRPCAddr, "node RPC address (default: the last run's, else this)")
	up.Flags().StringVar(&o.rest, "rest.laddr", defaultRESTAddr, `node REST address ("off" disables it; default: the last run's, else this)`)
	up.Flags().StringVar(&o.gateway, "gateway.laddr", defaultGatewayAddr, `gateway address ("off" disables it; default: the last run's, else this)`)
	up.Flags().DurationVar(&o.blockTime, "block-time", 0, "block time of a new chain (0: the localnet profile's 250ms)")
	up.Flags().BoolVar(&o.reset, "reset", false, "delete the state folder first and start a fresh network")
	up.Flags().BoolVarP(&o.detach, "detach", "d", false, "run in the background; see localnet status, logs and down")
	up.Flags().DurationVar(&o.wait, "wait", 3*time.Minute, "with --detach: how long to wait for the network to come up")
	// --detached is the background process --detach starts: no live view, output to the log.
	up.Flags().BoolVar(&o.detached, "detached", false, "")
	_ = up.Flags().MarkHidden("detached")

	down := &cobra.Command{
		Use:   "down",
		Short: "Stop a local network started by `localnet up` (in the background or another terminal)",
		RunE: func(*cobra.Command, []string) error {
			pid, err := readPID(dir)
			if errors.Is(err, localnet.ErrNotRunning) {
				return printResult(app, map[string]any{"status": "stopped", "dir": dir}, fmt.Sprintf("no localnet runs from %s; nothing to stop", dir))
			}
			if err != nil {
				return err
			}
			p, err := os.FindProcess(pid)
			if err == nil {
				err = p.Signal(syscall.SIGTERM)
			}
			if err != nil {
				return fmt.Errorf("localnet: stopping process %d: %w", pid, err)
			}
			start := time.Now()
			for time.Since(start) < downTimeout {
				if _, err := readPID(dir); errors.Is(err, localnet.ErrNotRunning) {
					took := time.Since(start).Round(100 * time.Millisecond)
					return printResult(app, map[string]any{"status": "stopped", "dir": dir, "pid": pid, "took": took.String()},
						fmt.Sprintf("stopped the localnet in %s (process %d) in %v; `btcli localnet up --dir %s` resumes it", dir, pid, took, dir))
				}
				time.Sleep(100 * time.Millisecond) // polling another process's pid file; nothing to wait on
			}
			return fmt.Errorf("localnet: process %d did not stop within %v; see %s, or end it with `kill -9 %d`", pid, downTimeout, filepath.Join(dir, localnet.LogFile), pid)
		},
	}

	status := &cobra.Command{
		Use:   "status",
		Short: "Say whether the local network runs; if so its block height, endpoints and metagraphs",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return localnetStatus(cmd.Context(), app, dir)
		},
	}

	var follow bool
	var tail int
	logs := &cobra.Command{
		Use:   "logs",
		Short: "Print the local network's log (-f follows it, -n prints only the last lines)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := filepath.Join(dir, localnet.LogFile)
			f, err := os.Open(path)
			if err != nil {
				return fmt.Errorf("localnet: no log in %s yet (%w); start the network with `btcli localnet up --dir %s`", dir, err, dir)
			}
			defer f.Close()
			if tail > 0 {
				if err := seekLastLines(f, tail); err != nil {
					return fmt.Errorf("localnet: reading %s: %w", path, err)
				}
			}
			for {
				if _, err := io.Copy(app.Out, f); err != nil || !follow {
					return err
				}
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(300 * time.Millisecond):
				}
			}
		},
	}
	logs.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines (Ctrl-C ends)")
	logs.Flags().IntVarP(&tail, "lines", "n", 0, "print only the last N lines (0: all)")
	c.AddCommand(up, down, status, logs)
	return c
}

// resetDir deletes dir for `up --reset`, but only when it is a localnet folder (it holds
// the state, the node or the log of a run) or empty: --dir names any folder, and a mistyped
// one (a home folder, a project) must not be deleted.
func resetDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--reset: %w", err)
	}
	ours := len(entries) == 0
	for _, name := range []string{localnet.StateFile, localnet.NodeDir, localnet.LogFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			ours = true
		}
	}
	if !ours {
		return fmt.Errorf("--reset: %s is not a localnet folder (it has no %s, %s or %s), so it is not deleted; pass the folder `localnet up` made, or another --dir", dir, localnet.StateFile, localnet.NodeDir, localnet.LogFile)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("--reset: %w", err)
	}
	return nil
}

// downTimeout bounds `localnet down`: the gateway may take up to 10 s to
// finish requests in flight, then the node stops.
const downTimeout = 60 * time.Second

type upOptions struct {
	rpc, rest, gateway string
	blockTime, wait    time.Duration
	reset              bool
	detach, detached   bool
	// reused are the address flags taken from the folder's last run.
	reused map[string]string
}

// upHere runs the network in this process until Ctrl-C (or SIGTERM, which
// is how `localnet down` stops a --detach one).
func upHere(ctx context.Context, app *App, dir string, o upOptions) error {
	logf, err := os.OpenFile(filepath.Join(dir, localnet.LogFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	emit := eventWriter(app)
	starting := map[string]any{"dir": dir, "pid": os.Getpid()}
	if len(o.reused) > 0 {
		starting["reused"] = o.reused
	}
	emit("starting", starting)
	n, err := localnet.Start(ctx, localnet.Config{Dir: dir, RPCListen: o.rpc, RESTListen: o.rest, GatewayListen: o.gateway,
		BlockTime: o.blockTime, Logger: slog.New(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		if ctx.Err() == nil {
			return err
		}
		// Ctrl-C (or localnet down) before the network was up: Start has
		// stopped what it started, and what setup did is kept. Not a failure,
		// so it ends like a Ctrl-C after setup (exit 0), with no error.
		fmt.Fprintf(logf, "interrupted during setup: %v\n", err)
		msg := interruptedDuringSetup(dir)
		if app.JSON {
			emit("stopped", map[string]any{"dir": dir, "during_setup": true, "message": msg})
		} else {
			fmt.Fprintln(app.Err, msg)
		}
		return nil
	}
	emit("up", upEvent(dir, n.State, n.Services()))
	if o.detached {
		fmt.Fprintf(app.Out, "localnet up at block %d (process %d)\n", n.Node().Height(), os.Getpid())
		printEndpoints(app.Out, dir, n.State, n.Services())
		<-ctx.Done()
	} else {
		watch(ctx, app, n)
	}
	emit("stopping", nil)
	if err := n.Stop(); err != nil {
		return err
	}
	emit("stopped", map[string]any{"dir": dir})
	if o.detached {
		fmt.Fprintf(app.Out, "localnet stopped cleanly (process %d)\n", os.Getpid())
	}
	return nil
}

// interruptedDuringSetup is what `up` says when stopped before the network was up.
func interruptedDuringSetup(dir string) string {
	return fmt.Sprintf("interrupted during setup; `btcli localnet up --dir %s` resumes it (on the same addresses)", dir)
}

func upEvent(dir string, st localnet.State, services []localnet.Service) map[string]any {
	return map[string]any{"dir": dir, "pid": st.PID, "netuid": st.Netuid, "template_netuid": st.TemplateNetuid,
		"services": services, "wallets": filepath.Join(dir, localnet.WalletDir), "log": filepath.Join(dir, localnet.LogFile),
		"gateway": st.Gateway, "gateway_key": st.GatewayKey, "gateway_admin_token": st.GatewayAdminToken}
}

// printGatewayCreds writes the gateway's dev API key and admin token, when
// the gateway is among services.
func printGatewayCreds(w io.Writer, dir string, st localnet.State, services []localnet.Service) {
	if serviceAddr(services, "gateway") == "" {
		return
	}
	if st.GatewayKey != "" {
		fmt.Fprintf(w, "gateway API key: %s (model %s)\n", st.GatewayKey, localnet.GatewayModel)
	}
	if st.GatewayAdminToken != "" {
		cmd := "btcli gateway"
		if filepath.Clean(dir) != filepath.Clean(localnet.DefaultDir()) {
			cmd += " --localnet-dir " + dir
		}
		fmt.Fprintf(w, "gateway admin token: %s (%s keys create|list ... uses it)\n", st.GatewayAdminToken, cmd)
	}
}

func serviceAddr(services []localnet.Service, name string) string {
	for _, s := range services {
		if s.Name == name {
			return s.Addr
		}
	}
	return ""
}

// Defaults of localnet up's address flags.
const (
	defaultRPCAddr     = "127.0.0.1:26657"
	defaultRESTAddr    = "127.0.0.1:8080"
	defaultGatewayAddr = "127.0.0.1:8000"
)

// lastGatewayAddr is the gateway's listen address in the state's last run,
// "off" if that run had none; ok is false when the state does not say.
func lastGatewayAddr(st localnet.State) (addr string, ok bool) {
	return lastAddr(st, "gateway", st.Gateway, "/v1", false)
}

// lastRESTAddr is the node REST listen address in the state's last run,
// "off" if that run had none; ok is false when the state does not say.
func lastRESTAddr(st localnet.State) (addr string, ok bool) {
	return lastAddr(st, "node REST", st.REST, "/api/v1/status", true)
}

// lastAddr is a listen address from the state's last run: from the services
// that run listed when it came up (the service missing means "off"), else
// from url (the state's own field, which a run that did not come up may have
// left). offWhenNodeRan says a node that ran without url had the service off.
func lastAddr(st localnet.State, service, url, pathSuffix string, offWhenNodeRan bool) (string, bool) {
	if len(st.Services) > 0 {
		a := serviceAddr(st.Services, service)
		if a == "" {
			return "off", true
		}
		return strings.TrimSuffix(strings.TrimPrefix(a, "http://"), pathSuffix), true
	}
	if url != "" {
		return strings.TrimSuffix(strings.TrimPrefix(url, "http://"), pathSuffix), true
	}
	if offWhenNodeRan && st.RPC != "" {
		return "off", true
	}
	return "", false
}

// reuseAddrs sets each of --rpc.laddr, --rest.laddr and --gateway.laddr that
// was not passed (changed says which were) to the address of the folder's last run, and returns those
// that differ from the flag's default (flag name → address). The state's
// Listen has them whether or not that run came up; a folder from before it
// was kept has them in the services and endpoints of its last run.
func reuseAddrs(changed func(flag string) bool, st localnet.State, o *upOptions) map[string]string {
	reused := map[string]string{}
	use := func(flag string, dst *string, addr, def string, ok bool) {
		if !ok || addr == "" || changed(flag) {
			return
		}
		*dst = addr
		if addr != def {
			reused[flag] = addr
		}
	}
	if l := st.Listen; l != nil {
		use("rpc.laddr", &o.rpc, l.RPC, defaultRPCAddr, true)
		use("rest.laddr", &o.rest, l.REST, defaultRESTAddr, true)
		use("gateway.laddr", &o.gateway, l.Gateway, defaultGatewayAddr, true)
		return reused
	}
	use("rpc.laddr", &o.rpc, strings.TrimPrefix(st.RPC, "http://"), defaultRPCAddr, st.RPC != "")
	rest, ok := lastRESTAddr(st)
	use("rest.laddr", &o.rest, rest, defaultRESTAddr, ok)
	gw, ok := lastGatewayAddr(st)
	use("gateway.laddr", &o.gateway, gw, defaultGatewayAddr, ok)
	return reused
}

// reusedText lists reused address flags in flag order.
func reusedText(reused map[string]string) string {
	var parts []string
	for _, f := range []string{"rpc.laddr", "rest.laddr", "gateway.laddr"} {
		if a, ok := reused[f]; ok {
			parts = append(parts, "--"+f+" "+a)
		}
	}
	return strings.Join(parts, ", ")
}

// printEndpoints writes where each service listens and how to use them.
func printEndpoints(w io.Writer, dir string, st localnet.State, services []localnet.Service) {
	fmt.Fprintf(w, "subnets: prompting %d, template %d\n", st.Netuid, st.TemplateNetuid)
	for _, s := range services {
		fmt.Fprintf(w, "  %-22s %s\n", s.Name, s.Addr)
	}
	printGatewayCreds(w, dir, st, services)
	fmt.Fprintf(w, "wallets: %s (dev keys; btcli --wallet.path %s ...)\n", filepath.Join(dir, localnet.WalletDir), filepath.Join(dir, localnet.WalletDir))
}

// upDetached starts `localnet up --detached` as a background process of its
// own session (so closing the terminal does not stop it), with its output
// appended to the log, and returns once the network is up.
func upDetached(ctx context.Context, app *App, dir string, o upOptions) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("localnet: cannot find this program to run it in the background: %w; run `btcli localnet up` in a terminal of its own instead", err)
	}
	logPath := filepath.Join(dir, localnet.LogFile)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "=== %s: btcli localnet up --detach\n", time.Now().UTC().Format(time.RFC3339))
	args := []string{"localnet", "up", "--detached", "--dir", dir, "--rpc.laddr", o.rpc, "--rest.laddr", o.rest,
		"--gateway.laddr", o.gateway, "--block-time", o.blockTime.String()}
	child := exec.Command(exe, args...)
	child.Stdout, child.Stderr = logf, logf
	child.SysProcAttr = detachAttr()
	if err := child.Start(); err != nil {
		return fmt.Errorf("localnet: starting the background process: %w", err)
	}
	pid := child.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	if !app.JSON {
		fmt.Fprintf(app.Err, "starting the local network in the background (process %d, log %s; first run: about 10 s)...\n", pid, logPath)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	deadline := time.After(o.wait)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("localnet: the background process exited before the network was up (%v); last lines of %s:\n%s", err, logPath, lastLines(logPath, 15))
		case <-ctx.Done():
			_ = child.Process.Signal(syscall.SIGTERM)
			return fmt.Errorf("localnet: interrupted while starting; stopped the background process %d", pid)
		case <-deadline:
			_ = child.Process.Signal(syscall.SIGTERM)
			return fmt.Errorf("localnet: not up after %v, so stopped the background process %d; see %s, or raise --wait", o.wait, pid, logPath)
		case <-tick.C:
		}
		st, err := localnet.LoadState(dir)
		if err != nil || !st.Ready || st.PID != pid {
			continue
		}
		if app.JSON {
			m := upEvent(dir, st, st.Services)
			m["event"], m["time"], m["detached"] = "up", time.Now().UTC(), true
			if len(o.reused) > 0 {
				m["reused"] = o.reused
			}
			return json.NewEncoder(app.Out).Encode(m)
		}
		fmt.Fprintf(app.Out, "localnet running in the background (process %d), state in %s\n", pid, dir)
		printEndpoints(app.Out, dir, st, st.Services)
		fmt.Fprintf(app.Out, "next:\n  btcli localnet status --dir %s    block height, endpoints, metagraphs\n  btcli localnet logs -f --dir %s   follow the log\n  btcli localnet down --dir %s      stop it (up again resumes)\n", dir, dir, dir)
		return nil
	}
}

// localnetStatus reports whether a localnet runs from dir and, if it does,
// its height, endpoints and metagraphs.
func localnetStatus(ctx context.Context, app *App, dir string) error {
	st, err := localnet.LoadState(dir)
	if err != nil {
		return fmt.Errorf("localnet: %s in %s: %w (delete the folder to start over)", localnet.StateFile, dir, err)
	}
	pid, err := readPID(dir)
	if errors.Is(err, localnet.ErrNotRunning) {
		hint := fmt.Sprintf("start it with `btcli localnet up --detach --dir %s`", dir)
		if st.Netuid == 0 {
			hint = fmt.Sprintf("no network was created there yet; %s", hint)
		}
		return printResult(app, map[string]any{"status": "stopped", "dir": dir, "netuid": st.Netuid, "template_netuid": st.TemplateNetuid},
			fmt.Sprintf("localnet in %s: stopped (%s)", dir, hint))
	}
	if err != nil {
		return err
	}
	out := struct {
		Status            string `json:"status"`
		Dir               string `json:"dir"`
		PID               int    `json:"pid"`
		GatewayKey        string `json:"gateway_key,omitempty"`
		GatewayAdminToken string `json:"gateway_admin_token,omitempty"`
		Error             string `json:"error,omitempty"`
		localnet.View
	}{Status: "running", Dir: dir, PID: pid, GatewayKey: st.GatewayKey, GatewayAdminToken: st.GatewayAdminToken}
	if !st.Ready {
		out.Status = "starting"
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, client.Config{Endpoints: []string{st.RPC}, Retries: -1})
	if err == nil {
		defer cl.Close()
		out.View, err = localnet.Snapshot(ctx, cl, st.Subnets(), nil)
	}
	if err != nil {
		out.Error = fmt.Sprintf("node at %s not answering: %v; see `btcli localnet logs --dir %s`", st.RPC, err, dir)
	}
	out.View.Services = st.Services
	if app.JSON {
		return json.NewEncoder(app.Out).Encode(out)
	}
	fmt.Fprintf(app.Out, "localnet in %s: %s (process %d)\n", dir, out.Status, pid)
	if out.Error != "" {
		fmt.Fprintln(app.Out, out.Error)
		return nil
	}
	localnet.Render(app.Out, out.View)
	printGatewayCreds(app.Out, dir, st, st.Services)
	return nil
}

func readPID(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, localnet.PIDFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, localnet.ErrNotRunning
	}
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("localnet: bad pid file %s: %w; delete it if no localnet runs", filepath.Join(dir, localnet.PIDFile), err)
	}
	if !alive(pid) {
		return 0, localnet.ErrNotRunning // stale: the process is gone
	}
	return pid, nil
}

// alive reports whether process pid exists and is not a zombie (a stopped
// background localnet whose parent has not reaped it yet).
func alive(pid int) bool {
	if p, err := os.FindProcess(pid); err != nil || p.Signal(syscall.Signal(0)) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc (macOS): the signal test is all there is
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	if i := strings.LastIndexByte(string(b), ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] != 'Z'
	}
	return true
}

// lastLines returns the last n lines of the file at path, or a note why not.
func lastLines(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	if err := seekLastLines(f, n); err != nil {
		return "(" + err.Error() + ")"
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

// seekLastLines positions f at the start of its last n lines.
func seekLastLines(f *os.File, n int) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	const chunk = 64 << 10
	size := fi.Size()
	buf := make([]byte, chunk)
	lines := 0
	for end := size; end > 0; {
		start := max(0, end-chunk)
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil {
			return err
		}
		for i := len(b) - 1; i >= 0; i-- {
			// The file's final newline ends the last line; it does not start one.
			if b[i] == '\n' && start+int64(i) != size-1 {
				if lines++; lines == n {
					_, err := f.Seek(start+int64(i)+1, io.SeekStart)
					return err
				}
			}
		}
		end = start
	}
	_, err = f.Seek(0, io.SeekStart)
	return err
}

func printResult(app *App, v any, text string) error {
	if app.JSON {
		return json.NewEncoder(app.Out).Encode(v)
	}
	_, err := fmt.Fprintln(app.Out, text)
	return err
}

// eventWriter writes --json events ({"event": ..., ...}) or, without --json,
// short lines on stderr.
func eventWriter(app *App) func(event string, data map[string]any) {
	return func(event string, data map[string]any) {
		if app.JSON {
			m := map[string]any{"event": event, "time": time.Now().UTC()}
			for k, v := range data {
				m[k] = v
			}
			_ = json.NewEncoder(app.Out).Encode(m)
			return
		}
		if event == "starting" {
			fmt.Fprintf(app.Err, "starting the local network in %s (first run: about 10 s)...\n", data["dir"])
		}
		if event == "stopping" {
			fmt.Fprintln(app.Err, "stopping the local network...")
		}
	}
}

// watch shows the view each new block until ctx ends.
func watch(ctx context.Context, app *App, n *localnet.Net) {
	var last int64
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if h := n.Node().Height(); h == last {
			continue
		}
		v, err := n.Snapshot(ctx)
		if err != nil {
			continue
		}
		last = v.Height
		if app.JSON {
			_ = json.NewEncoder(app.Out).Encode(struct {
				Event string `json:"event"`
				localnet.View
			}{"view", v})
			continue
		}
		if f, ok := app.Out.(*os.File); ok && isTerminal(f) {
			fmt.Fprint(app.Out, "\033[H\033[2J")
		} else if v.Height%int64(max(1, v.Subnets[0].Tempo)) != 0 {
			continue // not a terminal: one view per epoch
		}
		localnet.Render(app.Out, v)
		printGatewayCreds(app.Out, n.Dir, n.State, n.Services())
		fmt.Fprintln(app.Out, strings.Repeat("-", 20)+" Ctrl-C stops everything; state is kept for the next `up`")
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
