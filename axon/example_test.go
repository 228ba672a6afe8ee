package axon_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// A miner serving the template's Dummy synapse to one validator, called by a dendrite.
func Example() {
	miner, _ := keys.FromURI("//Ferdie")
	validator, _ := keys.FromURI("//Alice")

	a, err := axon.New(miner, axon.Config{
		Addr: "127.0.0.1:0",
		// The metagraph implements Registry; here, one validator with a permit.
		Registry: axon.StaticRegistry{validator.Public(): {UID: 0, Stake: 1000e9, ValidatorPermit: true}},
	})
	if err != nil {
		panic(err)
	}
	err = axon.Handle(a, axon.HandlerFunc[*Dummy](func(ctx context.Context, d *Dummy) error {
		out := 2 * d.DummyInput
		d.DummyOutput = &out
		return nil
	}))
	if err != nil {
		panic(err)
	}
	ln, err := a.Listen()
	if err != nil {
		panic(err)
	}
	go a.Serve(ln) // returns http.ErrServerClosed after Shutdown
	defer a.Shutdown(context.Background())

	d, _ := dendrite.New(validator, dendrite.Config{})
	defer d.Close()
	syn := &Dummy{DummyInput: 21}
	if err := d.Call(context.Background(), a.Info(), syn); err != nil {
		panic(err)
	}
	fmt.Println(*syn.DummyOutput, syn.Dendrite.StatusCode, syn.Dendrite.StatusMessage)

	// A caller the registry does not know is refused before its signature is even checked.
	stranger, _ := keys.FromURI("//Dave")
	d2, _ := dendrite.New(stranger, dendrite.Config{})
	defer d2.Close()
	refused := &Dummy{DummyInput: 1}
	err = d2.Call(context.Background(), a.Info(), refused)
	var se *synapse.StatusError
	fmt.Println(errors.As(err, &se), refused.Dendrite.StatusCode, refused.Dendrite.StatusMessage)
	// Output:
	// 42 200 Success
	// true 403 Forbidden. Key is blacklisted: hotkey 5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy is not registered on this subnet.
}

// A handler type with the optional hooks Bittensor users know: blacklist and priority.
type dummyMiner struct{}

func (dummyMiner) Forward(ctx context.Context, d *Dummy) error {
	out := 2 * d.DummyInput
	d.DummyOutput = &out
	return nil
}

// Blacklist refuses callers without a validator permit (Bittensor's blacklist_fn).
func (dummyMiner) Blacklist(ctx context.Context, r *axon.Request) (bool, string) {
	if !r.Caller.ValidatorPermit {
		return true, "validator permit required"
	}
	return false, ""
}

// Priority serves higher stake first (Bittensor's priority_fn).
func (dummyMiner) Priority(ctx context.Context, r *axon.Request) float64 {
	return float64(r.Caller.Stake)
}

func ExampleHandle() {
	miner, _ := keys.FromURI("//Ferdie")
	a, _ := axon.New(miner, axon.Config{AllowNoPermit: true})
	if err := axon.Handle(a, axon.Handler[*Dummy](dummyMiner{})); err != nil {
		panic(err)
	}
	fmt.Println(a.Info().Port, a.Info().IP)
	// Output: 0 0.0.0.0
}

// A streaming synapse sends chunks as they are ready.
func ExampleHandleStream() {
	miner, _ := keys.FromURI("//Ferdie")
	a, _ := axon.New(miner, axon.Config{})
	err := axon.HandleStream(a, axon.StreamHandlerFunc[*Dummy](func(ctx context.Context, d *Dummy, w *axon.Stream) error {
		for i := range d.DummyInput {
			if err := w.WriteEvent("token", fmt.Appendf(nil, "%d", i)); err != nil {
				return err
			}
		}
		return nil
	}))
	fmt.Println(err)
	// Output: <nil>
}
