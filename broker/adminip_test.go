package broker_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/internal/testenv"
)

// adminBroker is a broker with an admin tool client, serving its whole handler;
// proxies are the trusted_proxies.
func adminBroker(t *testing.T, proxies []string) string {
	t.Helper()
	issuer, _ := configuredBroker(t, func(cfg *config.Config) { cfg.TrustedProxies = proxies })
	return issuer
}

// configuredBroker serves a broker built from a small configuration, changed by
// change, with its whole handler.
func configuredBroker(t *testing.T, change func(*config.Config)) (string, *broker.Broker) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	cfg := &config.Config{
		Issuer: issuer, MasterKey: newMasterKey(t),
		Storage: config.Storage{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "portvakt.db")},
		Clients: []config.Client{{ID: "tool", Secret: "tool-secret-0123456789", GrantTypes: []string{"client_credentials"}, Roles: []string{"admin"}}},
	}
	change(cfg)
	cfg.ApplyDefaults()
	if problems := cfg.Validate(); len(problems) > 0 {
		t.Fatal(problems.Err())
	}
	b, err := broker.Build(t.Context(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	testenv.CloseAtEnd(t, b.Store)
	srv := httptest.NewUnstartedServer(b.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer, b
}

// The admin audit trail names the admin's address, read behind trusted proxies
// exactly as the login path reads a person's; X-Forwarded-For from anyone else
// is not believed.
func TestAdminAuditRecordsTheCallerBehindTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		want    string
	}{
		{"behind a trusted proxy", []string{"127.0.0.0/8"}, "198.51.100.7"},
		{"from an untrusted peer", nil, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issuer := adminBroker(t, tc.proxies)
			// do sends one request and decodes its JSON answer into out, if given.
			do := func(method, path, token string, body, out any) int {
				t.Helper()
				var req *http.Request
				if path == "/oauth/token" {
					req, _ = http.NewRequest(method, issuer+path, strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.SetBasicAuth("tool", "tool-secret-0123456789")
				} else {
					raw, _ := json.Marshal(body)
					req, _ = http.NewRequest(method, issuer+"/admin/api/v1"+path, bytes.NewReader(raw))
					req.Header.Set("Authorization", "Bearer "+token)
				}
				req.Header.Set("X-Forwarded-For", "198.51.100.7")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if out != nil {
					if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
						t.Fatalf("%s %s: decode: %v", method, path, err)
					}
				}
				return resp.StatusCode
			}
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			if do("POST", "/oauth/token", "", nil, &tok); tok.AccessToken == "" {
				t.Fatal("admin token: none issued")
			}
			if status := do("POST", "/clients", tok.AccessToken, map[string]any{"id": "shop", "redirect_uris": []string{"https://shop.example/cb"}}, nil); status != http.StatusCreated {
				t.Fatalf("create: status %d", status)
			}
			var records struct {
				Records []struct {
					Action   string `json:"action"`
					ClientIP string `json:"client_ip"`
				} `json:"records"`
			}
			do("GET", "/audit?client_id=shop", tok.AccessToken, nil, &records)
			if len(records.Records) != 1 || records.Records[0].Action != "client.create" || records.Records[0].ClientIP != tc.want {
				t.Fatalf("audit records %+v; want client.create from %s", records.Records, tc.want)
			}
		})
	}
}
