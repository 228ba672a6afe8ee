package localnet

import (
	"context"
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

// startGateway serves the OpenAI-compatible gateway in front of the
// prompting miners at addr. It signs miner calls with the first prompting
// validator's hotkey (miners serve permit holders only), hands every routed
// request to that validator's organic hook (scored like its own challenges
// when checkable) and, on its first start, makes a dev API key kept in the
// state.
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
	cfg.Models = []gateway.Model{{ID: GatewayModel, Netuid: n.State.Netuid, OwnedBy: "localnet"}}
	// One miner per attempt, the highest-incentive first, so users get the
	// best miner's answer rather than the fastest (the careless one).
	cfg.K = 1
	cfg.MetagraphInterval = 2 * time.Second
	cfg.MinerTimeout = 10 * time.Second
	cfg.BreakerCooldown = 5 * time.Second
	cfg.AddrOverride = n.minerAddrs // the chain lists them at HostIP
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
