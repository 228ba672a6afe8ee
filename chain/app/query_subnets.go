package app

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/registration"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/keys"
)

func parseNetuid(s string) (uint16, error) {
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, badRequest("netuid %q must be 0..65535", s)
	}
	return uint16(v), nil
}

func notFound(format string, args ...any) error {
	return &queryError{QueryCodeNotFound, sprintf(format, args...)}
}

func subnetView(r store.Reader, s subnets.Subnet, em map[uint16]coinbase.SubnetEmission) api.Subnet {
	h := subnets.Hyper(r, s.Netuid)
	p := pools.Get(r, s.Netuid)
	v := api.Subnet{
		Netuid: s.Netuid, RegisteredAt: s.RegisteredAt, Locked: s.Locked,
		FirstEmissionBlock: s.FirstEmissionBlock, Started: s.FirstEmissionBlock != 0,
		SubtokenEnabled: s.SubtokenEnabled, EmissionEnabled: s.EmissionEnabled,
		Neurons: neurons.Count(r, s.Netuid), MaxAllowedUids: h.MaxAllowedUids, Tempo: h.Tempo,
		Burn: subnets.Burn(r, s.Netuid).Burn, NextBurn: subnets.CurrentBurn(r, s.Netuid, uint64(versionOf(r))+1).Burn,
		RegistrationOpen:    h.RegistrationAllowed == 1,
		TAOEmissionPerBlock: em[s.Netuid].TAO, AlphaEmissionPerBlock: em[s.Netuid].Alpha,
		Pool: api.Pool{TAO: p.TAO, AlphaIn: p.AlphaIn, AlphaOut: p.AlphaOut,
			Price: swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn}.Price().String(), MovingPrice: p.MovingPrice.Fixed().String()},
	}
	if s.Netuid != subnets.RootNetuid {
		v.Owner, v.OwnerHotkey = s.Owner.SS58(), s.OwnerHotkey.SS58()
	}
	if id, ok := subnets.Identity(r, s.Netuid); ok {
		v.Identity = &api.SubnetIdentity{SubnetName: id.SubnetName, GithubRepo: id.GithubRepo, SubnetContact: id.SubnetContact,
			SubnetURL: id.SubnetURL, Discord: id.Discord, Description: id.Description, LogoURL: id.LogoURL, Additional: id.Additional}
	}
	return v
}

func endpointView(block uint64, version uint32, ip []byte, port uint16, ipType, protocol uint8) *api.Endpoint {
	addr := neurons.FormatEndpoint(ip, port)
	if i := strings.LastIndex(addr, ":"); i > 0 {
		addr = strings.Trim(addr[:i], "[]")
	}
	return &api.Endpoint{Block: block, Version: version, IP: addr, Port: port, IPType: ipType, Protocol: protocol}
}

func neuronView(r store.Reader, netuid uint16, n neurons.Neuron, immunity, now uint64) api.Neuron {
	v := api.Neuron{Netuid: netuid, UID: n.UID, Hotkey: n.Hotkey.SS58(), RegisteredAt: n.RegisteredAt,
		Immune: now-min(now, n.RegisteredAt) < immunity, Emission: n.Emission}
	if ck, ok := neurons.Owner(r, n.Hotkey); ok {
		v.Coldkey = ck.SS58()
	}
	if a, ok := neurons.Axon(r, netuid, n.Hotkey); ok {
		v.Axon = endpointView(a.Block, a.Version, a.IP, a.Port, a.IPType, a.Protocol)
	}
	if p, ok := neurons.Prometheus(r, netuid, n.Hotkey); ok {
		v.Prometheus = endpointView(p.Block, p.Version, p.IP, p.Port, p.IPType, 0)
	}
	return v
}

func hyperViews(h subnets.Hyperparams) []api.Hyperparameter {
	vals := subnets.HyperValues(h)
	out := make([]api.Hyperparameter, 0, len(vals))
	for _, info := range subnets.HyperparameterNames() {
		out = append(out, api.Hyperparameter{Name: info.Name, Value: vals[info.Name], OwnerSettable: info.OwnerSettable, Min: info.Min, Max: info.Max})
	}
	return out
}

