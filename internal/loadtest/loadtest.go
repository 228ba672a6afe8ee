// Package loadtest measures a real node under load: committed transactions
// per second, broadcast_tx_sync latency, resident memory and disk growth,
// next to the bare cost of one sr25519 verification measured in the same
// run. The load is balance transfers (Options.Call "transfer") or staking
// (Options.Call "stake": each sender alternates add_stake and remove_stake
// on one subnet created and started at setup, staking to its owner hotkey).
package loadtest

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/gotensor/gotensor/chain/app"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node"
)

// Load kinds for Options.Call.
const (
	CallTransfer = "transfer" // transfers of 1000 RAO to one account
	CallStake    = "stake"    // add_stake and remove_stake, alternating, on one subnet
)

// Submission paths for Options.Submit.
const (
	// SubmitREST posts the raw transaction to the REST facade's POST
	// /api/v1/txs, which checks signatures on the request's goroutine (in
	// batches) before CheckTx.
	SubmitREST = "rest"
	// SubmitRPC posts CometBFT's JSON-RPC broadcast_tx_sync, as the client
	// package and btcli do.
	SubmitRPC = "rpc"
)

// Options configure Run.
type Options struct {
	Duration  time.Duration // load time; zero means 60 s
	Senders   int           // concurrent signing accounts; zero means 64
	BlockTime time.Duration // timeout_commit; zero means 250 ms
	Dir       string        // node home parent; empty means a temp dir
	// Call is the load: CallTransfer (empty means this) or CallStake.
	Call string
	// Submit is how senders submit: SubmitREST (empty means this) or SubmitRPC.
	Submit string
	// NodeCPUProfile, when set, is where the node process writes its CPU profile.
	NodeCPUProfile string
	// NodeAllocProfile, when set, is where the node process writes its
	// allocation profile (pprof "allocs") when it stops.
	NodeAllocProfile string
	// Verbose sends the node's log to stderr (else to node.log beside its home).
	Verbose bool
	Logger  *slog.Logger
}

// Stake load sizes: each sender stakes stakeSeed at setup, then alternates
// add_stake of stakeStep and remove_stake of the alpha stakeStep bought at
// setup, so positions and the pool price stay near where they started and
// every remove fits the committed position CheckTx sees.
const (
	stakeSeed = balances.RAOPerTAO       // 1 TAO per sender
	stakeStep = balances.RAOPerTAO / 100 // 0.01 TAO, 5× the 0.002 TAO minimum
)

// Report is what Run measured.
type Report struct {
	Call      string        `json:"call"`
	Submit    string        `json:"submit"`
	Duration  time.Duration `json:"duration_ns"`
	Senders   int           `json:"senders"`
	Sent      int64         `json:"sent"`
	Rejected  int64         `json:"rejected"`
	Committed int64         `json:"committed"`
	// CommittedByCall counts the committed transactions by call name.
	CommittedByCall map[string]int64 `json:"committed_by_call"`
	Blocks          int64            `json:"blocks"`
	CommittedPerSec float64          `json:"committed_per_sec"`
	// CPUPerTx is the CPU time the node and the load generator (signing
	// included) used during the load per committed transaction: a cost that,
	// unlike the rate, does not depend on how much of the machine other
	// processes take. NodeCPUPerTx is the node process's part of it.
	CPUPerTx     time.Duration `json:"cpu_per_committed_tx_ns"`
	NodeCPUPerTx time.Duration `json:"node_cpu_per_committed_tx_ns"`
	BroadcastP50 time.Duration `json:"broadcast_p50_ns"`
	BroadcastP99 time.Duration `json:"broadcast_p99_ns"`
	VerifyNs     float64       `json:"sr25519_verify_ns"`
	SignNs       float64       `json:"sr25519_sign_ns"`
	// PerTxOverVerify is (1 s / committed per second) / verify cost: how
	// many verifications' worth of wall time each committed tx takes.
	PerTxOverVerify float64 `json:"per_tx_over_verify"`
	// NodeCPUOverVerify is NodeCPUPerTx / verify cost: how many
	// verifications' worth of CPU the node spends on each committed tx (one
	// of them is the signature check itself).
	NodeCPUOverVerify float64 `json:"node_cpu_over_verify"`
	// VerifyInLoadNs is the verify cost measured during the load, by the
	// sampling thread's CPU clock (0 where it cannot be read), and
	// NodeCPUOverVerifyInLoad is NodeCPUPerTx over it: the same ratio as
	// NodeCPUOverVerify with both figures from the same seconds, so that the
	// machine's drifting speed weighs on both alike.
	VerifyInLoadNs          float64 `json:"sr25519_verify_in_load_ns"`
	NodeCPUOverVerifyInLoad float64 `json:"node_cpu_over_verify_in_load"`
	// MaxRSSBytes is the node process's peak resident memory.
	MaxRSSBytes     int64 `json:"max_rss_bytes"`
	DiskBytes       int64 `json:"disk_bytes"`
	DiskPer10kBlock int64 `json:"disk_bytes_per_10k_blocks"`
}

