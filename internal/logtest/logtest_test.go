package logtest

import (
	"errors"
	"sync"
	"testing"
)

func TestBufferRecords(t *testing.T) {
	var b Buffer
	log := b.JSONLogger()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { log.Warn("careful", "n", i) })
	}
	wg.Wait()
	log.Info("fine")
	log.Error("broke", "err", errors.New("disk full"))
	warns, err := Records[struct {
		Msg string
		N   int
	}](&b, "WARN")
	if err != nil || len(warns) != 8 || warns[0].Msg != "careful" {
		t.Fatalf("warnings %+v, %v", warns, err)
	}
	all, err := Records[map[string]any](&b, "")
	if err != nil || len(all) != 10 || all[9]["err"] != "disk full" {
		t.Fatalf("all records %v, %v", all, err)
	}
	b.Write([]byte("not json\n"))
	if _, err := Records[map[string]any](&b, ""); err == nil {
		t.Fatal("a line that is not JSON was read as a record")
	}
}
