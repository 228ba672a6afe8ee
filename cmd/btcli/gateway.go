package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/localnet"
)

// newGatewayCmd is `btcli gateway`: the operator's side of a gateway's admin API (keys and
// limit-raise requests). It talks HTTP to the gateway, not to the chain.
func newGatewayCmd(app *App) *cobra.Command {
	var url, token, lnDir string
	root := &cobra.Command{
		Use:   "gateway",
		Short: "Manage a gateway's API keys and limit-raise requests through its admin API",
		Long: `Manage a running gateway (cmd/gateway, or a localnet's) through its admin API.
--gateway is its URL (env GATEWAY_URL, default http://127.0.0.1:8000; the /v1 base URL
works too) and --admin-token the token it was started with (env GATEWAY_ADMIN_TOKEN).

With neither, btcli uses the gateway of the localnet in --localnet-dir (default: the
folder btcli localnet uses), whose URL and admin token are in its state.json. A created
or rotated key is printed once: store it.`,
	}
	root.PersistentFlags().StringVar(&url, "gateway", "", "gateway URL (env GATEWAY_URL; default http://127.0.0.1:8000, or the localnet's)")
	root.PersistentFlags().StringVar(&token, "admin-token", "", "admin token (env GATEWAY_ADMIN_TOKEN; default the localnet's)")
	root.PersistentFlags().StringVar(&lnDir, "localnet-dir", localnet.DefaultDir(), "localnet state folder whose gateway to use when no URL and admin token are given")
	var target *gatewayTarget
	do := func(method, path string, body any) (map[string]any, error) {
		if target == nil {
			t, err := resolveGateway(app, url, token, lnDir, root.PersistentFlags().Changed("localnet-dir"))
			if err != nil {
				return nil, err
			}
			target = &t
		}
		u := target.url
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequest(method, u+path, rd)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+target.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			if target.dir != "" {
				return nil, fmt.Errorf("the localnet gateway at %s is unreachable: %w; is the localnet running? see `btcli localnet status --dir %s`", u, err, target.dir)
			}
			return nil, fmt.Errorf("gateway %s unreachable: %w; check --gateway", u, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return nil, fmt.Errorf("gateway %s answered %s %s with %s and no JSON; is --gateway the gateway's URL?", u, method, path, resp.Status)
		}
		if e, ok := out["error"].(map[string]any); ok {
			return nil, fmt.Errorf("gateway: %v (HTTP %d)", e["message"], resp.StatusCode)
		}
		return out, nil
	}
	show := func(v map[string]any, human func(map[string]any)) error {
		if app.JSON {
			enc := json.NewEncoder(app.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(v)
		}
		human(v)
		return nil
	}
	keyLine := func(k map[string]any) {
		state := "active"
		if r, _ := k["revoked"].(float64); r != 0 {
			state = "revoked"
		}
		fmt.Fprintf(app.Out, "%-22v %-12v %-8v %-8v %-9s %-11s %v\n", k["id"], k["prefix"], k["tier"], state,
			keyLimit(k["requests_per_minute"]), keyLimit(k["tokens_per_day"]), depositAddress(k["deposit_address"]))
	}
	created := func(v map[string]any) {
		fmt.Fprintf(app.Out, "key id:          %v\nAPI key:         %v   (shown once: store it now)\ntier:            %v\ndeposit address: %v\n",
			v["id"], v["key"], v["tier"], depositAddress(v["deposit_address"]))
	}

	keys := &cobra.Command{Use: "keys", Short: "Create, list, revoke and rotate API keys"}
	var name, tier string
	create := &cobra.Command{Use: "create [NAME]", Short: "Create an API key (NAME or --name labels it)", RunE: func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageErrorf("gateway keys create takes one NAME, got %d (%s); quote a name with spaces", len(args), strings.Join(args, " "))
		}
		if len(args) == 1 {
			if cmd.Flags().Changed("name") && name != args[0] {
				return usageErrorf("gateway keys create: NAME %q and --name %q differ; give one of them", args[0], name)
			}
			name = args[0]
		}
		v, err := do("POST", "/admin/keys", map[string]string{"name": name, "tier": tier})
		if err != nil {
			return err
		}
		return show(v, created)
	}}
	create.Flags().StringVar(&name, "name", "", "a label for the key (or pass it as NAME)")
	create.Flags().StringVar(&tier, "tier", "free", "limit tier")
	list := &cobra.Command{Use: "list", Short: "List API keys (REQ/MIN and TOKENS/DAY are a key's own limits; \"tier\": its tier's)", Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		v, err := do("GET", "/admin/keys", nil)
		if err != nil {
			return err
		}
		return show(v, func(v map[string]any) {
			fmt.Fprintf(app.Out, "%-22s %-12s %-8s %-8s %-9s %-11s %s\n", "ID", "PREFIX", "TIER", "STATE", "REQ/MIN", "TOKENS/DAY", "DEPOSIT ADDRESS")
			data, _ := v["data"].([]any)
			for _, k := range data {
				if m, ok := k.(map[string]any); ok {
					keyLine(m)
				}
			}
		})
	}}
	revoke := &cobra.Command{Use: "revoke KEY_ID", Short: "Revoke an API key", Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
		v, err := do("POST", "/admin/keys/"+args[0]+"/revoke", nil)
		if err != nil {
			return err
		}
		return show(v, func(v map[string]any) { fmt.Fprintf(app.Out, "revoked %v\n", v["id"]) })
	}}
	rotate := &cobra.Command{Use: "rotate KEY_ID", Short: "Replace a key's secret; its id, limits, credit and usage stay", Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
		v, err := do("POST", "/admin/keys/"+args[0]+"/rotate", nil)
		if err != nil {
			return err
		}
		return show(v, created)
	}}
	keys.AddCommand(create, list, revoke, rotate)

	limits := &cobra.Command{Use: "limits", Short: "List, approve and reject limit-raise requests"}
	var status string
	lreq := &cobra.Command{Use: "list", Short: "List limit-raise requests", Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		v, err := do("GET", "/admin/limit_requests?status="+status, nil)
		if err != nil {
			return err
		}
		return show(v, func(v map[string]any) {
			fmt.Fprintf(app.Out, "%-20s %-22s %-9s %-10s %-14s %s\n", "ID", "KEY", "STATUS", "REQ/MIN", "TOKENS/DAY", "REASON")
			for _, r := range v["data"].([]any) {
				m := r.(map[string]any)
				fmt.Fprintf(app.Out, "%-20v %-22v %-9v %-10v %-14v %v\n", m["id"], m["key_id"], m["status"], m["requests_per_minute"], m["tokens_per_day"], m["reason"])
			}
		})
	}}
	lreq.Flags().StringVar(&status, "status", "pending", "pending, approved, rejected, or empty for all")
	decide := func(verb string) *cobra.Command {
		return &cobra.Command{Use: verb + " REQUEST_ID", Short: strings.ToUpper(verb[:1]) + verb[1:] + " a limit-raise request", Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
			v, err := do("POST", "/admin/limit_requests/"+args[0]+"/"+verb, nil)
			if err != nil {
				return err
			}
			return show(v, func(v map[string]any) { fmt.Fprintf(app.Out, "%v %v (key %v)\n", v["id"], v["status"], v["key_id"]) })
		}}
	}
	limits.AddCommand(lreq, decide("approve"), decide("reject"))
	root.AddCommand(keys, limits)
	return root
}

