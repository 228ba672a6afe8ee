package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

type ctxKey struct{}

type reqInfo struct {
	id    string
	route string
}

// statusWriter records the status code for logs and metrics and passes Flush through.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(c int) {
	if w.code == 0 {
		w.code = c
	}
	w.ResponseWriter.WriteHeader(c)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (g *Gateway) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern, route string, f func(http.ResponseWriter, *http.Request) *APIError) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			limitBodyTime(w, r)
			info := &reqInfo{id: "req_" + fastID(), route: route}
			sw := &statusWriter{ResponseWriter: w}
			sw.Header().Set("X-Request-Id", info.id)
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, info))
			r.Body = http.MaxBytesReader(sw, r.Body, g.cfg.MaxBodyBytes)
			if e := f(sw, r); e != nil {
				if sw.code == 0 {
					writeError(sw, e)
				}
				lvl := g.log.Debug
				if e.Status >= 500 {
					lvl = g.log.Warn
				}
				lvl("request failed", "request_id", info.id, "route", route, "code", e.Status, "err", e)
			}
			g.m.request(route, sw.code, time.Since(start).Seconds())
		})
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "store": g.store.Backend()})
	})
	h("GET /v1/models", "models", g.listModels)
	h("GET /v1/models/{id...}", "model", g.getModel)
	h("POST /v1/chat/completions", "chat", g.chatCompletions)
	h("POST /v1/completions", "completions", g.completions)
	h("POST /v1/subnets/{netuid}/{synapse}", "subnet", g.subnetQuery)
	h("GET /v1/balance", "balance", g.balance)
	h("GET /v1/usage", "usage", g.usage)
	h("POST /v1/limit_requests", "limit_request", g.limitRequest)
	g.adminRoutes(h)
	h("/", "unknown", func(w http.ResponseWriter, r *http.Request) *APIError {
		hint := "See docs/api.md for the endpoints."
		if rest, ok := strings.CutPrefix(r.URL.Path, "/v1/admin/"); ok {
			hint = "The admin API is at /admin/" + rest + ", without /v1 (btcli gateway --gateway takes the gateway's root URL)."
		}
		return &APIError{Status: http.StatusNotFound, Type: "invalid_request_error",
			Message: fmt.Sprintf("Unknown request URL: %s %s. %s", r.Method, r.URL.Path, hint)}
	})
	return mux
}

// decode reads a JSON body into v: 413 past MaxBodyBytes, 400 for bad JSON or wrong types.
func decode(r *http.Request, v any) *APIError {
	body, err := io.ReadAll(r.Body)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &APIError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error", Code: "request_too_large",
			Message: fmt.Sprintf("The request body is over the %d-byte limit; send a shorter request.", mb.Limit)}
	}
	if err != nil {
		return errInvalid("", "Could not read the request body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field == "" {
				return errInvalid("", "The request body must be a JSON object, not a JSON %s.", te.Value)
			}
			return errInvalid(te.Field, "Invalid type for '%s': expected %s, got a JSON %s.", te.Field, jsonKind(te.Type), te.Value)
		}
		if errors.Is(err, errContentType) {
			return errInvalid("messages", "Invalid 'content' in 'messages': it must be a string or an array of {\"type\":\"text\",\"text\":...} parts.")
		}
		return errInvalid("", "We could not parse the JSON body of your request (%v). Send valid JSON with Content-Type: application/json.", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errInvalid("", "We could not parse the JSON body of your request: it has more after the JSON object. Send one JSON object with Content-Type: application/json.")
	}
	return nil
}

// jsonKind names the JSON value a Go type decodes from, for error messages (users know
// JSON, not the gateway's Go types).
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a valid value"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer (in range)"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

func (g *Gateway) authed(r *http.Request) (*account, *APIError) {
	return g.acc.authenticate(r.Context(), r)
}

type modelObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func (m Model) object() modelObject {
	owner := m.OwnedBy
	if owner == "" {
		owner = "subnet-" + strconv.Itoa(int(m.Netuid))
	}
	return modelObject{ID: m.ID, Object: "model", Created: 0, OwnedBy: owner}
}

