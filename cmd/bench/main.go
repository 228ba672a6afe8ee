// Command bench runs the node load test: an in-process localnet node fed
// signed transfers from many senders over the real RPC.
//
//	go run ./cmd/bench [-duration 60s] [-senders 64] [-json]
//
// Go micro-benchmarks are separate: go test -run '^$' -bench . ./...
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"

	"github.com/gotensor/gotensor/internal/loadtest"
)

func main() {
	var o loadtest.Options
	flag.DurationVar(&o.Duration, "duration", 0, "load time (default 60s)")
	flag.IntVar(&o.Senders, "senders", 0, "concurrent sending accounts (default 64)")
	flag.DurationVar(&o.BlockTime, "block-time", 0, "timeout_commit (default 250ms)")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	verbose := flag.Bool("v", false, "node logs to stderr")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *verbose {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := loadtest.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(rep)
		return
	}
	fmt.Printf("machine: %s/%s, %d CPUs\n%s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), rep)
}
