package client

import "github.com/gotensor/gotensor/chain/tx/txpb"

// Transfer builds a transfer of value RAO to dest (SS58).
func Transfer(dest string, value uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_Transfer{Transfer: &txpb.Transfer{Dest: dest, Value: value}}}
}

// TransferKeepAlive builds a transfer that may not reap the sender.
func TransferKeepAlive(dest string, value uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_TransferKeepAlive{TransferKeepAlive: &txpb.TransferKeepAlive{Dest: dest, Value: value}}}
}

// TransferAll builds a transfer of the whole free balance after fees.
func TransferAll(dest string, keepAlive bool) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_TransferAll{TransferAll: &txpb.TransferAll{Dest: dest, KeepAlive: keepAlive}}}
}

// SudoSetBalance builds sudo_set_balance.
func SudoSetBalance(who string, free uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SudoSetBalance{SudoSetBalance: &txpb.SudoSetBalance{Who: who, Free: free}}}
}

// RegisterNetwork builds register_network (identity may be nil).
func RegisterNetwork(hotkey string, identity *txpb.SubnetIdentity) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_RegisterNetwork{RegisterNetwork: &txpb.RegisterNetwork{Hotkey: hotkey, Identity: identity}}}
}

// StartCall builds start_call.
func StartCall(netuid uint16) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_StartCall{StartCall: &txpb.StartCall{Netuid: uint32(netuid)}}}
}

// SetSubnetIdentity builds set_subnet_identity.
func SetSubnetIdentity(netuid uint16, id *txpb.SubnetIdentity) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SetSubnetIdentity{SetSubnetIdentity: &txpb.SetSubnetIdentity{Netuid: uint32(netuid), Identity: id}}}
}

// SetIdentity builds set_identity for the signing coldkey.
func SetIdentity(id *txpb.ChainIdentity) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SetIdentity{SetIdentity: &txpb.SetIdentity{Identity: id}}}
}

// SetHyperparameter builds set_hyperparameter (owner or sudo).
func SetHyperparameter(netuid uint16, name string, value uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SetHyperparameter{SetHyperparameter: &txpb.SetHyperparameter{Netuid: uint32(netuid), Name: name, Value: value}}}
}

// SudoSetParameter builds sudo_set_parameter.
func SudoSetParameter(name string, value uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SudoSetParameter{SudoSetParameter: &txpb.SudoSetParameter{Name: name, Value: value}}}
}

// SudoDissolveNetwork builds sudo_dissolve_network.
func SudoDissolveNetwork(netuid uint16) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SudoDissolveNetwork{SudoDissolveNetwork: &txpb.SudoDissolveNetwork{Netuid: uint32(netuid)}}}
}

// BurnedRegister builds burned_register, signed by the hotkey's coldkey.
func BurnedRegister(netuid uint16, hotkey string) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_BurnedRegister{BurnedRegister: &txpb.BurnedRegister{Netuid: uint32(netuid), Hotkey: hotkey}}}
}

// RegisterLimit builds register_limit: fails if the price exceeds limit (RAO).
func RegisterLimit(netuid uint16, hotkey string, limit uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_RegisterLimit{RegisterLimit: &txpb.RegisterLimit{Netuid: uint32(netuid), Hotkey: hotkey, LimitPrice: limit}}}
}

// ServeAxon builds serve_axon, signed by the hotkey. ip is 4 or 16 bytes.
func ServeAxon(netuid uint16, version uint32, ip []byte, port uint16, protocol uint8) *txpb.Call {
	ipType := uint32(4)
	if len(ip) == 16 {
		ipType = 6
	}
	return &txpb.Call{Call: &txpb.Call_ServeAxon{ServeAxon: &txpb.ServeAxon{Netuid: uint32(netuid), Version: version, Ip: ip,
		Port: uint32(port), IpType: ipType, Protocol: uint32(protocol)}}}
}

// ServePrometheus builds serve_prometheus, signed by the hotkey.
func ServePrometheus(netuid uint16, version uint32, ip []byte, port uint16) *txpb.Call {
	ipType := uint32(4)
	if len(ip) == 16 {
		ipType = 6
	}
	return &txpb.Call{Call: &txpb.Call_ServePrometheus{ServePrometheus: &txpb.ServePrometheus{Netuid: uint32(netuid), Version: version, Ip: ip,
		Port: uint32(port), IpType: ipType}}}
}

// SetCommitment builds set_commitment, signed by the hotkey.
func SetCommitment(netuid uint16, data []byte) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SetCommitment{SetCommitment: &txpb.SetCommitment{Netuid: uint32(netuid), Data: data}}}
}

// SetWeights builds set_weights, signed by the validator hotkey.
func SetWeights(netuid uint16, uids, weights []uint16, versionKey uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SetWeights{SetWeights: &txpb.SetWeights{Netuid: uint32(netuid), Uids: u32s(uids), Weights: u32s(weights), VersionKey: versionKey}}}
}