func (r Report) String() string {
	var calls []string
	for _, name := range slices.Sorted(maps.Keys(r.CommittedByCall)) {
		calls = append(calls, fmt.Sprintf("%s %d", name, r.CommittedByCall[name]))
	}
	inLoad := "not measured on this platform"
	if r.VerifyInLoadNs > 0 {
		inLoad = fmt.Sprintf("%.0f ns, median of bursts during the load (thread CPU clock); node CPU per tx ÷ it: %.2f", r.VerifyInLoadNs, r.NodeCPUOverVerifyInLoad)
	}
	return fmt.Sprintf(`load: %s, %d senders for %s, submitted by %s
  sent %d, rejected at mempool %d, committed %d in %d blocks (%s)
  committed tx/s:        %.0f
  CPU per committed tx:  %s node, %s node and load generator (signed before the clock)
  submit p50:            %s   p99: %s
  sr25519 verify:        %.0f ns (sign %.0f ns), median of rounds before and after the load
  per committed tx:      %.2f verifications of node CPU (node CPU ÷ verify), %.2f of wall time (1/rate ÷ verify)
  verify during load:    %s
  node max RSS:          %.0f MB
  disk: %.1f MB total, %.1f MB per 10k blocks`,
		r.Call, r.Senders, r.Duration, submitPath(r.Submit), r.Sent, r.Rejected, r.Committed, r.Blocks, strings.Join(calls, ", "), r.CommittedPerSec,
		r.NodeCPUPerTx.Round(time.Microsecond), r.CPUPerTx.Round(time.Microsecond),
		r.BroadcastP50, r.BroadcastP99, r.VerifyNs, r.SignNs, r.NodeCPUOverVerify, r.PerTxOverVerify, inLoad,
		float64(r.MaxRSSBytes)/1e6, float64(r.DiskBytes)/1e6, float64(r.DiskPer10kBlock)/1e6)
}

func submitPath(s string) string {
	if s == SubmitRPC {
		return "JSON-RPC broadcast_tx_sync"
	}
	return "REST POST /api/v1/txs (raw bytes)"
}

func senderKey(i int) *keys.Keypair {
	var seed [32]byte
	copy(seed[:], "gotensor-loadtest")
	binary.BigEndian.PutUint32(seed[28:], uint32(i))
	kp, err := keys.FromSeed(seed)
	if err != nil {
		panic(err)
	}
	return kp
}

// MeasureVerify times sr25519 sign and verify over n rounds.
func MeasureVerify(n int) (signNs, verifyNs float64) {
	kp := senderKey(0)
	msg := make([]byte, 150)
	sig, _ := kp.Sign(msg)
	start := time.Now()
	for i := 0; i < n; i++ {
		sig, _ = kp.Sign(msg)
	}
	signNs = float64(time.Since(start).Nanoseconds()) / float64(n)
	start = time.Now()
	for i := 0; i < n; i++ {
		if !keys.Verify(kp.Public(), msg, sig) {
			panic("verify failed")
		}
	}
	verifyNs = float64(time.Since(start).Nanoseconds()) / float64(n)
	return
}

// verifySamples collects MeasureVerify rounds taken before and after the
// load; the report gives their medians, as the machine's speed drifts.
type verifySamples struct{ sign, verify []float64 }

func (v *verifySamples) take(rounds int) {
	for range rounds {
		s, vf := MeasureVerify(400)
		v.sign, v.verify = append(v.sign, s), append(v.verify, vf)
	}
}

