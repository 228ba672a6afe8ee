package main

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
)

// newSubnetsCmd returns the `subnets` group (reference §5.2): create and start a subnet,
// register neurons, read prices, hyperparameters, neurons and commitments.
func newSubnetsCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "subnets",
		Aliases: []string{"s", "subnet"},
		Short:   "Create, start and inspect subnets; register neurons",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		newSubnetListCmd(app),
		newSubnetShowCmd(app),
		newSubnetHyperparamsCmd(app),
		newLockCostCmd(app),
		newSubnetCreateCmd(app),
		newSubnetStartCmd(app),
		newSubnetSetTempoCmd(app),
		newSubnetTriggerEpochCmd(app),
		newSubnetSetIdentityCmd(app),
		newBurnCostCmd(app),
		newSubnetRegisterCmd(app),
		newCommitCmd(app),
		newCommitmentsCmd(app),
	)
	return cmd
}

// subnetIdentityFlags registers the identity flags of `create` and `set-identity`
// (SubnetIdentityV3 fields; Bittensor's --discord-handle and --additional-info work too).
func subnetIdentityFlags(cmd *cobra.Command) *identityFlags {
	var v [8]string
	f := &identityFlags{cmd: cmd}
	f.add("subnet-name", &v[0], 256, "subnet name")
	f.add("github-repo", &v[1], 1024, "source repository URL")
	f.add("subnet-contact", &v[2], 1024, "contact (e-mail or handle)")
	f.add("subnet-url", &v[3], 1024, "website")
	f.add("discord", &v[4], 256, "Discord handle", "discord-handle")
	f.add("description", &v[5], 1024, "short description")
	f.add("logo-url", &v[6], 1024, "logo image URL")
	f.add("additional", &v[7], 1024, "anything else", "additional-info")
	return f
}

func subnetIdentityMap(id *api.SubnetIdentity) map[string]string {
	if id == nil {
		return map[string]string{}
	}
	return map[string]string{"subnet-name": id.SubnetName, "github-repo": id.GithubRepo, "subnet-contact": id.SubnetContact,
		"subnet-url": id.SubnetURL, "discord": id.Discord, "description": id.Description, "logo-url": id.LogoURL, "additional": id.Additional}
}

func subnetIdentityProto(m map[string]string) *txpb.SubnetIdentity {
	return &txpb.SubnetIdentity{SubnetName: m["subnet-name"], GithubRepo: m["github-repo"], SubnetContact: m["subnet-contact"],
		SubnetUrl: m["subnet-url"], Discord: m["discord"], Description: m["description"], LogoUrl: m["logo-url"], Additional: m["additional"]}
}

func subnetName(s api.Subnet) string {
	switch {
	case s.Netuid == 0:
		return "root"
	case s.Identity != nil:
		return s.Identity.SubnetName
	}
	return ""
}

func newSubnetListCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List subnets: owner, neurons, registration price, pool and price",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			subnets, err := c.Subnets(ctx)
			if err != nil {
				return err
			}
			return app.Print(map[string]any{"subnets": subnets}, func(t *Table) {
				t.Row("NETUID", "NAME", "OWNER", "NEURONS", "BURN", "POOL TAO", "PRICE (τ/α)", "STARTED")
				for _, s := range subnets {
					pool, price := formatTAO(s.Pool.TAO), formatPrice(s.Pool.Price)
					if s.Netuid == rootNetuid {
						pool, price = "- (no pool)", "1 (1:1)" // root stake is TAO, as stake list and the wizard show
					}
					t.Row(strconv.Itoa(int(s.Netuid)), subnetName(s), short(s.Owner), fmt.Sprintf("%d/%d", s.Neurons, s.MaxAllowedUids),
						formatTAO(s.Burn), pool, price, yesNo(s.Started))
				}
			})
		},
	}
}

