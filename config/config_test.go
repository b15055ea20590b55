package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

const validYAML = `
issuer: https://login.example.com
master_key: ${MASTER}
storage: {driver: mysql, dsn: "portvakt:${DB_PASSWORD}@tcp(db:3306)/portvakt"}
connectors:
  - {id: se-bankid, type: sebankid}
clients:
  - id: shop
    secret: ${SHOP_SECRET}
    redirect_uris: [https://shop.example/callback]
    countries: [SE]
`

func TestParseExpandsEnvironment(t *testing.T) {
	cfg, err := Parse([]byte(validYAML), env(map[string]string{
		"MASTER": "k", "DB_PASSWORD": "p@ss: #word", "SHOP_SECRET": "a-long-shop-secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.DSN != "portvakt:p@ss: #word@tcp(db:3306)/portvakt" {
		t.Errorf("dsn = %q: a value with YAML syntax in it must stay a plain string", cfg.Storage.DSN)
	}
	if cfg.Clients[0].Secret != "a-long-shop-secret" || cfg.Clients[0].AuthMethod != "client_secret_basic" {
		t.Errorf("client = %+v", cfg.Clients[0])
	}
	if cfg.Listen != ":8080" || cfg.Tokens.Code.D().Seconds() != 60 || cfg.Keys.Algorithms[0] != "RS256" {
		t.Errorf("defaults not applied: %+v", cfg)
	}
}

func TestParseListsEveryProblem(t *testing.T) {
	bad := `
issuer: http://login.example.com/
storage: {driver: postgres}
keys: {algorithms: [HS256]}
connectors:
  - {id: dup, type: sebankid}
  - {id: dup}
clients:
  - id: a
    redirect_uris: [http://shop.example/cb, "https://shop.example/*", "https://shop.example/cb#frag"]
    token_endpoint_auth_method: client_secret_post
    countries: [SE, XX]
    eids: [no-such]
    scopes: [admin]
    theme: {primary_color: "red;}body{x"}
  - id: a
    secret: ${MISSING}
    redirect_uris: [https://ok.example/cb]
`
	_, err := Parse([]byte(bad), env(nil))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{
		"MISSING is referenced but not set",
		"issuer:", "master_key: required", "storage.driver", "storage.dsn: required", "HS256",
		"connectors[1].id", "connectors[1].type: required",
		"http is allowed only for loopback", "wildcards are not allowed", "must not have a fragment",
		"secret: required for client_secret_post", `"XX"`, `eids: "no-such"`, `scopes: "admin"`,
		"theme.primary_color", "clients[a].id: used twice",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %q:\n%v", want, err)
		}
	}
}

func TestParseRejectsUnknownFields(t *testing.T) {
	_, err := Parse([]byte("issuer: https://x.example\nmaster_key: k\nstorage: {driver: sqlite, dsn: x}\nlisten_addr: 1\n"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "listen_addr") {
		t.Errorf("err = %v; want the unknown field named", err)
	}
}

func TestValidateRedirectURI(t *testing.T) {
	for _, tc := range []struct {
		uri string
		ok  bool
	}{
		{"https://app.example/cb", true},
		{"http://127.0.0.1:8080/cb", true},
		{"http://localhost/cb", true},
		{"http://[::1]/cb", true},
		{"http://app.example/cb", false},
		{"https://app.example/*", false},
		{"https://user@app.example/cb", false},
		{"/cb", false},
		{"javascript:alert(1)", false},
	} {
		if err := ValidateRedirectURI(tc.uri); (err == nil) != tc.ok {
			t.Errorf("ValidateRedirectURI(%q) = %v, want ok=%v", tc.uri, err, tc.ok)
		}
	}
}

// The example in the repository must stay a valid configuration.
func TestExampleConfigIsValid(t *testing.T) {
	b, err := os.ReadFile("../examples/portvakt.yaml")
	if err != nil {
		t.Fatal(err)
	}
	anything := func(string) (string, bool) { return "set-from-the-environment", true }
	cfg, err := Parse(b, anything)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Clients) == 0 || len(cfg.Connectors) == 0 {
		t.Errorf("the example has no clients or connectors: %+v", cfg)
	}
}

func TestValidateResourceServer(t *testing.T) {
	for _, tc := range []struct {
		name string
		rs   *ResourceServer
		auth string
		want string
	}{
		{name: "audiences", rs: &ResourceServer{Audiences: []string{"shop"}}},
		{name: "no audiences", rs: &ResourceServer{}, want: "resource_server.audiences: at least one is required"},
		{name: "blank audience", rs: &ResourceServer{Audiences: []string{" "}}, want: `resource_server.audiences: " " is not a client id`},
		{name: "the admin API's audience", rs: &ResourceServer{Audiences: []string{"https://login.example.com/admin"}}, want: `"https://login.example.com/admin" is not a client id`},
		{name: "public client", rs: &ResourceServer{Audiences: []string{"shop"}}, auth: "none", want: "a public client (token_endpoint_auth_method none) cannot introspect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := Client{ID: "api", GrantTypes: []string{"client_credentials"}, Secret: "api-secret-0123456789", ResourceServer: tc.rs, AuthMethod: tc.auth}
			if tc.auth == "none" {
				cl.Secret, cl.GrantTypes = "", nil
				cl.RedirectURIs = []string{"https://app.example/cb"}
			}
			cl.ApplyDefaults()
			got := strings.Join(cl.Validate(nil, nil), "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("problems %q; want %q", got, tc.want)
			}
		})
	}
}