// sampleVerifyDuringLoad measures the verify cost while the load runs, on
// the same machine at the same moment as the node's CPU: every interval, one
// burst of verifications timed by this thread's own CPU clock (so time the OS
// gives other threads does not count). The bursts take about half a percent
// of one core. It returns the per-verification samples when ctx ends; none
// where the thread clock cannot be read.
func sampleVerifyDuringLoad(ctx context.Context, interval time.Duration) []float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	kp := senderKey(0)
	msg := make([]byte, 150)
	sig, _ := kp.Sign(msg)
	const burst = 20
	var out []float64
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-t.C:
		}
		start := threadCPU()
		if start == 0 {
			return nil
		}
		for range burst {
			if !keys.Verify(kp.Public(), msg, sig) {
				panic("verify failed")
			}
		}
		out = append(out, float64(threadCPU()-start)/burst)
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// Run starts a localnet node in a child process (see ServeNodeIfChild),
// loads it with signed transactions from many senders over the real RPC,
// and reports.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.Duration == 0 {
		o.Duration = 60 * time.Second
	}
	if o.Senders == 0 {
		o.Senders = 64
	}
	if o.BlockTime == 0 {
		o.BlockTime = 250 * time.Millisecond
	}
	switch o.Submit {
	case "":
		o.Submit = SubmitREST
	case SubmitREST, SubmitRPC:
	default:
		return Report{}, fmt.Errorf("submit %q: use %s or %s", o.Submit, SubmitREST, SubmitRPC)
	}
	switch o.Call {
	case "":
		o.Call = CallTransfer
	case CallTransfer, CallStake:
	default:
		return Report{}, fmt.Errorf("call %q: use %s or %s", o.Call, CallTransfer, CallStake)
	}
	l := o.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "gotensor-load-")
		if err != nil {
			return Report{}, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	home := filepath.Join(dir, "node")
	bal := map[string]uint64{}
	for i := 0; i < o.Senders; i++ {
		bal[senderKey(i).SS58()] = 1_000 * balances.RAOPerTAO
	}
	owner, ownerHot := senderKey(1<<21), senderKey(1<<22).SS58()
	if o.Call == CallStake {
		bal[owner.SS58()] = 10_000 * balances.RAOPerTAO // the subnet lock
	}
	if _, err := node.Init(node.InitOptions{Home: home, ChainID: "gotensor-load", Balances: bal}); err != nil {
		return Report{}, err
	}
	cc, err := node.LoadCometConfig(home)
	if err != nil {
		return Report{}, err
	}
	cc.Consensus.TimeoutCommit = o.BlockTime
	cc.Mempool.Recheck = true
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cc)
	rpcAddr := "127.0.0.1:" + strconv.Itoa(freePort())
	restAddr := "127.0.0.1:" + strconv.Itoa(freePort())
	proc, err := startNodeProcess(home, rpcAddr, restAddr, o.NodeCPUProfile, o.NodeAllocProfile, o.Verbose)
	if err != nil {
		return Report{}, err
	}
	defer func() {
		if err := proc.stop(); err != nil {
			l.Warn("node process", "err", err)
		}
	}()
	c, err := waitForNode(ctx, proc, "http://"+rpcAddr)
	if err != nil {
		return Report{}, err
	}
	defer c.Close()
	var rep Report
	rep.Call, rep.Senders, rep.Submit = o.Call, o.Senders, o.Submit
	var vs verifySamples
	vs.take(5)
	params, err := c.Params(ctx)
	if err != nil {
		return Report{}, err
	}
	dest := senderKey(1 << 20).SS58()
	call := func(int) *txpb.Call { return client.Transfer(dest, 1000) }
	if o.Call == CallStake {
		if call, err = setupStake(ctx, c, owner, ownerHot, o.Senders); err != nil {
			return Report{}, fmt.Errorf("stake setup: %w", err)
		}
	}
	startHeight, err := c.LatestHeight(ctx)
	if err != nil {
		return Report{}, err
	}
	diskStart := dirSize(filepath.Join(home, "data"))
	// Senders read the height from here (for their transactions' mortality)
	// instead of asking the node for it before every transaction.
	var height atomic.Int64
	height.Store(startHeight)
	heightCtx, stopHeight := context.WithCancel(ctx)
	defer stopHeight()
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-heightCtx.Done():
				return
			case <-t.C:
				if h, err := c.LatestHeight(heightCtx); err == nil {
					height.Store(h)
				}
			}
		}
	}()

	presigned, err := presign(ctx, c, params.ChainID, call, uint64(startHeight)+params.System.MaxValidity-1, o)
	if err != nil {
		return Report{}, err
	}

	var sent, rejected atomic.Int64
	var latMu sync.Mutex
	var lats []time.Duration
	loadCtx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	tr := &http.Transport{MaxIdleConnsPerHost: o.Senders * 2}
	var wg sync.WaitGroup
	inLoad := make(chan []float64, 1)
	go func() { inLoad <- sampleVerifyDuringLoad(loadCtx, 250*time.Millisecond) }()
	cpuStart, nodeCPUStart := processCPU(), proc.cpu()
	begin := time.Now()
	for i := 0; i < o.Senders; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			kp := senderKey(i)
			sub := &submitter{url: "http://" + rpcAddr, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
			if o.Submit == SubmitREST {
				sub.url, sub.rest = "http://"+restAddr+"/api/v1/txs", true
			}
			nonce, ready := presigned[i].nonce, presigned[i].txs
			local := make([]time.Duration, 0, 4096)
			for seq := 0; loadCtx.Err() == nil; {
				var raw []byte
				if seq < len(ready) {
					raw = ready[seq]
				} else if raw, err = tx.Sign(kp, tx.Build{Nonce: nonce, ChainID: params.ChainID, ValidUntil: uint64(height.Load()) + 200, Call: call(seq)}); err != nil {
					return
				}
				t0 := time.Now()
				code, err := sub.broadcast(loadCtx, raw)
				local = append(local, time.Since(t0))
				sent.Add(1)
				if err != nil || code != 0 {
					rejected.Add(1)
					if loadCtx.Err() != nil {
						break
					}
					// Resync the nonce from the chain (a full mempool, say)
					// and sign live from here: the pre-signed nonces are off.
					time.Sleep(50 * time.Millisecond)
					if a, err := c.Account(ctx, kp.SS58()); err == nil {
						nonce = a.Nonce
					}
					ready = nil
					continue
				}
				nonce++
				seq++
			}
			latMu.Lock()
			lats = append(lats, local...)
			latMu.Unlock()
		}(i)
	}
	wg.Wait()
	loadEnd := time.Now()
	rep.VerifyInLoadNs = median(<-inLoad)
	nodeCPU := proc.cpu() - nodeCPUStart
	cpuUsed := processCPU() - cpuStart + nodeCPU
	rep.MaxRSSBytes = proc.maxRSS()
	// Let the mempool drain into blocks, then count what was committed in
	// the blocks produced during the load window.
	endHeight, err := c.LatestHeight(ctx)
	if err != nil {
		return Report{}, err
	}
	time.Sleep(3 * o.BlockTime)
	vs.take(5) // the mempool has drained: the node is idle again
	rep.SignNs, rep.VerifyNs = median(vs.sign), median(vs.verify)
	local, err := rpchttp.New("http://" + rpcAddr)
	if err != nil {
		return Report{}, err
	}
	var committed int64
	rep.CommittedByCall = map[string]int64{}
	for h := startHeight + 1; h <= endHeight; h++ {
		res, err := local.BlockResults(ctx, &h)
		if err != nil {
			return Report{}, err
		}
		for _, r := range res.TxResults {
			if r.Code != 0 {
				continue
			}
			committed++
			for _, e := range r.Events {
				if e.Type != app.EventTx {
					continue
				}
				for _, a := range e.Attributes {
					if a.Key == app.AttrCall {
						rep.CommittedByCall[a.Value]++
					}
				}
			}
		}
	}
	rep.Duration = loadEnd.Sub(begin)
	rep.Sent, rep.Rejected, rep.Committed = sent.Load(), rejected.Load(), committed
	rep.Blocks = endHeight - startHeight
	rep.CommittedPerSec = float64(committed) / rep.Duration.Seconds()
	if committed > 0 {
		rep.CPUPerTx = cpuUsed / time.Duration(committed)
		rep.NodeCPUPerTx = nodeCPU / time.Duration(committed)
		rep.NodeCPUOverVerify = float64(rep.NodeCPUPerTx) / rep.VerifyNs
		if rep.VerifyInLoadNs > 0 {
			rep.NodeCPUOverVerifyInLoad = float64(rep.NodeCPUPerTx) / rep.VerifyInLoadNs
		}
	}
	slices.Sort(lats)
	if len(lats) > 0 {
		rep.BroadcastP50 = lats[len(lats)/2]
		rep.BroadcastP99 = lats[len(lats)*99/100]
	}
	if rep.CommittedPerSec > 0 {
		rep.PerTxOverVerify = (1e9 / rep.CommittedPerSec) / rep.VerifyNs
	}
	rep.DiskBytes = dirSize(filepath.Join(home, "data"))
	if rep.Blocks > 0 {
		rep.DiskPer10kBlock = (rep.DiskBytes - diskStart) * 10_000 / rep.Blocks
	}
	return rep, nil
}

