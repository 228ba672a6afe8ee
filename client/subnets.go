package client

import (
	"context"
	"strconv"

	"github.com/gotensor/gotensor/chain/api"
)

// Subnets lists every subnet (root included).
func (c *Client) Subnets(ctx context.Context) ([]api.Subnet, error) {
	var out []api.Subnet
	err := c.Query(ctx, api.PathSubnets, 0, &out)
	return out, err
}

// Subnet returns one subnet.
func (c *Client) Subnet(ctx context.Context, netuid uint16) (api.Subnet, error) {
	var out api.Subnet
	err := c.Query(ctx, api.PathSubnet+strconv.Itoa(int(netuid)), 0, &out)
	return out, err
}

// Hyperparameters returns a subnet's hyperparameters with their bounds.
func (c *Client) Hyperparameters(ctx context.Context, netuid uint16) ([]api.Hyperparameter, error) {
	var out []api.Hyperparameter
	err := c.Query(ctx, api.PathSubnet+strconv.Itoa(int(netuid))+"/hyperparameters", 0, &out)
	return out, err
}

// HyperparametersAt returns a subnet's hyperparameters as they were at
// height (0 = latest); the node must still keep that state.
func (c *Client) HyperparametersAt(ctx context.Context, netuid uint16, height int64) ([]api.Hyperparameter, error) {
	var out []api.Hyperparameter
	err := c.Query(ctx, api.PathSubnet+strconv.Itoa(int(netuid))+"/hyperparameters", height, &out)
	return out, err
}

// NetworkParams returns the global (sudo) parameters.
func (c *Client) NetworkParams(ctx context.Context) ([]api.Hyperparameter, error) {
	var out []api.Hyperparameter
	err := c.Query(ctx, api.PathNetworkParams, 0, &out)
	return out, err
}

// Neurons returns a subnet's neurons (lite).
func (c *Client) Neurons(ctx context.Context, netuid uint16) ([]api.Neuron, error) {
	var out []api.Neuron
	err := c.Query(ctx, api.PathSubnet+strconv.Itoa(int(netuid))+"/neurons", 0, &out)
	return out, err
}

// Neuron returns one neuron.
func (c *Client) Neuron(ctx context.Context, netuid, uid uint16) (api.Neuron, error) {
	var out api.Neuron
	err := c.Query(ctx, api.PathSubnet+strconv.Itoa(int(netuid))+"/neurons/"+strconv.Itoa(int(uid)), 0, &out)
	return out, err
}

// Commitments returns a subnet's commitments.
func (c *Client) Commitments(ctx context.Context, netuid uint16) ([]api.Commitment, error) {
	var out []api.Commitment
	err := c.Query(ctx, api.PathSubnet+strconv.Itoa(int(netuid))+"/commitments", 0, &out)
	return out, err
}

// LockCost is what register_network costs in the next block.
func (c *Client) LockCost(ctx context.Context) (uint64, error) {
	var out api.LockCost
	err := c.Query(ctx, api.PathLockCost, 0, &out)
	return out.LockCost, err
}

// Identity returns a coldkey's identity.
func (c *Client) Identity(ctx context.Context, coldkey string) (api.ChainIdentity, error) {
	var out api.ChainIdentity
	err := c.Query(ctx, api.PathIdentity+coldkey, 0, &out)
	return out, err
}

// Metagraph returns a subnet's columns at height (0 = latest); full adds
// weights and bonds.
func (c *Client) Metagraph(ctx context.Context, netuid uint16, height int64, full bool) (api.Metagraph, error) {
	var out metagraphWire
	path := api.PathSubnet + strconv.Itoa(int(netuid)) + "/metagraph"
	if full {
		path += "_full"
	}
	err := c.Query(ctx, path, height, &out)
	return out.metagraph(), err
}

// WeightCommits returns a hotkey's pending weights commits on a subnet.
func (c *Client) WeightCommits(ctx context.Context, netuid uint16, hotkey string) ([]api.WeightCommit, error) {
	var out []api.WeightCommit
	err := c.Query(ctx, api.PathSubnet+strconv.Itoa(int(netuid))+"/weight_commits/"+hotkey, 0, &out)
	return out, err
}
