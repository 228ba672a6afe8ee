package gateway

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// The balances module's transfer event (chain/balances/events.go), named here so the
// gateway links no chain module.
const (
	eventTransfer = "balances.Transfer"
	attrFrom      = "from"
	attrTo        = "to"
	attrAmount    = "amount"
)

// depositKeys resolves deposit addresses to key ids. It reads the store each block, so
// keys created by another gateway instance on the same database are watched too.
func (g *Gateway) depositKeys(ctx context.Context) (map[string]string, error) {
	ks, err := g.store.Keys(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ks))
	for _, k := range ks {
		if k.DepositAddress != "" {
			out[k.DepositAddress] = k.ID // revoked keys still receive: nothing sent is lost
		}
	}
	return out, nil
}

// watchDeposits follows finalised blocks (CometBFT commits are final) from the saved height
// and credits balances.Transfer events to deposit addresses. Each block is credited in one
// transaction with the new height, and deposits are keyed by (height, tx hash, event
// index), so a crash or a replayed block credits nothing twice and loses nothing.
func (g *Gateway) watchDeposits(ctx context.Context, rpc *rpchttp.HTTP) error {
	t := time.NewTicker(g.cfg.DepositPoll)
	defer t.Stop()
	for {
		if err := g.depositStep(ctx, rpc); err != nil && ctx.Err() == nil {
			g.log.Warn("deposit watch", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (g *Gateway) depositStep(ctx context.Context, rpc *rpchttp.HTTP) error {
	st, err := rpc.Status(ctx)
	if err != nil {
		return fmt.Errorf("chain status: %w", err)
	}
	latest := st.SyncInfo.LatestBlockHeight
	from, ok, err := g.store.WatchedHeight(ctx)
	if err != nil {
		return err
	}
	if !ok {
		from = g.cfg.DepositStartHeight - 1
		if g.cfg.DepositStartHeight == 0 {
			from = latest - 1
		}
	}
	if from >= latest {
		return nil
	}
	addrs, err := g.depositKeys(ctx)
	if err != nil {
		return err
	}
	for h := from + 1; h <= latest && h <= from+100; h++ {
		ds, err := blockDeposits(ctx, rpc, h, addrs, g.cfg.Now().Unix())
		if err != nil {
			return err
		}
		fresh, err := g.store.CreditDeposits(ctx, h, ds)
		if err != nil {
			return err
		}
		for _, d := range fresh {
			g.acc.credit(d.KeyID, d.AmountRAO)
			g.m.deposit(d.AmountRAO)
			g.log.Info("deposit credited", "height", d.Height, "tx_hash", d.TxHash, "key_id", d.KeyID, "amount_rao", d.AmountRAO)
		}
	}
	return nil
}

func blockDeposits(ctx context.Context, rpc *rpchttp.HTTP, h int64, addrs map[string]string, now int64) ([]Deposit, error) {
	res, err := rpc.BlockResults(ctx, &h)
	if err != nil {
		return nil, fmt.Errorf("block results %d: %w", h, err)
	}
	var blk []string // tx hashes, fetched only when a deposit is found
	var out []Deposit
	for i, tr := range res.TxResults {
		if tr.Code != 0 {
			continue
		}
		for j, ev := range tr.Events {
			if ev.Type != eventTransfer {
				continue
			}
			attr := map[string]string{}
			for _, a := range ev.Attributes {
				attr[a.Key] = a.Value
			}
			id, ok := addrs[attr[attrTo]]
			if !ok {
				continue
			}
			amount, err := strconv.ParseInt(attr[attrAmount], 10, 64)
			if err != nil || amount <= 0 {
				return nil, fmt.Errorf("block %d tx %d: transfer amount %q", h, i, attr[attrAmount])
			}
			if blk == nil {
				b, err := rpc.Block(ctx, &h)
				if err != nil {
					return nil, fmt.Errorf("block %d: %w", h, err)
				}
				for _, tx := range b.Block.Txs {
					blk = append(blk, strings.ToUpper(hex.EncodeToString(tx.Hash())))
				}
			}
			if i >= len(blk) {
				return nil, fmt.Errorf("block %d: %d results for %d txs", h, len(res.TxResults), len(blk))
			}
			out = append(out, Deposit{Height: h, TxHash: blk[i], EventIndex: int64(j), KeyID: id, From: attr[attrFrom], AmountRAO: amount, Credited: now})
		}
	}
	return out, nil
}
