// Package neuron is the runtime of a subnet's miners and validators: the Bittensor subnet
// template's base miner and base validator (reference §6.1, SDK-SPEC "Neuron runtime"),
// without the template's known bugs. A subnet supplies its synapse handler (miner) and its
// Forwarder (validator); subnets/template is the smallest complete example and
// docs/subnet-builder.md the walk-through.
//
// A miner:
//
//	c, _ := client.Dial(ctx, cfg.ClientConfig())
//	m, _ := neuron.NewMiner(cfg, c, hotkey)
//	axon.Handle[Dummy](m.Axon(), axon.HandlerFunc[*Dummy](forward))
//	err := m.Run(ctx) // until ctx ends
//
// A validator:
//
//	v, _ := neuron.NewValidator(cfg, c, hotkey, neuron.Challenge(challenge, reward))
//	err := v.Run(ctx)
//
// # What the runtime does
//
// The Miner's axon takes the metagraph as its axon.Registry: a caller whose hotkey is not
// registered on the subnet gets 403 before its body is read (the template raised on unknown
// hotkeys and answered 500), by default a caller needs a validator permit, and queued
// requests are served highest stake first. The metagraph is refreshed when the chain head
// moved, looked at every Neuron.SyncInterval (the template re-syncs in a tight loop once
// epoch_length blocks pass, because it waits on last_update, which miners never change).
// At start the miner publishes its axon with serve_axon when Axon.ExternalIP is set, and
// not when the chain already has the same endpoint; it never asks an outside service for
// its IP.
//
// Each Validator step samples up to Neuron.SampleSize miners (uids with a served axon, not
// itself, not validators holding a permit and more than Neuron.VpermitTAOLimit stake),
// queries them through the Forwarder with Neuron.Timeout as deadline (the template ignores
// --neuron.timeout), and folds each reward into a moving average per uid (Scores). A uid
// whose hotkey changed starts from 0, and an unqueried uid keeps its score. Weights are the
// scores normalised to the subnet's min_allowed_weights and max_weights_limit (Weights),
// sent only when Decide finds every chain rule met: a validator permit, the version key,
// weights_set_rate_limit and Neuron.EpochLength blocks since the uid's last_update. With
// commit-reveal on, the validator commits (keeping the salt in Neuron.StateFile first),
// waits for the reveal epoch the chain names (looking at the chain every second between
// steps meanwhile, so long steps do not miss a short epoch), reveals, and retries until the
// chain takes or definitively refuses the reveal (WeightsTracker). Every transaction waits for inclusion, so a failure is
// the chain's typed error with what to do ("next allowed at block N"), logged, and retried
// at a later step.
//
// # Configuration
//
// Config's zero value is valid (subnet 1 on the local network, the default wallet). The
// binaries resolve it with LoadConfig from the template's flags (--netuid, --wallet.name,
// --wallet.hotkey, --wallet.path, --subtensor.network, --subtensor.chain_endpoint,
// --axon.port, --axon.external_ip, --axon.external_port, --neuron.sample_size,
// --neuron.moving_average_alpha, --neuron.timeout, ...), GOTENSOR_* variables and a JSON or
// TOML file; the library itself reads no environment.
//
// On one machine (localnet), publish a private address such as 10.0.0.1 with
// --axon.external_ip and give validators the same --axon.external_ip: a dendrite dials an
// axon published at its own external IP on 127.0.0.1, as Bittensor's does, and the chain
// refuses 127.0.0.1 itself.
//
// # Lifecycle
//
// Run returns after every goroutine it started has ended: nil when ctx ended, else the
// failure (ErrNotRegistered when the hotkey has no uid or loses it). With
// Neuron.HealthAddr set, GET /healthz answers Health as JSON: the block and time of the last
// sync, the last weights block, the step, why weights are not being set; 200 while synced,
// 503 otherwise. Logs go to Config.Logger (nil: none), with constant messages and the keys
// netuid, uid, hotkey, height, tx_hash, err.
package neuron
