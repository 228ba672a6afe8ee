package dendrite_test

import (
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
)

// TestNoLeaks makes 10,000 calls over loopback (2,000 under the race detector) from 8
// goroutines, closes the dendrite, and checks that goroutines and sockets are back where they
// were (USER-PAIN 11: sockets that accumulate).
func TestNoLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 calls")
	}
	axontest.CheckLeaks(t)
	ax := startAxon(t)
	socketsBefore, fdsBefore := axontest.Sockets(), axontest.OpenFDs()
	calls := 10_000
	if raceEnabled {
		calls = 2_000
	}
	d, err := dendrite.New(validator, dendrite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	work := make(chan int)
	var mu sync.Mutex
	failed := 0
	for range 8 {
		wg.Go(func() {
			for i := range work {
				if err := d.Call(t.Context(), ax, &Dummy{DummyInput: i}); err != nil {
					mu.Lock()
					failed++
					if failed < 3 {
						t.Error(err)
					}
					mu.Unlock()
				}
			}
		})
	}
	start := time.Now()
	for i := range calls {
		work <- i
	}
	close(work)
	wg.Wait()
	el := time.Since(start)
	during := axontest.Sockets()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls in %v (%.0f calls/s); sockets: %d before, %d during, failed %d",
		calls, el.Round(time.Millisecond), float64(calls)/el.Seconds(), socketsBefore, during, failed)
	if during-socketsBefore > 2*8+2 {
		t.Errorf("%d sockets open for 8 concurrent callers: connections are not reused", during-socketsBefore)
	}
	for deadline := time.Now().Add(5 * time.Second); axontest.Sockets() > socketsBefore || axontest.OpenFDs() > fdsBefore; {
		if time.Now().After(deadline) {
			t.Fatalf("after Close: %d sockets and %d descriptors open; %d and %d before the calls",
				axontest.Sockets(), axontest.OpenFDs(), socketsBefore, fdsBefore)
		}
		time.Sleep(10 * time.Millisecond) // the axon closes its side when it reads our close
	}
}
