package localnet

import (
	"context"
	"fmt"
	"io"
	"strings"
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

// Snapshot reads a View of the local network's subnet.
func (n *Net) Snapshot(ctx context.Context) (View, error) {
	v, err := Snapshot(ctx, n.Client, n.State.Netuid, n.roles)
	v.Services = n.Services()
	return v, err
}

// Snapshot reads a View of netuid from src; roles names hotkeys (nil: the dev accounts').
func Snapshot(ctx context.Context, src Source, netuid uint16, roles map[string]Role) (View, error) {
	if roles == nil {
		roles = map[string]Role{}
		for _, a := range Accounts {
			roles[mustKey(a.Hotkey).SS58()] = a.Role
		}
	}
	v := View{Time: time.Now().UTC()}
	p, err := src.Params(ctx)
	if err != nil {
		return v, err
	}
	v.Height, v.TotalIssuance = p.Height, p.TotalIssuance
	m, err := src.Metagraph(ctx, netuid, 0, false)
	if err != nil {
		return v, err
	}
	sv := SubnetView{Netuid: netuid, Name: "prompting", Tempo: m.Tempo, NextEpoch: m.NextEpochBlock}
	for uid := range m.N {
		nv := NeuronView{UID: uint16(uid), Role: roles[m.Hotkeys[uid]], Hotkey: m.Hotkeys[uid], Stake: m.Stake[uid],
			Incentive: u16(m.Incentive[uid]), Dividends: u16(m.Dividends[uid]), Emission: m.Emission[uid], Trust: u16(m.Trust[uid])}
		if ax := m.Axons[uid]; ax != nil && ax.Port != 0 {
			nv.Axon = fmt.Sprintf("%s:%d", ax.IP, ax.Port)
		}
		sv.Neurons = append(sv.Neurons, nv)
	}
	v.Subnets = []SubnetView{sv}
	return v, nil
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
			fmt.Fprintf(w, "  %-16s %s\n", s.Name, s.Addr)
		}
	}
	fmt.Fprintln(w, strings.Repeat("-", 20)+" Ctrl-C stops everything; state is kept for the next `up`")
}
