// Command bench runs the node load test: a localnet node (in a child
// process, so its CPU and memory are measured apart from the load
// generator's) fed signed transactions from many senders, raw bytes to the REST
// facade's POST /api/v1/txs or (-submit rpc) CometBFT's JSON-RPC. -call picks the
// load: transfer (default), stake (each sender alternates add_stake and
// remove_stake on one subnet), or both, which runs transfer then stake, each
// on a fresh node, and prints the ratio of their committed tx/s.
//
//	go run ./cmd/bench [-call transfer|stake|both] [-submit rest|rpc] [-duration 60s] [-senders 64] [-json]
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
	loadtest.ServeNodeIfChild() // the node under load runs as a child of this binary
	var o loadtest.Options
	flag.DurationVar(&o.Duration, "duration", 0, "load time (default 60s)")
	flag.IntVar(&o.Senders, "senders", 0, "concurrent sending accounts (default 64)")
	flag.DurationVar(&o.BlockTime, "block-time", 0, "timeout_commit (default 250ms)")
	flag.StringVar(&o.Submit, "submit", loadtest.SubmitREST, "submission path: rest (raw bytes to POST /api/v1/txs) or rpc (CometBFT JSON-RPC broadcast_tx_sync)")
	call := flag.String("call", loadtest.CallTransfer, "load: transfer, stake, or both (transfer then stake, with their ratio)")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	verbose := flag.Bool("v", false, "node logs to stderr")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the load generator to this file")
	flag.StringVar(&o.NodeCPUProfile, "node-cpuprofile", "", "write a CPU profile of the node process to this file")
	flag.StringVar(&o.NodeAllocProfile, "node-allocprofile", "", "write the node process's allocation profile to this file when it stops")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			pprof.StopCPUProfile() // os.Exit skips the deferred stop
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *verbose {
		o.Verbose = true
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	calls := []string{*call}
	if *call == "both" {
		calls = []string{loadtest.CallTransfer, loadtest.CallStake}
	}
	reps := map[string]loadtest.Report{}
	if !*asJSON {
		fmt.Printf("machine: %s/%s, %d CPUs\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	}
	for _, c := range calls {
		o.Call = c
		rep, err := loadtest.Run(ctx, o)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			pprof.StopCPUProfile() // os.Exit skips the deferred stop
			os.Exit(1)
		}
		reps[c] = rep
		if !*asJSON {
			fmt.Println(rep)
		}
	}
	// The rate ratio is what the target is about; the CPU ratio (transfer's CPU per
	// committed tx over stake's) is the same comparison with other processes' share
	// of the machine taken out, for noisy machines.
	var ratio, cpuRatio float64
	tr, st := reps[loadtest.CallTransfer], reps[loadtest.CallStake]
	if len(calls) == 2 && tr.CommittedPerSec > 0 && st.CPUPerTx > 0 {
		ratio = st.CommittedPerSec / tr.CommittedPerSec
		cpuRatio = float64(tr.CPUPerTx) / float64(st.CPUPerTx)
	}
	switch {
	case *asJSON && len(calls) == 1:
		json.NewEncoder(os.Stdout).Encode(reps[calls[0]])
	case *asJSON:
		json.NewEncoder(os.Stdout).Encode(map[string]any{"transfer": tr, "stake": st, "stake_over_transfer": ratio, "stake_over_transfer_by_cpu": cpuRatio})
	case len(calls) == 2:
		fmt.Printf("stake/transfer committed tx/s: %.2f (by CPU per committed tx: %.2f)\n", ratio, cpuRatio)
	}
}
