// Package gateway is the user-facing API over the network (ARCHITECTURE decision 10): an
// OpenAI-compatible HTTP server (GET /v1/models, POST /v1/chat/completions, POST
// /v1/completions, streaming by server-sent events) plus a generic subnet passthrough (POST
// /v1/subnets/{netuid}/{synapse}), in front of the miners of the served subnets.
//
// A request goes through four steps:
//
//  1. Auth: the Bearer API key is hashed (SHA-256) and looked up; keys are never stored in
//     clear. Missing, malformed or revoked keys get 401.
//  2. Limits: a per-key requests-per-minute window and a tokens-per-day quota (tier defaults,
//     raised per key by an operator-approved limit request). Over the window: 429 with
//     Retry-After and X-RateLimit-* headers. Over the free quota, a request is paid from the
//     key's TAO credit at the model's price; with no credit it gets 429 insufficient_quota.
//  3. Routing: miners of the model's subnet ordered by incentive from a metagraph kept fresh
//     by Run, fanned out to K at a time, first (or best) good answer, retried on the next
//     miners, with a circuit breaker per hotkey. Every routed request is handed to the
//     organic scoring hook (Config.OnSample) as a Sample.
//  4. Accounting: usage is added per key, day and model, and flushed to the Store.
//
// Credit comes from TAO: every key has a deposit address derived from the gateway's seed
// (seed//gateway//<key id>). Run watches finalised blocks for balances.Transfer events to
// those addresses and credits each one once, keyed by (height, tx hash, event index), in
// the same database transaction that advances the watched height.
//
// Storage is database/sql: embedded SQLite (modernc.org/sqlite, pure Go) by default,
// PostgreSQL (pgx) when Config.PostgresDSN is set; OpenStore runs the migrations.
package gateway
