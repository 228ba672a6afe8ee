package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
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
		Short: "Run a whole local network: node, prompting subnet, validators and miners",
	}
	c.PersistentFlags().StringVar(&dir, "dir", localnet.DefaultDir(), "state folder (node, wallets, logs); `up` again resumes it")

	var rpc, rest string
	var reset bool
	up := &cobra.Command{
		Use:   "up",
		Short: "Start the local network and show it live (Ctrl-C stops everything)",
		Long: `Start a localnet node (created on first use), write wallets for the dev accounts
under <dir>/wallets, create and start the prompting subnet, register and stake two
validators, and start three miners: one using tools, one using the built-in model
alone and one careless. The view updates every block; --json writes the same as
JSON events, one per line. Ctrl-C stops everything; running up again resumes.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if reset {
				if err := os.RemoveAll(dir); err != nil {
					return err
				}
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			logf, err := os.OpenFile(filepath.Join(dir, localnet.LogFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
			if err != nil {
				return err
			}
			defer logf.Close()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			emit := eventWriter(app)
			emit("starting", map[string]any{"dir": dir})
			n, err := localnet.Start(ctx, localnet.Config{Dir: dir, RPCListen: rpc, RESTListen: rest,
				Logger: slog.New(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
			if err != nil {
				return err
			}
			emit("up", map[string]any{"netuid": n.State.Netuid, "services": n.Services(), "wallets": filepath.Join(dir, localnet.WalletDir)})
			watch(ctx, app, n)
			emit("stopping", nil)
			return n.Stop()
		},
	}
	up.Flags().StringVar(&rpc, "rpc.laddr", "127.0.0.1:26657", "node RPC address")
	up.Flags().StringVar(&rest, "rest.laddr", "127.0.0.1:8080", `node REST address ("off" disables it)`)
	up.Flags().BoolVar(&reset, "reset", false, "delete the state folder first and start a fresh network")

	down := &cobra.Command{
		Use:   "down",
		Short: "Stop a local network started by `localnet up` in another terminal",
		RunE: func(*cobra.Command, []string) error {
			pid, err := readPID(dir)
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
			for range 100 {
				if _, err := readPID(dir); errors.Is(err, localnet.ErrNotRunning) {
					return printResult(app, map[string]any{"stopped": pid}, fmt.Sprintf("stopped localnet (process %d)", pid))
				}
				time.Sleep(100 * time.Millisecond)
			}
			return fmt.Errorf("localnet: process %d did not stop within 10 s; see %s", pid, filepath.Join(dir, localnet.LogFile))
		},
	}

	status := &cobra.Command{
		Use:   "status",
		Short: "Show the running local network's block height and metagraph",
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := localnet.LoadState(dir)
			if err != nil {
				return err
			}
			if _, err := readPID(dir); err != nil || st.Netuid == 0 {
				return fmt.Errorf("%w; start it with `btcli localnet up --dir %s`", localnet.ErrNotRunning, dir)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
			defer cancel()
			cl, err := client.Dial(ctx, client.Config{Endpoints: []string{st.RPC}, Retries: -1})
			if err != nil {
				return err
			}
			defer cl.Close()
			v, err := localnet.Snapshot(ctx, cl, st.Netuid, nil)
			if err != nil {
				return err
			}
			if app.JSON {
				return json.NewEncoder(app.Out).Encode(v)
			}
			localnet.Render(app.Out, v)
			return nil
		},
	}

	var follow bool
	logs := &cobra.Command{
		Use:   "logs",
		Short: "Print the local network's log (-f follows it)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := os.Open(filepath.Join(dir, localnet.LogFile))
			if err != nil {
				return fmt.Errorf("localnet: no log yet in %s: %w", dir, err)
			}
			defer f.Close()
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
	logs.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines")
	c.AddCommand(up, down, status, logs)
	return c
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
		return 0, fmt.Errorf("localnet: bad pid file: %w", err)
	}
	if p, err := os.FindProcess(pid); err != nil || p.Signal(syscall.Signal(0)) != nil {
		return 0, localnet.ErrNotRunning // stale: the process is gone
	}
	return pid, nil
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
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
