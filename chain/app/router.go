package app

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/registration"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// classOf returns the fee class of a call: subtensor's Pays::No calls are
// free (their checks still run in CheckTx).
func classOf(c *txpb.Call) system.Class {
	if api.IsFreeCall(tx.CallName(c)) {
		return system.Free
	}
	return system.Normal
}

func requireSudo(r store.Reader, signer keys.PublicKey) error {
	if !system.IsSudo(r, signer) {
		return fmt.Errorf("%w: %s is not the sudo key (or sudo was retired)", errs.BadOrigin, signer.SS58())
	}
	return nil
}

// netuid narrows a wire netuid to u16.
func netuid(v uint32) (uint16, error) {
	if v > 0xffff {
		return 0, fmt.Errorf("%w: netuid %d", subnets.ErrSubnetNotExists, v)
	}
	return uint16(v), nil
}

func subnetIdentity(id *txpb.SubnetIdentity) *subnets.SubnetIdentity {
	if id == nil {
		return nil
	}
	return &subnets.SubnetIdentity{SubnetName: id.SubnetName, GithubRepo: id.GithubRepo, SubnetContact: id.SubnetContact,
		SubnetURL: id.SubnetUrl, Discord: id.Discord, Description: id.Description, LogoURL: id.LogoUrl, Additional: id.Additional}
}

func chainIdentity(id *txpb.ChainIdentity) subnets.ChainIdentity {
	if id == nil {
		return subnets.ChainIdentity{}
	}
	return subnets.ChainIdentity{Name: id.Name, URL: id.Url, GithubRepo: id.GithubRepo, Image: id.Image,
		Discord: id.Discord, Description: id.Description, Additional: id.Additional}
}

func endpoint(n uint16, version uint32, ip []byte, port, ipType, protocol uint32) neurons.Endpoint {
	return neurons.Endpoint{Netuid: n, Version: version, IP: ip, Port: port, IPType: ipType, Protocol: protocol}
}

func hyperChange(r store.Reader, signer keys.PublicKey, c *txpb.SetHyperparameter, now uint64) (subnets.HyperChange, error) {
	n, err := netuid(c.Netuid)
	if err != nil {
		return subnets.HyperChange{}, err
	}
	frozen, until := epoch.FreezeWindow(r, n, now)
	return subnets.HyperChange{Netuid: n, Name: c.Name, Value: c.Value, CurrentUIDs: uint64(neurons.Count(r, n)),
		Sudo: system.IsSudo(r, signer), Frozen: frozen, FrozenUntil: until}, nil
}

// weightVectors converts a batch's wire rows (a nil row reads as empty).
func weightVectors(rows []*txpb.WeightVector) []epoch.WeightVector {
	out := make([]epoch.WeightVector, len(rows))
	for i, r := range rows {
		out[i] = epoch.WeightVector{UIDs: r.GetUids(), Values: r.GetWeights()}
	}
	return out
}

func saltVectors(rows []*txpb.U16Vector) [][]uint32 {
	out := make([][]uint32, len(rows))
	for i, r := range rows {
		out[i] = r.GetValues()
	}
	return out
}

// exemptFromSafeMode are the calls that run while safe mode is on:
// governance and sudo (CHAIN-SPEC "Safe mode").
func exemptFromSafeMode(r store.Reader, signer keys.PublicKey, c *txpb.Call) bool {
	switch c.Call.(type) {
	case *txpb.Call_Propose, *txpb.Call_Deposit, *txpb.Call_Vote,
		*txpb.Call_SudoSetBalance, *txpb.Call_SudoSetParameter, *txpb.Call_SudoDissolveNetwork, *txpb.Call_SudoSetSafeMode:
		return true
	case *txpb.Call_SetHyperparameter:
		return system.IsSudo(r, signer) // sudo's hyperparameter changes, not the owner's
	}
	return false
}

