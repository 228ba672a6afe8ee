package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/keys"
)

// Re-exported for callers inside the node.
const (
	PathParams          = api.PathParams
	PathAccount         = api.PathAccount
	PathAccounts        = api.PathAccounts
	PathGenesis         = api.PathGenesis
	QueryCodeNotFound   = api.QueryCodeNotFound
	QueryCodeBadRequest = api.QueryCodeBadRequest
	QueryCodeGone       = api.QueryCodeGone
)

type queryError struct {
	code uint32
	msg  string
}

func (e *queryError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &queryError{QueryCodeBadRequest, fmt.Sprintf(format, args...)}
}

// Query serves reads from a committed version (req.Height, 0 = latest).
func (a *App) Query(_ context.Context, req *abci.QueryRequest) (resp *abci.QueryResponse, err error) {
	defer func() {
		// A version pruned while being read fails its reads; report it as
		// gone instead of taking the node down.
		if r := recover(); r != nil {
			resp, err = &abci.QueryResponse{Code: QueryCodeGone, Codespace: "query", Log: fmt.Sprintf("state at height %d became unavailable: %v", req.Height, r)}, nil
		}
	}()
	a.mu.RLock()
	defer a.mu.RUnlock()
	snap, err := a.tree.At(req.Height)
	if err != nil {
		code, msg := uint32(QueryCodeGone), err.Error()
		if a.tree.Version() == 0 {
			code = QueryCodeNotFound
			msg = "the node has no committed block yet (height 0): wait for its first block; if it stays at 0, " +
				"its log says why (no peers to sync from, or a genesis whose validators' keys are not this node's)"
		}
		return &abci.QueryResponse{Code: code, Codespace: "query", Log: msg, Height: req.Height}, nil
	}
	v, err := a.query(snap, req.Path, req.Data)
	if err != nil {
		code, space := uint32(QueryCodeBadRequest), "query"
		var qe *queryError
		var ce *errs.Error
		switch {
		case errors.As(err, &qe):
			code = qe.code
		case errors.As(err, &ce):
			// A chain error (a quote the swap refuses, say) keeps its own
			// code so clients can match it like a transaction failure.
			code, space = ce.Code, ce.Codespace
		}
		return &abci.QueryResponse{Code: code, Codespace: space, Log: err.Error(), Height: snap.Version()}, nil
	}
	b, ok := v.(encoded)
	if !ok {
		b, err = json.Marshal(v)
	}
	if err != nil {
		return nil, fmt.Errorf("query %s: encode: %w", req.Path, err)
	}
	return &abci.QueryResponse{Code: abci.CodeTypeOK, Value: b, Height: snap.Version()}, nil
}

func (a *App) query(snap *store.Snapshot, path string, data []byte) (any, error) {
	route, rawQuery, _ := strings.Cut(path, "?")
	switch {
	case route == PathParams:
		sp := system.GetParams(snap)
		p := api.Params{
			ChainID:            a.cfg.ChainID,
			Profile:            system.Profile(snap),
			Height:             snap.Version(),
			System:             api.TxParams{FeeBase: sp.FeeBase, FeePerByte: sp.FeePerByte, MaxValidity: sp.MaxValidity, DefaultValidity: sp.DefaultValidity},
			ExistentialDeposit: balances.ExistentialDeposit,
			TotalIssuance:      balances.TotalIssuance(snap),
			MaxSupply:          balances.MaxSupply,
			Accounts:           balances.Accounts(snap),
		}
		if s, ok := system.Sudo(snap); ok {
			p.Sudo = s.SS58()
		}
		return p, nil
	case strings.HasPrefix(route, PathAccount):
		pk, err := keys.ParsePublicKeyOrSS58(strings.TrimPrefix(route, PathAccount))
		if err != nil {
			return nil, badRequest("account: %v", err)
		}
		return api.Account{Address: pk.SS58(), Free: balances.Free(snap, pk), Nonce: system.Nonce(snap, pk)}, nil
	case route == PathAccounts:
		return queryAccounts(snap, rawQuery)
	case route == PathGenesis:
		return ExportGenesis(snap), nil
	}
	if v, ok, err := querySubnets(snap, route, &a.metagraphs); ok {
		return v, err
	}
	if v, ok, err := queryStaking(snap, route, rawQuery); ok {
		return v, err
	}
	if v, ok, err := queryGovernance(snap, route, rawQuery); ok {
		return v, err
	}
	return nil, &queryError{QueryCodeNotFound, fmt.Sprintf("unknown query path %q", path)}
}

const maxPage = 1000

func queryAccounts(snap *store.Snapshot, rawQuery string) (any, error) {
	var after *keys.PublicKey
	limit := 100
	for _, kv := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "":
		case "after":
			pk, err := keys.ParsePublicKeyOrSS58(v)
			if err != nil {
				return nil, badRequest("after: %v", err)
			}
			after = &pk
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxPage {
				return nil, badRequest("limit %q must be 1..%d", v, maxPage)
			}
			limit = n
		default:
			return nil, badRequest("unknown parameter %q (use after, limit)", k)
		}
	}
	out := api.Accounts{Accounts: []api.Account{}}
	balances.IterateAccounts(snap, after, func(acc balances.Account) bool {
		if len(out.Accounts) == limit {
			out.Next = out.Accounts[limit-1].Address
			return false
		}
		out.Accounts = append(out.Accounts, api.Account{Address: acc.Who.SS58(), Free: acc.Free, Nonce: system.Nonce(snap, acc.Who)})
		return true
	})
	return out, nil
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
