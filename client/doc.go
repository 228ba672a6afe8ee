// Package client talks to a Gotensor node over CometBFT's RPC: typed
// queries, and transaction submission with a per-signer nonce manager and
// three wait modes.
//
// One Client per process is enough: it is safe for concurrent use, retries
// transport failures with backoff across its endpoints, and Close releases
// its connections.
//
//	c, err := client.Dial(ctx, client.Config{Endpoints: []string{client.Network("local")}})
//	defer c.Close()
//	acct, err := c.Account(ctx, "5Grw...")
//	rcpt, err := c.Submit(ctx, kp, client.Transfer("5FHn...", 1e9), client.SubmitOptions{Wait: client.WaitFinal})
//
// SubscribeBlocks streams committed blocks from the node's websocket events,
// polling the head while the websocket is unavailable.
//
// Errors from the chain are *ChainError values; errors.Is matches them
// against the chain's sentinels (for example balances.ErrInsufficientBalance)
// by codespace and code.
package client
