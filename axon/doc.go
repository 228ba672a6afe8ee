// Package axon is a miner's server for Bittensor synapses (reference §2.5, SDK-SPEC "Wire
// protocol", ARCHITECTURE.md decision 8). It speaks the Bittensor header scheme, so Python
// validators can call it, and Epistula.
//
// Serving a synapse is one method, or a function:
//
//	a, err := axon.New(hotkey, axon.Config{Registry: metagraph, ExternalIP: "203.0.113.7"})
//	err = axon.Handle(a, axon.HandlerFunc[*Dummy](func(ctx context.Context, d *Dummy) error {
//		out := 2 * d.DummyInput
//		d.DummyOutput = &out
//		return nil
//	}))
//	err = a.Run(ctx) // listens on :8091, publishes with Config.Publish, drains when ctx ends
//
// A handler may also implement Blacklister, Prioritizer and Verifier (or pass WithBlacklist,
// WithPriority, WithVerify), Bittensor's blacklist_fn, priority_fn and verify_fn.
//
// # What happens to a request
//
// Every request goes through these checks, cheapest first, before its body is read
// (SDK-SPEC); a refused request costs no signature verification unless it got that far, and
// no body read:
//
//  1. route known: /{SynapseName} is served                        404, else 400 for no name
//  2. caller registered on the subnet (Config.Registry)             403
//  3. caller's stake ≥ Config.MinStake, or a validator permit       403
//  4. the route's blacklist hook                                    403
//  5. per-IP and per-hotkey token buckets                           429 with Retry-After
//  6. nonce inside the window (4 s + timeout), not seen before      401
//  7. signature over nonce, hotkeys, uuid and body hash             401
//  8. the route's verify hook                                       401
//  9. body size ≤ Config.MaxBodyBytes, read within BodyReadTimeout  413, 408
//  10. body hash equals the signed computed_body_hash               401; bad JSON 400
//
// Epistula's signature covers the body, so for Epistula requests step 7 comes after 9.
// Signatures of requests that reach step 7 together are checked as one batch
// (keys.BatchingVerifier): under load (batches of 8 or more from a few validators) a
// signature costs a quarter to two fifths of a lone verification, and an idle axon still checks each at once. axon_signature_batches_total
// and axon_signatures_{batched,alone}_total show how it goes.
// The hotkey's rate token and the nonce are spent only once the signature verified, so a
// forger who claims a validator's hotkey cannot use up its allowance or its nonces.
//
// Verified requests then wait for one of Config.MaxConcurrent handler slots, highest
// priority first (the caller's stake by default). At most Config.QueueDepth wait; when full,
// a newcomer that outranks the lowest waiter takes its place and the loser gets 503 with
// Retry-After, otherwise the newcomer does. A request whose time runs out while queued gets
// 408 "Response timeout after: {t}s"; a handler that overruns gets 504, and keeps its slot
// until it returns.
//
// Answers are Bittensor's: 200 with the synapse as JSON and its headers; otherwise
// {"message": ...} with the status in bt_header_axon_status_code. Handler errors: a
// *synapse.StatusError answers with its code; any other error or a panic answers 500
// "Internal Server Error #{id}" and logs the cause under request_id={id}.
//
// # Operations
//
// Slow clients: ReadHeaderTimeout bounds the header block, BodyReadTimeout the body, and
// MaxConnsPerIP the sockets one host may hold. Nothing is looked up outside: the published
// IP is Config.ExternalIP (or the listener's). Metrics (axon_requests_total{synapse,code},
// axon_rejections_total{reason}, axon_request_duration_seconds, axon_handlers_running,
// axon_queue_waiting) go to Config.Metrics; logs to Config.Logger. Shutdown stops accepting,
// lets requests finish and waits for every handler.
//
// A dendrite may ask for a signed answer (header gotensor-sign-response: 1); the axon then
// signs its 200 answers with its hotkey (synapse.ResponseSignatureMessage).
//
// Bittensor's header names contain underscores; a reverse proxy in front of an axon must
// pass them (nginx: underscores_in_headers on).
package axon