// voteOption narrows the wire option (an int32 enum) to governance's,
// refusing anything outside yes..veto: a plain conversion would truncate
// 257 to yes.
func voteOption(o txpb.VoteOption) (governance.Option, error) {
	if o < txpb.VoteOption_VOTE_OPTION_YES || o > txpb.VoteOption_VOTE_OPTION_VETO {
		return 0, fmt.Errorf("%w: %d (1 yes, 2 no, 3 abstain, 4 veto)", governance.ErrInvalidVoteOption, o)
	}
	return governance.Option(o), nil
}

func checkSafeMode(r store.Reader, signer keys.PublicKey, c *txpb.Call) error {
	if governance.SafeMode(r) && !exemptFromSafeMode(r, signer, c) {
		return fmt.Errorf("%w: %s is paused", governance.ErrSafeModeActive, tx.CallName(c))
	}
	return nil
}

func proposal(p *txpb.Propose) (governance.New, error) {
	n := governance.New{Title: p.Title, Description: p.Description, Deposit: p.Deposit}
	switch k := p.Kind.(type) {
	case *txpb.Propose_ParameterChange:
		pc := k.ParameterChange
		nu, err := netuid(pc.Netuid)
		if err != nil {
			return n, err
		}
		n.Kind, n.Payload = governance.KindParameterChange, governance.Payload{HasNetuid: pc.HasNetuid, Netuid: nu, Name: pc.Name, Value: pc.Value}
	case *txpb.Propose_DissolveSubnet:
		nu, err := netuid(k.DissolveSubnet.Netuid)
		if err != nil {
			return n, err
		}
		n.Kind, n.Payload = governance.KindDissolveSubnet, governance.Payload{Netuid: nu}
	case *txpb.Propose_SafeMode:
		n.Kind, n.Payload = governance.KindSafeMode, governance.Payload{On: k.SafeMode.On}
	case *txpb.Propose_UpgradePlan:
		u := k.UpgradePlan
		n.Kind, n.Payload = governance.KindUpgrade, governance.Payload{Name: u.Name, Height: u.Height, Info: u.Info}
	case *txpb.Propose_RetireSudo:
		n.Kind = governance.KindRetireSudo
	case *txpb.Propose_Text:
		n.Kind = governance.KindText
	default:
		return n, fmt.Errorf("%w: no proposal kind", governance.ErrInvalidProposal)
	}
	return n, nil
}

