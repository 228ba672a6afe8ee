// Command gateway serves the OpenAI-compatible user API over a Gotensor network
// (package gateway). See README.md for flags and environment.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/keys"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, errorLine(err))
		os.Exit(1)
	}
}

// errorLine is what the command prints for err: prefixed with "gateway:"
// once, also when the error comes from package gateway with its own prefix.
func errorLine(err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, "gateway: ") {
		return msg
	}
	return "gateway: " + msg
}

// env returns GATEWAY_<NAME> or def: flags override env, env overrides defaults.
func env(name, def string) string {
	if v, ok := os.LookupEnv("GATEWAY_" + name); ok {
		return v
	}
	return def
}

func run(args []string) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	cfg := gateway.DefaultConfig()
	addr := fs.String("addr", env("ADDR", ":8000"), "HTTP listen address (API, /healthz)")
	metricsAddr := fs.String("metrics-addr", env("METRICS_ADDR", ":9100"), "Prometheus /metrics listen address; \"off\" disables")
	chain := fs.String("chain", env("CHAIN", "http://127.0.0.1:26657"), "CometBFT RPC URL of a node")
	hotkey := fs.String("hotkey", env("HOTKEY", ""), "secret URI or mnemonic of the validator hotkey that signs miner calls (required)")
	seed := fs.String("deposit-seed", env("DEPOSIT_SEED", ""), "secret URI or mnemonic deposit addresses derive from (<seed>//gateway//<key id>); empty disables TAO payments")
	admin := fs.String("admin-token", env("ADMIN_TOKEN", ""), "bearer token of the admin API; empty disables it")
	sqlite := fs.String("sqlite", env("SQLITE", "gateway.db"), "SQLite database file")
	pg := fs.String("postgres", env("POSTGRES_DSN", ""), "PostgreSQL DSN; selects PostgreSQL instead of SQLite")
	models := fs.String("models", env("MODELS", `[{"id":"gotensor-chat","netuid":1}]`), "models served, as JSON: [{\"id\",\"netuid\",\"model_hint\",\"price_rao_per_1k\"}]")
	tiers := fs.String("tiers", env("TIERS", ""), "tiers as JSON {\"free\":{\"requests_per_minute\",\"tokens_per_day\"},...}; empty: the defaults")
	override := fs.String("addr-override", env("ADDR_OVERRIDE", ""), "hotkey=host:port,... replacing miners' on-chain axon addresses (localnet and tests: the chain refuses loopback)")
	allowPrivate := fs.Bool("allow-private-miners", env("ALLOW_PRIVATE_MINERS", "") == "true", "call miners whose on-chain address is private (loopback, RFC 1918, 100.64/10, link-local such as 169.254.169.254, IPv6 ULA...); off by default so that a miner cannot make the gateway post into your private network; --addr-override targets are always allowed. Turn on only for a localnet or a subnet of your own miners")
	k := fs.String("k", env("K", "3"), "miners one attempt fans out to")
	policy := fs.String("policy", env("POLICY", "first"), "first|best: which answer of a fan-out is returned")
	streamMiners := fs.Bool("stream-miners", env("STREAM_MINERS", "") == "true", "miners serve Chat as a streaming synapse")
	signedAnswers := fs.Bool("signed-answers", env("SIGNED_ANSWERS", "") == "true", "ask miners to sign their answers and send the proofs with organic samples, so validators need not trust the gateway; only when every miner is a Gotensor axon (an unsigned answer counts as the miner failing)")
	jsonLogs := fs.Bool("log-json", env("LOG_JSON", "") == "true", "JSON logs")
	flush := fs.String("flush-interval", env("FLUSH_INTERVAL", cfg.FlushInterval.String()), "how often usage is written to the database in one transaction (quotas are enforced in memory; this bounds what a crash loses)")
	organicURL := fs.String("organic-url", env("ORGANIC_URL", ""), "a prompting validator's POST /organic URL: routed requests are sent there for organic scoring; empty disables")
	organicToken := fs.String("organic-token", env("ORGANIC_TOKEN", ""), "the validator's --organic.token (bearer); or use --organic-validator")
	organicValidator := fs.String("organic-validator", env("ORGANIC_VALIDATOR", ""), "the validator's hotkey SS58: samples are signed (Epistula) by --hotkey for it; the validator lists this gateway's hotkey in --organic.signers")
	chainWait := fs.String("chain-wait", env("CHAIN_WAIT", "60s"), "how long to wait at start for a --chain node that does not answer yet (a gateway started with its node); 0 fails at once")
	keyRefresh := fs.String("key-refresh", env("KEY_REFRESH", cfg.KeyRefresh.String()), "how often cached API keys are re-read, so revokes made by another gateway on the same database take effect")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h and --help print the flags and succeed
		}
		return err
	}
	var lh slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if *jsonLogs {
		lh = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(lh)
	if *hotkey == "" {
		return errors.New("--hotkey (or GATEWAY_HOTKEY) is required: the validator hotkey miners serve")
	}
	hk, err := keys.FromURI(*hotkey)
	if err != nil {
		return fmt.Errorf("--hotkey: %w", err)
	}
	cfg.Addr, cfg.ChainRPC, cfg.DepositSeed, cfg.AdminToken = *addr, *chain, *seed, *admin
	for _, d := range []struct {
		flag string
		s    string
		into *time.Duration
	}{{"--flush-interval", *flush, &cfg.FlushInterval}, {"--key-refresh", *keyRefresh, &cfg.KeyRefresh}} {
		v, err := time.ParseDuration(d.s)
		if err != nil || v <= 0 {
			return fmt.Errorf("%s is %q: want a positive duration such as 1s or 500ms", d.flag, d.s)
		}
		*d.into = v
	}
	wait, err := time.ParseDuration(*chainWait)
	if err != nil || wait < 0 {
		return fmt.Errorf("--chain-wait (or GATEWAY_CHAIN_WAIT) is %q: want a duration such as 60s, or 0 to fail at once", *chainWait)
	}
	if cfg.K, err = strconv.Atoi(*k); err != nil || cfg.K < 1 {
		return fmt.Errorf("--k (or GATEWAY_K) is %q: want how many miners one attempt fans out to, a whole number from 1", *k)
	}
	cfg.SQLitePath, cfg.PostgresDSN, cfg.Policy, cfg.StreamMiners = *sqlite, *pg, gateway.Policy(*policy), *streamMiners
	if cfg.Policy != gateway.PolicyFirst && cfg.Policy != gateway.PolicyBest {
		return fmt.Errorf("--policy (or GATEWAY_POLICY) is %q: want first (the first good answer) or best (the best of the k answers)", *policy)
	}
	cfg.SignedAnswers, cfg.AllowPrivateMiners = *signedAnswers, *allowPrivate
	if err := json.Unmarshal([]byte(*models), &cfg.Models); err != nil {
		return fmt.Errorf("--models: %w", err)
	}
	if *tiers != "" {
		cfg.Tiers = nil
		if err := json.Unmarshal([]byte(*tiers), &cfg.Tiers); err != nil {
			return fmt.Errorf("--tiers: %w", err)
		}
	}
	if cfg.AddrOverride, err = parseOverride(*override); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	cfg.Metrics, cfg.Logger = reg, log
	organic, err := organicForwarder(*organicURL, *organicToken, *organicValidator, hk, cfg.Models, reg, log)
	if err != nil {
		return err
	}
	if organic != nil {
		cfg.OnSample = organic.OnSample
	}
	log.Info("gateway config", "addr", cfg.Addr, "chain", cfg.ChainRPC, "hotkey", hk.SS58(), "store", map[bool]string{true: "postgres", false: "sqlite:" + cfg.SQLitePath}[cfg.PostgresDSN != ""],
		"models", len(cfg.Models), "payments", cfg.DepositSeed != "", "admin", cfg.AdminToken != "", "k", cfg.K, "policy", cfg.Policy, "organic", gateway.RedactURL(*organicURL), "signed_answers", cfg.SignedAnswers, "allow_private_miners", cfg.AllowPrivateMiners)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Take the ports and ask the node first: a port in use, a wrong --chain or a model on a
	// subnet the chain does not have stops the gateway here, not at every request.
	ln, err := listen("--addr", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	var mln net.Listener
	if *metricsAddr != "off" {
		if mln, err = listen("--metrics-addr", *metricsAddr); err != nil {
			return err
		}
		defer mln.Close()
	}
	if err := checkChain(ctx, cfg.ChainRPC, cfg.Models, wait, log); err != nil {
		return err
	}
	gw, err := gateway.New(ctx, hk, cfg)
	if err != nil {
		return err
	}
	defer gw.Close()
	var wg sync.WaitGroup
	if organic != nil {
		wg.Go(func() { organic.Run(ctx) })
	}
	var msrv *http.Server
	if mln != nil {
		msrv = metricsServer(*metricsAddr, reg)
		wg.Go(func() {
			if err := msrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "err", err)
			}
		})
	}
	err = gw.Serve(ctx, ln)
	if msrv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		msrv.Shutdown(sctx)
		cancel()
	}
	wg.Wait()
	return err
}

