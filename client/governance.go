package client

import (
	"context"
	"strconv"

	"github.com/gotensor/gotensor/chain/api"
)

// Proposals lists governance proposals, newest first.
func (c *Client) Proposals(ctx context.Context) ([]api.Proposal, error) {
	var out []api.Proposal
	err := c.Query(ctx, api.PathProposals, 0, &out)
	return out, err
}

// Proposal returns one proposal with its votes and tally.
func (c *Client) Proposal(ctx context.Context, id uint64) (api.Proposal, error) {
	var out api.Proposal
	err := c.Query(ctx, api.PathProposals+"/"+strconv.FormatUint(id, 10), 0, &out)
	return out, err
}

// GovernanceParams returns governance parameters, safe mode and the upgrade plan.
func (c *Client) GovernanceParams(ctx context.Context) (api.GovernanceParams, error) {
	var out api.GovernanceParams
	err := c.Query(ctx, api.PathGovParams, 0, &out)
	return out, err
}