// The order limits count requesters, never the person a login_hint names: the old
// per-person key is read as the per-browser limit, with a deprecation.
func TestOrderRateLimit(t *testing.T) {
	vars := env(map[string]string{"MASTER": "k", "DB_PASSWORD": "p", "SHOP_SECRET": "a-long-shop-secret"})
	for _, tc := range []struct {
		name, yaml          string
		perIP, perBrowser   int
		deprecated, problem bool
	}{
		{"defaults", ``, 30, 10, false, false},
		{"per_browser", `login: {order_rate_limit: {per_ip: 50, per_browser: 3}}`, 50, 3, false, false},
		{"per_national_id is read as per_browser", `login: {order_rate_limit: {per_national_id: 4}}`, 30, 4, true, false},
		{"per_browser wins over per_national_id", `login: {order_rate_limit: {per_national_id: 4, per_browser: 7}}`, 30, 7, true, false},
		{"negative", `login: {order_rate_limit: {per_browser: -1}}`, 0, 0, false, true},
		{"negative window", `login: {order_rate_limit: {window: -10m}}`, 0, 0, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(validYAML+tc.yaml), vars)
			if tc.problem {
				if err == nil || !strings.Contains(err.Error(), "login.order_rate_limit") {
					t.Fatalf("error %v, want one naming login.order_rate_limit", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rl := cfg.Login.OrderRateLimit; rl.PerIP != tc.perIP || rl.PerBrowser != tc.perBrowser {
				t.Errorf("per_ip %d, per_browser %d; want %d, %d", rl.PerIP, rl.PerBrowser, tc.perIP, tc.perBrowser)
			}
			if got := len(cfg.Deprecations()) > 0; got != tc.deprecated {
				t.Errorf("deprecations %v, want some: %v", cfg.Deprecations(), tc.deprecated)
			}
		})
	}
}

func TestParseNamesTheMasterKeySource(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"master_key: ${MASTER}", "environment variable MASTER (master_key in the configuration)"},
		{"master_key: \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"", "master_key in the configuration"},
	} {
		doc := strings.Replace(validYAML, "master_key: ${MASTER}", tc.line, 1)
		cfg, err := Parse([]byte(doc), env(map[string]string{"MASTER": "k", "DB_PASSWORD": "p", "SHOP_SECRET": "a-long-shop-secret"}))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MasterKeySource != tc.want {
			t.Errorf("%s: source %q, want %q", tc.line, cfg.MasterKeySource, tc.want)
		}
	}
}

