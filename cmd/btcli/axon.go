package main

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
)

// newAxonCmd returns the `axon` group: publish a miner's endpoint without running the SDK.
func newAxonCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "axon",
		Short: "Publish the address of the wallet hotkey's axon on a subnet",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAxonServeCmd(app))
	return cmd
}

// parseAxonIP reads an IPv4 or IPv6 address as the 4 or 16 bytes serve_axon carries
// (an IPv4-mapped IPv6 address counts as IPv4).
func parseAxonIP(s string) ([]byte, error) {
	addr, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(s), "[]"))
	if err != nil || addr.Zone() != "" {
		return nil, usageErrorf("--ip %q is not an IPv4 or IPv6 address (e.g. 203.0.113.7 or 2001:db8::7)", s)
	}
	addr = addr.Unmap()
	if addr.Is4() {
		b := addr.As4()
		return b[:], nil
	}
	b := addr.As16()
	return b[:], nil
}

// servableIP refuses the addresses the chain's serve_axon refuses (InvalidIpAddress):
// 127.0.0.1, ::1 and the all-ones broadcast addresses.
func servableIP(ip []byte) error {
	ones := !slices.ContainsFunc(ip, func(b byte) bool { return b != 0xff })
	var addr netip.Addr
	if len(ip) == 4 {
		addr = netip.AddrFrom4([4]byte(ip))
	} else {
		addr = netip.AddrFrom16([16]byte(ip))
	}
	switch {
	case ones:
		return fmt.Errorf("InvalidIpAddress: --ip %s is a broadcast address, which the chain refuses; give the public address validators connect to", addr)
	case addr == netip.AddrFrom4([4]byte{127, 0, 0, 1}) || addr == netip.IPv6Loopback():
		return fmt.Errorf("InvalidIpAddress: --ip %s is a loopback address, which the chain refuses; give the public address validators connect to", addr)
	}
	return nil
}

// portFlag is --port as typed: RunE checks it (parseAxonPort), so a port out of range gets
// the command's own message with the range instead of the flag parser's "value out of range".
type portFlag string

func (p *portFlag) String() string     { return string(*p) }
func (p *portFlag) Set(s string) error { *p = portFlag(s); return nil }
func (p *portFlag) Type() string       { return "port" }

// parseAxonPort reads --port: a whole number 1..65535.
func parseAxonPort(s string) (uint16, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, usageErrorf("--port is required: the axon's port, 1..65535")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) || (err == nil && (v < 1 || v > 65535)) {
		return 0, usageErrorf("--port %s is out of range: a port is 1..65535; give the port the axon listens on (e.g. --port 8091)", s)
	}
	if err != nil {
		return 0, usageErrorf("--port %q is not a port number: give a whole number 1..65535, the port the axon listens on (e.g. --port 8091)", s)
	}
	return uint16(v), nil
}

type axonResult struct {
	Netuid   uint16 `json:"netuid"`
	Hotkey   string `json:"hotkey"`
	Endpoint string `json:"endpoint"`
	IPType   int    `json:"ip_type"`
	Protocol uint8  `json:"protocol"`
	Version  uint32 `json:"version"`
	txInfo
}

func newAxonServeCmd(app *App) *cobra.Command {
	var netuid uint16
	var ip string
	var portArg portFlag
	var protocol uint8
	var version uint32
	cmd := &cobra.Command{
		Use:     "serve",
		Aliases: []string{"set"},
		Short:   "Publish --ip and --port for the wallet's hotkey on a subnet (serve_axon; signed by the hotkey, free)",
		Long: `Publish the axon endpoint of the wallet's hotkey on a subnet, as the SDK's
serve_axon does, for operators who run their miner without the SDK. The hotkey signs
(hotkeys are usually unencrypted keyfiles) and must be registered on the subnet; the
call is free. Give the public address validators should reach (IPv4 or IPv6), not a
loopback address; an endpoint may change once per serving_rate_limit blocks.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			if ip == "" {
				return usageErrorf("--ip is required: the public IPv4 or IPv6 address of the axon")
			}
			ipb, err := parseAxonIP(ip)
			if err != nil {
				return err
			}
			port, err := parseAxonPort(string(portArg))
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			w, err := app.Wallet()
			if err != nil {
				return err
			}
			hot, err := signingHotkey(w)
			if err != nil {
				return err
			}
			// The chain's checks, before asking: an address it refuses, a hotkey that is not
			// a neuron of the subnet.
			if err := servableIP(ipb); err != nil {
				return err
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			if _, err := subnet(ctx, c, netuid); err != nil {
				return err
			}
			ns, err := c.Neurons(ctx, netuid)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(ns, func(n api.Neuron) bool { return n.Hotkey == hot.SS58() }) {
				return fmt.Errorf("HotKeyNotRegisteredInNetwork: hotkey %s is not registered on subnet %d; register it first (`btcli subnets register --netuid %d`) or pick the registered one with --wallet.hotkey",
					hot.SS58(), netuid, netuid)
			}
			call := client.ServeAxon(netuid, version, ipb, port, protocol)
			ipType := 4
			if len(ipb) == 16 {
				ipType = 6
			}
			endpoint := fmt.Sprintf("%s:%d", netip.AddrFrom4([4]byte(ipb[:4])), port)
			if ipType == 6 {
				endpoint = fmt.Sprintf("[%s]:%d", netip.AddrFrom16([16]byte(ipb)), port)
			}
			if err := outsideSafeMode(ctx, c, "serve_axon (axon serve)"); err != nil {
				return err
			}
			if err := app.confirm("Do you want to serve the axon?",
				[2]string{"Subnet", fmt.Sprint(netuid)},
				[2]string{"Hotkey", hot.SS58() + " signs"},
				[2]string{"Endpoint", fmt.Sprintf("%s (IPv%d, protocol %d, version %d)", endpoint, ipType, protocol, version)},
				[2]string{"Fee", "none (serve_axon is free)"},
			); err != nil {
				return err
			}
			kp, err := app.Hotkey(w)
			if err != nil {
				return err
			}
			r, err := app.submit(ctx, c, kp, call, fmt.Sprintf("serve axon on subnet %d", netuid))
			if err != nil {
				return err
			}
			res := axonResult{Netuid: netuid, Hotkey: hot.SS58(), Endpoint: endpoint, IPType: ipType, Protocol: protocol, Version: version,
				txInfo: txInfo{Hash: r.Hash, Block: r.Height}}
			return app.Print(res, func(t *Table) {
				t.Line("Serving %s for %s on subnet %d from block %d (tx %s)", endpoint, res.Hotkey, netuid, res.Block, res.Hash)
			})
		},
	}
	netuidFlag(cmd, &netuid)
	f := cmd.Flags()
	f.StringVar(&ip, "ip", "", "public IPv4 or IPv6 address validators connect to")
	f.Var(&portArg, "port", "port the axon listens on, 1..65535")
	f.Uint8Var(&protocol, "protocol", 4, "protocol number published with the endpoint (Bittensor uses 4)")
	f.Uint32Var(&version, "version", 0, "version number published with the endpoint (the SDK publishes its version as an integer)")
	return cmd
}
