package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// FuzzBlocks executes arbitrary calls, from signers with and without funds,
// sudo and subnet ownership, in blocks followed by empty blocks (so epochs,
// emission and governance tallies run), and checks that block execution
// never fails or panics (either would halt the chain), that every
// query still answers, that issuance equals what accounts, pools and
// deposits hold, and that the same input gives the same app hash twice.
//
// The input is: one byte of trailing empty blocks, then records of a signer
// byte (bit 7: end the block after this transaction), a big-endian u16
// length and that many bytes of a txpb.Call. The seeds hold one record of
// every call kind. Run it longer with
//
//	go test ./chain/app -run '^$' -fuzz FuzzBlocks -fuzztime 5m
func FuzzBlocks(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		first := runFuzzBlocks(t, data)
		if again := runFuzzBlocks(t, data); !bytes.Equal(first, again) {
			t.Fatalf("the same blocks gave app hashes %x and %x", first, again)
		}
	})
}

// fuzzSigners: the sudo key and subnet owner, an account with a little
// TAO, subnet 1's owner hotkey, a staker with TAO, and a key with nothing.
func fuzzSigners(t testing.TB) []*keys.Keypair {
	return []*keys.Keypair{dev(t, "Alice"), dev(t, "Bob"), keyN(100), keyN(5000), keyN(9999)}
}

func runFuzzBlocks(t *testing.T, data []byte) []byte {
	h := stakingHarness(t, 2)
	signers := fuzzSigners(t)
	h.okc(signers[0], &txpb.SudoSetBalance{Who: signers[3].SS58(), Free: 10_000 * balances.RAOPerTAO})
	h.okc(signers[0], &txpb.SudoSetBalance{Who: signers[2].SS58(), Free: 100 * balances.RAOPerTAO})
	idle := 0
	if len(data) > 0 {
		idle, data = int(data[0]%32), data[1:]
	}
	var hash []byte
	var pending [][]byte
	next := map[keys.PublicKey]uint64{}
	flush := func() {
		hash = fuzzBlock(t, h, pending)
		pending = pending[:0]
		clear(next) // nonces are read again from state: a refused transaction leaves a gap
	}
	for len(data) >= 3 {
		who, n := data[0], int(binary.BigEndian.Uint16(data[1:3]))
		data = data[3:]
		n = min(n, len(data))
		raw := data[:n]
		data = data[n:]
		var c txpb.Call
		if proto.Unmarshal(raw, &c) != nil {
			continue
		}
		kp := signers[int(who&0x7f)%len(signers)]
		nonce, ok := next[kp.Public()]
		if !ok {
			nonce = h.nonce(kp)
		}
		signed, err := tx.Sign(kp, tx.Build{Nonce: nonce, ChainID: chainID, ValidUntil: uint64(h.height + 10), Call: &c})
		if err != nil {
			continue // too large to sign: CheckTx's size limit is FuzzDecode's (chain/tx) business
		}
		next[kp.Public()] = nonce + 1
		h.check(signed) // the mempool's checks must not panic either
		pending = append(pending, signed)
		if who&0x80 != 0 || len(pending) == 8 {
			flush()
		}
	}
	flush()
	for range idle {
		hash = fuzzBlock(t, h, nil)
	}
	checkSupply(t, h)
	for _, path := range []string{"/params", "/subnets", "/subnets/1", "/subnets/1/metagraph_full", "/subnets/2/metagraph",
		"/subnets/0/metagraph", "/subnets/1/hyperparameters", "/subnets/1/neurons", "/subnets/1/commitments", "/delegates",
		"/stake/" + signers[3].SS58(), "/governance/proposals", "/governance/params", "/network_params", "/lock_cost",
		"/quote/add_stake?netuid=1&amount=1000000000", "/quote/remove_stake?netuid=2&amount=1000000000", "/genesis"} {
		r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: path})
		if err != nil || r.Code == QueryCodeGone {
			t.Fatalf("query %s after the blocks: %v %v", path, err, r.Log)
		}
	}
	return hash
}

// fuzzBlock finalizes and commits one block and returns its app hash.
func fuzzBlock(t *testing.T, h *harness, txs [][]byte) []byte {
	t.Helper()
	h.height++
	resp, err := h.app.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: h.height, Txs: txs,
		Time: time.Unix(1700000000+h.height, 0), ProposerAddress: proposer})
	if err != nil {
		t.Fatalf("block %d: %v", h.height, err)
	}
	if _, err := h.app.Commit(context.Background(), &abci.CommitRequest{}); err != nil {
		t.Fatalf("commit %d: %v", h.height, err)
	}
	return resp.AppHash
}

