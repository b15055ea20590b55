package provider_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// The claims stored with an access token are the person's national id, names
// and birthdate: a database reader must find none of them, and a claims blob
// copied from one token row to another must not open there.
func TestTokenClaimsAreSealedAtRest(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	hints := []string{"199001012389", "198507232398"}
	var tokens []*oauth2.Token
	for _, person := range hints {
		res := rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}, "login_hint": {"sub:" + person}})
		tokens = append(tokens, res.token)
	}
	rows, err := b.store.DB().QueryContext(t.Context(), "SELECT id, claims FROM tokens ORDER BY created_at")
	if err != nil {
		t.Fatal(err)
	}
	var ids, blobs []string
	for rows.Next() {
		var id, claims string
		if err := rows.Scan(&id, &claims); err != nil {
			t.Fatal(err)
		}
		for _, clear := range append([]string{"Test Person", "1990-01-01", "national_id"}, hints...) {
			if strings.Contains(claims, clear) {
				t.Errorf("token %s stores %q in clear: %s", id, clear, claims)
			}
		}
		ids, blobs = append(ids, id), append(blobs, claims)
	}
	if err := rows.Close(); err != nil || len(ids) != 2 {
		t.Fatalf("%d token rows, %v", len(ids), err)
	}

	ui, err := rp1.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tokens[1]))
	if err != nil {
		t.Fatalf("userinfo of an untouched token: %v", err)
	}
	var got map[string]any
	if err := ui.Claims(&got); err != nil || got["national_id"] != hints[1] {
		t.Fatalf("userinfo %v, %v; want the second person's national_id", got, err)
	}

	// Introspection reads the same sealed claims for the token's own client.
	if got := introspectClaims(t, b, "rp1", "rp1-secret-0123456789", tokens[1].AccessToken); got["active"] != true || got["national_id"] != hints[1] {
		t.Fatalf("introspection %v; want the second person's national_id", got)
	}

	// The first person's claims, copied into the second person's token row.
	if _, err := b.store.DB().ExecContext(t.Context(), "UPDATE tokens SET claims = ? WHERE id = ?", blobs[0], ids[1]); err != nil {
		t.Fatal(err)
	}
	if ui, err := rp1.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tokens[1])); err == nil {
		_ = ui.Claims(&got)
		t.Fatalf("userinfo answered %v from claims copied from another token", got)
	}
	// Claims in clear, as rows were written before sealing (or forged), are not read.
	if _, err := b.store.DB().ExecContext(t.Context(), "UPDATE tokens SET claims = ? WHERE id = ?", `{"national_id":"199001012389"}`, ids[1]); err != nil {
		t.Fatal(err)
	}
	if ui, err := rp1.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tokens[1])); err == nil {
		_ = ui.Claims(&got)
		t.Fatalf("userinfo answered %v from claims stored in clear", got)
	}
}

// introspectClaims asks /oauth/introspect about token as the client.
func introspectClaims(t *testing.T, b *broker, client, secret, token string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.URL+"/oauth/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("introspection: %d, %v", resp.StatusCode, err)
	}
	return got
}
