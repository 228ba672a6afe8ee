package gateway_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/gateway"
)

// TestAccounting covers the in-memory side of accounts over a real node and miner: usage
// written behind and flushed whole on graceful shutdown, the auth cache against revoke
// and rotate, and the credit bound under concurrent paid requests.
func TestAccounting(t *testing.T) {
	nw := startNetwork(t)

	t.Run("usage written behind is all in the store after a graceful shutdown", func(t *testing.T) {
		cfg := baseConfig(nw, false)
		cfg.FlushInterval = time.Hour // nothing is flushed but at the start and the end
		path := t.TempDir() + "/gw.db"
		cfg.SQLitePath = path
		g := startGateway(t, nw, cfg)
		id, key, _ := createKey(t, g, "free")
		const n = 24
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", fmt.Sprint("hello ", i), false)); resp.StatusCode != 200 {
					t.Errorf("%d %v", resp.StatusCode, out)
				}
			})
		}
		wg.Wait()
		today := time.Now().UTC().Format(time.DateOnly)
		if us, err := g.gw.Store().Usage(t.Context(), id, today); err != nil || len(us) != 0 {
			t.Fatalf("usage in the store before shutdown: %v %v (want none: it is written behind)", us, err)
		}
		g.stop()
		s, err := gateway.OpenStore(t.Context(), path, "")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		us, err := s.Usage(t.Context(), id, today)
		if err != nil {
			t.Fatal(err)
		}
		// "hello i" is 2 prompt words; the miner's "echo hello i" 3 completion words.
		want := gateway.Usage{KeyID: id, Day: today, Model: "gotensor-echo", Requests: n, PromptTokens: 2 * n, CompletionTokens: 3 * n}
		if len(us) != 1 || us[0] != want {
			t.Fatalf("usage after shutdown %+v, want %+v", us, want)
		}
	})

	t.Run("a revoked or rotated key stops working at once and rotation keeps the counters", func(t *testing.T) {
		cfg := baseConfig(nw, false)
		cfg.FlushInterval = time.Hour // the quota below lives only in memory
		g := startGateway(t, nw, cfg)
		chat := func(key string) int {
			resp, _ := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "a b c", false))
			return resp.StatusCode
		}
		id, key, _ := createKey(t, g, "free")
		if c := chat(key); c != 200 {
			t.Fatalf("fresh key: %d", c)
		}
		if resp, out := call(t, "POST", g.url+"/admin/keys/"+id+"/revoke", "admin-secret", nil); resp.StatusCode != 200 {
			t.Fatalf("revoke: %d %v", resp.StatusCode, out)
		}
		if c := chat(key); c != 401 {
			t.Fatalf("revoked key, cached before: %d, want 401", c)
		}

		// 5 tokens a day: one request of 7 uses them up; the rotated key is the same
		// account, so it is refused too although nothing was flushed.
		qid, qkey, _ := createKey(t, g, "quota")
		if c := chat(qkey); c != 200 {
			t.Fatalf("quota key: %d", c)
		}
		if c := chat(qkey); c != 429 {
			t.Fatalf("quota key over its quota: %d, want 429", c)
		}
		resp, rot := call(t, "POST", g.url+"/admin/keys/"+qid+"/rotate", "admin-secret", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("rotate: %d %v", resp.StatusCode, rot)
		}
		if c := chat(qkey); c != 401 {
			t.Fatalf("old key after rotate: %d, want 401", c)
		}
		if c := chat(rot["key"].(string)); c != 429 {
			t.Fatalf("rotated key over the account's quota: %d, want 429", c)
		}
	})

	t.Run("a key revoked by another gateway sharing the store stops working", func(t *testing.T) {
		cfg := baseConfig(nw, false)
		g := startGateway(t, nw, cfg)
		id, key, _ := createKey(t, g, "free")
		if resp, _ := call(t, "GET", g.url+"/v1/balance", key, nil); resp.StatusCode != 200 {
			t.Fatalf("fresh key: %d", resp.StatusCode)
		}
		// What another gateway's admin API does: the store alone changes.
		if err := g.gw.Store().RevokeKey(t.Context(), id, time.Now().Unix()); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second) // a bound on a hang; KeyRefresh is 200 ms
		for {
			resp, _ := call(t, "GET", g.url+"/v1/balance", key, nil)
			if resp.StatusCode == 401 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("key revoked in the store still answers %d after 30 s", resp.StatusCode)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("concurrent paid requests overspend by at most one request's price", func(t *testing.T) {
		cfg := baseConfig(nw, false)
		g := startGateway(t, nw, cfg)
		id, key, _ := createKey(t, g, "quota")
		const credit = 10_000_000
		if _, err := g.gw.Store().CreditDeposits(t.Context(), 1, []gateway.Deposit{{Height: 1, TxHash: "test-" + id, KeyID: id, From: "test", AmountRAO: credit}}); err != nil {
			t.Fatal(err)
		}
		// Use up the 5 free tokens on the free model.
		if resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "a b c", false)); resp.StatusCode != 200 {
			t.Fatalf("%d %v", resp.StatusCode, out)
		}
		// Each paid request: 1 prompt word + "echo hello" = 3 tokens at 1e9 RAO per 1K.
		const perRequest = 3_000_000
		body := chatBody("gotensor-paid", "hello", false)
		body["max_tokens"] = 2
		var mu sync.Mutex
		codes := map[int]int{}
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, body)
				if resp.StatusCode != 200 && (resp.StatusCode != 429 || openAIError(t, out) != "insufficient_quota") {
					t.Errorf("paid request: %d %v", resp.StatusCode, out)
				}
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
			})
		}
		wg.Wait()
		_, bal := call(t, "GET", g.url+"/v1/balance", key, nil)
		if codes[http.StatusOK] == 0 {
			t.Fatalf("no paid request went through with %d RAO of credit: %v", credit, codes)
		}
		spent := int64(bal["spent_rao"].(float64))
		if spent != int64(codes[http.StatusOK])*perRequest {
			t.Fatalf("spent %d RAO for %d requests of %d", spent, codes[http.StatusOK], perRequest)
		}
		if b := int64(bal["balance_rao"].(float64)); b < -perRequest {
			t.Fatalf("balance %d RAO after %v: overspent by more than one request (%d RAO)", b, codes, perRequest)
		}
	})
}