// CommitWeights builds commit_weights; hash is epoch.CommitHash of what will be revealed.
func CommitWeights(netuid uint16, hash []byte) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_CommitWeights{CommitWeights: &txpb.CommitWeights{Netuid: uint32(netuid), CommitHash: hash}}}
}

// RevealWeights builds reveal_weights.
func RevealWeights(netuid uint16, uids, weights, salt []uint16, versionKey uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_RevealWeights{RevealWeights: &txpb.RevealWeights{Netuid: uint32(netuid), Uids: u32s(uids), Weights: u32s(weights), Salt: u32s(salt), VersionKey: versionKey}}}
}

// BatchSetWeights builds batch_set_weights: item i sets uids[i] → weights[i] on
// netuids[i] with versionKeys[i]. Items fail independently (an
// epoch.BatchWeightItemFailed event each); the lists must have equal lengths.
func BatchSetWeights(netuids []uint16, uids, weights [][]uint16, versionKeys []uint64) *txpb.Call {
	b := &txpb.BatchSetWeights{Netuids: u32s(netuids), Weights: weightVectors(uids, weights), VersionKeys: versionKeys}
	return &txpb.Call{Call: &txpb.Call_BatchSetWeights{BatchSetWeights: b}}
}

// BatchCommitWeights builds batch_commit_weights: hashes[i] is committed on
// netuids[i]; items fail independently.
func BatchCommitWeights(netuids []uint16, hashes [][]byte) *txpb.Call {
	b := &txpb.BatchCommitWeights{Netuids: u32s(netuids), CommitHashes: hashes}
	return &txpb.Call{Call: &txpb.Call_BatchCommitWeights{BatchCommitWeights: b}}
}

// BatchRevealWeights builds batch_reveal_weights: several reveals on one subnet,
// all or nothing.
func BatchRevealWeights(netuid uint16, uids, weights, salts [][]uint16, versionKeys []uint64) *txpb.Call {
	b := &txpb.BatchRevealWeights{Netuid: uint32(netuid), Weights: weightVectors(uids, weights), VersionKeys: versionKeys}
	for _, s := range salts {
		b.Salts = append(b.Salts, &txpb.U16Vector{Values: u32s(s)})
	}
	return &txpb.Call{Call: &txpb.Call_BatchRevealWeights{BatchRevealWeights: b}}
}

// weightVectors pairs uids[i] with weights[i]; a longer list's extra rows keep
// their side alone, so the chain reports the mismatch.
func weightVectors(uids, weights [][]uint16) []*txpb.WeightVector {
	out := make([]*txpb.WeightVector, max(len(uids), len(weights)))
	for i := range out {
		v := &txpb.WeightVector{}
		if i < len(uids) {
			v.Uids = u32s(uids[i])
		}
		if i < len(weights) {
			v.Weights = u32s(weights[i])
		}
		out[i] = v
	}
	return out
}

// SetTempo builds the owner's set_tempo.
func SetTempo(netuid uint16, tempo uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SetTempo{SetTempo: &txpb.SetTempo{Netuid: uint32(netuid), Tempo: tempo}}}
}

// TriggerEpoch builds the owner's trigger_epoch.
func TriggerEpoch(netuid uint16) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_TriggerEpoch{TriggerEpoch: &txpb.TriggerEpoch{Netuid: uint32(netuid)}}}
}

func u32s(v []uint16) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = uint32(x)
	}
	return out
}

// Propose builds propose; kind is one of the txpb.Propose_* wrappers.
func Propose(title, description string, deposit uint64, kind any) *txpb.Call {
	p := &txpb.Propose{Title: title, Description: description, Deposit: deposit}
	switch k := kind.(type) {
	case *txpb.ParameterChange:
		p.Kind = &txpb.Propose_ParameterChange{ParameterChange: k}
	case *txpb.DissolveSubnet:
		p.Kind = &txpb.Propose_DissolveSubnet{DissolveSubnet: k}
	case *txpb.SafeMode:
		p.Kind = &txpb.Propose_SafeMode{SafeMode: k}
	case *txpb.UpgradePlan:
		p.Kind = &txpb.Propose_UpgradePlan{UpgradePlan: k}
	case *txpb.RetireSudo:
		p.Kind = &txpb.Propose_RetireSudo{RetireSudo: k}
	case *txpb.Text:
		p.Kind = &txpb.Propose_Text{Text: k}
	}
	return &txpb.Call{Call: &txpb.Call_Propose{Propose: p}}
}

// DepositOn builds deposit (top-up of a voting proposal).
func DepositOn(id, amount uint64) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_Deposit{Deposit: &txpb.Deposit{ProposalId: id, Amount: amount}}}
}

// Vote builds vote.
func Vote(id uint64, option txpb.VoteOption) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_Vote{Vote: &txpb.Vote{ProposalId: id, Option: option}}}
}

// SudoSetSafeMode builds sudo_set_safe_mode (an emergency pause).
func SudoSetSafeMode(on bool) *txpb.Call {
	return &txpb.Call{Call: &txpb.Call_SudoSetSafeMode{SudoSetSafeMode: &txpb.SudoSetSafeMode{On: on}}}
}
