package client

import (
	"context"
	"fmt"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx/txpb"
)

// Stake lists a coldkey's stake positions with their TAO value.
func (c *Client) Stake(ctx context.Context, coldkey string) ([]api.StakePosition, error) {
	var out []api.StakePosition
	err := c.Query(ctx, api.PathStake+coldkey, 0, &out)
	return out, err
}

// Delegates lists hotkeys that set a take.
func (c *Client) Delegates(ctx context.Context) ([]api.Delegate, error) {
	var out []api.Delegate
	err := c.Query(ctx, api.PathDelegates, 0, &out)
	return out, err
}

// Delegate returns a hotkey's take and nominators.
func (c *Client) Delegate(ctx context.Context, hotkey string) (api.Delegate, error) {
	var out api.Delegate
	err := c.Query(ctx, api.PathDelegates+"/"+hotkey, 0, &out)
	return out, err
}

// QuoteAddStake previews staking amount RAO on netuid; limit (RAO per
// alpha, 0 for none) and partial preview the *_limit call.
func (c *Client) QuoteAddStake(ctx context.Context, netuid uint16, amount, limit uint64, partial bool) (api.Quote, error) {
	return c.quote(ctx, "add_stake", netuid, amount, limit, partial)
}

// QuoteRemoveStake previews unstaking amount alpha on netuid.
func (c *Client) QuoteRemoveStake(ctx context.Context, netuid uint16, amount, limit uint64, partial bool) (api.Quote, error) {
	return c.quote(ctx, "remove_stake", netuid, amount, limit, partial)
}

func (c *Client) quote(ctx context.Context, kind string, netuid uint16, amount, limit uint64, partial bool) (api.Quote, error) {
	var out api.Quote
	path := fmt.Sprintf("%s%s?netuid=%d&amount=%d", api.PathQuote, kind, netuid, amount)
	if limit > 0 {
		path += fmt.Sprintf("&limit=%d&partial=%t", limit, partial)
	}
	err := c.Query(ctx, path, 0, &out)
	return out, err
}

// AddStake builds add_stake; with limit > 0, add_stake_limit.
func AddStake(hotkey string, netuid uint16, amount, limit uint64, allowPartial bool) *txpb.Call {
	if limit > 0 {
		return &txpb.Call{Call: &txpb.Call_AddStakeLimit{AddStakeLimit: &txpb.AddStakeLimit{Hotkey: hotkey, Netuid: uint32(netuid), Amount: amount, LimitPrice: limit, AllowPartial: allowPartial}}}
	}
	return &txpb.Call{Call: &txpb.Call_AddStake{AddStake: &txpb.AddStake{Hotkey: hotkey, Netuid: uint32(netuid), Amount: amount}}}
}

// RemoveStake builds remove_stake (amount in alpha); with limit > 0, remove_stake_limit.
func RemoveStake(hotkey string, netuid uint16, amount, limit uint64, allowPartial bool) *txpb.Call {
	if limit > 0 {
		return &txpb.Call{Call: &txpb.Call_RemoveStakeLimit{RemoveStakeLimit: &txpb.RemoveStakeLimit{Hotkey: hotkey, Netuid: uint32(netuid), Amount: amount, LimitPrice: limit, AllowPartial: allowPartial}}}
	}
	return &txpb.Call{Call: &txpb.Call_RemoveStake{RemoveStake: &txpb.RemoveStake{Hotkey: hotkey, Netuid: uint32(netuid), Amount: amount}}}
}

// RemoveStakeFullLimit builds remove_stake_full_limit (limit 0: none).
func RemoveStakeFullLimit(hotkey string, netuid uint16, limit uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_RemoveStakeFullLimit{RemoveStakeFullLimit: &txpb.RemoveStakeFullLimit{Hotkey: hotkey, Netuid: uint32(netuid), LimitPrice: limit}}}
}

// UnstakeAll builds unstake_all, or unstake_all_alpha when intoRoot.
func UnstakeAll(hotkey string, intoRoot bool) *txpb.Call {
	if intoRoot {
		return &txpb.Call{Call: &txpb.Call_UnstakeAllAlpha{UnstakeAllAlpha: &txpb.UnstakeAllAlpha{Hotkey: hotkey}}}
	}
	return &txpb.Call{Call: &txpb.Call_UnstakeAll{UnstakeAll: &txpb.UnstakeAll{Hotkey: hotkey}}}
}

// MoveStake builds move_stake.
func MoveStake(fromHotkey, toHotkey string, fromNetuid, toNetuid uint16, alpha uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_MoveStake{MoveStake: &txpb.MoveStake{OriginHotkey: fromHotkey, DestinationHotkey: toHotkey,
		OriginNetuid: uint32(fromNetuid), DestinationNetuid: uint32(toNetuid), AlphaAmount: alpha}}}
}

// TransferStake builds transfer_stake.
func TransferStake(toColdkey, hotkey string, fromNetuid, toNetuid uint16, alpha uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_TransferStake{TransferStake: &txpb.TransferStake{DestinationColdkey: toColdkey, Hotkey: hotkey,
		OriginNetuid: uint32(fromNetuid), DestinationNetuid: uint32(toNetuid), AlphaAmount: alpha}}}
}

// SwapStake builds swap_stake; with limit > 0, swap_stake_limit.
func SwapStake(hotkey string, fromNetuid, toNetuid uint16, alpha, limit uint64, allowPartial bool) *txpb.Call {
	if limit > 0 {
		return &txpb.Call{Call: &txpb.Call_SwapStakeLimit{SwapStakeLimit: &txpb.SwapStakeLimit{Hotkey: hotkey, OriginNetuid: uint32(fromNetuid),
			DestinationNetuid: uint32(toNetuid), AlphaAmount: alpha, LimitPrice: limit, AllowPartial: allowPartial}}}
	}
	return &txpb.Call{Call: &txpb.Call_SwapStake{SwapStake: &txpb.SwapStake{Hotkey: hotkey, OriginNetuid: uint32(fromNetuid),
		DestinationNetuid: uint32(toNetuid), AlphaAmount: alpha}}}
}

// ChangeTake builds increase_take or decrease_take (take in parts of 65535).
func ChangeTake(hotkey string, take uint16, increase bool) *txpb.Call {
	if increase {
		return &txpb.Call{Call: &txpb.Call_IncreaseTake{IncreaseTake: &txpb.IncreaseTake{Hotkey: hotkey, Take: uint32(take)}}}
	}
	return &txpb.Call{Call: &txpb.Call_DecreaseTake{DecreaseTake: &txpb.DecreaseTake{Hotkey: hotkey, Take: uint32(take)}}}
}

// RootRegister builds root_register.
func RootRegister(hotkey string) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_RootRegister{RootRegister: &txpb.RootRegister{Hotkey: hotkey}}}
}

// StakingParams returns the staking parameters.
func (c *Client) StakingParams(ctx context.Context) (api.StakingParams, error) {
	var out api.StakingParams
	err := c.Query(ctx, api.PathStakingParams, 0, &out)
	return out, err
}
