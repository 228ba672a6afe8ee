package app

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// classOf returns the fee class of a call.
func classOf(c *txpb.Call) system.Class {
	switch c.Call.(type) {
	default:
		return system.Normal
	}
}

func requireSudo(r store.Reader, signer keys.PublicKey) error {
	if !system.IsSudo(r, signer) {
		return fmt.Errorf("%w: %s is not the sudo key (or sudo was retired)", errs.BadOrigin, signer.SS58())
	}
	return nil
}

// validate runs a call's checks without writing; CheckTx and the handlers
// share it.
func validate(r store.Reader, signer keys.PublicKey, c *txpb.Call) error {
	switch call := c.Call.(type) {
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
	default:
		return fmt.Errorf("%w: %T", tx.ErrUnknownCall, c.Call)
	}
}

// execute runs a call on kv.
func execute(e *env.Env, kv store.KV, c *txpb.Call) error {
	switch call := c.Call.(type) {
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
	default:
		return fmt.Errorf("%w: %T", tx.ErrUnknownCall, c.Call)
	}
}