// validate runs a call's checks without writing; CheckTx and the handlers
// share them.
func validate(r store.Reader, signer keys.PublicKey, c *txpb.Call, height int64) error {
	now := uint64(height)
	if err := checkSafeMode(r, signer, c); err != nil {
		return err
	}
	switch call := c.Call.(type) {
	case *txpb.Call_Propose:
		n, err := proposal(call.Propose)
		if err != nil {
			return err
		}
		return governance.ValidatePropose(r, signer, n, now)
	case *txpb.Call_Deposit:
		return governance.ValidateDeposit(r, signer, call.Deposit.ProposalId, call.Deposit.Amount, now)
	case *txpb.Call_Vote:
		o, err := voteOption(call.Vote.Option)
		if err != nil {
			return err
		}
		return governance.ValidateVote(r, signer, call.Vote.ProposalId, o, now)
	case *txpb.Call_Transfer:
		return balances.ValidateTransfer(r, signer, call.Transfer.Dest, call.Transfer.Value, false)
	case *txpb.Call_TransferKeepAlive:
		return balances.ValidateTransfer(r, signer, call.TransferKeepAlive.Dest, call.TransferKeepAlive.Value, true)
	case *txpb.Call_TransferAll:
		return balances.ValidateTransferAll(r, signer, call.TransferAll.Dest, call.TransferAll.KeepAlive)
	case *txpb.Call_SudoSetBalance:
		if err := requireSudo(r, signer); err != nil {
			return err
		}
		return balances.ValidateSetBalance(r, call.SudoSetBalance.Who, call.SudoSetBalance.Free)
	case *txpb.Call_SudoSetParameter:
		if err := requireSudo(r, signer); err != nil {
			return err
		}
		_, err := subnets.ValidateParameter(r, call.SudoSetParameter.Name, call.SudoSetParameter.Value)
		return err
	case *txpb.Call_SudoSetSafeMode:
		return requireSudo(r, signer)
	case *txpb.Call_SudoDissolveNetwork:
		if err := requireSudo(r, signer); err != nil {
			return err
		}
		n, err := netuid(call.SudoDissolveNetwork.Netuid)
		if err != nil {
			return err
		}
		return registration.ValidateDissolve(r, n)
	case *txpb.Call_RegisterNetwork:
		return registration.ValidateRegisterNetwork(r, signer, call.RegisterNetwork.Hotkey, subnetIdentity(call.RegisterNetwork.Identity), now)
	case *txpb.Call_StartCall:
		n, err := netuid(call.StartCall.Netuid)
		if err != nil {
			return err
		}
		return subnets.ValidateStartCall(r, signer, n, now)
	case *txpb.Call_SetSubnetIdentity:
		n, err := netuid(call.SetSubnetIdentity.Netuid)
		if err != nil {
			return err
		}
		if _, err := subnets.RequireOwner(r, n, signer); err != nil {
			return err
		}
		if id := subnetIdentity(call.SetSubnetIdentity.Identity); id != nil {
			return id.Validate()
		}
		return nil
	case *txpb.Call_SetIdentity:
		return chainIdentity(call.SetIdentity.Identity).Validate()
	case *txpb.Call_SetHyperparameter:
		hc, err := hyperChange(r, signer, call.SetHyperparameter, now)
		if err != nil {
			return err
		}
		_, err = subnets.ValidateHyperparameter(r, signer, hc, now)
		return err
	case *txpb.Call_BurnedRegister:
		n, err := netuid(call.BurnedRegister.Netuid)
		if err != nil {
			return err
		}
		return registration.ValidateBurnedRegister(r, signer, n, call.BurnedRegister.Hotkey, nil, now)
	case *txpb.Call_RegisterLimit:
		n, err := netuid(call.RegisterLimit.Netuid)
		if err != nil {
			return err
		}
		limit := call.RegisterLimit.LimitPrice
		return registration.ValidateBurnedRegister(r, signer, n, call.RegisterLimit.Hotkey, &limit, now)
	case *txpb.Call_ServeAxon:
		a := call.ServeAxon
		n, err := netuid(a.Netuid)
		if err != nil {
			return err
		}
		return neurons.ValidateServeAxon(r, signer, endpoint(n, a.Version, a.Ip, a.Port, a.IpType, a.Protocol), now)
	case *txpb.Call_ServePrometheus:
		a := call.ServePrometheus
		n, err := netuid(a.Netuid)
		if err != nil {
			return err
		}
		return neurons.ValidatePrometheus(r, signer, endpoint(n, a.Version, a.Ip, a.Port, a.IpType, 0), now)
	case *txpb.Call_SetCommitment:
		n, err := netuid(call.SetCommitment.Netuid)
		if err != nil {
			return err
		}
		return neurons.ValidateCommitment(r, signer, n, call.SetCommitment.Data, now)
	case *txpb.Call_SetWeights:
		w, err := weightsCall(call.SetWeights.Netuid, call.SetWeights.Uids, call.SetWeights.Weights, call.SetWeights.VersionKey)
		if err != nil {
			return err
		}
		return epoch.ValidateSetWeights(r, signer, w, now)
	case *txpb.Call_CommitWeights:
		n, err := netuid(call.CommitWeights.Netuid)
		if err != nil {
			return err
		}
		return epoch.ValidateCommit(r, signer, n, call.CommitWeights.CommitHash, now)
	case *txpb.Call_RevealWeights:
		rv := call.RevealWeights
		w, err := weightsCall(rv.Netuid, rv.Uids, rv.Weights, rv.VersionKey)
		if err != nil {
			return err
		}
		return epoch.ValidateReveal(r, signer, w, rv.Salt, now)
	case *txpb.Call_BatchSetWeights:
		b := call.BatchSetWeights
		return epoch.ValidateBatchSetWeights(r, signer, b.Netuids, weightVectors(b.Weights), b.VersionKeys, now)
	case *txpb.Call_BatchCommitWeights:
		b := call.BatchCommitWeights
		return epoch.ValidateBatchCommitWeights(r, signer, b.Netuids, b.CommitHashes, now)
	case *txpb.Call_BatchRevealWeights:
		b := call.BatchRevealWeights
		return epoch.ValidateBatchRevealWeights(r, signer, b.Netuid, weightVectors(b.Weights), saltVectors(b.Salts), b.VersionKeys, now)
	case *txpb.Call_SetTempo:
		n, err := netuid(call.SetTempo.Netuid)
		if err != nil {
			return err
		}
		return epoch.ValidateSetTempo(r, signer, epoch.SetTempoCall{Netuid: n, Tempo: call.SetTempo.Tempo}, now)
	case *txpb.Call_TriggerEpoch:
		n, err := netuid(call.TriggerEpoch.Netuid)
		if err != nil {
			return err
		}
		return epoch.ValidateTriggerEpoch(r, signer, n, now)
	default:
		if f := stakingCall(c); f != nil {
			return staking.Validate(r, f, signer, height)
		}
		return fmt.Errorf("%w: %T", tx.ErrUnknownCall, c.Call)
	}
}

