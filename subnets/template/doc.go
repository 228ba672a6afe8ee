// Package template is the smallest complete subnet, the one to copy when making a new one
// (docs/subnet-builder.md walks through it). It has the three parts every subnet has:
//
//   - protocol.go: the synapse miners and validators exchange, Dummy: the validator sends a
//     number, the miner answers its double. SpecVersion is the code's version, sent as the
//     weights version key.
//   - miner.go: Forward, the miner's work, served by a neuron.Miner (NewMiner).
//   - validator.go: Challenge and Reward, the validator's question and how it scores an
//     answer, run by a neuron.Validator (NewValidator).
//
// cmd/template-miner and cmd/template-validator are the binaries; they take the Bittensor
// template's flags (--netuid, --wallet.name, --wallet.hotkey, --axon.port, ...; see
// neuron.LoadConfig), also from GOTENSOR_* variables and a --config file.
//
// Dummy has the field names of the Bittensor template's Dummy (dummy_input, dummy_output)
// and route "Dummy", but declares dummy_input as a hashed field so the dendrite's signature
// covers the question (RaoFoundation/bittensor#3407); Python's Dummy hashes nothing, so to
// talk to Python template neurons drop RequiredHashFields.
package template