// TestDurationsReadAsInConnectors: the file's durations take the connectors' forms
// too (a bare number is seconds), since both are one type.
func TestDurationsReadAsInConnectors(t *testing.T) {
	doc := validYAML + "login: {lifetime: 900, session_lifetime: 1h}\n"
	cfg, err := Parse([]byte(doc), env(map[string]string{"MASTER": "k", "DB_PASSWORD": "p", "SHOP_SECRET": "a-long-shop-secret"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Login.Lifetime.D() != 15*time.Minute || cfg.Login.SessionLifetime.D() != time.Hour {
		t.Errorf("login lifetimes %v, %v", cfg.Login.Lifetime.D(), cfg.Login.SessionLifetime.D())
	}
}

// token_endpoint_auth_methods combines only the secret methods, and the primary
// method (token_endpoint_auth_method) must be one of them.
func TestValidateAuthMethods(t *testing.T) {
	for _, tc := range []struct {
		name        string
		method      string
		methods     []string
		secret      bool
		wantPrimary string
		want        string
	}{
		{name: "both secret methods", methods: []string{"client_secret_post", "client_secret_basic"}, secret: true, wantPrimary: "client_secret_post"},
		{name: "primary among them", method: "client_secret_basic", methods: []string{"client_secret_post", "client_secret_basic"}, secret: true, wantPrimary: "client_secret_basic"},
		{name: "primary not among them", method: "client_secret_basic", methods: []string{"client_secret_post"}, secret: true, want: `token_endpoint_auth_method: "client_secret_basic" is not one of token_endpoint_auth_methods`},
		{name: "a secret or none", methods: []string{"client_secret_basic", "none"}, secret: true, want: `token_endpoint_auth_methods: "none" cannot be combined`},
		{name: "a secret or a key", methods: []string{"client_secret_basic", "private_key_jwt"}, secret: true, want: `token_endpoint_auth_methods: "private_key_jwt" cannot be combined`},
		{name: "no secret", methods: []string{"client_secret_basic", "client_secret_post"}, want: "secret: required for client_secret_basic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := Client{ID: "app", AuthMethod: tc.method, AuthMethods: tc.methods, RedirectURIs: []string{"https://app.example/cb"}}
			if tc.secret {
				cl.Secret = "app-secret-0123456789"
			}
			cl.ApplyDefaults()
			got := strings.Join(cl.Validate(nil, nil), "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("problems %q; want %q", got, tc.want)
			}
			if tc.wantPrimary != "" && cl.AuthMethod != tc.wantPrimary {
				t.Errorf("token_endpoint_auth_method %q; want %q", cl.AuthMethod, tc.wantPrimary)
			}
		})
	}
}

func TestValidateClientURI(t *testing.T) {
	for _, tc := range []struct{ uri, want string }{
		{"https://shop.example/", ""},
		{"http://127.0.0.1:8080/demo", ""},
		{"http://shop.example/", "client_uri: must be an https URL"},
		{"javascript:alert(1)", "client_uri: must be an https URL"},
		{"/relative", "client_uri: must be an https URL"},
	} {
		cl := Client{ID: "shop", Secret: "shop-secret-0123456789", RedirectURIs: []string{"https://shop.example/cb"}, ClientURI: tc.uri}
		cl.ApplyDefaults()
		got := strings.Join(cl.Validate(nil, nil), "\n")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("client_uri %q: problems %q; want %q", tc.uri, got, tc.want)
		}
	}
}

// A client verifies callers only with the CIBA grant, a delivery mode the broker
// offers and, in ping mode, an endpoint to ping.
func TestValidateBackchannel(t *testing.T) {
	ciba := []string{GrantTypeCIBA}
	for _, tc := range []struct {
		name string
		cl   Client
		want string
	}{
		{name: "poll by default", cl: Client{GrantTypes: ciba}},
		{name: "ping with an endpoint", cl: Client{GrantTypes: ciba, BackchannelDeliveryMode: "ping", BackchannelNotificationEndpoint: "https://cc.example/ciba"}},
		{name: "ping on loopback http", cl: Client{GrantTypes: ciba, BackchannelDeliveryMode: "ping", BackchannelNotificationEndpoint: "http://127.0.0.1:9000/ciba"}},
		{name: "ping without an endpoint", cl: Client{GrantTypes: ciba, BackchannelDeliveryMode: "ping"}, want: "backchannel_client_notification_endpoint: required in ping mode"},
		{name: "ping over plain http", cl: Client{GrantTypes: ciba, BackchannelDeliveryMode: "ping", BackchannelNotificationEndpoint: "http://cc.example/ciba"}, want: "http is allowed only for loopback"},
		{name: "push", cl: Client{GrantTypes: ciba, BackchannelDeliveryMode: "push"}, want: `backchannel_token_delivery_mode: "push" is not one of [poll ping]`},
		{name: "settings without the grant", cl: Client{GrantTypes: []string{"client_credentials"}, CIBA: CIBA{RequireReason: true}}, want: "only a client with grant type urn:openid:params:grant-type:ciba"},
		{name: "public client", cl: Client{GrantTypes: ciba, AuthMethod: "none"}, want: "a public client (token_endpoint_auth_method none) cannot use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := tc.cl
			cl.ID = "cc"
			if cl.AuthMethod != "none" {
				cl.Secret = "cc-secret-0123456789"
			}
			cl.ApplyDefaults()
			got := strings.Join(cl.Validate(nil, nil), "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("problems %q; want %q", got, tc.want)
			}
		})
	}
}
