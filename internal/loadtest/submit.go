package loadtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// submitter posts broadcast_tx_sync as plain JSON-RPC over HTTP, or the raw
// transaction to the REST facade's POST /api/v1/txs. For JSON-RPC it does
// what CometBFT's RPC client does on the wire but without its reflection-based
// codec, so the load generator takes less of the machine the node runs on.
type submitter struct {
	url  string
	rest bool // url is the REST facade's POST /api/v1/txs, sent the raw bytes
	hc   *http.Client
	buf  bytes.Buffer
}

type broadcastResult struct {
	Result *struct {
		Code uint32 `json:"code"`
		Log  string `json:"log"`
	} `json:"result"`
	Error *struct {
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

// broadcast submits raw and returns the CheckTx code (0 is accepted).
func (s *submitter) broadcast(ctx context.Context, raw []byte) (uint32, error) {
	if s.rest {
		return s.post(ctx, raw)
	}
	s.buf.Reset()
	s.buf.WriteString(`{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{"tx":"`)
	enc := base64.NewEncoder(base64.StdEncoding, &s.buf)
	enc.Write(raw)
	enc.Close()
	s.buf.WriteString(`"}}`)
	status, body, err := s.do(ctx, "application/json", s.buf.Bytes())
	if err != nil {
		return 0, err
	}
	var r broadcastResult
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("broadcast_tx_sync: HTTP %d: %w", status, err)
	}
	if r.Error != nil {
		return 0, fmt.Errorf("broadcast_tx_sync: %s %s", r.Error.Message, r.Error.Data)
	}
	if r.Result == nil {
		return 0, fmt.Errorf("broadcast_tx_sync: HTTP %d without a result", status)
	}
	return r.Result.Code, nil
}

// post submits raw to the REST facade as application/octet-stream.
func (s *submitter) post(ctx context.Context, raw []byte) (uint32, error) {
	status, body, err := s.do(ctx, "application/octet-stream", raw)
	if err != nil {
		return 0, err
	}
	var r struct {
		Accepted bool   `json:"accepted"`
		Code     uint32 `json:"code"`
		Error    string `json:"error"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("POST /api/v1/txs: HTTP %d: %w", status, err)
	}
	switch {
	case status == http.StatusOK && r.Accepted:
		return 0, nil
	case status == http.StatusUnprocessableEntity && r.Code != 0:
		return r.Code, nil
	default:
		return 0, fmt.Errorf("POST /api/v1/txs: HTTP %d: %s", status, r.Error)
	}
}

// do POSTs body to s.url and returns the answer's status and body.
func (s *submitter) do(ctx context.Context, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}