// gatewayTarget is the gateway btcli gateway talks to; dir is the localnet
// folder it came from, if it did.
type gatewayTarget struct{ url, token, dir string }

// defaultGatewayURL is cmd/gateway's default listen address.
const defaultGatewayURL = "http://127.0.0.1:8000"

// gatewayBase turns a gateway URL as users have it into the server's root:
// the OpenAI base URL ending in /v1, which localnet prints, works too.
func gatewayBase(u string) string {
	u = strings.TrimRight(u, "/")
	return strings.TrimRight(strings.TrimSuffix(u, "/v1"), "/")
}

// resolveGateway picks the gateway URL and admin token: the flags, then
// GATEWAY_URL and GATEWAY_ADMIN_TOKEN, then the localnet in lnDir (when
// neither a URL nor a token is given, or lnDirSet says --localnet-dir was
// passed, or the given URL is that localnet's gateway).
func resolveGateway(app *App, url, token, lnDir string, lnDirSet bool) (gatewayTarget, error) {
	if lnDirSet {
		if url != "" || token != "" {
			return gatewayTarget{}, usageErrorf("--localnet-dir takes the gateway URL and admin token from that localnet; pass either it or --gateway/--admin-token")
		}
		t, err := localnetGateway(lnDir)
		if err != nil {
			return gatewayTarget{}, err
		}
		if t.token == "" {
			return gatewayTarget{}, fmt.Errorf("no localnet with a gateway admin token in %s (no %s, or its gateway never started); start it with `btcli localnet up --dir %s`", lnDir, localnet.StateFile, lnDir)
		}
		fmt.Fprintf(app.Err, "using the localnet gateway at %s (from %s)\n", t.url, filepath.Join(lnDir, localnet.StateFile))
		return t, nil
	}
	u, t := url, token
	if u == "" {
		u, _ = app.Lookup("GATEWAY_URL")
	}
	if t == "" {
		t, _ = app.Lookup("GATEWAY_ADMIN_TOKEN")
	}
	if t == "" {
		ln, err := localnetGateway(lnDir)
		// A broken or gateway-less localnet folder matters only when nothing else was given.
		if err != nil && u == "" {
			return gatewayTarget{}, err
		}
		if ln.token != "" && (u == "" || gatewayBase(u) == ln.url) {
			fmt.Fprintf(app.Err, "using the localnet gateway at %s (from %s)\n", ln.url, filepath.Join(lnDir, localnet.StateFile))
			return ln, nil
		}
		return gatewayTarget{}, fmt.Errorf("no gateway admin token: pass --admin-token, set GATEWAY_ADMIN_TOKEN, or run a localnet (`btcli localnet up`), whose gateway btcli gateway then uses (from %s, or pass --localnet-dir DIR)",
			filepath.Join(lnDir, localnet.StateFile))
	}
	if u == "" {
		u = defaultGatewayURL
	}
	return gatewayTarget{url: gatewayBase(u), token: t}, nil
}