// metricsTimeout bounds reading a /metrics request (body included) and writing its answer.
var metricsTimeout = 30 * time.Second

// metricsServer serves reg's /metrics on addr. Scrapes are short, so whole-request read
// and write timeouts are safe here; with only a header timeout a client that sends a body
// and stops half-way (net/http reads it before answering), or leaves its connection
// idle, held a connection for good.
func metricsServer(addr string, reg *prometheus.Registry) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: metricsTimeout, WriteTimeout: metricsTimeout, IdleTimeout: 2 * metricsTimeout}
}

// organicForwarder builds the forwarder of routed requests to a validator's
// organic endpoint, for the served models' subnets; nil when url is empty.
func organicForwarder(url, token, validator string, hk *keys.Keypair, models []gateway.Model, reg prometheus.Registerer, log *slog.Logger) (*gateway.OrganicForwarder, error) {
	if url == "" {
		if token != "" || validator != "" {
			return nil, errors.New("--organic-token/--organic-validator need --organic-url: the validator's POST /organic URL")
		}
		return nil, nil
	}
	oc := gateway.OrganicConfig{URL: url, Token: token, Metrics: reg, Logger: log}
	if validator != "" {
		oc.Signer, oc.ValidatorHotkey = hk, validator
	}
	for _, m := range models {
		if !slices.Contains(oc.Netuids, m.Netuid) {
			oc.Netuids = append(oc.Netuids, m.Netuid)
		}
	}
	f, err := gateway.NewOrganicForwarder(oc)
	if err != nil {
		return nil, fmt.Errorf("--organic-url: %w (give --organic-token or --organic-validator)", err)
	}
	return f, nil
}