// execute runs a call on kv.
func execute(e *env.Env, kv store.KV, c *txpb.Call) error {
	if err := checkSafeMode(kv, e.Signer, c); err != nil {
		return err
	}
	switch call := c.Call.(type) {
	case *txpb.Call_Propose:
		n, err := proposal(call.Propose)
		if err != nil {
			return err
		}
		_, err = governance.Propose(e, kv, n)
		return err
	case *txpb.Call_Deposit:
		return governance.AddDeposit(e, kv, call.Deposit.ProposalId, call.Deposit.Amount)
	case *txpb.Call_Vote:
		o, err := voteOption(call.Vote.Option)
		if err != nil {
			return err
		}
		return governance.CastVote(e, kv, call.Vote.ProposalId, o)
	case *txpb.Call_Transfer:
		return balances.Transfer(e, kv, call.Transfer.Dest, call.Transfer.Value, false)
	case *txpb.Call_TransferKeepAlive:
		return balances.Transfer(e, kv, call.TransferKeepAlive.Dest, call.TransferKeepAlive.Value, true)
	case *txpb.Call_TransferAll:
		return balances.TransferAll(e, kv, call.TransferAll.Dest, call.TransferAll.KeepAlive)
	case *txpb.Call_SudoSetBalance:
		if err := requireSudo(kv, e.Signer); err != nil {
			return err
		}
		return balances.SudoSetBalance(e, kv, call.SudoSetBalance.Who, call.SudoSetBalance.Free)
	case *txpb.Call_SudoSetParameter:
		if err := requireSudo(kv, e.Signer); err != nil {
			return err
		}
		return subnets.SudoSetParameter(e, kv, call.SudoSetParameter.Name, call.SudoSetParameter.Value)
	case *txpb.Call_SudoSetSafeMode:
		if err := requireSudo(kv, e.Signer); err != nil {
			return err
		}
		governance.SetSafeMode(kv, call.SudoSetSafeMode.On)
		e.Events.Emit("governance.SafeModeSet", env.Str("on", fmt.Sprint(call.SudoSetSafeMode.On)), env.Str("by", "sudo"))
		return nil
	case *txpb.Call_SudoDissolveNetwork:
		if err := requireSudo(kv, e.Signer); err != nil {
			return err
		}
		n, err := netuid(call.SudoDissolveNetwork.Netuid)
		if err != nil {
			return err
		}
		return registration.Dissolve(e, kv, n)
	case *txpb.Call_RegisterNetwork:
		return registration.RegisterNetwork(e, kv, call.RegisterNetwork.Hotkey, subnetIdentity(call.RegisterNetwork.Identity), uidHooks{})
	case *txpb.Call_StartCall:
		n, err := netuid(call.StartCall.Netuid)
		if err != nil {
			return err
		}
		return subnets.StartCall(e, kv, n)
	case *txpb.Call_SetSubnetIdentity:
		n, err := netuid(call.SetSubnetIdentity.Netuid)
		if err != nil {
			return err
		}
		id := subnetIdentity(call.SetSubnetIdentity.Identity)
		if id == nil {
			id = &subnets.SubnetIdentity{}
		}
		return subnets.SetSubnetIdentity(e, kv, n, *id)
	case *txpb.Call_SetIdentity:
		return subnets.SetIdentity(e, kv, chainIdentity(call.SetIdentity.Identity))
	case *txpb.Call_SetHyperparameter:
		hc, err := hyperChange(kv, e.Signer, call.SetHyperparameter, uint64(e.Block.Height))
		if err != nil {
			return err
		}
		return subnets.SetHyperparameter(e, kv, hc)
	case *txpb.Call_BurnedRegister:
		n, err := netuid(call.BurnedRegister.Netuid)
		if err != nil {
			return err
		}
		return registration.BurnedRegister(e, kv, n, call.BurnedRegister.Hotkey, nil, uidHooks{})
	case *txpb.Call_RegisterLimit:
		n, err := netuid(call.RegisterLimit.Netuid)
		if err != nil {
			return err
		}
		limit := call.RegisterLimit.LimitPrice
		return registration.BurnedRegister(e, kv, n, call.RegisterLimit.Hotkey, &limit, uidHooks{})
	case *txpb.Call_ServeAxon:
		a := call.ServeAxon
		n, err := netuid(a.Netuid)
		if err != nil {
			return err
		}
		return neurons.ServeAxon(e, kv, endpoint(n, a.Version, a.Ip, a.Port, a.IpType, a.Protocol))
	case *txpb.Call_ServePrometheus:
		a := call.ServePrometheus
		n, err := netuid(a.Netuid)
		if err != nil {
			return err
		}
		return neurons.ServePrometheus(e, kv, endpoint(n, a.Version, a.Ip, a.Port, a.IpType, 0))
	case *txpb.Call_SetCommitment:
		n, err := netuid(call.SetCommitment.Netuid)
		if err != nil {
			return err
		}
		if err := neurons.SetCommitment(e, kv, n, call.SetCommitment.Data); err != nil {
			return err
		}
		epoch.ResetBondsOnCommitment(e, kv, n, e.Signer) // bonds_reset_enabled
		return nil
	case *txpb.Call_SetWeights:
		w, err := weightsCall(call.SetWeights.Netuid, call.SetWeights.Uids, call.SetWeights.Weights, call.SetWeights.VersionKey)
		if err != nil {
			return err
		}
		return epoch.SetWeights(e, kv, w)
	case *txpb.Call_CommitWeights:
		n, err := netuid(call.CommitWeights.Netuid)
		if err != nil {
			return err
		}
		return epoch.CommitWeights(e, kv, n, call.CommitWeights.CommitHash)
	case *txpb.Call_RevealWeights:
		rv := call.RevealWeights
		w, err := weightsCall(rv.Netuid, rv.Uids, rv.Weights, rv.VersionKey)
		if err != nil {
			return err
		}
		return epoch.RevealWeights(e, kv, w, rv.Salt)
	case *txpb.Call_BatchSetWeights:
		b := call.BatchSetWeights
		return epoch.BatchSetWeights(e, kv, b.Netuids, weightVectors(b.Weights), b.VersionKeys)
	case *txpb.Call_BatchCommitWeights:
		b := call.BatchCommitWeights
		return epoch.BatchCommitWeights(e, kv, b.Netuids, b.CommitHashes)
	case *txpb.Call_BatchRevealWeights:
		b := call.BatchRevealWeights
		return epoch.BatchRevealWeights(e, kv, b.Netuid, weightVectors(b.Weights), saltVectors(b.Salts), b.VersionKeys)
	case *txpb.Call_SetTempo:
		n, err := netuid(call.SetTempo.Netuid)
		if err != nil {
			return err
		}
		return epoch.SetTempo(e, kv, epoch.SetTempoCall{Netuid: n, Tempo: call.SetTempo.Tempo})
	case *txpb.Call_TriggerEpoch:
		n, err := netuid(call.TriggerEpoch.Netuid)
		if err != nil {
			return err
		}
		return epoch.TriggerEpoch(e, kv, n)
	default:
		if f := stakingCall(c); f != nil {
			return f(e, kv)
		}
		return fmt.Errorf("%w: %T", tx.ErrUnknownCall, c.Call)
	}
}