// localnetGateway reads the gateway URL and admin token of the localnet in
// dir. No state, or no admin token, is the zero target and no error; a
// state whose last run had the gateway off is an error saying so.
func localnetGateway(dir string) (gatewayTarget, error) {
	st, err := localnet.LoadState(dir)
	if err != nil {
		return gatewayTarget{}, fmt.Errorf("localnet: %s in %s: %w (pass --gateway and --admin-token, or another --localnet-dir)", localnet.StateFile, dir, err)
	}
	if st.GatewayAdminToken == "" {
		return gatewayTarget{}, nil
	}
	addr, ok := lastGatewayAddr(st)
	if !ok || addr == "off" {
		return gatewayTarget{}, fmt.Errorf("the localnet in %s had its gateway off in its last run (--gateway.laddr off); restart it with one (`btcli localnet down --dir %s`, then `btcli localnet up --detach --dir %s --gateway.laddr 127.0.0.1:8000`), or pass --gateway and --admin-token for another gateway", dir, dir, dir)
	}
	return gatewayTarget{url: "http://" + addr, token: st.GatewayAdminToken, dir: dir}, nil
}

// keyLimit shows one of a key's own limits from the admin API's key JSON,
// where an omitted (or zero) field means the key's tier's limit.
func keyLimit(v any) string {
	f, ok := v.(float64)
	if !ok || f == 0 {
		return "tier"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// depositAddress shows a key's deposit address, or that the gateway takes no payments
// (it sends none then; printed as is, that read "<nil>").
func depositAddress(v any) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return "none (the gateway takes no TAO payments: it runs without --deposit-seed)"
}