// setupStake creates and starts a subnet owned by owner with hotkey ownerHot,
// stakes stakeSeed from every sender to ownerHot, and returns the stake
// load's calls: even sequence numbers add stakeStep TAO, odd ones remove the
// alpha stakeStep bought at setup.
func setupStake(ctx context.Context, c *client.Client, owner *keys.Keypair, ownerHot string, senders int) (func(int) *txpb.Call, error) {
	final := client.SubmitOptions{Wait: client.WaitFinal}
	r, err := c.Submit(ctx, owner, client.RegisterNetwork(ownerHot, nil), final)
	if err != nil {
		return nil, fmt.Errorf("register_network: %w", err)
	}
	ev, _ := r.Event(subnets.EventNetworkAdded)
	n, err := strconv.ParseUint(ev["netuid"], 10, 16)
	if err != nil {
		return nil, fmt.Errorf("register_network: no netuid in %v", ev)
	}
	netuid := uint16(n)
	if _, err := c.Submit(ctx, owner, client.StartCall(netuid), final); err != nil {
		return nil, fmt.Errorf("start_call: %w", err)
	}
	errs := make(chan error, senders)
	for i := 0; i < senders; i++ {
		go func(i int) {
			_, err := c.Submit(ctx, senderKey(i), client.AddStake(ownerHot, netuid, stakeSeed, 0, false), final)
			errs <- err
		}(i)
	}
	var first error
	for i := 0; i < senders; i++ { // wait for all, so no goroutine outlives setup
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return nil, fmt.Errorf("seed stake: %w", first)
	}
	q, err := c.QuoteAddStake(ctx, netuid, stakeStep, 0, false)
	if err != nil {
		return nil, err
	}
	add := client.AddStake(ownerHot, netuid, stakeStep, 0, false)
	remove := client.RemoveStake(ownerHot, netuid, q.Out, 0, false)
	return func(seq int) *txpb.Call {
		if seq%2 == 0 {
			return add
		}
		return remove
	}, nil
}

