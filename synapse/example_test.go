package synapse_test

import (
	"fmt"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Dummy is the subnet template's synapse.
type Dummy struct {
	synapse.Base
	DummyInput  int  `json:"dummy_input" bt:"required"`
	DummyOutput *int `json:"dummy_output"`
}

// RequiredHashFields makes the dendrite's signature cover dummy_input.
func (*Dummy) RequiredHashFields() []string { return []string{"dummy_input"} }

func ExampleBodyHash() {
	h, err := synapse.BodyHash(&Dummy{DummyInput: 5})
	if err != nil {
		panic(err)
	}
	fmt.Println(h) // sha3(sha3("5")), as Python's Synapse.body_hash
	// Output: 4fae6364bdbf7a0def40e782ea7656d4bc96dd42a6eaf71d62b977d74e733ecf
}

func ExamplePyStr() {
	for _, v := range []any{
		"it's",
		[]string{"it's", "plain"},
		map[string]any{"b": 1.0, "a": nil},
		[]float64{1, 1e-5, 1e16},
		true,
	} {
		s, _ := synapse.PyStr(v)
		fmt.Println(s)
	}
	// Output:
	// it's
	// ["it's", 'plain']
	// {'a': None, 'b': 1.0}
	// [1.0, 1e-05, 1e+16]
	// True
}

func ExamplePrepareRequest() {
	validator, _ := keys.FromURI("//Alice")
	miner, _ := keys.FromURI("//Bob")
	target := synapse.AxonInfo{IP: "127.0.0.1", Port: 8091, Hotkey: miner.Public()}

	d := &Dummy{DummyInput: 5}
	body, header, err := synapse.PrepareRequest(d, validator, target, synapse.RequestOptions{Nonce: 1, UUID: "u"})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(body) > 0, header["name"][0], header["bt_header_dendrite_nonce"][0])
	fmt.Printf("%s\n", synapse.SignatureMessage(1, validator.SS58(), miner.SS58(), "u", header["computed_body_hash"][0])[:20])
	// Output:
	// true Dummy 1
	// 1.5GrwvaEF5zXb26Fz9r
}

func ExampleRegistry() {
	var r synapse.Registry
	if _, err := r.Register((*Dummy)(nil)); err != nil {
		panic(err)
	}
	if _, err := r.Register((*synapse.Ping)(nil)); err != nil {
		panic(err)
	}
	t, _ := r.Lookup("Dummy")
	s, hash, err := t.Decode([]byte(`{"name": "Dummy", "dummy_input": 5}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Names(), s.(*Dummy).DummyInput, hash[:8])
	// Output: [Dummy Synapse] 5 4fae6364
}