func newSubnetShowCmd(app *App) *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a subnet and its neurons (uid, hotkey, coldkey, immunity, emission, axon)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			ctx := cmd.Context()
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			s, err := subnet(ctx, c, netuid)
			if err != nil {
				return err
			}
			ns, err := c.Neurons(ctx, netuid)
			if err != nil {
				return err
			}
			return app.Print(map[string]any{"subnet": s, "neurons": ns}, func(t *Table) {
				t.Line("Subnet %d %s", s.Netuid, subnetName(s))
				if s.Netuid != 0 {
					t.Line("Owner %s (hotkey %s), registered at block %d, lock %s", s.Owner, s.OwnerHotkey, s.RegisteredAt, formatTAO(s.Locked))
				}
				if s.Netuid == rootNetuid {
					// Root is never started, has no pool and takes no burned registration.
					t.Line("The root network: no pool (its stake is TAO, 1:1), no epochs; join it with `btcli root register`")
				} else {
					started := "not started (the owner runs `btcli subnets start`)"
					if s.Started {
						started = fmt.Sprintf("started, emission from block %d", s.FirstEmissionBlock)
					}
					t.Line("Tempo %d, %s; registration %s at %s", s.Tempo, started, map[bool]string{true: "open", false: "closed"}[s.RegistrationOpen], formatTAO(s.Burn))
					t.Line("Pool %s / %s, price %s τ/α", formatTAO(s.Pool.TAO), formatAlpha(s.Pool.AlphaIn), formatPrice(s.Pool.Price))
					if s.TAOEmissionPerBlock > 0 || s.AlphaEmissionPerBlock > 0 {
						t.Line("Emission per block %s into the pool, %s minted for the epoch", formatTAO(s.TAOEmissionPerBlock), formatAlpha(s.AlphaEmissionPerBlock))
					}
				}
				t.Line("Neurons %d/%d", s.Neurons, s.MaxAllowedUids)
				t.Row("UID", "HOTKEY", "COLDKEY", "IMMUNE", "EMISSION", "AXON")
				for _, n := range ns {
					axon := "-"
					if n.Axon != nil {
						axon = endpointString(n.Axon)
					}
					t.Row(strconv.Itoa(int(n.UID)), n.Hotkey, n.Coldkey, yesNo(n.Immune), formatAlpha(n.Emission), axon)
				}
			})
		},
	}
	netuidFlag(cmd, &netuid)
	return cmd
}

// endpointString renders an endpoint as "1.2.3.4:8091" or "[2001:db8::1]:8091".
// The chain writes IPv6 uncompressed; netip gives the usual short form.
func endpointString(e *api.Endpoint) string {
	ip := e.IP
	if a, err := netip.ParseAddr(ip); err == nil {
		ip = a.String()
	}
	if e.IPType == 6 {
		return fmt.Sprintf("[%s]:%d", ip, e.Port)
	}
	return fmt.Sprintf("%s:%d", ip, e.Port)
}

func newSubnetHyperparamsCmd(app *App) *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{
		Use:     "hyperparameters",
		Aliases: []string{"hyperparams"},
		Short:   "Show a subnet's hyperparameters with who may set them and their bounds",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			return app.printHyperparameters(cmd, netuid)
		},
	}
	netuidFlag(cmd, &netuid)
	return cmd
}

type hyperparamsResult struct {
	Netuid          uint16               `json:"netuid"`
	Hyperparameters []api.Hyperparameter `json:"hyperparameters"`
	// Units maps each name to the unit of its value (see paramUnits).
	Units map[string]string `json:"units"`
}

func (a *App) printHyperparameters(cmd *cobra.Command, netuid uint16) error {
	ctx := cmd.Context()
	c, err := a.Client(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	hs, err := c.Hyperparameters(ctx, netuid)
	if isNotFound(err) {
		return fmt.Errorf("subnet %d does not exist; see `btcli subnets list`", netuid)
	}
	if err != nil {
		return err
	}
	return a.Print(hyperparamsResult{netuid, hs, unitNames(hyperNames(hs))}, func(t *Table) {
		t.Line("Subnet %d hyperparameters (set with `btcli sudo set --netuid %d --param NAME --value V`)", netuid, netuid)
		t.Row("NAME", "VALUE", "UNIT", "SETTABLE BY", "MIN", "MAX")
		for _, h := range hs {
			who := "sudo"
			if h.OwnerSettable {
				who = "owner, sudo"
			}
			t.Row(h.Name, strconv.FormatUint(h.Value, 10), unitOf(h.Name).name, who, strconv.FormatUint(h.Min, 10), strconv.FormatUint(h.Max, 10))
		}
	})
}

type lockCostResult struct {
	LockCost    uint64 `json:"lock_cost_rao,string"`
	LockCostTAO string `json:"lock_cost"`
	// ForBlock is the block the cost applies to (the next one); it decays every block.
	ForBlock int64 `json:"for_block"`
}

func newLockCostCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:     "lock-cost",
		Aliases: []string{"lock_cost"},
		Short:   "Show the TAO locked by creating a subnet in the next block",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			var lc api.LockCost
			if err := c.Query(ctx, api.PathLockCost, 0, &lc); err != nil {
				return err
			}
			res := lockCostResult{LockCost: lc.LockCost, LockCostTAO: formatTAO(lc.LockCost), ForBlock: lc.Height + 1}
			return app.Print(res, func(t *Table) {
				t.Line("Creating a subnet in block %d locks %s", res.ForBlock, res.LockCostTAO)
			})
		},
	}
}

