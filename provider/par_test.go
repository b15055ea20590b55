package provider_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
)

// jarClient is a private_key_jwt client with its signing key, for pushed
// requests, request objects and the FAPI 2.0 profile.
type jarClient struct {
	id  string
	key *ecdsa.PrivateKey
	kid string
}

func newJARClient(t *testing.T, id string) *jarClient {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &jarClient{id: id, key: key, kid: id + "-k1"}
}

// config registers the client: private_key_jwt with its public key, redirect rpRedirect.
func (c *jarClient) config(t *testing.T) config.Client {
	t.Helper()
	var jwks map[string]any
	raw, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &c.key.PublicKey, KeyID: c.kid, Algorithm: "ES256", Use: "sig"}}})
	if err := json.Unmarshal(raw, &jwks); err != nil {
		t.Fatal(err)
	}
	return config.Client{ID: c.id, Name: c.id, AuthMethod: "private_key_jwt", JWKS: jwks, RedirectURIs: []string{rpRedirect}}
}

func withClients(clients ...config.Client) brokerOption {
	return func(cfg *config.Config, _ *[]connectors.Connector) { cfg.Clients = append(cfg.Clients, clients...) }
}

// sign signs claims as the client, with typ (none when empty).
func (c *jarClient) sign(t *testing.T, typ string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithHeader(jose.HeaderKey("kid"), c.kid)
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: c.key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// assertion is a client assertion for aud (the issuer when nil).
func (c *jarClient) assertion(t *testing.T, b *broker, aud any) url.Values {
	t.Helper()
	if aud == nil {
		aud = b.URL
	}
	now := b.clock.now()
	return url.Values{
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion": {c.sign(t, "", map[string]any{
			"iss": c.id, "sub": c.id, "aud": aud, "jti": randomString(),
			// The library checks iat on the wall clock, not the test broker's.
			"iat": time.Now().Unix(), "exp": now.Add(time.Minute).Unix(),
		})},
	}
}

// requestObject signs an authorization request as a request object, the way
// oauth4webapi does; change edits its claims first.
func (c *jarClient) requestObject(t *testing.T, b *broker, params url.Values, change func(map[string]any)) string {
	t.Helper()
	now := b.clock.now()
	claims := map[string]any{
		"iss": c.id, "aud": b.URL, "client_id": c.id, "jti": randomString(),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	}
	for k := range params {
		claims[k] = params.Get(k)
	}
	if change != nil {
		change(claims)
	}
	return c.sign(t, "oauth-authz-req+jwt", claims)
}

