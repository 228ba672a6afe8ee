// Package dendrite is a validator's client for Bittensor synapses (reference §2.4,
// SDK-SPEC "Wire protocol"): it signs each request with the validator's hotkey, sends it to
// an axon over pooled HTTP connections and fills the synapse with the answer. It speaks the
// Bittensor header scheme, so it can query Python miners, or Epistula.
//
//	d, err := dendrite.New(hotkey, dendrite.Config{})
//	defer d.Close()
//
//	// One axon:
//	syn := &Dummy{DummyInput: 5}
//	err = d.Call(ctx, axonInfo, syn) // nil, or a *synapse.StatusError
//
//	// A whole subnet, under one deadline:
//	answers, err := dendrite.QueryAs(ctx, d, metagraphAxons, &Dummy{DummyInput: 5}, 12*time.Second)
//	for _, a := range answers {
//		if a.Dendrite.IsSuccess() { ... }
//	}
//
// Every outcome lands in the synapse's Dendrite terminal info, as in Bittensor: the status
// code and message, and process_time. Transport failures are mapped as the Python dendrite
// maps them (reference §2.4 item 7): a timeout is 408, an unreachable axon 503, a dropped
// connection 503, a broken body 400, an unparsable answer 422. Nothing an axon sends makes
// a call panic.
//
// Connections are pooled per axon (Config.MaxConnsPerHost, MaxIdleConnsPerHost) and reused
// between rounds; Close cancels calls in progress, waits for them and closes every socket,
// so a long-running validator does not accumulate connections (USER-PAIN 11). The dendrite
// never looks up its external IP from an outside service; set Config.ExternalIP to report it.
//
// Signed answers: with Config.VerifyResponses the dendrite asks Gotensor axons to sign their
// answers and refuses (401) a 200 answer its axon's hotkey did not sign, so a man in the
// middle cannot change it. Python axons do not sign; leave it off for them.
//
// Private destinations: axon addresses come from the chain, where any miner publishes what
// it likes. With Config.RefusePrivate a dendrite refuses to connect to loopback, private,
// carrier-grade NAT, link-local (the cloud metadata service), unspecified, multicast and IPv6
// unique-local addresses, checked on the address each connection actually goes to; the
// operator's Config.AllowDestinations and the ExternalIP shortcut stay allowed. The dendrite
// never follows a redirect. Off by default, as in Bittensor; the user gateway turns it on.
//
// Streaming synapses: Stream returns once the axon's headers arrive; read the body as an
// io.Reader or as server-sent events with Events, then Close.
package dendrite
