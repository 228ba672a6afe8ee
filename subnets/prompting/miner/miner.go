package miner

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/metagraph"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// Chain is what the miner needs from a chain client.
type Chain interface {
	metagraph.Source
	Submit(ctx context.Context, signer tx.Signer, call *txpb.Call, o client.SubmitOptions) (*client.Receipt, error)
}

// Config configures Run.
type Config struct {
	Hotkey  *keys.Keypair
	Coldkey keys.PublicKey
	Netuid  uint16
	Chain   Chain
	Backend Backend
	// Addr is the axon's listen address. Empty means "127.0.0.1:0".
	Addr string
	// ExternalIP is the IPv4 address published on chain. Empty means the
	// listener's. The chain refuses loopback, so a local network publishes
	// another address and its validators reach it through the dendrite's
	// loopback shortcut (dendrite.Config.ExternalIP).
	ExternalIP string
	// Ready, when set, receives the address the axon listens on.
	Ready func(addr string)
	// Logger receives the miner's logs; nil discards them.
	Logger *slog.Logger
}

// Handler serves the Chat synapse from backend.
func Handler(b Backend) axon.HandlerFunc[*protocol.Chat] {
	return func(ctx context.Context, syn *protocol.Chat) error {
		text, model, err := b.Complete(ctx, syn)
		if err != nil {
			return err
		}
		syn.Completion, syn.Model = &text, model
		pw, cw := 0, len(strings.Fields(text))
		for _, m := range syn.Messages {
			pw += len(strings.Fields(m.Content))
		}
		syn.Usage = &protocol.Usage{PromptTokens: pw, CompletionTokens: cw, TotalTokens: pw + cw}
		return nil
	}
}

// Run serves until ctx ends: it publishes the axon on chain, answers
// validators that hold a permit, and resyncs the metagraph every few seconds.
func Run(ctx context.Context, cfg Config) error {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mg := metagraph.New(cfg.Chain, cfg.Netuid, metagraph.Lite)
	if _, err := mg.Sync(ctx); err != nil {
		return fmt.Errorf("miner: first metagraph sync: %w", err)
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ac := axon.DefaultConfig()
	ac.Registry = mg
	ac.Coldkey = cfg.Coldkey
	ac.Logger = log
	ax, err := axon.New(cfg.Hotkey, ac)
	if err != nil {
		return err
	}
	if err := axon.Handle[protocol.Chat](ax, Handler(cfg.Backend)); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("miner: listen %s: %w", addr, err)
	}
	go func() { _ = ax.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ax.Shutdown(sctx)
	}()
	tcp := ln.Addr().(*net.TCPAddr)
	if err := publish(ctx, cfg, tcp); err != nil {
		return err
	}
	log.Info("miner serving", "addr", tcp.String(), "hotkey", cfg.Hotkey.SS58())
	if cfg.Ready != nil {
		cfg.Ready(tcp.String())
	}
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := mg.Sync(ctx); err != nil && ctx.Err() == nil {
				log.Warn("metagraph sync", "err", err)
			}
		}
	}
}

// publish sends serve_axon unless the chain already lists this address.
func publish(ctx context.Context, cfg Config, addr *net.TCPAddr) error {
	ip := addr.IP.To4()
	if cfg.ExternalIP != "" {
		ip = net.ParseIP(cfg.ExternalIP).To4()
	}
	if ip == nil {
		return fmt.Errorf("miner: %s (external IP %q) is not an IPv4 address", addr, cfg.ExternalIP)
	}
	_, err := cfg.Chain.Submit(ctx, cfg.Hotkey, client.ServeAxon(cfg.Netuid, uint32(synapse.Version), ip, uint16(addr.Port), 4), client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		return fmt.Errorf("miner: serve_axon: %w", err)
	}
	return nil
}
