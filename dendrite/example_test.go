package dendrite_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// serveExample starts a miner for the examples and returns its info and a stop function.
func serveExample(validator *keys.Keypair) (synapse.AxonInfo, func()) {
	miner, _ := keys.FromURI("//Ferdie")
	a, _ := axon.New(miner, axon.Config{Addr: "127.0.0.1:0", Registry: axon.StaticRegistry{validator.Public(): {ValidatorPermit: true}}})
	_ = axon.Handle(a, axon.HandlerFunc[*Dummy](double))
	ln, err := a.Listen()
	if err != nil {
		panic(err)
	}
	go a.Serve(ln)
	return a.Info(), func() { a.Shutdown(context.Background()) }
}

func ExampleDendrite_Call() {
	validator, _ := keys.FromURI("//Alice")
	info, stop := serveExample(validator)
	defer stop()

	d, err := dendrite.New(validator, dendrite.Config{})
	if err != nil {
		panic(err)
	}
	defer d.Close()
	syn := &Dummy{DummyInput: 4}
	err = d.Call(context.Background(), info, syn)
	fmt.Println(err, *syn.DummyOutput, syn.Dendrite.StatusCode)
	// Output: <nil> 8 200
}

func ExampleQueryAs() {
	validator, _ := keys.FromURI("//Alice")
	info, stop := serveExample(validator)
	defer stop()
	down := synapse.AxonInfo{IP: "0.0.0.0", Port: 8091} // a miner that is not serving

	d, _ := dendrite.New(validator, dendrite.Config{})
	defer d.Close()
	answers, err := dendrite.QueryAs(context.Background(), d, []synapse.AxonInfo{info, down}, &Dummy{DummyInput: 1}, 2*time.Second)
	if err != nil {
		panic(err)
	}
	for _, a := range answers {
		if a.Dendrite.IsSuccess() {
			fmt.Println("output", *a.DummyOutput)
		} else {
			fmt.Println("failed", a.Dendrite.StatusCode)
		}
	}
	// Output:
	// output 2
	// failed 503
}
