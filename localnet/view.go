package localnet

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
)

// View is one snapshot of the network, what the terminal view shows and
// what --json writes as a "view" event.
type View struct {
	Time          time.Time    `json:"time"`
	Height        int64        `json:"height"`
	TotalIssuance uint64       `json:"total_issuance,string"`
	Subnets       []SubnetView `json:"subnets"`
	Services      []Service    `json:"services"`
}

// SubnetView is one subnet's metagraph.
type SubnetView struct {
	Netuid    uint16       `json:"netuid"`
	Name      string       `json:"name"`
	Tempo     uint64       `json:"tempo"`
	NextEpoch uint64       `json:"next_epoch_block"`
	Neurons   []NeuronView `json:"neurons"`
}

// NeuronView is one uid. Incentive, dividends and trust are fractions of 1.
type NeuronView struct {
	UID       uint16  `json:"uid"`
	Role      Role    `json:"role"`
	Hotkey    string  `json:"hotkey"`
	Stake     uint64  `json:"stake"` // RAO of alpha
	Incentive float64 `json:"incentive"`
	Dividends float64 `json:"dividends"`
	Emission  uint64  `json:"emission"` // last epoch, RAO of alpha
	Trust     float64 `json:"trust"`
	Axon      string  `json:"axon,omitempty"`
}

// Source is what a View is read from.
type Source interface {
	LatestHeight(ctx context.Context) (int64, error)
	Params(ctx context.Context) (api.Params, error)
	Metagraph(ctx context.Context, netuid uint16, height int64, full bool) (api.Metagraph, error)
}

var _ Source = (*client.Client)(nil)

// Snapshot reads a View of the local network's subnets.
func (n *Net) Snapshot(ctx context.Context) (View, error) {
	v, err := Snapshot(ctx, n.Client, n.State.Subnets(), n.roles)
	v.Services = n.Services()
	return v, err
}

// Snapshot reads a View of subnets from src; roles names hotkeys (nil: the dev accounts').
func Snapshot(ctx context.Context, src Source, subnets []SubnetRef, roles map[string]Role) (View, error) {
	if roles == nil {
		roles = roleMap()
	}
	v := View{Time: time.Now().UTC()}
	p, err := src.Params(ctx)
	if err != nil {
		return v, err
	}
	v.Height, v.TotalIssuance = p.Height, p.TotalIssuance
	for _, ref := range subnets {
		m, err := src.Metagraph(ctx, ref.Netuid, 0, false)
		if err != nil {
			return v, fmt.Errorf("localnet: %s subnet %d: %w", ref.Name, ref.Netuid, err)
		}
		sv := SubnetView{Netuid: ref.Netuid, Name: ref.Name, Tempo: m.Tempo, NextEpoch: m.NextEpochBlock}
		for uid := range m.N {
			nv := NeuronView{UID: uint16(uid), Role: roles[m.Hotkeys[uid]], Hotkey: m.Hotkeys[uid], Stake: m.Stake[uid],
				Incentive: u16(m.Incentive[uid]), Dividends: u16(m.Dividends[uid]), Emission: m.Emission[uid], Trust: u16(m.Trust[uid])}
			if ax := m.Axons[uid]; ax != nil && ax.Port != 0 {
				nv.Axon = fmt.Sprintf("%s:%d", ax.IP, ax.Port)
			}
			sv.Neurons = append(sv.Neurons, nv)
		}
		v.Subnets = append(v.Subnets, sv)
	}
	return v, nil
}

// Subnet returns the view of the subnet named name, or false.
func (v View) Subnet(name string) (SubnetView, bool) {
	for _, s := range v.Subnets {
		if s.Name == name {
			return s, true
		}
	}
	return SubnetView{}, false
}

func u16(x uint16) float64 { return float64(x) / 65535 }

func tao(rao uint64) string { return fmt.Sprintf("%.4f", float64(rao)/raoPerTAO) }

// Render writes v as the terminal view.
func Render(w io.Writer, v View) {
	fmt.Fprintf(w, "gotensor localnet  block %d  total issuance %s TAO  %s\n\n", v.Height, tao(v.TotalIssuance), v.Time.Format("15:04:05"))
	for _, s := range v.Subnets {
		left := int64(s.NextEpoch) - v.Height
		fmt.Fprintf(w, "subnet %d (%s)  tempo %d  next epoch at block %d (in %d blocks)\n", s.Netuid, s.Name, s.Tempo, s.NextEpoch, left)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "uid\trole\tstake (α)\tincentive\tdividends\temission (α)\ttrust\taxon\t")
		for _, n := range s.Neurons {
			role := string(n.Role)
			if role == "" {
				role = "-"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%.4f\t%.4f\t%s\t%.4f\t%s\t\n", n.UID, role, tao(n.Stake), n.Incentive, n.Dividends, tao(n.Emission), n.Trust, n.Axon)
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	if len(v.Services) > 0 {
		fmt.Fprintln(w, "services:")
		for _, s := range v.Services {
			fmt.Fprintf(w, "  %-22s %s\n", s.Name, s.Addr)
		}
	}
}
