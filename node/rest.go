package node

import (
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/mempool"
	rpclocal "github.com/cometbft/cometbft/rpc/client/local"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/app"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/internal/bodydeadline"
	"github.com/gotensor/gotensor/keys"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the REST facade's OpenAPI document.
func OpenAPI() []byte { return openAPI }

// restError is the JSON body of every error response.
type restError struct {
	Error     string `json:"error"`
	Codespace string `json:"codespace,omitempty"`
	Code      uint32 `json:"code,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeCompactJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, restError{Error: fmt.Sprintf(format, args...)})
}

func (n *Node) startREST(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("REST listen on %s: %w (choose another --rest.laddr)", addr, err)
	}
	n.restLn = ln
	r := NewREST(n.Local())
	r.preverify = func(raw []byte) { n.app.Preverify(raw, submitSigs.Verify) }
	n.rest = newRESTServer(r)
	go func() {
		if err := n.rest.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("rest server stopped", "err", err)
		}
	}()
	return nil
}

// submitSigs checks the signatures of transactions submitted through REST,
// in batches; one per process (its counts are in the metrics).
var submitSigs = func() *keys.BatchingVerifier {
	v := keys.NewBatchingVerifier(keys.NewVerifierCache(1 << 14))
	// A submission waits for its block anyway (a quarter of a second at
	// least): up to 2 ms more under load buys batches of 32 signatures.
	v.SetLinger(2*time.Millisecond, 32)
	return v
}()

// Timeouts of the REST server: restIdleTimeout closes keep-alive connections left idle
// (without it each stays open for good, and enough of them exhaust the node's file
// descriptors); restBodyTimeout bounds how long a request body may take to arrive
// (net/http reads a body the handler left unread before answering, so without it any
// route, GET included, waits for good on a client that stops sending one).
var (
	restIdleTimeout = 120 * time.Second
	restBodyTimeout = 30 * time.Second
)

func newRESTServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: restIdleTimeout}
}

// REST serves /api/v1 over a node's RPC client.
type REST struct {
	rpc *rpclocal.Local
	mux *http.ServeMux
	// preverify, when set, checks a submitted transaction's signature before
	// the mempool's CheckTx, which then skips it (app.App.Preverify).
	preverify func(raw []byte)
}

// NewREST builds the REST handler.
func NewREST(rpc *rpclocal.Local) *REST {
	r := &REST{rpc: rpc, mux: http.NewServeMux()}
	r.mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	r.mux.HandleFunc("GET /healthz", r.health)
	r.mux.HandleFunc("GET /api/v1/status", r.status)
	r.mux.HandleFunc("GET /api/v1/params", r.abciGet(func(*http.Request) string { return app.PathParams }))
	r.mux.HandleFunc("GET /api/v1/accounts", r.abciGet(func(q *http.Request) string {
		return app.PathAccounts + "?" + q.URL.Query().Encode()
	}))
	r.mux.HandleFunc("GET /api/v1/accounts/{address}", r.abciGet(func(q *http.Request) string {
		return app.PathAccount + q.PathValue("address")
	}))
	sub := func(suffix string) func(*http.Request) string {
		return func(q *http.Request) string { return api.PathSubnet + q.PathValue("netuid") + suffix }
	}
	r.mux.HandleFunc("GET /api/v1/subnets", r.abciGet(func(*http.Request) string { return api.PathSubnets }))
	r.mux.HandleFunc("GET /api/v1/subnets/{netuid}", r.abciGet(sub("")))
	r.mux.HandleFunc("GET /api/v1/subnets/{netuid}/hyperparameters", r.abciGet(sub("/hyperparameters")))
	r.mux.HandleFunc("GET /api/v1/subnets/{netuid}/neurons", r.abciGet(sub("/neurons")))
	r.mux.HandleFunc("GET /api/v1/subnets/{netuid}/neurons/{uid}", r.abciGet(func(q *http.Request) string {
		return api.PathSubnet + q.PathValue("netuid") + "/neurons/" + q.PathValue("uid")
	}))
	r.mux.HandleFunc("GET /api/v1/subnets/{netuid}/commitments", r.abciGet(sub("/commitments")))
	r.mux.HandleFunc("GET /api/v1/subnets/{netuid}/weight_commits/{hotkey}", r.abciGet(func(q *http.Request) string {
		return api.PathSubnet + q.PathValue("netuid") + "/weight_commits/" + q.PathValue("hotkey")
	}))
	r.mux.HandleFunc("GET /api/v1/subnets/{netuid}/metagraph", r.abciGet(func(q *http.Request) string {
		if q.URL.Query().Get("full") == "true" {
			return api.PathSubnet + q.PathValue("netuid") + "/metagraph_full"
		}
		return api.PathSubnet + q.PathValue("netuid") + "/metagraph"
	}))
	r.mux.HandleFunc("GET /api/v1/lock-cost", r.abciGet(func(*http.Request) string { return api.PathLockCost }))
	r.mux.HandleFunc("GET /api/v1/network-params", r.abciGet(func(*http.Request) string { return api.PathNetworkParams }))
	r.mux.HandleFunc("GET /api/v1/identities/{coldkey}", r.abciGet(func(q *http.Request) string { return api.PathIdentity + q.PathValue("coldkey") }))
	r.mux.HandleFunc("GET /api/v1/stake/{coldkey}", r.abciGet(func(q *http.Request) string { return api.PathStake + q.PathValue("coldkey") }))
	r.mux.HandleFunc("GET /api/v1/staking/params", r.abciGet(func(*http.Request) string { return api.PathStakingParams }))
	r.mux.HandleFunc("GET /api/v1/delegates", r.abciGet(func(*http.Request) string { return api.PathDelegates }))
	r.mux.HandleFunc("GET /api/v1/delegates/{hotkey}", r.abciGet(func(q *http.Request) string { return api.PathDelegates + "/" + q.PathValue("hotkey") }))
	r.mux.HandleFunc("GET /api/v1/quote/{kind}", r.abciGet(func(q *http.Request) string {
		return api.PathQuote + q.PathValue("kind") + "?" + q.URL.RawQuery
	}))
	r.mux.HandleFunc("GET /api/v1/governance/params", r.abciGet(func(*http.Request) string { return api.PathGovParams }))
	r.mux.HandleFunc("GET /api/v1/governance/proposals", r.abciGet(func(q *http.Request) string {
		if q.URL.RawQuery == "" {
			return api.PathProposals
		}
		return api.PathProposals + "?" + q.URL.RawQuery // ?status=: the chain checks it
	}))
	r.mux.HandleFunc("GET /api/v1/governance/proposals/{id}", r.abciGet(func(q *http.Request) string { return api.PathProposals + "/" + q.PathValue("id") }))
	r.mux.HandleFunc("GET /api/v1/blocks/latest", r.block)
	r.mux.HandleFunc("GET /api/v1/blocks/{height}", r.block)
	r.mux.HandleFunc("POST /api/v1/txs", r.submit)
	r.mux.HandleFunc("GET /api/v1/txs/{hash}", r.txStatus)
	return r
}

func (r *REST) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	// Lifted once the body is read, so a submit waiting for its commit is not cut.
	bodydeadline.Set(w, req, restBodyTimeout)
	r.mux.ServeHTTP(w, req)
}

func (r *REST) health(w http.ResponseWriter, req *http.Request) {
	st, err := r.rpc.Status(req.Context())
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "node not ready: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "height": st.SyncInfo.LatestBlockHeight, "catching_up": st.SyncInfo.CatchingUp})
}

// StatusView is GET /api/v1/status.
type StatusView struct {
	ChainID    string `json:"chain_id"`
	Moniker    string `json:"moniker"`
	NodeID     string `json:"node_id"`     // for another node's p2p.persistent_peers: NODE_ID@host:port
	ListenAddr string `json:"listen_addr"` // this node's p2p listen address

	NodeVersion   string    `json:"node_version"`
	AppVersion    string    `json:"app_version"`
	Height        int64     `json:"height"`
	BlockHash     string    `json:"block_hash"`
	BlockTime     time.Time `json:"block_time"`
	AppHash       string    `json:"app_hash"`
	CatchingUp    bool      `json:"catching_up"`
	ValidatorAddr string    `json:"validator_address"`
	VotingPower   int64     `json:"voting_power"`
}

func (r *REST) status(w http.ResponseWriter, req *http.Request) {
	st, err := r.rpc.Status(req.Context())
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "status: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, StatusView{
		ChainID: st.NodeInfo.Network, Moniker: st.NodeInfo.Moniker, NodeID: string(st.NodeInfo.DefaultNodeID), ListenAddr: st.NodeInfo.ListenAddr,
		NodeVersion: st.NodeInfo.Version,
		AppVersion:  app.Version, Height: st.SyncInfo.LatestBlockHeight,
		BlockHash: st.SyncInfo.LatestBlockHash.String(), BlockTime: st.SyncInfo.LatestBlockTime,
		AppHash: st.SyncInfo.LatestAppHash.String(), CatchingUp: st.SyncInfo.CatchingUp,
		ValidatorAddr: st.ValidatorInfo.Address.String(), VotingPower: st.ValidatorInfo.VotingPower,
	})
}

func parseHeight(req *http.Request) (int64, error) {
	s := req.URL.Query().Get("height")
	if s == "" {
		return 0, nil
	}
	h, err := strconv.ParseInt(s, 10, 64)
	if err != nil || h < 0 {
		return 0, fmt.Errorf("height %q must be a non-negative integer", s)
	}
	return h, nil
}

// abciGet serves an ABCI query path; ?height= reads a past state.
func (r *REST) abciGet(path func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		h, err := parseHeight(req)
		if err != nil {
			writeErr(w, http.StatusBadRequest, "%v", err)
			return
		}
		q := req.URL.Query()
		q.Del("height")
		req.URL.RawQuery = q.Encode()
		res, err := r.rpc.ABCIQueryWithOptions(req.Context(), path(req), nil, rpcQueryOpts(h))
		if err != nil {
			writeErr(w, http.StatusServiceUnavailable, "query: %v", err)
			return
		}
		resp := res.Response
		if resp.Code != abci.CodeTypeOK {
			// Not found and gone are the app's own query codes (codespace
			// "query"); a chain error a query passes on (a quote the swap
			// refuses) keeps its module's code, which may be any number.
			status := http.StatusBadRequest
			switch {
			case resp.Codespace != "query":
			case resp.Code == app.QueryCodeNotFound:
				status = http.StatusNotFound
			case resp.Code == app.QueryCodeGone:
				status = http.StatusGone
			}
			writeJSON(w, status, restError{Error: resp.Log, Codespace: resp.Codespace, Code: resp.Code})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Block-Height", strconv.FormatInt(resp.Height, 10))
		w.Write(resp.Value)
	}
}

// BlockView is a block with its transactions' results.
type BlockView struct {
	Height   int64       `json:"height"`
	Hash     string      `json:"hash"`
	Time     time.Time   `json:"time"`
	Proposer string      `json:"proposer"`
	AppHash  string      `json:"app_hash"`
	Txs      []TxView    `json:"txs"`
	Events   []EventView `json:"events"`
}

// TxView is a transaction and its result.
type TxView struct {
	Hash      string      `json:"hash"`
	Height    int64       `json:"height"`
	Index     uint32      `json:"index"`
	Signer    string      `json:"signer,omitempty"`
	Nonce     uint64      `json:"nonce"`
	Call      string      `json:"call,omitempty"`
	Success   bool        `json:"success"`
	Code      uint32      `json:"code"`
	Codespace string      `json:"codespace,omitempty"`
	Error     string      `json:"error,omitempty"`
	Events    []EventView `json:"events"`
}

// EventView is one event.
type EventView struct {
	Type  string            `json:"type"`
	Attrs map[string]string `json:"attributes"`
}

func events(list []abci.Event) []EventView {
	out := make([]EventView, 0, len(list))
	for _, e := range list {
		ev := EventView{Type: e.Type, Attrs: map[string]string{}}
		for _, a := range e.Attributes {
			ev.Attrs[a.Key] = a.Value
		}
		out = append(out, ev)
	}
	return out
}

func txView(raw cmttypes.Tx, height int64, index uint32, res *abci.ExecTxResult) TxView {
	v := TxView{Hash: hex.EncodeToString(raw.Hash()), Height: height, Index: index}
	if d, err := tx.Decode(raw); err == nil {
		v.Signer, v.Nonce, v.Call = d.Signer.SS58(), d.Body.Nonce, tx.CallName(d.Body.Call)
	}
	if res != nil {
		v.Success, v.Code, v.Codespace, v.Events = res.Code == abci.CodeTypeOK, res.Code, res.Codespace, events(res.Events)
		if !v.Success {
			v.Error = res.Log
		}
	}
	return v
}

func (r *REST) block(w http.ResponseWriter, req *http.Request) {
	var hp *int64
	if s := req.PathValue("height"); s != "" {
		h, err := strconv.ParseInt(s, 10, 64)
		if err != nil || h <= 0 {
			writeErr(w, http.StatusBadRequest, "height %q must be a positive integer", s)
			return
		}
		hp = &h
	}
	b, err := r.rpc.Block(req.Context(), hp)
	if err != nil {
		writeErr(w, http.StatusNotFound, "block: %v", err)
		return
	}
	h := b.Block.Height
	results, err := r.rpc.BlockResults(req.Context(), &h)
	if err != nil {
		writeErr(w, http.StatusNotFound, "block results at %d: %v", h, err)
		return
	}
	v := BlockView{Height: h, Hash: b.BlockID.Hash.String(), Time: b.Block.Time, Proposer: b.Block.ProposerAddress.String(),
		AppHash: b.Block.AppHash.String(), Txs: []TxView{}, Events: events(results.FinalizeBlockEvents)}
	for i, raw := range b.Block.Txs {
		var res *abci.ExecTxResult
		if i < len(results.TxResults) {
			res = results.TxResults[i]
		}
		v.Txs = append(v.Txs, txView(raw, h, uint32(i), res))
	}
	writeJSON(w, http.StatusOK, v)
}

// SubmitRequest is POST /api/v1/txs: a signed transaction, base64 or hex.
type SubmitRequest struct {
	Tx string `json:"tx"`
	// Wait is "none" (after the mempool check, default), or "commit"
	// (until the transaction is in a committed block).
	Wait string `json:"wait,omitempty"`
}

// SubmitResponse reports what happened to a submitted transaction.
type SubmitResponse struct {
	Hash      string  `json:"hash"`
	Accepted  bool    `json:"accepted"`
	Code      uint32  `json:"code"`
	Codespace string  `json:"codespace,omitempty"`
	Error     string  `json:"error,omitempty"`
	Result    *TxView `json:"result,omitempty"`
}

func decodeTxParam(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "0x") {
		return hex.DecodeString(s[2:])
	}
	return base64.StdEncoding.DecodeString(s)
}

// submitBody reads POST /api/v1/txs: JSON (SubmitRequest), or, with
// Content-Type application/octet-stream, the transaction's bytes as they are
// and ?wait= in the query. The raw form spares the client and the node the
// base64 and the JSON, for senders who submit many transactions.
func submitBody(req *http.Request) (raw []byte, wait string, problem string) {
	if isRawSubmission(req) {
		raw, err := io.ReadAll(io.LimitReader(req.Body, tx.MaxTxBytes+1))
		switch {
		case err != nil:
			return nil, "", fmt.Sprintf("reading the body: %v", err)
		case len(raw) == 0:
			return nil, "", "the body is empty: send the signed transaction's bytes"
		case len(raw) > tx.MaxTxBytes:
			return nil, "", fmt.Sprintf("the body is over %d bytes, the largest transaction the chain accepts", tx.MaxTxBytes)
		}
		return raw, req.URL.Query().Get("wait"), ""
	}
	var sr SubmitRequest
	if err := json.NewDecoder(io.LimitReader(req.Body, 2*tx.MaxTxBytes+1024)).Decode(&sr); err != nil {
		return nil, "", fmt.Sprintf("body must be JSON {\"tx\": base64 or 0x-hex, \"wait\": \"none\"|\"commit\"}, or the raw bytes with Content-Type application/octet-stream: %v", err)
	}
	raw, err := decodeTxParam(sr.Tx)
	if err != nil || len(raw) == 0 {
		return nil, "", "tx must be base64 or 0x-hex of the signed transaction bytes"
	}
	return raw, sr.Wait, ""
}

// isRawSubmission reports whether req carries the transaction's bytes as they are.
func isRawSubmission(req *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	return ct == "application/octet-stream"
}

func (r *REST) submit(w http.ResponseWriter, req *http.Request) {
	raw, wait, problem := submitBody(req)
	// Senders of raw bytes are programs submitting many: their answers are
	// compact JSON (indenting took a fortieth of the node's CPU under load).
	reply := writeJSON
	if isRawSubmission(req) {
		reply = writeCompactJSON
	}
	if problem != "" {
		writeErr(w, http.StatusBadRequest, "%s", problem)
		return
	}
	switch wait {
	case "", "none", "commit":
	default:
		writeErr(w, http.StatusBadRequest, "wait %q: use none or commit", wait)
		return
	}
	if r.preverify != nil {
		// Here, on this request's goroutine, checks of concurrent requests run in
		// parallel (and in batches); a failure is left to CheckTx to report.
		r.preverify(raw)
	}
	res, err := r.rpc.BroadcastTxSync(req.Context(), raw)
	var invalid mempool.ErrInvalidTx
	if errors.As(err, &invalid) {
		// CometBFT v1 reports CheckTx's refusal as an error: it is the
		// sender's to fix, not the node's unavailability.
		res, err = &ctypes.ResultBroadcastTx{Code: invalid.Code, Log: invalid.Log, Codespace: invalid.Codespace, Hash: invalid.Hash}, nil
	}
	if errors.Is(err, mempool.ErrTxInCache) || errors.Is(err, mempool.ErrTxInMempool) {
		h := cmttypes.Tx(raw).Hash()
		writeErr(w, http.StatusConflict, "this node has already seen these exact bytes (transaction 0x%x): look it up at GET /api/v1/txs/0x%x; to send it again, sign a new one with the next nonce", h, h)
		return
	}
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "broadcast: %v (the node may be catching up or its mempool full: retry shortly)", err)
		return
	}
	out := SubmitResponse{Hash: res.Hash.String(), Accepted: res.Code == abci.CodeTypeOK, Code: res.Code, Codespace: res.Codespace}
	if !out.Accepted {
		out.Error = res.Log
		reply(w, http.StatusUnprocessableEntity, out)
		return
	}
	if wait == "commit" {
		ctx, cancel := context.WithTimeout(req.Context(), 60*time.Second)
		defer cancel()
		for {
			got, err := r.rpc.Tx(ctx, res.Hash, false)
			if err == nil {
				v := txView(got.Tx, got.Height, got.Index, &got.TxResult)
				out.Result = &v
				break
			}
			select {
			case <-ctx.Done():
				reply(w, http.StatusAccepted, out)
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	reply(w, http.StatusOK, out)
}

func (r *REST) txStatus(w http.ResponseWriter, req *http.Request) {
	h, err := hex.DecodeString(strings.TrimPrefix(req.PathValue("hash"), "0x"))
	if err != nil || len(h) != 32 {
		writeErr(w, http.StatusBadRequest, "hash must be 32 bytes of hex")
		return
	}
	got, err := r.rpc.Tx(req.Context(), h, false)
	if err != nil {
		writeErr(w, http.StatusNotFound, "transaction %X not found in a committed block (it may still be in the mempool, or have expired)", h)
		return
	}
	writeJSON(w, http.StatusOK, txView(got.Tx, got.Height, got.Index, &got.TxResult))
}