// parseOverride reads --addr-override: hotkey=host:port pairs, comma-separated. A hotkey
// that is not SS58 would never match a miner, so it is an error rather than ignored.
func parseOverride(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]string{}
	for kv := range strings.SplitSeq(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue // a trailing comma
		}
		h, a, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--addr-override %q: want hotkey=host:port, e.g. 5F...=127.0.0.1:8091 (the miners' hotkeys: btcli wallet list)", kv)
		}
		if _, err := keys.ParseSS58(h); err != nil {
			return nil, fmt.Errorf("--addr-override %q: %q is not a hotkey SS58 address (%v): give the miner's hotkey, e.g. from btcli wallet list or the metagraph", kv, h, err)
		}
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			return nil, fmt.Errorf("--addr-override %q: %q is not host:port: give where the miner's axon listens, e.g. 127.0.0.1:8091", kv, a)
		}
		out[h] = a
	}
	return out, nil
}

// listen takes addr for flag, saying what to do when it cannot.
func listen(flag, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: another process (another gateway, a validator's --organic.addr, a node) may use that port; stop it or pass another %s", flag, addr, err, flag)
	}
	return ln, nil
}

// checkChain asks the node at url for every served model's subnet, so that a wrong
// --chain or netuid stops the gateway at start instead of failing each request with no
// miner answered. A node that does not answer yet is waited for up to wait (a gateway
// started beside its node, by a supervisor or compose file, comes up before it).
func checkChain(ctx context.Context, url string, models []gateway.Model, wait time.Duration, log *slog.Logger) error {
	deadline := time.Now().Add(wait)
	for said := false; ; said = true {
		err := checkSubnets(ctx, url, models, log)
		if !errors.Is(err, client.ErrUnreachable) || time.Now().After(deadline) {
			return err
		}
		if !said {
			log.Warn("the node does not answer yet; waiting for it", "chain", url, "up_to", wait.String(),
				"hint", "start the node, or fix --chain (a node's CometBFT RPC URL); --chain-wait sets how long to wait")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// checkSubnets is one round of checkChain.
func checkSubnets(ctx context.Context, url string, models []gateway.Model, log *slog.Logger) error {
	c, err := client.New(client.Config{Endpoints: []string{url}, Logger: log})
	if err != nil {
		return fmt.Errorf("--chain %q: %w: want a node's CometBFT RPC URL, e.g. http://127.0.0.1:26657", url, err)
	}
	defer c.Close()
	checked := map[uint16]bool{}
	for _, m := range models {
		if checked[m.Netuid] {
			continue
		}
		checked[m.Netuid] = true
		if _, err := c.Subnet(ctx, m.Netuid); err != nil {
			if ce := (*client.ChainError)(nil); errors.As(err, &ce) && ce.Codespace == "query" && ce.Code == api.QueryCodeNotFound {
				return fmt.Errorf("--models: model %q is served by subnet %d, which the chain at %s does not have: fix its netuid (btcli subnets list --chain-endpoint %s)", m.ID, m.Netuid, url, url)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("--chain %s: asking it for subnet %d failed: %w; want the RPC URL of a running Gotensor node, e.g. http://127.0.0.1:26657 (btcli localnet status prints it as node RPC; not the REST address)", url, m.Netuid, err)
		}
	}
	return nil
}