type createResult struct {
	Netuid      uint16 `json:"netuid"`
	Owner       string `json:"owner"`
	OwnerHotkey string `json:"owner_hotkey"`
	Lock        uint64 `json:"lock_rao,string"`
	txInfo
	Balance uint64 `json:"balance_after_rao,string"`
}

func newSubnetCreateCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a subnet owned by the wallet's coldkey, with its hotkey as uid 0 (shows the lock cost and asks first)",
		Args:  noArgs,
	}
	id := subnetIdentityFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		if err := id.check(); err != nil {
			return err
		}
		w, err := app.Wallet()
		if err != nil {
			return err
		}
		cold, err := signingColdkey(w)
		if err != nil {
			return err
		}
		hot, err := w.HotkeyPub()
		if err != nil {
			return err
		}
		c, err := app.Client(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		var lc api.LockCost
		if err := c.Query(ctx, api.PathLockCost, 0, &lc); err != nil {
			return err
		}
		var ident *txpb.SubnetIdentity
		if id.anyGiven() {
			ident = subnetIdentityProto(id.merge(nil))
		}
		call := client.RegisterNetwork(hot.SS58(), ident)
		fee, err := c.EstimateFee(ctx, cold, call, client.SubmitOptions{})
		if err != nil {
			return err
		}
		acct, err := funds(ctx, c, cold.SS58(), lc.LockCost, "the lock cost", fee,
			"fund the coldkey, or wait: the lock cost decays to its minimum (see `btcli subnets lock-cost`)")
		if err != nil {
			return err
		}
		name := "(no identity; set one later with `btcli subnets set-identity`)"
		if ident != nil {
			name = strconv.Quote(ident.SubnetName)
		}
		if err := outsideSafeMode(ctx, c, "register_network (subnets create)"); err != nil {
			return err
		}
		r, err := app.confirmAndSubmit(ctx, c, w, call, "create subnet", "Do you want to create the subnet?",
			[2]string{"Owner coldkey", cold.SS58()},
			[2]string{"Owner hotkey", hot.SS58() + " (becomes uid 0)"},
			[2]string{"Name", name},
			[2]string{"Lock cost", formatTAO(lc.LockCost) + " (locked in the subnet's pool; the cost decays every block)"},
			[2]string{"Fee", formatTAO(fee)},
			[2]string{"Balance", formatTAO(acct.Free) + " → about " + formatTAO(acct.Free-lc.LockCost-fee)},
		)
		if err != nil {
			return err
		}
		ev, _ := r.Event(evNetworkAdded)
		res := createResult{Netuid: uint16(attrU64(ev, "netuid")), Owner: cold.SS58(), OwnerHotkey: hot.SS58(), Lock: attrU64(ev, "lock"),
			txInfo: newTxInfo(fee, r), Balance: balanceAfter(ctx, c, cold.SS58())}
		return app.Print(res, func(t *Table) {
			t.Line("Created subnet %d in block %d (tx %s), locking %s", res.Netuid, res.Block, res.Hash, formatTAO(res.Lock))
			t.Line("Start its emission with `btcli subnets start --netuid %d`", res.Netuid)
			t.Line("Balance now: %s", formatTAO(res.Balance))
		})
	}
	return cmd
}