func (g *Gateway) listModels(w http.ResponseWriter, r *http.Request) *APIError {
	if _, e := g.authed(r); e != nil {
		return e
	}
	data := make([]modelObject, 0, len(g.cfg.Models))
	for _, m := range g.cfg.Models {
		data = append(data, m.object())
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
	return nil
}

func (g *Gateway) getModel(w http.ResponseWriter, r *http.Request) *APIError {
	if _, e := g.authed(r); e != nil {
		return e
	}
	m, ok := g.models[r.PathValue("id")]
	if !ok {
		return errModel(r.PathValue("id"))
	}
	writeJSON(w, http.StatusOK, m.object())
	return nil
}

// content is an OpenAI message content: a string, or an array of parts of which the text
// parts are joined.
type content string

func (c *content) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*c = content(s)
		return nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &parts); err != nil {
		return errContentType
	}
	var sb strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			sb.WriteString(p.Text)
		}
	}
	*c = content(sb.String())
	return nil
}

// errContentType is a message content that is neither a string nor an array of parts.
var errContentType = errors.New("a message's 'content' must be a string or an array of {type, text} parts")

type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string  `json:"role"`
		Content content `json:"content"`
	} `json:"messages"`
	MaxTokens           *int     `json:"max_tokens"`
	MaxCompletionTokens *int     `json:"max_completion_tokens"`
	Temperature         *float64 `json:"temperature"`
	Seed                *int64   `json:"seed"`
	Stream              bool     `json:"stream"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	N *int `json:"n"`
}

type completionRequest struct {
	Model         string          `json:"model"`
	Prompt        json.RawMessage `json:"prompt"`
	MaxTokens     *int            `json:"max_tokens"`
	Temperature   *float64        `json:"temperature"`
	Seed          *int64          `json:"seed"`
	Stream        bool            `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	N *int `json:"n"`
}

// maxTokensLimit bounds max_tokens: far above what any miner writes, and low enough that
// the credit reserved for a request (prompt plus max_tokens, at the model's price) cannot
// overflow.
const maxTokensLimit = 1 << 24

// sampling checks a request's max_tokens (named param) and temperature as OpenAI does and
// sets them on chat; nil leaves a field unset.
func sampling(chat *protocol.Chat, param string, maxTokens *int, temperature *float64) *APIError {
	if maxTokens != nil {
		if *maxTokens < 1 || *maxTokens > maxTokensLimit {
			return errInvalid(param, "Invalid '%s': %d. Use a whole number from 1 to %d, or leave it out for the miner's default length.", param, *maxTokens, maxTokensLimit)
		}
		chat.MaxTokens = *maxTokens
	}
	if temperature != nil {
		if *temperature < 0 || *temperature > 2 {
			return errInvalid("temperature", "Invalid 'temperature': %g. Use a number from 0 to 2.", *temperature)
		}
		chat.Temperature = *temperature
	}
	return nil
}

// call is one chat-shaped request on its way to the miners.
type call struct {
	acc          *account
	model        Model
	chat         *protocol.Chat
	stream       bool
	includeUsage bool
	text         bool // /v1/completions: text_completion objects
	hold         hold // reserved by admit until record
}

func (g *Gateway) chatCompletions(w http.ResponseWriter, r *http.Request) *APIError {
	acc, e := g.authed(r)
	if e != nil {
		return e
	}
	var req chatRequest
	if e := decode(r, &req); e != nil {
		return e
	}
	if req.Model == "" {
		return errInvalid("model", "you must provide a model parameter")
	}
	if len(req.Messages) == 0 {
		return errInvalid("messages", "'messages' must be a non-empty array of {role, content}")
	}
	if req.N != nil && *req.N != 1 {
		return errInvalid("n", "only n=1 is supported")
	}
	chat := &protocol.Chat{}
	for i, m := range req.Messages {
		switch m.Role {
		case "system", "developer", "user", "assistant", "tool":
		default:
			return errInvalid(fmt.Sprintf("messages[%d].role", i), "Invalid role %q: use system, user or assistant.", m.Role)
		}
		chat.Messages = append(chat.Messages, protocol.Message{Role: m.Role, Content: string(m.Content)})
	}
	if e := sampling(chat, "max_tokens", req.MaxTokens, req.Temperature); e != nil {
		return e
	}
	if e := sampling(chat, "max_completion_tokens", req.MaxCompletionTokens, nil); e != nil {
		return e
	}
	if req.Seed != nil {
		chat.Seed = *req.Seed
	}
	c := &call{acc: acc, chat: chat, stream: req.Stream, includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage}
	return g.serveChat(w, r, req.Model, c)
}

