package localnet

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
)

const raoPerTAO = 1_000_000_000

func (n *Net) submit(ctx context.Context, signer *keys.Keypair, call *txpb.Call, what string) (*client.Receipt, error) {
	r, err := n.Client.Submit(ctx, signer, call, client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		return nil, fmt.Errorf("localnet: %s: %w", what, err)
	}
	return r, nil
}

// setup creates both subnets and registers and stakes their neurons; each
// step is skipped when the chain already shows it done, so a run interrupted
// mid-setup resumes, and a folder made before the template subnet existed
// gets it on its next start.
func (n *Net) setup(ctx context.Context) error {
	if !n.State.SetupDone {
		if err := n.setupSubnet(ctx, SubnetPrompting, Accounts, &n.State.Netuid); err != nil {
			return err
		}
		n.State.SetupDone = true
		n.State.StartBlock = n.node.Height()
		if err := n.saveState(); err != nil {
			return err
		}
	}
	if !n.State.TemplateSetupDone {
		if err := n.setupSubnet(ctx, SubnetTemplate, TemplateAccounts, &n.State.TemplateNetuid); err != nil {
			return err
		}
		n.State.TemplateSetupDone = true
		if err := n.saveState(); err != nil {
			return err
		}
	}
	return nil
}

// ActivityCutoffFactorMilli is the localnet subnets' activity cutoff, in
// thousandths of a tempo: 3 tempos (60 blocks). Yuma counts the stake of
// every active permit holder, and a holder that sets no weights votes 0 for
// everyone. At the default (13.9 tempos) the owner's and the miners' growing
// stake stayed active long enough to outweigh the validators: consensus, and
// so incentive, fell to 0 for three epochs around block 220 until their
// registrations aged out. Validators set weights every tempo, well inside
// the cutoff.
const ActivityCutoffFactorMilli = 3000

// subnetDescriptions are the localnet subnets' on-chain identities, so
// btcli's subnet lists and stake views name them.
var subnetDescriptions = map[string]string{
	SubnetPrompting: "text prompting: miners answer chat prompts, validators score checkable challenges and free prompts",
	SubnetTemplate:  "the subnet template (subnets/template): the smallest complete subnet",
}

// setupSubnet creates the subnet *netuid names (when zero) owned by
// accounts[0], starts it, registers accounts[1:] and stakes the validators.
func (n *Net) setupSubnet(ctx context.Context, name string, accounts []Account, netuid *uint16) error {
	owner := accounts[0]
	if *netuid == 0 {
		ident := &txpb.SubnetIdentity{SubnetName: name, Description: subnetDescriptions[name]}
		r, err := n.submit(ctx, mustKey(owner.Coldkey), client.RegisterNetwork(mustKey(owner.Hotkey).SS58(), ident), "register the "+name+" subnet")
		if err != nil {
			return err
		}
		ev, ok := r.Event("subnets.NetworkAdded")
		if !ok {
			return fmt.Errorf("localnet: register_network for the %s subnet gave no NetworkAdded event", name)
		}
		id, err := strconv.ParseUint(ev["netuid"], 10, 16)
		if err != nil {
			return fmt.Errorf("localnet: NetworkAdded netuid %q: %w", ev["netuid"], err)
		}
		*netuid = uint16(id)
		if err := n.saveState(); err != nil {
			return err
		}
		if _, err := n.submit(ctx, mustKey(owner.Coldkey), client.StartCall(*netuid), "start the "+name+" subnet"); err != nil {
			return err
		}
		if _, err := n.submit(ctx, mustKey(owner.Coldkey), client.SetHyperparameter(*netuid, "activity_cutoff_factor_milli", ActivityCutoffFactorMilli),
			"set the "+name+" subnet's activity cutoff"); err != nil {
			return err
		}
	}
	m, err := n.Client.Metagraph(ctx, *netuid, 0, false)
	if err != nil {
		return err
	}
	for _, a := range accounts[1:] {
		hot := mustKey(a.Hotkey).SS58()
		if !slices.Contains(m.Hotkeys, hot) {
			if _, err := n.submit(ctx, mustKey(a.Coldkey), client.BurnedRegister(*netuid, hot), "register "+a.Name+" on the "+name+" subnet"); err != nil {
				return err
			}
		}
	}
	m, err = n.Client.Metagraph(ctx, *netuid, 0, false)
	if err != nil {
		return err
	}
	for _, a := range accounts[1:] {
		if a.Stake == 0 {
			continue
		}
		hot := mustKey(a.Hotkey).SS58()
		if i := slices.Index(m.Hotkeys, hot); i >= 0 && (m.Stake[i] > 0 || m.RootStake[i] > 0) {
			continue
		}
		on := *netuid
		if a.OnRoot {
			on = 0
		}
		if _, err := n.submit(ctx, mustKey(a.Coldkey), client.AddStake(hot, on, a.Stake*raoPerTAO, 0, false), "stake "+a.Name+" for the "+name+" subnet"); err != nil {
			return err
		}
	}
	return nil
}