// ownedSubnet reads the subnet and checks the wallet's coldkey owns it.
func ownedSubnet(cmd *cobra.Command, c *client.Client, netuid uint16, cold string) (api.Subnet, error) {
	s, err := subnet(cmd.Context(), c, netuid)
	if err != nil {
		return s, err
	}
	if netuid == 0 {
		return s, usageErrorf("netuid 0 is the root network; give a subnet netuid")
	}
	if s.Owner != cold {
		return s, fmt.Errorf("NotSubnetOwner: subnet %d is owned by %s, not %s; use the owner's wallet (--wallet.name)", netuid, s.Owner, cold)
	}
	return s, nil
}

type startResult struct {
	Netuid             uint16 `json:"netuid"`
	FirstEmissionBlock uint64 `json:"first_emission_block"`
	txInfo
}

func newSubnetStartCmd(app *App) *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start a subnet's emission and staking (owner; start_call)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			ctx := cmd.Context()
			w, cold, c, err := app.coldkeyClient(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			s, err := ownedSubnet(cmd, c, netuid, cold.SS58())
			if err != nil {
				return err
			}
			if s.Started {
				return fmt.Errorf("subnet %d was already started (emission from block %d)", netuid, s.FirstEmissionBlock)
			}
			call := client.StartCall(netuid)
			fee, err := feeCovered(ctx, c, cold, call)
			if err != nil {
				return err
			}
			if err := outsideSafeMode(ctx, c, "start_call (subnets start)"); err != nil {
				return err
			}
			r, err := app.confirmAndSubmit(ctx, c, w, call, fmt.Sprintf("start subnet %d", netuid), "Do you want to start the subnet?",
				[2]string{"Subnet", fmt.Sprintf("%d %s", netuid, subnetName(s))},
				[2]string{"Effect", "emission and staking begin next block; this cannot be undone"},
				[2]string{"Fee", formatTAO(fee)},
			)
			if err != nil {
				return err
			}
			ev, _ := r.Event(evStartCalled)
			res := startResult{Netuid: netuid, FirstEmissionBlock: attrU64(ev, "first_emission_block"), txInfo: newTxInfo(fee, r)}
			return app.Print(res, func(t *Table) {
				t.Line("Started subnet %d in block %d (tx %s); emission from block %d", netuid, res.Block, res.Hash, res.FirstEmissionBlock)
			})
		},
	}
	netuidFlag(cmd, &netuid)
	return cmd
}

type setIdentityResult struct {
	Netuid   uint16             `json:"netuid"`
	Identity api.SubnetIdentity `json:"identity"`
	txInfo
}

func newSubnetSetIdentityCmd(app *App) *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{
		Use:     "set-identity",
		Aliases: []string{"set_identity"},
		Short:   "Set a subnet's name, links and description (owner); fields not given keep their value",
		Args:    noArgs,
	}
	netuidFlag(cmd, &netuid)
	id := subnetIdentityFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := requireNetuid(cmd); err != nil {
			return err
		}
		if !id.anyGiven() {
			return usageErrorf("give at least one identity flag (--subnet-name, --github-repo, ...; see --help); pass --FLAG \"\" to clear one")
		}
		if err := id.check(); err != nil {
			return err
		}
		ctx := cmd.Context()
		w, cold, c, err := app.coldkeyClient(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		s, err := ownedSubnet(cmd, c, netuid, cold.SS58())
		if err != nil {
			return err
		}
		cur := subnetIdentityMap(s.Identity)
		next := id.merge(cur)
		call := client.SetSubnetIdentity(netuid, subnetIdentityProto(next))
		fee, err := feeCovered(ctx, c, cold, call)
		if err != nil {
			return err
		}
		summary := [][2]string{{"Subnet", strconv.Itoa(int(netuid))}}
		for _, f := range id.fields {
			if cur[f.flag] != next[f.flag] {
				summary = append(summary, [2]string{f.flag, fmt.Sprintf("%q → %q", cur[f.flag], next[f.flag])})
			}
		}
		summary = append(summary, [2]string{"Fee", formatTAO(fee)})
		if err := outsideSafeMode(ctx, c, "set_subnet_identity (subnets set-identity)"); err != nil {
			return err
		}
		r, err := app.confirmAndSubmit(ctx, c, w, call, fmt.Sprintf("set identity of subnet %d", netuid), "Do you want to set the identity?", summary...)
		if err != nil {
			return err
		}
		p := subnetIdentityProto(next)
		res := setIdentityResult{Netuid: netuid, txInfo: newTxInfo(fee, r), Identity: api.SubnetIdentity{SubnetName: p.SubnetName, GithubRepo: p.GithubRepo,
			SubnetContact: p.SubnetContact, SubnetURL: p.SubnetUrl, Discord: p.Discord, Description: p.Description, LogoURL: p.LogoUrl, Additional: p.Additional}}
		return app.Print(res, func(t *Table) {
			t.Line("Set the identity of subnet %d in block %d (tx %s)", netuid, res.Block, res.Hash)
		})
	}
	return cmd
}