func (g *Gateway) completions(w http.ResponseWriter, r *http.Request) *APIError {
	acc, e := g.authed(r)
	if e != nil {
		return e
	}
	var req completionRequest
	if e := decode(r, &req); e != nil {
		return e
	}
	if req.Model == "" {
		return errInvalid("model", "you must provide a model parameter")
	}
	var prompt string
	if err := json.Unmarshal(req.Prompt, &prompt); err != nil {
		var ps []string
		if err := json.Unmarshal(req.Prompt, &ps); err != nil || len(ps) != 1 {
			return errInvalid("prompt", "'prompt' must be a string (or an array of one string)")
		}
		prompt = ps[0]
	}
	if req.N != nil && *req.N != 1 {
		return errInvalid("n", "only n=1 is supported")
	}
	chat := &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: prompt}}}
	if e := sampling(chat, "max_tokens", req.MaxTokens, req.Temperature); e != nil {
		return e
	}
	if req.Seed != nil {
		chat.Seed = *req.Seed
	}
	c := &call{acc: acc, chat: chat, stream: req.Stream, text: true, includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage}
	return g.serveChat(w, r, req.Model, c)
}

type usageObject struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	TotalTokens      int64 `json:"total_tokens"`
}

func promptWords(ch *protocol.Chat) int64 {
	var n int64
	for _, m := range ch.Messages {
		n += words(m.Content)
	}
	return n
}

func (g *Gateway) serveChat(w http.ResponseWriter, r *http.Request, model string, c *call) *APIError {
	m, ok := g.models[model]
	if !ok {
		return errModel(model)
	}
	c.model = m
	c.chat.ModelHint = m.ModelHint
	c.chat.Stream = c.stream
	est := int64(completionEstimate)
	if c.chat.MaxTokens > 0 {
		est = int64(c.chat.MaxTokens)
	}
	var e *APIError
	if c.hold, e = g.acc.admit(c.acc, m, promptWords(c.chat)+est, w.Header()); e != nil {
		return e
	}
	defer g.acc.release(c.acc, &c.hold)
	if c.stream {
		return g.streamChat(w, r, c)
	}
	var chosen int
	var answers []Answer
	var err error
	done := (<-chan struct{})(closed)
	if g.cfg.StreamMiners {
		chosen, answers, err = g.collect(r.Context(), c)
	} else {
		chosen, answers, done, err = g.router.query(r.Context(), m.Netuid, c.chat, chatAnswered)
	}
	defer g.sampleWhen(done, m.Netuid, "Chat", c.acc, c.chat, answers, chosen)
	if err != nil {
		return g.upstreamError(r, m.Netuid, err)
	}
	text, u := chatUsage(c, answers[chosen].Response.(*protocol.Chat))
	g.acc.record(c.acc, m, u.PromptTokens, u.CompletionTokens, &c.hold)
	g.m.served(m.ID, u.TotalTokens)
	id, created := "chatcmpl-"+fastID(), g.cfg.Now().Unix()
	if c.text {
		writeJSON(w, http.StatusOK, textCompletion{ID: "cmpl-" + id[9:], Object: "text_completion", Created: created, Model: m.ID,
			Choices: []textChoice{{Text: text, FinishReason: finishReason(c, u)}}, Usage: u})
		return nil
	}
	writeJSON(w, http.StatusOK, chatCompletion{ID: id, Object: "chat.completion", Created: created, Model: m.ID,
		Choices: []chatChoice{{Message: chatMessage{Role: "assistant", Content: text}, FinishReason: finishReason(c, u)}}, Usage: u})
	return nil
}

