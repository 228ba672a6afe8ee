package localnet

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/gotensor/gotensor/gateway"
)

// GatewayModel is the model id the local gateway serves from the prompting subnet.
const GatewayModel = "gotensor-chat"

// GatewayPriceRAOPer1K is what the local gateway charges for 1,000 tokens
// past a key's free daily quota (0.001 TAO), so that TAO deposits have a
// use: a "free" tier key made with `btcli gateway keys create` runs out
// after 10,000 tokens a day and then pays from credit.
const GatewayPriceRAOPer1K = 1_000_000

// GatewayDepositSeed is where the local gateway's deposit addresses derive
// from (<seed>//gateway//<key id>). Like the dev accounts it is public: a
// localnet's TAO is play money.
const GatewayDepositSeed = "//LocalnetGatewayDeposits"

// startGateway serves the OpenAI-compatible gateway in front of the
// prompting miners at addr. It signs miner calls with the first prompting
// validator's hotkey (miners serve permit holders only), hands every routed
// request to that validator's organic hook (scored like its own challenges
// when checkable) and, on its first start, makes a dev API key and an admin
// token kept in the state. Keys get deposit addresses: a transfer to one
// credits the key once the block is final.
func (n *Net) startGateway(ctx context.Context, addr string) error {
	var hot string
	for _, a := range Accounts {
		if a.Role == RoleValidator {
			hot = a.Hotkey
			break
		}
	}
	cfg := gateway.DefaultConfig()
	cfg.Addr = addr
	cfg.SQLitePath = filepath.Join(n.Dir, GatewayDB)
	cfg.ChainRPC = n.State.RPC
	cfg.Models = []gateway.Model{{ID: GatewayModel, Netuid: n.State.Netuid, OwnedBy: "localnet", PriceRAOPer1K: GatewayPriceRAOPer1K}}
	if n.State.GatewayAdminToken == "" {
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("localnet: gateway: admin token: %w", err)
		}
		n.State.GatewayAdminToken = "gt-admin-" + base64.RawURLEncoding.EncodeToString(b[:])
	}
	cfg.AdminToken = n.State.GatewayAdminToken
	cfg.DepositSeed = GatewayDepositSeed
	cfg.DepositPoll = time.Second
	// One miner per attempt, the highest-incentive first, so users get the
	// best miner's answer rather than the fastest (the careless one).
	cfg.K = 1
	cfg.MetagraphInterval = 2 * time.Second
	cfg.MinerTimeout = 10 * time.Second
	cfg.BreakerCooldown = 5 * time.Second
	cfg.AddrOverride = n.minerAddrs // the chain lists them at HostIP
	// The overrides above already reach every localnet miner (always allowed); allowing
	// private addresses also lets the gateway call a miner a user adds to the localnet
	// with a private address of this host (its --axon.external_ip), as validators do.
	cfg.AllowPrivateMiners = true
	// Localnet's miners are Gotensor axons: they sign their answers, so the organic samples
	// carry proofs the validator checks instead of trusting the gateway.
	cfg.SignedAnswers = true
	cfg.Logger = n.log.With("service", "gateway")
	if n.organic != nil {
		cfg.OnSample = gateway.OrganicLocal(n.organic.Organic, cfg.Logger)
	}
	g, err := gateway.New(ctx, mustKey(hot), cfg)
	if err != nil {
		return fmt.Errorf("localnet: gateway: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		g.Close()
		return fmt.Errorf("localnet: gateway: %w (pass another --gateway.laddr, or \"off\")", err)
	}
	if n.State.GatewayKey == "" {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/", nil)
		k, err := g.CreateKey(req, "localnet", "pro")
		if err != nil {
			ln.Close()
			g.Close()
			return fmt.Errorf("localnet: gateway: dev API key: %w", err)
		}
		n.State.GatewayKey = k.Secret
	}
	n.State.Gateway = "http://" + ln.Addr().String() + "/v1"
	n.addService(Service{Name: "gateway", Addr: n.State.Gateway})
	n.wg.Go(func() {
		defer g.Close()
		if err := g.Serve(n.rctx, ln); err != nil && !errors.Is(err, context.Canceled) {
			cfg.Logger.Error("gateway stopped", "err", err)
		}
	})
	return nil
}