// stakingCall returns the handler of a staking call, or nil. Staking calls
// validate by running on a scratch branch (staking.Validate).
func stakingCall(c *txpb.Call) func(e *env.Env, kv store.KV) error {
	type handler = func(*env.Env, store.KV) error
	// onNetuid and onNetuids refuse an out-of-range netuid before the call runs.
	onNetuid := func(raw uint32, f func(n uint16) handler) handler {
		n, err := netuid(raw)
		if err != nil {
			return func(*env.Env, store.KV) error { return err }
		}
		return f(n)
	}
	onNetuids := func(rawFrom, rawTo uint32, f func(from, to uint16) handler) handler {
		return onNetuid(rawFrom, func(from uint16) handler {
			return onNetuid(rawTo, func(to uint16) handler { return f(from, to) })
		})
	}
	move := func(m staking.Move) handler {
		return func(e *env.Env, kv store.KV) error { return staking.MoveStake(e, kv, m) }
	}
	switch call := c.Call.(type) {
	case *txpb.Call_AddStake:
		a := call.AddStake
		return onNetuid(a.Netuid, func(n uint16) handler {
			return func(e *env.Env, kv store.KV) error { return staking.AddStake(e, kv, a.Hotkey, n, a.Amount, nil) }
		})
	case *txpb.Call_AddStakeLimit:
		a := call.AddStakeLimit
		return onNetuid(a.Netuid, func(n uint16) handler {
			return func(e *env.Env, kv store.KV) error {
				return staking.AddStake(e, kv, a.Hotkey, n, a.Amount, staking.Limit(a.LimitPrice, a.AllowPartial))
			}
		})
	case *txpb.Call_RemoveStake:
		a := call.RemoveStake
		return onNetuid(a.Netuid, func(n uint16) handler {
			return func(e *env.Env, kv store.KV) error { return staking.RemoveStake(e, kv, a.Hotkey, n, a.Amount, nil) }
		})
	case *txpb.Call_RemoveStakeLimit:
		a := call.RemoveStakeLimit
		return onNetuid(a.Netuid, func(n uint16) handler {
			return func(e *env.Env, kv store.KV) error {
				return staking.RemoveStake(e, kv, a.Hotkey, n, a.Amount, staking.Limit(a.LimitPrice, a.AllowPartial))
			}
		})
	case *txpb.Call_RemoveStakeFullLimit:
		a := call.RemoveStakeFullLimit
		return onNetuid(a.Netuid, func(n uint16) handler {
			return func(e *env.Env, kv store.KV) error {
				if a.LimitPrice == 0 {
					return staking.RemoveStakeFullLimit(e, kv, a.Hotkey, n, nil)
				}
				return staking.RemoveStakeFullLimit(e, kv, a.Hotkey, n, staking.Limit(a.LimitPrice, false))
			}
		})
	case *txpb.Call_UnstakeAll:
		return func(e *env.Env, kv store.KV) error { return staking.UnstakeAll(e, kv, call.UnstakeAll.Hotkey, false) }
	case *txpb.Call_UnstakeAllAlpha:
		return func(e *env.Env, kv store.KV) error {
			return staking.UnstakeAll(e, kv, call.UnstakeAllAlpha.Hotkey, true)
		}
	case *txpb.Call_MoveStake:
		a := call.MoveStake
		return onNetuids(a.OriginNetuid, a.DestinationNetuid, func(from, to uint16) handler {
			return move(staking.Move{FromHotkey: a.OriginHotkey, ToHotkey: a.DestinationHotkey, FromNetuid: from, ToNetuid: to, Alpha: a.AlphaAmount})
		})
	case *txpb.Call_TransferStake:
		a := call.TransferStake
		dest, err := balances.ParseAccount(a.DestinationColdkey)
		if err != nil {
			return func(*env.Env, store.KV) error { return err }
		}
		return onNetuids(a.OriginNetuid, a.DestinationNetuid, func(from, to uint16) handler {
			return move(staking.Move{FromHotkey: a.Hotkey, ToHotkey: a.Hotkey, ToColdkey: &dest, FromNetuid: from, ToNetuid: to, Alpha: a.AlphaAmount})
		})
	case *txpb.Call_SwapStake:
		a := call.SwapStake
		return onNetuids(a.OriginNetuid, a.DestinationNetuid, func(from, to uint16) handler {
			return move(staking.Move{FromHotkey: a.Hotkey, ToHotkey: a.Hotkey, FromNetuid: from, ToNetuid: to, Alpha: a.AlphaAmount})
		})
	case *txpb.Call_SwapStakeLimit:
		a := call.SwapStakeLimit
		return onNetuids(a.OriginNetuid, a.DestinationNetuid, func(from, to uint16) handler {
			return move(staking.Move{FromHotkey: a.Hotkey, ToHotkey: a.Hotkey, FromNetuid: from, ToNetuid: to,
				Alpha: a.AlphaAmount, Limit: staking.Limit(a.LimitPrice, a.AllowPartial)})
		})
	case *txpb.Call_IncreaseTake:
		a := call.IncreaseTake
		return func(e *env.Env, kv store.KV) error { return staking.ChangeTake(e, kv, a.Hotkey, uint64(a.Take), true) }
	case *txpb.Call_DecreaseTake:
		a := call.DecreaseTake
		return func(e *env.Env, kv store.KV) error { return staking.ChangeTake(e, kv, a.Hotkey, uint64(a.Take), false) }
	case *txpb.Call_RootRegister:
		a := call.RootRegister
		return func(e *env.Env, kv store.KV) error { return staking.RootRegister(e, kv, a.Hotkey) }
	}
	return nil
}

// uidHooks clears per-uid state of other modules when a uid is replaced:
// weights, bonds and epoch results (package epoch).
type uidHooks struct{}

func (uidHooks) UIDReplaced(kv store.KV, netuid, uid uint16) {
	n, _ := neurons.Get(kv, netuid, uid)
	epoch.UIDReplaced(kv, netuid, uid, n.RegisteredAt)
}

// maxWeights bounds a weights call's vectors (a subnet has ≤ 256 uids;
// root up to 64).
const maxWeights = 4096

func weightsCall(n uint32, uids, weights []uint32, versionKey uint64) (epoch.WeightsCall, error) {
	nu, err := netuid(n)
	if err != nil {
		return epoch.WeightsCall{}, err
	}
	if len(uids) > maxWeights || len(weights) > maxWeights {
		return epoch.WeightsCall{}, fmt.Errorf("%w: %d uids", epoch.ErrUidsLengthExceedUids, len(uids))
	}
	return epoch.WeightsCall{Netuid: nu, UIDs: uids, Values: weights, VersionKey: versionKey}, nil
}