// The non-streaming answers as structs rather than maps: encoding a map sorts its keys
// and boxes every value, a measurable share of the gateway's own time per request.
type chatCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	Choices           []chatChoice `json:"choices"`
	Usage             usageObject  `json:"usage"`
	SystemFingerprint *string      `json:"system_fingerprint"`
}

type chatChoice struct {
	Index        int         `json:"index"`
	Message      chatMessage `json:"message"`
	Logprobs     *struct{}   `json:"logprobs"`
	FinishReason string      `json:"finish_reason"`
}

type chatMessage struct {
	Role    string  `json:"role"`
	Content string  `json:"content"`
	Refusal *string `json:"refusal"`
}

type textCompletion struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices []textChoice `json:"choices"`
	Usage   usageObject  `json:"usage"`
}

type textChoice struct {
	Index        int       `json:"index"`
	Text         string    `json:"text"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason string    `json:"finish_reason"`
}

func (g *Gateway) upstreamError(r *http.Request, netuid uint16, err error) *APIError {
	if r.Context().Err() != nil {
		return &APIError{Status: 499, Type: "api_error", Message: "The client closed the request.", Cause: err}
	}
	return &APIError{Status: http.StatusBadGateway, Type: "api_error", Code: "upstream_error", Cause: err,
		Message: fmt.Sprintf("No miner of subnet %d gave an answer (all failed, timed out or are paused after repeated failures). Retry in a few seconds.", netuid)}
}

// chatUsage is a miner's answer's text and its usage: the miner's own count when it gave
// a plausible one (usageBelievable), else words of the prompt and the completion. The
// user is billed by it, so a miner must not be able to charge a key's quota and credit
// whatever it likes, nor hand out free tokens with a count below zero.
func chatUsage(c *call, out *protocol.Chat) (string, usageObject) {
	text := *out.Completion
	u := usageObject{PromptTokens: promptWords(c.chat), CompletionTokens: words(text)}
	if out.Usage != nil && out.Usage.TotalTokens > 0 && usageBelievable(c.chat, text, out.Usage) {
		u = usageObject{PromptTokens: int64(out.Usage.PromptTokens), CompletionTokens: int64(out.Usage.CompletionTokens)}
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return text, u
}

// templateTokens is the slack allowed per message (and once per answer) for a chat
// template's special tokens, beyond one token per byte of text.
const templateTokens = 16

// usageBelievable reports whether a miner's token count can be true of the request and
// its answer: no count below zero, and no more tokens than bytes of text (a tokenizer's
// tokens cover at least a byte each) plus a chat template's few tokens.
func usageBelievable(chat *protocol.Chat, text string, u *protocol.Usage) bool {
	prompt := int64(templateTokens)
	for _, m := range chat.Messages {
		prompt += int64(len(m.Content)) + templateTokens
	}
	return u.PromptTokens >= 0 && u.CompletionTokens >= 0 &&
		int64(u.PromptTokens) <= prompt && int64(u.CompletionTokens) <= int64(len(text))+templateTokens
}

// finishReason is OpenAI's finish_reason for an answer with usage u: "length" when it
// reached the request's max_tokens (the miner cut it there), else "stop". Clients read
// "length" as a truncated answer.
func finishReason(c *call, u usageObject) string {
	if c.chat.MaxTokens > 0 && u.CompletionTokens >= int64(c.chat.MaxTokens) {
		return "length"
	}
	return "stop"
}

func chatAnswered(s synapse.Synapse) bool { return s.(*protocol.Chat).Completion != nil }

func (g *Gateway) sample(netuid uint16, name string, acc *account, req synapse.Synapse, answers []Answer, chosen int) {
	if g.cfg.OnSample == nil || len(answers) == 0 {
		return
	}
	g.cfg.OnSample(Sample{Netuid: netuid, Synapse: name, KeyID: acc.key().ID, Request: req, Answers: answers, Chosen: chosen})
}

// sampleWhen hands the sample over once done is closed (every miner of the fan-out
// answered): now if it is, else from the goroutine that waits for them.
func (g *Gateway) sampleWhen(done <-chan struct{}, netuid uint16, name string, acc *account, req synapse.Synapse, answers []Answer, chosen int) {
	if g.cfg.OnSample == nil || len(answers) == 0 {
		return
	}
	select {
	case <-done:
		g.sample(netuid, name, acc, req, answers, chosen)
	default:
		g.router.bg.Go(func() {
			<-done
			g.sample(netuid, name, acc, req, answers, chosen)
		})
	}
}

// collect streams a non-streaming request from a streaming miner and returns the whole
// answer as query does.
func (g *Gateway) collect(ctx context.Context, c *call) (int, []Answer, error) {
	c.chat.Stream = true
	s, ans, err := g.router.stream(ctx, c.model.Netuid, c.chat)
	if err != nil {
		return -1, nil, err
	}
	defer s.Close()
	var sb strings.Builder
	var serr error
	for ev, err := range s.Events() {
		if err != nil {
			serr = err
			break
		}
		d, end, err := protocol.ChatEvent(ev.Data)
		if err != nil {
			serr = err
			break
		}
		sb.WriteString(d.Content)
		if end {
			break
		}
	}
	if serr == nil && g.cfg.SignedAnswers {
		serr = proveStream(s, &ans)
	}
	g.router.outcome(ans.hotkey, serr == nil)
	if serr != nil {
		ans.Err = serr
		return -1, []Answer{ans}, fmt.Errorf("%w: stream from %s: %v", ErrNoMiners, ans.Hotkey, serr)
	}
	text := sb.String()
	out := *c.chat
	out.Completion = &text
	ans.Response = &out
	return 0, []Answer{ans}, nil
}

// proveStream reads a signed stream past its end event to its very end, where the dendrite
// checks the miner's signature of the whole stream (its trailer), and keeps the proof in
// ans; an error (the miner did not sign, or the stream broke off) fails the answer.
func proveStream(s *dendrite.Stream, ans *Answer) error {
	if _, err := io.Copy(io.Discard, s); err != nil {
		return err
	}
	ans.Proof = s.Proof()
	return nil
}

// streamChat relays a miner's ChatDelta events as OpenAI chunks, then "data: [DONE]". When
// the client goes away the request context ends, which cancels the miner call; the tokens
// sent so far are recorded.
func (g *Gateway) streamChat(w http.ResponseWriter, r *http.Request, c *call) *APIError {
	if !g.cfg.StreamMiners {
		return g.streamWhole(w, r, c)
	}
	ctx := r.Context()
	s, ans, err := g.router.stream(ctx, c.model.Netuid, c.chat)
	if err != nil {
		return g.upstreamError(r, c.model.Netuid, err)
	}
	defer s.Close()
	out := g.startSSE(w, c)
	send, chunk := out.send, out.chunk
	var sb strings.Builder
	var werr error
	if !c.text {
		werr = send(chunk(map[string]any{"role": "assistant", "content": ""}, "", nil))
	}
	var serr error
	for ev, err := range s.Events() {
		if err != nil {
			serr = err
			break
		}
		if werr != nil {
			break
		}
		d, end, err := protocol.ChatEvent(ev.Data)
		if err != nil {
			serr = err
			break
		}
		if d.Content != "" {
			sb.WriteString(d.Content)
			werr = send(chunk(map[string]any{"content": d.Content}, d.Content, nil))
		}
		if end {
			break
		}
	}
	if serr == nil && werr == nil && g.cfg.SignedAnswers {
		serr = proveStream(s, &ans)
	}
	ok := serr == nil && ctx.Err() == nil
	g.router.outcome(ans.hotkey, ok || ctx.Err() != nil)
	u := usageObject{PromptTokens: promptWords(c.chat), CompletionTokens: words(sb.String())}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	g.acc.record(c.acc, c.model, u.PromptTokens, u.CompletionTokens, &c.hold)
	g.m.served(c.model.ID, u.TotalTokens)
	text := sb.String()
	c.chat.Completion = &text
	chosen := 0
	if !ok {
		ans.Err = errors.Join(serr, ctx.Err())
		chosen = -1
	}
	defer g.sample(c.model.Netuid, "Chat", c.acc, c.chat, []Answer{ans}, chosen)
	if werr != nil || ctx.Err() != nil {
		return nil // the client is gone
	}
	if serr != nil {
		// Headers are sent: report in the stream, as OpenAI does, then end it.
		var eb errorBody
		eb.Error.Message, eb.Error.Type = "The miner's stream broke off; the answer may be incomplete. Retry the request.", "api_error"
		if se := (*synapse.StatusError)(nil); errors.As(serr, &se) && se.Code == synapse.StatusNotVerified {
			eb.Error.Message = "The miner did not sign its streamed answer, so it is not verified (the gateway runs with signed answers). Retry the request."
		}
		send(eb)
		g.log.Warn("miner stream failed", "request_id", ctx.Value(ctxKey{}).(*reqInfo).id, "hotkey", ans.Hotkey, "err", serr)
	} else {
		send(chunk(map[string]any{}, "", finishReason(c, u)))
	}
	if c.includeUsage {
		send(out.usage(u))
	}
	out.done()
	return nil
}

// streamWhole answers a streaming request when the miners serve Chat without streaming:
// the request goes by Call to K miners like a non-streaming one, and the chosen answer is
// sent as the server-sent events an OpenAI client expects (the role, the whole text in one
// chunk, the stop, the usage when asked, [DONE]). A failure before the first event is an
// ordinary error response.
func (g *Gateway) streamWhole(w http.ResponseWriter, r *http.Request, c *call) *APIError {
	ctx := r.Context()
	chosen, answers, done, err := g.router.query(ctx, c.model.Netuid, c.chat, chatAnswered)
	defer g.sampleWhen(done, c.model.Netuid, "Chat", c.acc, c.chat, answers, chosen)
	if err != nil {
		return g.upstreamError(r, c.model.Netuid, err)
	}
	text, u := chatUsage(c, answers[chosen].Response.(*protocol.Chat))
	g.acc.record(c.acc, c.model, u.PromptTokens, u.CompletionTokens, &c.hold)
	g.m.served(c.model.ID, u.TotalTokens)

	out := g.startSSE(w, c)
	if !c.text {
		out.send(out.chunk(map[string]any{"role": "assistant", "content": ""}, "", nil))
	}
	if text != "" {
		out.send(out.chunk(map[string]any{"content": text}, text, nil))
	}
	out.send(out.chunk(map[string]any{}, "", finishReason(c, u)))
	if c.includeUsage {
		out.send(out.usage(u))
	}
	out.done() // a client gone meanwhile changes nothing: usage is recorded
	return nil
}

// sse writes a streamed answer as OpenAI's server-sent events: chat.completion.chunk
// objects (text_completion for /v1/completions), then [DONE].
type sse struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	c       *call
	id      string
	object  string
	created int64
}

// startSSE sends the event stream's headers.
func (g *Gateway) startSSE(w http.ResponseWriter, c *call) *sse {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	o := &sse{w: w, rc: http.NewResponseController(w), c: c, id: "chatcmpl-" + fastID(), object: "chat.completion.chunk", created: g.cfg.Now().Unix()}
	if c.text {
		o.id, o.object = "cmpl-"+o.id[9:], "text_completion"
	}
	return o
}

// send writes one event and flushes it; an error means the client is gone.
func (o *sse) send(v any) error {
	b, _ := json.Marshal(v) // maps of plain values
	if _, err := fmt.Fprintf(o.w, "data: %s\n\n", b); err != nil {
		return err
	}
	return o.rc.Flush()
}

// chunk is one choice's event: delta for chat, text for completions.
func (o *sse) chunk(delta map[string]any, text string, finish any) map[string]any {
	choice := map[string]any{"index": 0, "logprobs": nil, "finish_reason": finish}
	if o.c.text {
		choice["text"] = text
	} else {
		choice["delta"] = delta
	}
	return map[string]any{"id": o.id, "object": o.object, "created": o.created, "model": o.c.model.ID, "choices": []any{choice}, "system_fingerprint": nil}
}

// usage is the final usage event stream_options.include_usage asks for.
func (o *sse) usage(u usageObject) map[string]any {
	return map[string]any{"id": o.id, "object": o.object, "created": o.created, "model": o.c.model.ID, "choices": []any{}, "usage": u}
}

// done ends the stream.
func (o *sse) done() {
	fmt.Fprint(o.w, "data: [DONE]\n\n")
	o.rc.Flush()
}
