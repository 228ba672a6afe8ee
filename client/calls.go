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
