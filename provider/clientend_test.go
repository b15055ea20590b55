package provider_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/provider/config"
	"github.com/portvakt/portvakt/provider/storage"
	"github.com/portvakt/portvakt/provider/storage/sqlstore"
)

// TestConfigFileChangeEndsClientTokens: at start-up, a client removed from the
// file, or whose secret, keys, roles or scopes the file changed, loses the tokens
// it holds; a client whose change is cosmetic keeps them.
func TestConfigFileChangeEndsClientTokens(t *testing.T) {
	ctx := t.Context()
	store, err := sqlstore.Open(ctx, sqlstore.Config{Driver: sqlstore.DriverSQLite, DSN: filepath.Join(t.TempDir(), "portvakt.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	redirect := []string{"https://rp.example/cb"}
	before := []config.Client{
		{ID: "removed", Secret: "removed-secret-0123", RedirectURIs: redirect},
		{ID: "rotated", Secret: "rotated-secret-0123", RedirectURIs: redirect},
		{ID: "rekeyed", Secret: "rekeyed-secret-0123", RedirectURIs: redirect},
		{ID: "demoted", Secret: "demoted-secret-0123", GrantTypes: []string{"client_credentials"}, Roles: []string{"admin", "auditor"}},
		{ID: "narrowed", Secret: "narrowed-secret-012", RedirectURIs: redirect, Scopes: []string{"national_id", "evidence"}},
		{ID: "renamed", Name: "Old name", Secret: "renamed-secret-0123", RedirectURIs: redirect},
		{ID: "same", Secret: "same-secret-0123456", RedirectURIs: redirect},
	}
	after := []config.Client{
		{ID: "rotated", Secret: "rotated-secret-4567", RedirectURIs: redirect},
		{ID: "rekeyed", Secret: "rekeyed-secret-0123", AuthMethod: "client_secret_post", RedirectURIs: redirect},
		{ID: "demoted", Secret: "demoted-secret-0123", GrantTypes: []string{"client_credentials"}, Roles: []string{"auditor"}},
		{ID: "narrowed", Secret: "narrowed-secret-012", RedirectURIs: redirect, Scopes: []string{"national_id"}},
		{ID: "renamed", Name: "New name", Secret: "renamed-secret-0123", RedirectURIs: append(redirect, "https://rp.example/cb2")},
		{ID: "same", Secret: "same-secret-0123456", RedirectURIs: redirect},
	}
	now := time.Now()
	if err := provider.SyncConfigClients(ctx, store, before, now); err != nil {
		t.Fatal(err)
	}
	for _, cl := range before {
		if err := store.CreateToken(ctx, storage.Token{ID: "tok-" + cl.ID, ClientID: cl.ID, Subject: "someone",
			Claims: json.RawMessage(`{}`), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := provider.SyncConfigClients(ctx, store, after, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	for id, wantRevoked := range map[string]bool{
		"removed": true, "rotated": true, "rekeyed": true, "demoted": true, "narrowed": true, "renamed": false, "same": false,
	} {
		t.Run(id, func(t *testing.T) {
			tok, err := store.GetToken(ctx, "tok-"+id)
			if err != nil {
				t.Fatal(err)
			}
			if revoked := !tok.RevokedAt.IsZero(); revoked != wantRevoked {
				t.Errorf("token of client %s revoked = %v, want %v", id, revoked, wantRevoked)
			}
		})
	}
}
