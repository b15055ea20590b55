package provider_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/brokertest"
	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

// TestConfigFileChangeEndsClientTokens: at start-up, a client removed from the
// file, or whose secret, keys, roles or scopes the file changed, loses the tokens
// it holds; a client whose change is cosmetic keeps them.
func TestConfigFileChangeEndsClientTokens(t *testing.T) {
	ctx := t.Context()
	store := migratedSQLite(t)
	redirect := []string{"https://rp.example/cb"}
	before := []config.Client{
		{ID: "removed", Secret: "removed-secret-0123", RedirectURIs: redirect},
		{ID: "rotated", Secret: "rotated-secret-0123", RedirectURIs: redirect},
		{ID: "rekeyed", Secret: "rekeyed-secret-0123", RedirectURIs: redirect},
		{ID: "demoted", Secret: "demoted-secret-0123", GrantTypes: []string{"client_credentials"}, Roles: []string{"admin", "auditor"}},
		{ID: "narrowed", Secret: "narrowed-secret-012", RedirectURIs: redirect, Scopes: []string{"national_id", "evidence"}},
		{ID: "renamed", Name: "Old name", Secret: "renamed-secret-0123", RedirectURIs: redirect},
		{ID: "same", Secret: "same-secret-0123456", RedirectURIs: redirect},
		{ID: "disabled", Secret: "disabled-secret-012", RedirectURIs: redirect},
	}
	after := []config.Client{
		{ID: "rotated", Secret: "rotated-secret-4567", RedirectURIs: redirect},
		{ID: "rekeyed", Secret: "rekeyed-secret-0123", AuthMethod: "client_secret_post", RedirectURIs: redirect},
		{ID: "demoted", Secret: "demoted-secret-0123", GrantTypes: []string{"client_credentials"}, Roles: []string{"auditor"}},
		{ID: "narrowed", Secret: "narrowed-secret-012", RedirectURIs: redirect, Scopes: []string{"national_id"}},
		{ID: "renamed", Name: "New name", Secret: "renamed-secret-0123", RedirectURIs: append(redirect, "https://rp.example/cb2")},
		{ID: "same", Secret: "same-secret-0123456", RedirectURIs: redirect},
		{ID: "disabled", Secret: "disabled-secret-012", RedirectURIs: redirect, Disabled: true},
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
		"removed": true, "rotated": true, "rekeyed": true, "demoted": true, "narrowed": true, "renamed": false, "same": false, "disabled": true,
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

// migratedSQLite is an empty store in a file of the test's own.
func migratedSQLite(t *testing.T) *sqlstore.Store {
	t.Helper()
	store, err := sqlstore.Open(t.Context(), sqlstore.Config{Driver: sqlstore.DriverSQLite, DSN: filepath.Join(t.TempDir(), "portvakt.db")})
	if err != nil {
		t.Fatal(err)
	}
	testenv.CloseAtEnd(t, store)
	if err := store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return store
}

// serveClients runs a provider with these clients and one test connector, without
// its background cache refresh: the client cache changes only when a test makes it.
func serveClients(t *testing.T, clients []config.Client) (string, brokertest.Built) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	cfg := &config.Config{Issuer: issuer, Clients: clients, Connectors: []config.Connector{{ID: "se-test", Type: "test"}}}
	built := brokertest.NewProvider(t, cfg, provider.Options{
		Connectors: []connectors.Connector{&testConnector{id: "se-test", country: "SE", loa: connectors.LoASubstantial}},
	})
	hs := httptest.NewUnstartedServer(built.Server.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	return issuer, built
}

// clientCredentials asks the token endpoint at base for a client_credentials
// token and returns the status and the token.
func clientCredentials(t *testing.T, base, id, secret, scope string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.AccessToken
}

func clientCredentialsStatus(t *testing.T, base, id, secret string) int {
	t.Helper()
	status, _ := clientCredentials(t, base, id, secret, "")
	return status
}

// TestDisabledConfigClientIsRefused: a client the file marks disabled cannot start
// a login nor get a token.
func TestDisabledConfigClientIsRefused(t *testing.T) {
	issuer, _ := serveClients(t, []config.Client{
		{ID: "off", Secret: "off-secret-0123456789", RedirectURIs: []string{rpRedirect}, GrantTypes: []string{"authorization_code", "client_credentials"}, Disabled: true},
	})
	q := url.Values{"client_id": {"off"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
		"state": {"s"}, "code_challenge": {s256("verifier-verifier-verifier-verifier-verifier")}, "code_challenge_method": {"S256"}}
	resp, err := browser(t).Get(issuer + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if isRedirect(resp) || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("authorize for a disabled client: status %d, location %q; want a 400 error page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status := clientCredentialsStatus(t, issuer, "off", "off-secret-0123456789"); status != http.StatusUnauthorized {
		t.Errorf("client_credentials for a disabled client: status %d, want 401", status)
	}
}

// TestStaleClientCacheCannotIssueTokens: another process rotates a client's
// secret; this process, whose cache still holds the old secret, does not issue a
// token for it, and then knows the new one. A cosmetic change in between does not
// refuse anything.
func TestStaleClientCacheCannotIssueTokens(t *testing.T) {
	issuer, built := serveClients(t, []config.Client{
		{ID: "api", Secret: "old-secret-0123456789", GrantTypes: []string{"client_credentials"}},
	})
	ctx := t.Context()
	if status := clientCredentialsStatus(t, issuer, "api", "old-secret-0123456789"); status != http.StatusOK {
		t.Fatalf("client_credentials with the secret: status %d", status)
	}
	change := func(edit func(*config.Client)) {
		t.Helper()
		err := built.Store.UpdateClient(ctx, "api", func(rec storage.Client) (storage.Client, error) {
			c, err := provider.DecodeClient(rec)
			if err != nil {
				return rec, err
			}
			edit(&c)
			rec.Settings, err = provider.EncodeClient(c)
			return rec, err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	change(func(c *config.Client) { c.SecretHash = provider.HashSecret("new-secret-0123456789") })
	if status := clientCredentialsStatus(t, issuer, "api", "old-secret-0123456789"); status != http.StatusUnauthorized {
		t.Errorf("client_credentials with the secret rotated away, before this process's cache refresh: status %d, want 401", status)
	}
	if status := clientCredentialsStatus(t, issuer, "api", "new-secret-0123456789"); status != http.StatusOK {
		t.Errorf("client_credentials with the new secret: status %d, want 200", status)
	}
	change(func(c *config.Client) { c.Name = "Renamed" })
	if status := clientCredentialsStatus(t, issuer, "api", "new-secret-0123456789"); status != http.StatusOK {
		t.Errorf("client_credentials after a cosmetic change: status %d, want 200", status)
	}
}

// TestStaleCacheGrantsNoRoleTheTokenLacks: an admin client is demoted to auditor
// through another process; a token it gets afterwards (as an auditor) is not an
// admin token on a process whose cache still says admin.
func TestStaleCacheGrantsNoRoleTheTokenLacks(t *testing.T) {
	ctx := t.Context()
	dsn := filepath.Join(t.TempDir(), "portvakt.db")
	masterKey := testMasterKey(t)
	tool := []config.Client{{ID: "tool", Secret: "tool-secret-0123456", GrantTypes: []string{"client_credentials"}, Roles: []string{"admin", "auditor"}}}
	build := func() brokertest.Built {
		t.Helper()
		cfg := &config.Config{Issuer: "https://login.example.com", MasterKey: masterKey, Storage: config.Storage{Driver: "sqlite", DSN: dsn}, Clients: tool}
		return brokertest.NewProvider(t, cfg, provider.Options{})
	}
	stale, fresh := build(), build()
	hs := httptest.NewServer(fresh.Server.Handler())
	t.Cleanup(hs.Close)
	token := func() string {
		t.Helper()
		status, tok := clientCredentials(t, hs.URL, "tool", "tool-secret-0123456", "admin")
		if tok == "" {
			t.Fatalf("token: status %d", status)
		}
		return tok
	}
	p, err := stale.Server.VerifyAdminToken(ctx, token())
	if err != nil || !p.Can("admin") {
		t.Fatalf("before the change: %+v, %v; want an admin", p, err)
	}
	tool[0].Roles = []string{"auditor"}
	if err := provider.SyncConfigClients(ctx, fresh.Store, tool, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Server.RefreshClients(ctx); err != nil {
		t.Fatal(err)
	}
	p, err = stale.Server.VerifyAdminToken(ctx, token())
	if err != nil || p.Can("admin") || !p.Can("auditor") {
		t.Errorf("a token issued after the demotion, on a process that has not seen it: %+v, %v; want an auditor only", p, err)
	}
}