// fuzzSeeds: one record of every call kind, on the harness's subnets and
// keys, then blocks enough for an epoch.
func fuzzSeeds() [][]byte {
	alice, _ := keys.FromURI("//Alice")
	bob, _ := keys.FromURI("//Bob")
	hk1, hk2, staker, nobody := keyN(100).SS58(), keyN(200).SS58(), keyN(5000).SS58(), keyN(9999).SS58()
	const tao = balances.RAOPerTAO
	type rec struct {
		who byte
		c   any // a txpb.Call_* oneof wrapper
	}
	ident := &txpb.SubnetIdentity{SubnetName: "fuzz", GithubRepo: "https://github.com/x/y"}
	recs := []rec{
		{1, &txpb.Call_Transfer{Transfer: &txpb.Transfer{Dest: nobody, Value: tao}}},
		{3, &txpb.Call_TransferKeepAlive{TransferKeepAlive: &txpb.TransferKeepAlive{Dest: bob.SS58(), Value: 2 * tao}}},
		{1, &txpb.Call_TransferAll{TransferAll: &txpb.TransferAll{Dest: staker, KeepAlive: true}}},
		{0, &txpb.Call_SudoSetBalance{SudoSetBalance: &txpb.SudoSetBalance{Who: nobody, Free: 5 * tao}}},
		{0, &txpb.Call_SudoSetParameter{SudoSetParameter: &txpb.SudoSetParameter{Name: "subnet_limit", Value: 4}}},
		{0 | 0x80, &txpb.Call_SetHyperparameter{SetHyperparameter: &txpb.SetHyperparameter{Netuid: 1, Name: "tempo", Value: 3}}},
		{0, &txpb.Call_RegisterNetwork{RegisterNetwork: &txpb.RegisterNetwork{Hotkey: keyN(300).SS58(), Identity: ident}}},
		{0, &txpb.Call_StartCall{StartCall: &txpb.StartCall{Netuid: 3}}},
		{0, &txpb.Call_SetSubnetIdentity{SetSubnetIdentity: &txpb.SetSubnetIdentity{Netuid: 1, Identity: ident}}},
		{3, &txpb.Call_SetIdentity{SetIdentity: &txpb.SetIdentity{Identity: &txpb.ChainIdentity{Name: "staker"}}}},
		{3, &txpb.Call_BurnedRegister{BurnedRegister: &txpb.BurnedRegister{Netuid: 1, Hotkey: staker}}},
		{0, &txpb.Call_RegisterLimit{RegisterLimit: &txpb.RegisterLimit{Netuid: 2, Hotkey: bob.SS58(), LimitPrice: 1000 * tao}}},
		{3 | 0x80, &txpb.Call_ServeAxon{ServeAxon: &txpb.ServeAxon{Netuid: 1, Version: 1, Ip: []byte{10, 0, 0, 1}, Port: 8091, IpType: 4}}},
		{3, &txpb.Call_ServePrometheus{ServePrometheus: &txpb.ServePrometheus{Netuid: 1, Version: 1, Ip: []byte{10, 0, 0, 1}, Port: 9100, IpType: 4}}},
		{3, &txpb.Call_SetCommitment{SetCommitment: &txpb.SetCommitment{Netuid: 1, Data: []byte("model v1")}}},
		{3, &txpb.Call_AddStake{AddStake: &txpb.AddStake{Hotkey: hk1, Netuid: 1, Amount: 100 * tao}}},
		{3, &txpb.Call_AddStakeLimit{AddStakeLimit: &txpb.AddStakeLimit{Hotkey: hk2, Netuid: 2, Amount: 50 * tao, LimitPrice: 2 * tao, AllowPartial: true}}},
		{3, &txpb.Call_AddStake{AddStake: &txpb.AddStake{Hotkey: hk1, Netuid: 0, Amount: 100 * tao}}},
		{3 | 0x80, &txpb.Call_RemoveStake{RemoveStake: &txpb.RemoveStake{Hotkey: hk1, Netuid: 1, Amount: tao}}},
		{3, &txpb.Call_RemoveStakeLimit{RemoveStakeLimit: &txpb.RemoveStakeLimit{Hotkey: hk1, Netuid: 1, Amount: tao, LimitPrice: 1, AllowPartial: true}}},
		{3, &txpb.Call_MoveStake{MoveStake: &txpb.MoveStake{OriginHotkey: hk1, DestinationHotkey: hk2, OriginNetuid: 1, DestinationNetuid: 2, AlphaAmount: tao}}},
		{3, &txpb.Call_TransferStake{TransferStake: &txpb.TransferStake{DestinationColdkey: bob.SS58(), Hotkey: hk1, OriginNetuid: 1, DestinationNetuid: 1, AlphaAmount: tao}}},
		{3, &txpb.Call_SwapStake{SwapStake: &txpb.SwapStake{Hotkey: hk1, OriginNetuid: 1, DestinationNetuid: 2, AlphaAmount: tao}}},
		{3 | 0x80, &txpb.Call_SwapStakeLimit{SwapStakeLimit: &txpb.SwapStakeLimit{Hotkey: hk2, OriginNetuid: 2, DestinationNetuid: 1, AlphaAmount: tao, LimitPrice: 1, AllowPartial: true}}},
		{3, &txpb.Call_RemoveStakeFullLimit{RemoveStakeFullLimit: &txpb.RemoveStakeFullLimit{Hotkey: hk2, Netuid: 2}}},
		{3, &txpb.Call_UnstakeAllAlpha{UnstakeAllAlpha: &txpb.UnstakeAllAlpha{Hotkey: hk1}}},
		{3, &txpb.Call_UnstakeAll{UnstakeAll: &txpb.UnstakeAll{Hotkey: hk1}}},
		{0, &txpb.Call_DecreaseTake{DecreaseTake: &txpb.DecreaseTake{Hotkey: hk1, Take: 5000}}},
		{0, &txpb.Call_IncreaseTake{IncreaseTake: &txpb.IncreaseTake{Hotkey: hk1, Take: 6000}}},
		{0 | 0x80, &txpb.Call_RootRegister{RootRegister: &txpb.RootRegister{Hotkey: hk1}}},
		{2, &txpb.Call_SetWeights{SetWeights: &txpb.SetWeights{Netuid: 1, Uids: []uint32{0, 1}, Weights: []uint32{1, 65535}}}},
		{2, &txpb.Call_CommitWeights{CommitWeights: &txpb.CommitWeights{Netuid: 2, CommitHash: bytes.Repeat([]byte{7}, 32)}}},
		{2, &txpb.Call_RevealWeights{RevealWeights: &txpb.RevealWeights{Netuid: 2, Uids: []uint32{0}, Weights: []uint32{1}, Salt: []uint32{1, 2}}}},
		{0, &txpb.Call_Propose{Propose: &txpb.Propose{Title: "tempo", Description: "d", Deposit: 10 * tao,
			Kind: &txpb.Propose_ParameterChange{ParameterChange: &txpb.ParameterChange{HasNetuid: true, Netuid: 1, Name: "tempo", Value: 5}}}}},
		{3, &txpb.Call_Propose{Propose: &txpb.Propose{Title: "dissolve", Deposit: 10 * tao, Kind: &txpb.Propose_DissolveSubnet{DissolveSubnet: &txpb.DissolveSubnet{Netuid: 2}}}}},
		{3, &txpb.Call_Propose{Propose: &txpb.Propose{Title: "upgrade", Deposit: 10 * tao, Kind: &txpb.Propose_UpgradePlan{UpgradePlan: &txpb.UpgradePlan{Name: "v2", Height: 1000}}}}},
		{3, &txpb.Call_Propose{Propose: &txpb.Propose{Title: "safe", Deposit: 10 * tao, Kind: &txpb.Propose_SafeMode{SafeMode: &txpb.SafeMode{On: true}}}}},
		{3, &txpb.Call_Propose{Propose: &txpb.Propose{Title: "retire", Deposit: 10 * tao, Kind: &txpb.Propose_RetireSudo{RetireSudo: &txpb.RetireSudo{}}}}},
		{3 | 0x80, &txpb.Call_Propose{Propose: &txpb.Propose{Title: "text", Deposit: 10 * tao, Kind: &txpb.Propose_Text{Text: &txpb.Text{}}}}},
		{3, &txpb.Call_Deposit{Deposit: &txpb.Deposit{ProposalId: 1, Amount: tao}}},
		{3, &txpb.Call_Vote{Vote: &txpb.Vote{ProposalId: 1, Option: txpb.VoteOption_VOTE_OPTION_YES}}},
		{0, &txpb.Call_Vote{Vote: &txpb.Vote{ProposalId: 2, Option: txpb.VoteOption_VOTE_OPTION_VETO}}},
		{0, &txpb.Call_SudoSetSafeMode{SudoSetSafeMode: &txpb.SudoSetSafeMode{On: true}}},
		{1, &txpb.Call_Transfer{Transfer: &txpb.Transfer{Dest: alice.SS58(), Value: tao}}},
		{0, &txpb.Call_SudoSetSafeMode{SudoSetSafeMode: &txpb.SudoSetSafeMode{On: false}}},
		{0, &txpb.Call_SudoDissolveNetwork{SudoDissolveNetwork: &txpb.SudoDissolveNetwork{Netuid: 3}}},
	}
	encode := func(idle byte, rs []rec) []byte {
		out := []byte{idle}
		for _, r := range rs {
			c := &txpb.Call{}
			reflect.ValueOf(c).Elem().FieldByName("Call").Set(reflect.ValueOf(r.c))
			b, err := proto.Marshal(c)
			if err != nil {
				panic(err)
			}
			out = append(out, r.who)
			out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
			out = append(out, b...)
		}
		return out
	}
	seeds := [][]byte{encode(25, recs)}
	for _, r := range recs { // each call alone too, so the fuzzer mutates every kind from a short input
		seeds = append(seeds, encode(4, []rec{r}))
	}
	return append(seeds, []byte{}, []byte(strings.Repeat("\x01\x00\x05hello", 3)))
}