// querySubnets serves the subnet paths; ok is false for other paths.
func querySubnets(snap *store.Snapshot, route string, memo *metagraphMemo) (any, bool, error) {
	now := uint64(snap.Version())
	switch {
	case route == api.PathSubnets:
		out := []api.Subnet{}
		em := coinbase.NextBlockEmission(snap, now+1)
		for _, n := range subnets.Netuids(snap) {
			s, _ := subnets.Get(snap, n)
			out = append(out, subnetView(snap, s, em))
		}
		return out, true, nil
	case route == api.PathLockCost:
		return api.LockCost{LockCost: registration.LockCost(snap, now+1), Height: snap.Version()}, true, nil
	case route == api.PathNetworkParams:
		out := []api.Hyperparameter{}
		for _, p := range subnets.ParamViews(subnets.GetParams(snap)) {
			out = append(out, api.Hyperparameter{Name: p.Name, Value: p.Value, Min: p.Min, Max: p.Max})
		}
		return out, true, nil
	case strings.HasPrefix(route, api.PathIdentity):
		ck, err := keys.ParsePublicKeyOrSS58(strings.TrimPrefix(route, api.PathIdentity))
		if err != nil {
			return nil, true, badRequest("coldkey: %v", err)
		}
		id, ok := subnets.ColdkeyIdentity(snap, ck)
		if !ok {
			return nil, true, notFound("no identity set for %s", ck.SS58())
		}
		return api.ChainIdentity{Address: ck.SS58(), Name: id.Name, URL: id.URL, GithubRepo: id.GithubRepo, Image: id.Image,
			Discord: id.Discord, Description: id.Description, Additional: id.Additional}, true, nil
	case strings.HasPrefix(route, api.PathSubnet):
		parts := strings.Split(strings.TrimPrefix(route, api.PathSubnet), "/")
		netuid, err := parseNetuid(parts[0])
		if err != nil {
			return nil, true, err
		}
		s, ok := subnets.Get(snap, netuid)
		if !ok {
			return nil, true, notFound("subnet %d does not exist", netuid)
		}
		h := subnets.Hyper(snap, netuid)
		switch {
		case len(parts) == 1:
			return subnetView(snap, s, coinbase.NextBlockEmission(snap, now+1)), true, nil
		case len(parts) == 2 && parts[1] == "hyperparameters":
			return hyperViews(h), true, nil
		case len(parts) == 2 && parts[1] == "neurons":
			out := []api.Neuron{}
			for _, n := range neurons.All(snap, netuid) {
				out = append(out, neuronView(snap, netuid, n, h.ImmunityPeriod, now))
			}
			return out, true, nil
		case len(parts) == 3 && parts[1] == "neurons":
			uid, err := strconv.ParseUint(parts[2], 10, 16)
			if err != nil {
				return nil, true, badRequest("uid %q must be a number", parts[2])
			}
			n, ok := neurons.Get(snap, netuid, uint16(uid))
			if !ok {
				return nil, true, notFound("subnet %d has no uid %d", netuid, uid)
			}
			return neuronView(snap, netuid, n, h.ImmunityPeriod, now), true, nil
		case len(parts) == 3 && parts[1] == "weight_commits":
			hk, err := keys.ParsePublicKeyOrSS58(parts[2])
			if err != nil {
				return nil, true, badRequest("hotkey: %v", err)
			}
			cur, period := epoch.GetSchedule(snap, netuid).EpochIndex, max(h.RevealPeriodEpochs, 1)
			out := []api.WeightCommit{}
			for _, c := range epoch.Commits(snap, netuid, hk) {
				out = append(out, api.WeightCommit{Hash: hex.EncodeToString(c.Hash), Epoch: c.Epoch, Block: c.Block,
					RevealEpoch: c.Epoch + period, Expired: cur > c.Epoch+period})
			}
			return out, true, nil
		case len(parts) == 2 && (parts[1] == "metagraph" || parts[1] == "metagraph_full"):
			v, err := memo.answer(snap, netuid, parts[1] == "metagraph_full")
			return v, true, err
		case len(parts) == 2 && parts[1] == "commitments":
			out := []api.Commitment{}
			for _, n := range neurons.All(snap, netuid) {
				if c, ok := neurons.GetCommitment(snap, netuid, n.Hotkey); ok {
					out = append(out, api.Commitment{Hotkey: n.Hotkey.SS58(), Block: c.Block, Data: c.Data})
				}
			}
			return out, true, nil
		}
		return nil, true, notFound("unknown subnet path %q", route)
	}
	return nil, false, nil
}

// versionOf is the snapshot's height (0 for other readers).
func versionOf(r store.Reader) int64 {
	if s, ok := r.(*store.Snapshot); ok {
		return s.Version()
	}
	return 0
}
