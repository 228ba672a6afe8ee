package template

import "github.com/gotensor/gotensor/synapse"

// SpecVersion is this subnet code's version, 1000·major + 10·minor + patch as the Bittensor
// template's __spec_version__. Validators send it as the weights version key; the owner
// raises the subnet's weights_version_key to make validators upgrade.
const SpecVersion = 1000*1 + 10*0 + 0

// Dummy is the template's question: the validator sets DummyInput, the miner answers with
// DummyOutput = 2 × DummyInput.
type Dummy struct {
	synapse.Base
	DummyInput  int  `json:"dummy_input" bt:"required"`
	DummyOutput *int `json:"dummy_output"`
}

// RequiredHashFields makes the dendrite's signature cover the question, so a man in the
// middle cannot change it.
func (*Dummy) RequiredHashFields() []string { return []string{"dummy_input"} }
