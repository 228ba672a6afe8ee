package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// newGatewayCmd is `btcli gateway`: the operator's side of a gateway's admin API (keys and
// limit-raise requests). It talks HTTP to the gateway, not to the chain.
func newGatewayCmd(app *App) *cobra.Command {
	var url, token string
	root := &cobra.Command{
		Use:   "gateway",
		Short: "Manage a gateway's API keys and limit-raise requests through its admin API",
		Long: `Manage a running gateway (cmd/gateway) through its admin API. --gateway is its URL
(env GATEWAY_URL, default http://127.0.0.1:8000) and --admin-token the token it was started
with (env GATEWAY_ADMIN_TOKEN). A created or rotated key is printed once: store it.`,
	}
	root.PersistentFlags().StringVar(&url, "gateway", "", "gateway URL (env GATEWAY_URL; default http://127.0.0.1:8000)")
	root.PersistentFlags().StringVar(&token, "admin-token", "", "admin token (env GATEWAY_ADMIN_TOKEN)")
	do := func(method, path string, body any) (map[string]any, error) {
		u, t := url, token
		if u == "" {
			u, _ = app.Lookup("GATEWAY_URL")
		}
		if u == "" {
			u = "http://127.0.0.1:8000"
		}
		if t == "" {
			t, _ = app.Lookup("GATEWAY_ADMIN_TOKEN")
		}
		if t == "" {
			return nil, fmt.Errorf("no admin token: pass --admin-token or set GATEWAY_ADMIN_TOKEN")
		}
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequest(method, strings.TrimRight(u, "/")+path, rd)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+t)
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			return nil, fmt.Errorf("gateway %s unreachable: %w; check --gateway", u, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return nil, fmt.Errorf("gateway answered %s with no JSON", resp.Status)
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
		fmt.Fprintf(app.Out, "%-22v %-12v %-8v %-8v %v\n", k["id"], k["prefix"], k["tier"], state, k["deposit_address"])
	}
	created := func(v map[string]any) {
		fmt.Fprintf(app.Out, "key id:          %v\nAPI key:         %v   (shown once: store it now)\ntier:            %v\ndeposit address: %v\n",
			v["id"], v["key"], v["tier"], v["deposit_address"])
	}

	keys := &cobra.Command{Use: "keys", Short: "Create, list, revoke and rotate API keys"}
	var name, tier string
	create := &cobra.Command{Use: "create", Short: "Create an API key", Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		v, err := do("POST", "/admin/keys", map[string]string{"name": name, "tier": tier})
		if err != nil {
			return err
		}
		return show(v, created)
	}}
	create.Flags().StringVar(&name, "name", "", "a label for the key")
	create.Flags().StringVar(&tier, "tier", "free", "limit tier")
	list := &cobra.Command{Use: "list", Short: "List API keys", Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		v, err := do("GET", "/admin/keys", nil)
		if err != nil {
			return err
		}
		return show(v, func(v map[string]any) {
			fmt.Fprintf(app.Out, "%-22s %-12s %-8s %-8s %s\n", "ID", "PREFIX", "TIER", "STATE", "DEPOSIT ADDRESS")
			for _, k := range v["data"].([]any) {
				keyLine(k.(map[string]any))
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