// authzParams is a complete authorization request of client with PKCE.
func authzParams(client string) url.Values {
	return url.Values{
		"client_id": {client}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
		"state": {randomString()}, "nonce": {randomString()}, "acr_values": {"urn:portvakt:eid:se:test"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"},
	}
}

// push posts form to the PAR endpoint and returns the status and the JSON answer.
func (b *broker) push(t *testing.T, form url.Values, basicID, basicSecret string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.URL+"/oauth/par", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(basicID, basicSecret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	answer := map[string]any{}
	_ = json.Unmarshal(body, &answer)
	return resp.StatusCode, answer, resp.Header
}

func merge(sets ...url.Values) url.Values {
	out := url.Values{}
	for _, s := range sets {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}

// authorizePage runs /authorize in a fresh browser and returns the status and
// Location of its first answer that is not a hop inside the broker.
func (b *broker) authorizeStatus(t *testing.T, q url.Values) (int, *url.URL) {
	t.Helper()
	resp, err := browser(t).Get(b.URL + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return resp.StatusCode, loc
}

func TestPARPushedRequestLogsInOnce(t *testing.T) {
	b := newBroker(t)
	params := authzParams("rp1")
	status, answer, header := b.push(t, params, "rp1", "rp1-secret-0123456789")
	if status != http.StatusCreated {
		t.Fatalf("PAR: status %d %v, want 201", status, answer)
	}
	uri, _ := answer["request_uri"].(string)
	if !strings.HasPrefix(uri, "urn:ietf:params:oauth:request_uri:") || len(uri) < len("urn:ietf:params:oauth:request_uri:")+40 {
		t.Errorf("request_uri %q: want an unguessable urn:ietf:params:oauth:request_uri: value", uri)
	}
	if answer["expires_in"] != float64(60) {
		t.Errorf("expires_in %v, want 60", answer["expires_in"])
	}
	if cc := header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	// The query carries client_id and request_uri only: everything else was pushed.
	q := url.Values{"client_id": {"rp1"}, "request_uri": {uri}}
	got := b.authorize(t, browser(t), q).Query()
	if got.Get("code") == "" || got.Get("state") != params.Get("state") {
		t.Fatalf("authorize with request_uri: %v, want a code and the pushed state", got)
	}
	if status, loc := b.authorizeStatus(t, q); status != http.StatusBadRequest || loc.String() != "" {
		t.Errorf("request_uri used again: status %d, Location %q; want 400 and an error page", status, loc)
	}
}

func TestPARRequestURIRefused(t *testing.T) {
	tests := []struct {
		name string
		use  func(t *testing.T, b *broker, uri string) url.Values
	}{
		{"another client", func(_ *testing.T, _ *broker, uri string) url.Values {
			return url.Values{"client_id": {"rp2"}, "request_uri": {uri}}
		}},
		{"expired", func(_ *testing.T, b *broker, uri string) url.Values {
			b.clock.advance(61 * time.Second)
			return url.Values{"client_id": {"rp1"}, "request_uri": {uri}}
		}},
		{"altered", func(_ *testing.T, _ *broker, uri string) url.Values {
			return url.Values{"client_id": {"rp1"}, "request_uri": {uri + "x"}}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBroker(t)
			status, answer, _ := b.push(t, authzParams("rp1"), "rp1", "rp1-secret-0123456789")
			if status != http.StatusCreated {
				t.Fatalf("PAR: %d %v", status, answer)
			}
			q := tc.use(t, b, answer["request_uri"].(string))
			if status, loc := b.authorizeStatus(t, q); status != http.StatusBadRequest || loc.String() != "" {
				t.Errorf("status %d, Location %q; want 400 and an error page", status, loc)
			}
		})
	}
}

func TestPAREndpointRefuses(t *testing.T) {
	b := newBroker(t)
	tests := []struct {
		name       string
		form       url.Values
		client     string
		wantStatus int
		wantError  string
	}{
		{"request_uri pushed", merge(authzParams("rp1"), url.Values{"request_uri": {"urn:ietf:params:oauth:request_uri:x"}}), "rp1", 400, "invalid_request"},
		{"unregistered redirect_uri", merge(authzParams("rp1"), url.Values{"redirect_uri": {"https://evil.example/cb"}}), "rp1", 400, "invalid_request"},
		{"plain PKCE", merge(authzParams("rp1"), url.Values{"code_challenge_method": {"plain"}}), "rp1", 400, "invalid_request"},
		{"response_type token", merge(authzParams("rp1"), url.Values{"response_type": {"token"}}), "rp1", 400, "unsupported_response_type"},
		{"wrong secret", authzParams("rp1"), "rp1-wrong", 401, "invalid_client"},
		{"client_id of another client", authzParams("rp2"), "rp1", 400, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secret := "rp1-secret-0123456789"
			client := tc.client
			if client == "rp1-wrong" {
				client, secret = "rp1", "not-the-secret"
			}
			status, answer, _ := b.push(t, tc.form, client, secret)
			if status != tc.wantStatus || answer["error"] != tc.wantError {
				t.Errorf("status %d %v, want %d %s", status, answer, tc.wantStatus, tc.wantError)
			}
		})
	}
	t.Run("GET", func(t *testing.T) {
		resp, err := http.Get(b.URL + "/oauth/par")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET: status %d, want 405", resp.StatusCode)
		}
	})
}

func TestRequestObjectByValueAndPushed(t *testing.T) {
	jc := newJARClient(t, "jar-rp")
	b := newBroker(t, withClients(jc.config(t)))
	params := authzParams(jc.id)

	t.Run("by value", func(t *testing.T) {
		ro := jc.requestObject(t, b, params, nil)
		// Parameters outside the object do not count: this state is not the one answered.
		q := url.Values{"client_id": {jc.id}, "request": {ro}, "state": {"outside"}}
		got := b.authorize(t, browser(t), q).Query()
		if got.Get("code") == "" || got.Get("state") != params.Get("state") {
			t.Fatalf("authorize with a request object: %v, want a code and the object's state", got)
		}
	})
	t.Run("pushed", func(t *testing.T) {
		ro := jc.requestObject(t, b, params, nil)
		status, answer, _ := b.push(t, merge(jc.assertion(t, b, nil), url.Values{"client_id": {jc.id}, "request": {ro}}), "", "")
		if status != http.StatusCreated {
			t.Fatalf("PAR with a request object: %d %v", status, answer)
		}
		got := b.authorize(t, browser(t), url.Values{"client_id": {jc.id}, "request_uri": {answer["request_uri"].(string)}}).Query()
		if got.Get("code") == "" {
			t.Fatalf("authorize: %v, want a code", got)
		}
	})
	t.Run("dpop_jkt differing outside the request object", func(t *testing.T) {
		inside := merge(params, url.Values{"dpop_jkt": {"inside-thumbprint"}})
		ro := jc.requestObject(t, b, inside, nil)
		form := merge(jc.assertion(t, b, nil), url.Values{"request": {ro}, "dpop_jkt": {"outside-thumbprint"}})
		if status, answer, _ := b.push(t, form, "", ""); status != http.StatusBadRequest || answer["error"] != "invalid_request" {
			t.Errorf("PAR: %d %v, want 400 invalid_request", status, answer)
		}
	})
	t.Run("assertion for the PAR endpoint", func(t *testing.T) {
		status, answer, _ := b.push(t, merge(jc.assertion(t, b, b.URL+"/oauth/par"), params), "", "")
		if status != http.StatusCreated {
			t.Fatalf("PAR with aud the PAR endpoint: %d %v, want 201 (RFC 9126 §2)", status, answer)
		}
	})
}

func TestRequestObjectRefused(t *testing.T) {
	jc := newJARClient(t, "jar-rp")
	other := newJARClient(t, "jar-rp")
	b := newBroker(t, withClients(jc.config(t)))
	params := authzParams(jc.id)
	now := b.clock.now()
	replayed := jc.requestObject(t, b, params, nil)
	b.authorize(t, browser(t), url.Values{"client_id": {jc.id}, "request": {replayed}})

	tests := []struct {
		name string
		ro   func() string
	}{
		{"expired", func() string {
			return jc.requestObject(t, b, params, func(c map[string]any) {
				c["nbf"], c["exp"] = now.Add(-2*time.Minute).Unix(), now.Add(-time.Minute).Unix()
			})
		}},
		{"no exp", func() string { return jc.requestObject(t, b, params, func(c map[string]any) { delete(c, "exp") }) }},
		{"nbf ahead", func() string {
			return jc.requestObject(t, b, params, func(c map[string]any) { c["nbf"] = now.Add(time.Minute).Unix() })
		}},
		{"lives over an hour", func() string {
			return jc.requestObject(t, b, params, func(c map[string]any) { c["exp"] = now.Add(61 * time.Minute).Unix() })
		}},
		{"aud another server", func() string {
			return jc.requestObject(t, b, params, func(c map[string]any) { c["aud"] = "https://other.example" })
		}},
		{"iss another client", func() string {
			return jc.requestObject(t, b, params, func(c map[string]any) { c["iss"] = "rp1" })
		}},
		{"no jti", func() string { return jc.requestObject(t, b, params, func(c map[string]any) { delete(c, "jti") }) }},
		{"replayed jti", func() string { return replayed }},
		{"nested request_uri", func() string {
			return jc.requestObject(t, b, params, func(c map[string]any) { c["request_uri"] = "https://rp.example/ro" })
		}},
		{"signed by another key", func() string { return other.requestObject(t, b, params, nil) }},
		{"typ of another kind", func() string {
			return jc.sign(t, "dpop+jwt", map[string]any{"iss": jc.id, "aud": b.URL, "jti": randomString(), "exp": now.Add(time.Minute).Unix()})
		}},
		{"alg none", func() string {
			payload, _ := json.Marshal(map[string]any{"iss": jc.id, "aud": b.URL, "jti": randomString(), "exp": now.Add(time.Minute).Unix(),
				"client_id": jc.id, "response_type": "code", "scope": "openid", "redirect_uri": rpRedirect})
			return "eyJhbGciOiJub25lIn0." + strings.TrimRight(jose64(payload), "=") + "."
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ro := tc.ro()
			if status, loc := b.authorizeStatus(t, url.Values{"client_id": {jc.id}, "request": {ro}}); status != http.StatusBadRequest || loc.String() != "" {
				t.Errorf("by value: status %d, Location %q; want 400 and an error page", status, loc)
			}
			status, answer, _ := b.push(t, merge(jc.assertion(t, b, nil), url.Values{"request": {ro}}), "", "")
			if status != http.StatusBadRequest || answer["error"] != "invalid_request_object" {
				t.Errorf("pushed: %d %v, want 400 invalid_request_object", status, answer)
			}
		})
	}
}

func jose64(b []byte) string {
	return strings.NewReplacer("+", "-", "/", "_").Replace(base64Std(b))
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestRequestRulesOfClientsAndServer(t *testing.T) {
	jc := newJARClient(t, "strict-rp")
	strict := jc.config(t)
	strict.RequirePushedAuthorizationRequests, strict.RequireSignedRequestObject = true, true
	b := newBroker(t, withClients(strict))

	params := authzParams(jc.id)
	if status, loc := b.authorizeStatus(t, params); status != http.StatusFound || loc.Query().Get("error") != "invalid_request" {
		t.Errorf("plain query for a PAR-only client: %d %v, want invalid_request at the client", status, loc)
	}
	ro := jc.requestObject(t, b, params, nil)
	if status, loc := b.authorizeStatus(t, url.Values{"client_id": {jc.id}, "request": {ro}, "redirect_uri": {rpRedirect}}); loc.Query().Get("error") != "invalid_request" {
		t.Errorf("request object by value for a PAR-only client: %d %v, want invalid_request at the client", status, loc)
	}
	status, answer, _ := b.push(t, merge(jc.assertion(t, b, nil), params), "", "")
	if status != http.StatusBadRequest || answer["error"] != "invalid_request" {
		t.Errorf("unsigned push for a client that requires request objects: %d %v, want 400 invalid_request", status, answer)
	}
	ro = jc.requestObject(t, b, params, nil)
	status, answer, _ = b.push(t, merge(jc.assertion(t, b, nil), url.Values{"request": {ro}}), "", "")
	if status != http.StatusCreated {
		t.Fatalf("signed push: %d %v", status, answer)
	}
	if got := b.authorize(t, browser(t), url.Values{"client_id": {jc.id}, "request_uri": {answer["request_uri"].(string)}}).Query(); got.Get("code") == "" {
		t.Errorf("authorize: %v, want a code", got)
	}

	t.Run("server requires pushed requests", func(t *testing.T) {
		b := newBroker(t, func(cfg *config.Config, _ *[]connectors.Connector) {
			cfg.AuthorizationRequests.RequirePushed = true
		})
		if status, loc := b.authorizeStatus(t, authzParams("rp1")); status != http.StatusFound || loc.Query().Get("error") != "invalid_request" {
			t.Errorf("plain query: %d %v, want invalid_request at the client", status, loc)
		}
		meta := b.discovery(t)
		if meta["require_pushed_authorization_requests"] != true {
			t.Errorf("require_pushed_authorization_requests %v, want true", meta["require_pushed_authorization_requests"])
		}
	})
}

func (b *broker) discovery(t *testing.T) map[string]any {
	t.Helper()
	resp, err := http.Get(b.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	meta := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	return meta
}

func TestDiscoveryNamesPushedRequestsAndRequestObjects(t *testing.T) {
	b := newBroker(t)
	meta := b.discovery(t)
	if meta["pushed_authorization_request_endpoint"] != b.URL+"/oauth/par" {
		t.Errorf("pushed_authorization_request_endpoint %v", meta["pushed_authorization_request_endpoint"])
	}
	if meta["request_parameter_supported"] != true || meta["request_uri_parameter_supported"] != false {
		t.Errorf("request_parameter_supported %v, request_uri_parameter_supported %v; want true, false",
			meta["request_parameter_supported"], meta["request_uri_parameter_supported"])
	}
	algs, _ := meta["request_object_signing_alg_values_supported"].([]any)
	if len(algs) == 0 || slices.Contains(algs, any("none")) || slices.Contains(algs, any("HS256")) {
		t.Errorf("request_object_signing_alg_values_supported %v", algs)
	}
	// Off by default, so not advertised at all.
	for _, off := range []string{"require_pushed_authorization_requests", "require_signed_request_object"} {
		if v, ok := meta[off]; ok {
			t.Errorf("%s = %v advertised while off", off, v)
		}
	}
}
