package admin_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/provider"
)

// The admin API validates a client as the configuration file does: the same
// refusals, with the problem named.
func TestAdminAPIRefusesUnsafeClients(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	ok := map[string]any{"id": "grouped", "name": "Grouped", "redirect_uris": []string{"https://g.example/cb"}, "sector": "group-x"}
	b.mustCall(t, token, "POST", "/clients", ok, nil, http.StatusCreated)

	client := func(change map[string]any) map[string]any {
		c := map[string]any{"id": "shop", "name": "Shop", "redirect_uris": []string{"https://shop.example/cb"}}
		for k, v := range change {
			c[k] = v
		}
		return c
	}
	for _, tc := range []struct {
		name string
		doc  map[string]any
		want string
	}{
		{"id with dot dot", client(map[string]any{"id": ".."}), "id:"},
		{"id with a newline", client(map[string]any{"id": "a\nb"}), "id:"},
		{"symmetric key", client(map[string]any{"token_endpoint_auth_method": "private_key_jwt",
			"jwks": map[string]any{"keys": []any{map[string]any{"kty": "oct", "kid": "hs", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}}}}), `key 0 (kid "hs"): is a symmetric (oct) key`},
		{"jwks_uri file", client(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "file://localhost/etc/passwd"}), "jwks_uri:"},
		{"support_url javascript", client(map[string]any{"theme": map[string]any{"support_url": "javascript://127.0.0.1/%0aalert(1)"}}), "theme.support_url"},
		{"sector naming a client", client(map[string]any{"sector": devmode.DemoClientID}), `sector: "demo" is the id of another client`},
		{"id naming a sector", client(map[string]any{"id": "group-x"}), `id: "group-x" is the sector of client "grouped"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got struct {
				Error    string   `json:"error"`
				Problems []string `json:"problems"`
			}
			status, _ := b.call(t, token, "POST", "/clients", tc.doc, &got)
			if status != http.StatusBadRequest || got.Error != "invalid_client_metadata" || !strings.Contains(strings.Join(got.Problems, "\n"), tc.want) {
				t.Fatalf("status %d, %+v; want 400 naming %q", status, got, tc.want)
			}
		})
	}
	t.Run("update to a sector naming a client", func(t *testing.T) {
		ok["sector"] = devmode.AdminClientID
		var got struct {
			Problems []string `json:"problems"`
		}
		if status, _ := b.call(t, token, "PUT", "/clients/grouped", ok, &got); status != http.StatusBadRequest {
			t.Fatalf("status %d, %+v; want 400", status, got)
		}
	})
}

// An admin API body over provider.MaxAdminBody is a 413 with a JSON error.
func TestAdminAPIOversizedBody(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	doc, _ := json.Marshal(map[string]any{"id": "big", "name": strings.Repeat("n", provider.MaxAdminBody)})
	for _, target := range []struct{ method, path string }{{"POST", "/clients"}, {"PUT", "/clients/demo"}} {
		req, _ := http.NewRequest(target.method, b.issuer+"/admin/api/v1"+target.path, bytes.NewReader(doc))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error string `json:"error"`
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge || json.Unmarshal(body, &e) != nil || e.Error == "" {
			t.Errorf("%s %s: status %d body %.200s; want 413 with a JSON error", target.method, target.path, resp.StatusCode, body)
		}
	}
}