type burnCostResult struct {
	Netuid  uint16 `json:"netuid"`
	Burn    uint64 `json:"burn_rao,string"`
	BurnTAO string `json:"burn"`
	Block   int64  `json:"block"`
}

func newBurnCostCmd(app *App) *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{
		Use:     "burn-cost",
		Aliases: []string{"burn_cost"},
		Short:   "Show a subnet's current registration price (it decays every block, ×1.26 per registration)",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			if netuid == rootNetuid {
				return usageErrorf("netuid 0 is the root network, which takes no burned registration: join it with `btcli root register`")
			}
			ctx := cmd.Context()
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			// The block the price is read at: the node's status can be a moment ahead of
			// the state it can serve, the parameters query is not.
			p, err := c.Params(ctx)
			if err != nil {
				return err
			}
			var s api.Subnet
			err = c.Query(ctx, api.PathSubnet+strconv.Itoa(int(netuid)), p.Height, &s)
			if isNotFound(err) {
				return fmt.Errorf("subnet %d does not exist; see `btcli subnets list`", netuid)
			}
			if err != nil {
				return err
			}
			res := burnCostResult{Netuid: netuid, Burn: s.Burn, BurnTAO: formatTAO(s.Burn), Block: p.Height}
			return app.Print(res, func(t *Table) {
				t.Line("Registering on subnet %d costs %s (block %d)", netuid, res.BurnTAO, res.Block)
			})
		},
	}
	netuidFlag(cmd, &netuid)
	return cmd
}

// replacedInfo says which uid a registration took over and why (neurons.NeuronReplaced).
type replacedInfo struct {
	UID             uint16 `json:"uid"`
	OldHotkey       string `json:"old_hotkey"`
	OldRegisteredAt uint64 `json:"old_registered_at"`
	Immune          bool   `json:"immune"`
	Reason          string `json:"reason"`
}

type registerResult struct {
	Netuid   uint16        `json:"netuid"`
	UID      uint16        `json:"uid"`
	Hotkey   string        `json:"hotkey"`
	Coldkey  string        `json:"coldkey"`
	Cost     uint64        `json:"cost_rao,string"`
	Replaced *replacedInfo `json:"replaced,omitempty"`
	txInfo
	Balance uint64 `json:"balance_after_rao,string"`
}

