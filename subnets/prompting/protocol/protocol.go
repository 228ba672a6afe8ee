// Package protocol is the prompting subnet's wire format: the synapses a
// validator or the gateway sends to miners. Field names follow the
// OpenAI chat API so requests pass through the gateway unchanged, and
// the Python SDK's conventions (snake_case JSON, declared hash fields) so
// Python peers interoperate.
package protocol

import "github.com/gotensor/gotensor/synapse"

// Message is one chat message.
type Message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

// Chat asks a miner to complete a conversation. The miner fills
// Completion (and Model, Usage). A streaming request (Stream true) is
// answered as server-sent events of ChatDelta, ending with "[DONE]".
type Chat struct {
	synapse.Base
	Messages    []Message `json:"messages" bt:"required"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
	Temperature float64   `json:"temperature,omitempty"`
	Seed        int64     `json:"seed,omitempty"`
	// ModelHint names a model the caller prefers; miners may ignore it.
	ModelHint string `json:"model_hint,omitempty"`
	Stream    bool   `json:"stream,omitempty"`

	// Filled by the miner.
	Completion *string `json:"completion"`
	Model      string  `json:"model,omitempty"`
	Usage      *Usage  `json:"usage,omitempty"`
}

// RequiredHashFields binds the signature to the request's content.
func (*Chat) RequiredHashFields() []string {
	return []string{"messages", "max_tokens", "temperature", "seed", "model_hint", "stream"}
}

// Name is the route: /Chat.
func (*Chat) Name() string { return "Chat" }

// Usage counts tokens as OpenAI does (whitespace-separated words for the
// built-in model; the backend's counts when proxying).
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// ChatDelta is one streamed chunk of a completion.
type ChatDelta struct {
	Content string `json:"content"`
	Done    bool   `json:"done,omitempty"`
}

// SpecVersion is the prompting subnet code's version, sent as the weights version key.
// Raise it when validators must upgrade together (a changed reward, say); the subnet owner
// then raises weights_version_key to match.
const SpecVersion = 1

// OrganicSample is one real user request and the miners' answers to it, as the gateway
// sends it to a validator's POST /organic (JSON). The validator scores the answers it can
// check and ignores the rest; see docs/prompting-subnet.md "Organic traffic".
type OrganicSample struct {
	Netuid      uint16          `json:"netuid"`
	Messages    []Message       `json:"messages"`
	MaxTokens   int             `json:"max_tokens,omitempty"`
	Temperature float64         `json:"temperature,omitempty"`
	Seed        int64           `json:"seed,omitempty"`
	ModelHint   string          `json:"model_hint,omitempty"`
	Stream      bool            `json:"stream,omitempty"`
	Answers     []OrganicAnswer `json:"answers"`
}

// Request returns the Chat request the sample says miners were sent: its hashed fields
// (Chat.RequiredHashFields), from which a streamed answer's RequestHash is recomputed.
func (s OrganicSample) Request() *Chat {
	return &Chat{Messages: s.Messages, MaxTokens: s.MaxTokens, Temperature: s.Temperature, Seed: s.Seed,
		ModelHint: s.ModelHint, Stream: s.Stream}
}

// OrganicAnswer is one miner's outcome for an OrganicSample.
type OrganicAnswer struct {
	UID    uint16 `json:"uid"`
	Hotkey string `json:"hotkey"` // SS58; an answer whose hotkey no longer holds UID is ignored
	// Completion is the miner's text; Failed marks a call that returned no answer (an error
	// of the miner's, not a call the gateway cancelled), which scores 0.
	Completion string `json:"completion"`
	Failed     bool   `json:"failed,omitempty"`
	LatencyMS  int64  `json:"latency_ms"`
	// Signed, when present, is the miner's own signature over its answer, so the validator
	// need not trust the gateway about what the miner said: the validator verifies it and
	// scores the completion of the signed body, ignoring Completion.
	Signed *SignedAnswer `json:"signed,omitempty"`
}

// SignedAnswer proves what a miner answered (a Gotensor axon's signed response, asked for
// with synapse.HeaderSignResponse): Signature is the miner's hotkey (OrganicAnswer.Hotkey)
// signing synapse.ResponseSignatureMessage(Nonce, Dendrite, Hotkey, UUID, Body), where
// Nonce and UUID are the request's, Dendrite is the SS58 hotkey that called the miner (the
// gateway's) and Body is the miner's JSON Chat answer exactly as sent.
//
// A streamed answer has RequestHash, the request's computed_body_hash, and Body is the raw
// streamed events; the signature is over synapse.StreamSignatureMessage(Nonce, Dendrite,
// Hotkey, UUID, RequestHash, SHA3-256(Body)). The stream does not repeat the request, so
// the validator recomputes RequestHash from the sample (OrganicSample.Request) to know the
// stream answers the sample's messages.
type SignedAnswer struct {
	Nonce       int64  `json:"nonce"`
	UUID        string `json:"uuid"`
	Dendrite    string `json:"dendrite"`
	RequestHash string `json:"request_hash,omitempty"`
	Body        []byte `json:"body"`      // base64 in JSON
	Signature   string `json:"signature"` // hex, with or without 0x
}
