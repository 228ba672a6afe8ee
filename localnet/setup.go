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

// setup creates the subnet and registers and stakes its neurons; each step
// is skipped when the chain already shows it done, so a run interrupted
// mid-setup resumes.
func (n *Net) setup(ctx context.Context) error {
	if n.State.SetupDone {
		return nil
	}
	owner := Accounts[0]
	if n.State.Netuid == 0 {
		r, err := n.submit(ctx, mustKey(owner.Coldkey), client.RegisterNetwork(mustKey(owner.Hotkey).SS58(), nil), "register the prompting subnet")
		if err != nil {
			return err
		}
		ev, ok := r.Event("subnets.NetworkAdded")
		if !ok {
			return fmt.Errorf("localnet: register_network gave no NetworkAdded event")
		}
		id, err := strconv.ParseUint(ev["netuid"], 10, 16)
		if err != nil {
			return fmt.Errorf("localnet: NetworkAdded netuid %q: %w", ev["netuid"], err)
		}
		n.State.Netuid = uint16(id)
		if err := n.saveState(); err != nil {
			return err
		}
		if _, err := n.submit(ctx, mustKey(owner.Coldkey), client.StartCall(n.State.Netuid), "start the subnet"); err != nil {
			return err
		}
	}
	m, err := n.Client.Metagraph(ctx, n.State.Netuid, 0, false)
	if err != nil {
		return err
	}
	for _, a := range Accounts[1:] {
		hot := mustKey(a.Hotkey).SS58()
		if !slices.Contains(m.Hotkeys, hot) {
			if _, err := n.submit(ctx, mustKey(a.Coldkey), client.BurnedRegister(n.State.Netuid, hot), "register "+a.Name); err != nil {
				return err
			}
		}
	}
	m, err = n.Client.Metagraph(ctx, n.State.Netuid, 0, false)
	if err != nil {
		return err
	}
	for _, a := range Accounts[1:] {
		if a.Stake == 0 {
			continue
		}
		hot := mustKey(a.Hotkey).SS58()
		if i := slices.Index(m.Hotkeys, hot); i >= 0 && m.Stake[i] > 0 {
			continue
		}
		if _, err := n.submit(ctx, mustKey(a.Coldkey), client.AddStake(hot, n.State.Netuid, a.Stake*raoPerTAO, 0, false), "stake "+a.Name); err != nil {
			return err
		}
	}
	n.State.SetupDone = true
	n.State.StartBlock = n.node.Height()
	return n.saveState()
}