func newSubnetRegisterCmd(app *App) *cobra.Command {
	var netuid uint16
	var maxPrice string
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register the wallet's hotkey on a subnet, paying the burn price from the coldkey (shows the price and asks first)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			if netuid == 0 {
				return usageErrorf("netuid 0 is the root network; register on a subnet netuid")
			}
			var limit uint64
			if maxPrice != "" {
				var err error
				if limit, err = parseTAO(maxPrice); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			w, err := app.Wallet()
			if err != nil {
				return err
			}
			cold, err := signingColdkey(w)
			if err != nil {
				return err
			}
			hot, err := w.HotkeyPub()
			if err != nil {
				return err
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			s, err := subnet(ctx, c, netuid)
			if err != nil {
				return err
			}
			if !s.RegistrationOpen {
				return fmt.Errorf("registration is closed on subnet %d (network_registration_allowed is 0); ask its owner or sudo", netuid)
			}
			ns, err := c.Neurons(ctx, netuid)
			if err != nil {
				return err
			}
			for _, n := range ns {
				if n.Hotkey == hot.SS58() {
					return fmt.Errorf("hotkey %s is already uid %d on subnet %d; pick another with --wallet.hotkey", hot.SS58(), n.UID, netuid)
				}
			}
			if maxPrice != "" && s.Burn > limit {
				return fmt.Errorf("RegistrationPriceLimitExceeded: the price %s is above --max-price %s; raise --max-price or wait for the price to decay", formatTAO(s.Burn), formatTAO(limit))
			}
			call := client.BurnedRegister(netuid, hot.SS58())
			if maxPrice != "" {
				call = client.RegisterLimit(netuid, hot.SS58(), limit)
			}
			fee, err := c.EstimateFee(ctx, cold, call, client.SubmitOptions{})
			if err != nil {
				return err
			}
			acct, err := funds(ctx, c, cold.SS58(), s.Burn, "the registration price", fee,
				"fund the coldkey, or wait: the price decays every block (see `btcli subnets burn-cost`)")
			if err != nil {
				return err
			}
			price := formatTAO(s.Burn) + " (burned; decays every block, ×1.26 per registration)"
			if maxPrice != "" {
				price += "; limit " + formatTAO(limit)
			}
			summary := [][2]string{
				{"Subnet", fmt.Sprintf("%d %s (%d/%d uids)", netuid, subnetName(s), s.Neurons, s.MaxAllowedUids)},
				{"Hotkey", hot.SS58()},
				{"Coldkey", cold.SS58() + " pays"},
				{"Price", price},
				{"Fee", formatTAO(fee)},
				{"Balance", formatTAO(acct.Free) + " → about " + formatTAO(acct.Free-s.Burn-fee)},
			}
			if uint64(s.Neurons) >= s.MaxAllowedUids {
				summary = append(summary, [2]string{"Note", "the subnet is full: this replaces the non-immune uid with the lowest emission (then the oldest)"})
			}
			if err := outsideSafeMode(ctx, c, "burned_register (subnets register)"); err != nil {
				return err
			}
			r, err := app.confirmAndSubmit(ctx, c, w, call, fmt.Sprintf("register on subnet %d", netuid), "Do you want to register?", summary...)
			if err != nil {
				return err
			}
			burned, _ := r.Event(evBurned)
			res := registerResult{Netuid: netuid, UID: uint16(attrU64(burned, "uid")), Hotkey: hot.SS58(), Coldkey: cold.SS58(),
				Cost: attrU64(burned, "tao"), txInfo: newTxInfo(fee, r), Balance: balanceAfter(ctx, c, cold.SS58())}
			if ev, ok := r.Event(evNeuronReplaced); ok {
				res.Replaced = &replacedInfo{UID: uint16(attrU64(ev, "uid")), OldHotkey: ev["old_hotkey"],
					OldRegisteredAt: attrU64(ev, "old_registered_at"), Immune: ev["immune"] == "true", Reason: ev["reason"]}
			}
			return app.Print(res, func(t *Table) {
				t.Line("Registered %s as uid %d on subnet %d in block %d for %s (tx %s)", res.Hotkey, res.UID, netuid, res.Block, formatTAO(res.Cost), res.Hash)
				if res.Replaced != nil {
					t.Line("It replaced %s (registered at block %d): %s", res.Replaced.OldHotkey, res.Replaced.OldRegisteredAt, res.Replaced.Reason)
				}
				t.Line("Balance now: %s", formatTAO(res.Balance))
			})
		},
	}
	netuidFlag(cmd, &netuid)
	cmd.Flags().StringVar(&maxPrice, "max-price", "", "fail instead of paying more than this (TAO, e.g. 1.5); uses register_limit")
	return cmd
}

type commitmentView struct {
	UID    *uint16 `json:"uid,omitempty"`
	Hotkey string  `json:"hotkey"`
	Block  uint64  `json:"block"`
	Data   []byte  `json:"data"` // base64 in JSON
	Text   string  `json:"text,omitempty"`
}

