// Package tx is the transaction envelope: decoding with size limits,
// signature verification over the exact bytes received, and building and
// signing transactions for clients.
//
// The wire format is protobuf (proto/gotensor/tx/v1). A transaction is
// Tx{body, signature}; the signature covers SigningPayload(body), which is
// a fixed domain tag followed by the body bytes, so a signature made for a
// transaction can never be passed off as a signed message elsewhere and
// vice versa.
package tx