func dirSize(dir string) int64 {
	var total int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	return total
}

// presignRate is the committed rate pre-signing provides for (above what
// this machine reaches); a sender that runs out signs live.
const presignRate = 12_000

type presignedTxs struct {
	nonce uint64   // the account's nonce at the start
	txs   [][]byte // signed with nonces nonce, nonce+1, ...
}

// presign signs each sender's transactions before the clock runs, as a
// client on another machine would have them ready, so that signing does not
// take the node's cores during the load (the axon benchmark does the same).
// They stay valid until validUntil.
func presign(ctx context.Context, c *client.Client, chainID string, call func(int) *txpb.Call, validUntil uint64, o Options) ([]presignedTxs, error) {
	perSender := int(float64(presignRate)*o.Duration.Seconds()) / o.Senders
	out := make([]presignedTxs, o.Senders)
	for i := range out {
		a, err := c.Account(ctx, senderKey(i).SS58())
		if err != nil {
			return nil, fmt.Errorf("sender %d account: %w", i, err)
		}
		out[i] = presignedTxs{nonce: a.Nonce, txs: make([][]byte, perSender)}
	}
	work := make(chan int)
	errs := make(chan error, o.Senders)
	var wg sync.WaitGroup
	for range max(runtime.GOMAXPROCS(0), 1) {
		wg.Go(func() {
			for i := range work {
				kp := senderKey(i)
				for seq := range out[i].txs {
					raw, err := tx.Sign(kp, tx.Build{Nonce: out[i].nonce + uint64(seq), ChainID: chainID, ValidUntil: validUntil, Call: call(seq)})
					if err != nil {
						errs <- err
						break
					}
					out[i].txs[seq] = raw
				}
			}
		})
	}
	for i := range out {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("pre-sign: %w", err)
	}
	return out, nil
}

// waitForNode connects to the node process's RPC once it has made two blocks.
func waitForNode(ctx context.Context, proc *nodeProcess, rpcURL string) (*client.Client, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if err := proc.exited(); err != nil {
			return nil, err
		}
		c, err := client.New(client.Config{Endpoints: []string{rpcURL}})
		if err == nil {
			h, err := c.LatestHeight(ctx)
			if err == nil && h >= 2 {
				return c, nil
			}
			c.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("node at %s not producing blocks after 2 minutes (last error: %v)", rpcURL, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// vmHWM reads a peak resident set (VmHWM) from a /proc status file.
func vmHWM(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