func newCommitmentsCmd(app *App) *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{
		Use:   "commitments",
		Short: "Show the data hotkeys published on a subnet (set_commitment)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			ctx := cmd.Context()
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			if _, err := subnet(ctx, c, netuid); err != nil {
				return err
			}
			cs, err := c.Commitments(ctx, netuid)
			if err != nil {
				return err
			}
			ns, err := c.Neurons(ctx, netuid)
			if err != nil {
				return err
			}
			uids := map[string]uint16{}
			for _, n := range ns {
				uids[n.Hotkey] = n.UID
			}
			out := []commitmentView{}
			for _, cm := range cs {
				v := commitmentView{Hotkey: cm.Hotkey, Block: cm.Block, Data: cm.Data}
				if uid, ok := uids[cm.Hotkey]; ok {
					v.UID = &uid
				}
				if utf8.Valid(cm.Data) {
					v.Text = string(cm.Data)
				}
				out = append(out, v)
			}
			return app.Print(map[string]any{"netuid": netuid, "commitments": out}, func(t *Table) {
				t.Row("UID", "HOTKEY", "BLOCK", "DATA")
				for _, v := range out {
					uid := "-"
					if v.UID != nil {
						uid = strconv.Itoa(int(*v.UID))
					}
					data := strconv.Quote(v.Text)
					if v.Text == "" && len(v.Data) > 0 {
						data = fmt.Sprintf("0x%x", v.Data)
					}
					t.Row(uid, v.Hotkey, strconv.FormatUint(v.Block, 10), data)
				}
			})
		},
	}
	netuidFlag(cmd, &netuid)
	return cmd
}

// maxCommitment is the largest commitment in bytes (chain/neurons.MaxCommitment).
const maxCommitment = 1024

type commitResult struct {
	Netuid uint16 `json:"netuid"`
	Hotkey string `json:"hotkey"`
	Bytes  int    `json:"bytes"`
	txInfo
}

func newCommitCmd(app *App) *cobra.Command {
	var netuid uint16
	var text, hexData string
	cmd := &cobra.Command{
		Use:   "commit",
		Short: "Publish data for the wallet's hotkey on a subnet (set_commitment; signed by the hotkey, which pays the fee)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireNetuid(cmd); err != nil {
				return err
			}
			var data []byte
			switch {
			case cmd.Flags().Changed("data") == cmd.Flags().Changed("hex"):
				return usageErrorf("give the commitment as --data TEXT or --hex 0x...")
			case cmd.Flags().Changed("hex"):
				b, err := hex.DecodeString(strings.TrimPrefix(hexData, "0x"))
				if err != nil {
					return usageErrorf("--hex %q is not hex bytes", hexData)
				}
				data = b
			default:
				data = []byte(text)
			}
			if len(data) > maxCommitment {
				return usageErrorf("the commitment is %d bytes; the limit is %d", len(data), maxCommitment)
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
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			call := client.SetCommitment(netuid, data)
			fee, err := c.EstimateFee(ctx, hot, call, client.SubmitOptions{})
			if err != nil {
				return err
			}
			if _, err := funds(ctx, c, hot.SS58(), 0, "", fee,
				fmt.Sprintf("the hotkey pays this fee: send it a little TAO with `btcli wallet transfer --dest %s --amount 0.01`", hot.SS58())); err != nil {
				return err
			}
			if err := outsideSafeMode(ctx, c, "set_commitment (subnets commit)"); err != nil {
				return err
			}
			if err := app.confirm("Do you want to publish the commitment?",
				[2]string{"Subnet", strconv.Itoa(int(netuid))},
				[2]string{"Hotkey", hot.SS58() + " signs and pays"},
				[2]string{"Data", plural(len(data), "byte", "")},
				[2]string{"Fee", formatTAO(fee)},
			); err != nil {
				return err
			}
			kp, err := app.Hotkey(w)
			if err != nil {
				return err
			}
			r, err := app.submit(ctx, c, kp, call, fmt.Sprintf("commit on subnet %d", netuid))
			if err != nil {
				return err
			}
			res := commitResult{Netuid: netuid, Hotkey: hot.SS58(), Bytes: len(data), txInfo: newTxInfo(fee, r)}
			return app.Print(res, func(t *Table) {
				t.Line("Published %d bytes for %s on subnet %d in block %d (tx %s)", res.Bytes, res.Hotkey, netuid, res.Block, res.Hash)
			})
		},
	}
	netuidFlag(cmd, &netuid)
	cmd.Flags().StringVar(&text, "data", "", "the commitment as text")
	cmd.Flags().StringVar(&hexData, "hex", "", "the commitment as 0x hex bytes")
	return cmd
}
