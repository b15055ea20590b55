package conformance_test

import (
	"context"
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
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/config"
)

// fapiCIBAModules are the modules of fapi-ciba-id1-test-plan that apply to
// the variant [client_auth_type=private_key_jwt][ciba_mode=poll]
// [fapi_ciba_profile=plain_fapi][client_registration=static_client], by
// their suite names. Of the plan's other modules:
//   - ...-ensure-request-object-signature-algorithm-is-RS256-fails and
//     ...-ensure-client-assertion-signature-algorithm-in-{backchannel-authorization,
//     token-endpoint}-request-is-RS256-fails do not apply: the broker accepts
//     RS256 besides PS256, ES256 and EdDSA (its CIBA contract), as it does for
//     client assertions at every endpoint;
//   - ...-ensure-unsigned-backchannel-authorization-request-fails does not
//     apply: signed requests are accepted, not required (FAPI-CIBA requires
//     them; the broker's clients are not all FAPI clients);
//   - ...-ping-* are ping mode's (the broker's ping delivery has its own test,
//     TestCIBAPing), ...-ensure-mtls-holder-of-key-required and the mtls ping
//     module need mutual-TLS bound tokens, which the broker does not issue;
//   - ...-refresh-token: the broker issues no refresh tokens;
//   - ...-brazil-*, ...-requested-expiry-is-ignored-for-brazil and the 21
//     ...-connectid-* modules belong to other profiles.
func fapiCIBAModules() []cibaModule {
	const p = "fapi-ciba-id1"
	return []cibaModule{
		{p, cibaHappyFlow},
		{p + "-discovery-end-point-verification", cibaDiscovery},
		{p + "-user-rejects-authentication", cibaUserRejects},
		{p + "-multiple-call-to-token-endpoint", cibaMultipleCalls},
		{p + "-auth-req-id-expired", cibaExpired},
		{p + "-ensure-authorization-request-with-binding-message-succeeds", cibaSucceeds(url.Values{"binding_message": {"1234"}})},
		{p + "-ensure-authorization-request-with-potentially-bad-binding-message", cibaBadBindingMessage},
		{p + "-ensure-other-scope-order-succeeds", cibaSucceeds(url.Values{"scope": {"national_id openid"}})},
		{p + "-ensure-requested-expiry-as-string-succeeds", cibaRequestedExpiryString},
		{p + "-ensure-request-object-missing-aud-fails", cibaRequestObjectFails(func(c map[string]any) { delete(c, "aud") })},
		{p + "-ensure-request-object-bad-aud-fails", cibaRequestObjectFails(func(c map[string]any) { c["aud"] = "https://elsewhere.example" })},
		{p + "-ensure-request-object-missing-iss-fails", cibaRequestObjectFails(func(c map[string]any) { delete(c, "iss") })},
		{p + "-ensure-request-object-bad-iss-fails", cibaRequestObjectFails(func(c map[string]any) { c["iss"] = "someone-else" })},
		{p + "-ensure-request-object-missing-exp-fails", cibaRequestObjectFails(func(c map[string]any) { delete(c, "exp") })},
		{p + "-ensure-request-object-expired-exp-fails", cibaRequestObjectFails(func(c map[string]any) { c["exp"] = time.Now().Add(-5 * time.Minute).Unix() })},
		{p + "-ensure-request-object-exp-is-70-minutes-in-future-fails", cibaRequestObjectFails(func(c map[string]any) { c["exp"] = time.Now().Add(70 * time.Minute).Unix() })},
		{p + "-ensure-request-object-missing-iat-fails", cibaRequestObjectFails(func(c map[string]any) { delete(c, "iat") })},
		{p + "-ensure-request-object-missing-nbf-fails", cibaRequestObjectFails(func(c map[string]any) { delete(c, "nbf") })},
		{p + "-ensure-request-object-nbf-is-10-minutes-in-future-fails", cibaRequestObjectFails(func(c map[string]any) { c["nbf"] = time.Now().Add(10 * time.Minute).Unix() })},
		{p + "-ensure-request-object-nbf-is-70-minutes-in-past-fails", cibaRequestObjectFails(func(c map[string]any) { c["nbf"] = time.Now().Add(-70 * time.Minute).Unix() })},
		{p + "-ensure-request-object-missing-jti-fails", cibaRequestObjectFails(func(c map[string]any) { delete(c, "jti") })},
		{p + "-ensure-request-object-signature-algorithm-is-none-fails", cibaRequestObjectSigned("none")},
		{p + "-ensure-request-object-signature-algorithm-is-bad-fails", cibaRequestObjectSigned("bad")},
		{p + "-ensure-request-object-signed-by-other-client-fails", cibaRequestObjectSigned("other")},
		{p + "-ensure-authorization-request-with-multiple-hints-fails", cibaMultipleHints},
		{p + "-ensure-wrong-auth-req-id-in-token-endpoint-request", cibaWrongAuthReqID},
		{p + "-ensure-different-client-id-and-issuer-in-backchannel-authorization-request", cibaDifferentClientIDAndIssuer},
		{p + "-ensure-wrong-client-id-in-token-endpoint-request", cibaWrongClientAtToken},
		{p + "-ensure-wrong-client-id-in-backchannel-authorization-request", cibaWrongClientAtBackchannel},
		{p + "-ensure-without-client-assertion-in-token-endpoint-request", cibaWithoutAssertionAtToken},
		{p + "-ensure-without-client-assertion-in-backchannel-authorization-request", cibaWithoutAssertionAtBackchannel},
		{p + "-ensure-client-assertion-with-iss-aud-to-token-endpoint-succeeds", cibaAssertionAudTokenEndpoint},
	}
}

type cibaModule struct {
	name string
	run  func(t *testing.T, c *fapiCIBAClient)
}

// TestFAPICIBAPlan runs the plan's modules against dev mode, in parallel,
// with two static private_key_jwt clients.
func TestFAPICIBAPlan(t *testing.T) {
	t.Parallel()
	c := fapiCIBAClients(t)
	for _, m := range fapiCIBAModules() {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			m.run(t, c)
		})
	}
}

// fapiCIBAClient is the suite's client: private_key_jwt with an ES256 key, its
// requests signed; other is the plan's second client.
type fapiCIBAClient struct {
	issuer string
	id     string
	key    *ecdsa.PrivateKey
	other  *fapiCIBAClient
}

var fapiClients struct {
	once sync.Once
	c    *fapiCIBAClient
	err  error
}

func fapiCIBAClients(t *testing.T) *fapiCIBAClient {
	t.Helper()
	d := dev(t)
	fapiClients.once.Do(func() {
		ctx := context.Background()
		register := func(id string) (*fapiCIBAClient, error) {
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				return nil, err
			}
			set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: id + "-key", Algorithm: "ES256", Use: "sig"}}}
			raw, _ := json.Marshal(set)
			var jwks map[string]any
			_ = json.Unmarshal(raw, &jwks)
			err = registerClient(ctx, d.env.Broker.Store, config.Client{ID: id, AuthMethod: "private_key_jwt", JWKS: jwks,
				GrantTypes: []string{config.GrantTypeCIBA}, Scopes: []string{"national_id"}, IDTokenAlg: "ES256"})
			return &fapiCIBAClient{issuer: d.issuer, id: id, key: key}, err
		}
		var other *fapiCIBAClient
		if fapiClients.c, fapiClients.err = register("fapi-ciba-1"); fapiClients.err == nil {
			other, fapiClients.err = register("fapi-ciba-2")
			fapiClients.c.other = other
		}
		if fapiClients.err == nil {
			fapiClients.err = d.env.Broker.Provider.RefreshClients(ctx)
		}
	})
	if fapiClients.err != nil {
		t.Fatal(fapiClients.err)
	}
	return fapiClients.c
}

func (c *fapiCIBAClient) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: c.key, KeyID: c.id + "-key"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (c *fapiCIBAClient) assertion(t *testing.T, aud string) string {
	now := time.Now()
	return c.sign(t, map[string]any{"iss": c.id, "sub": c.id, "aud": aud, "jti": randomString(),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})
}

// requestClaims is a valid signed request for a new caller.
func (c *fapiCIBAClient) requestClaims() map[string]any {
	now := time.Now()
	return map[string]any{"iss": c.id, "aud": c.issuer, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "jti": randomString(),
		"scope": "openid national_id", "login_hint": "se-pnr:" + newCaller()}
}

// post sends a form with this client's assertion (unless auth is false).
func (c *fapiCIBAClient) post(t *testing.T, path string, form url.Values, auth bool) cibaAnswer {
	t.Helper()
	if auth {
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", c.assertion(t, c.issuer))
	}
	if !form.Has("client_id") {
		form.Set("client_id", c.id)
	}
	resp, err := http.PostForm(c.issuer+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a := cibaAnswer{Status: resp.StatusCode}
	if err := json.Unmarshal(body, &a.Body); err != nil {
		t.Fatalf("%s answered %d %q", path, resp.StatusCode, body)
	}
	return a
}

// start sends a signed backchannel request with these claims.
func (c *fapiCIBAClient) start(t *testing.T, claims map[string]any) cibaAnswer {
	t.Helper()
	return c.post(t, "/oauth/bc-authorize", url.Values{"request": {c.sign(t, claims)}}, true)
}

func (c *fapiCIBAClient) poll(t *testing.T, authReqID string) cibaAnswer {
	t.Helper()
	return c.post(t, "/oauth/token", url.Values{"grant_type": {config.GrantTypeCIBA}, "auth_req_id": {authReqID}}, true)
}

func (c *fapiCIBAClient) await(t *testing.T, ack cibaAnswer) cibaAnswer {
	t.Helper()
	if ack.Status != http.StatusOK {
		t.Fatalf("acknowledgement %d %v", ack.Status, ack.Body)
	}
	interval := time.Duration(ack.Body["interval"].(float64)) * time.Second
	for range 20 {
		time.Sleep(interval)
		a := c.poll(t, ack.str("auth_req_id"))
		if e := a.str("error"); e != "authorization_pending" && e != "slow_down" {
			return a
		}
	}
	t.Fatal("the verification never ended")
	return cibaAnswer{}
}

func wantError(t *testing.T, got cibaAnswer, status int, errs ...string) {
	t.Helper()
	if got.Status != status || !slices.Contains(errs, got.str("error")) {
		t.Errorf("answer %d %v, want %d %v", got.Status, got.Body, status, errs)
	}
}

func wantTokens(t *testing.T, got cibaAnswer, authReqID string) {
	t.Helper()
	if got.Status != http.StatusOK || got.str("id_token") == "" || got.str("access_token") == "" {
		t.Fatalf("token answer %d %v", got.Status, got.Body)
	}
	parts := strings.Split(got.str("id_token"), ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	if claims["urn:openid:params:jwt:claim:auth_req_id"] != authReqID || claims["at_hash"] == nil || claims["acr"] == nil {
		t.Errorf("ID token claims %v", claims)
	}
}

func cibaHappyFlow(t *testing.T, c *fapiCIBAClient) {
	ack := c.start(t, c.requestClaims())
	wantTokens(t, c.await(t, ack), ack.str("auth_req_id"))
}

func cibaSucceeds(extra url.Values) func(*testing.T, *fapiCIBAClient) {
	return func(t *testing.T, c *fapiCIBAClient) {
		claims := c.requestClaims()
		for k := range extra {
			claims[k] = extra.Get(k)
		}
		ack := c.start(t, claims)
		wantTokens(t, c.await(t, ack), ack.str("auth_req_id"))
	}
}

func cibaDiscovery(t *testing.T, c *fapiCIBAClient) {
	resp, err := http.Get(c.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	list := func(k string) []string {
		var out []string
		for _, v := range d[k].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	if d["backchannel_authentication_endpoint"] != c.issuer+"/oauth/bc-authorize" ||
		!slices.Contains(list("backchannel_token_delivery_modes_supported"), "poll") ||
		!slices.Contains(list("grant_types_supported"), config.GrantTypeCIBA) ||
		!slices.Contains(list("backchannel_authentication_request_signing_alg_values_supported"), "PS256") ||
		!slices.Contains(list("backchannel_authentication_request_signing_alg_values_supported"), "ES256") ||
		d["backchannel_user_code_parameter_supported"] != false ||
		!slices.Contains(list("token_endpoint_auth_methods_supported"), "private_key_jwt") ||
		!slices.Contains(list("portvakt_backchannel_eids_supported"), "se-bankid") ||
		!slices.Equal(list("portvakt_backchannel_parameters_supported"), []string{"call_initiator", "reason", "agent"}) {
		t.Errorf("discovery %v", d)
	}
}

func cibaUserRejects(t *testing.T, c *fapiCIBAClient) {
	d := dev(t)
	claims := c.requestClaims()
	pnr := strings.TrimPrefix(claims["login_hint"].(string), "se-pnr:")
	bankIDScriptDecline(t, d, pnr)
	wantError(t, c.await(t, c.start(t, claims)), http.StatusBadRequest, "access_denied")
}

func cibaMultipleCalls(t *testing.T, c *fapiCIBAClient) {
	ack := c.start(t, c.requestClaims())
	wantTokens(t, c.await(t, ack), ack.str("auth_req_id"))
	wantError(t, c.poll(t, ack.str("auth_req_id")), http.StatusBadRequest, "invalid_grant")
}

func cibaExpired(t *testing.T, c *fapiCIBAClient) {
	d := dev(t)
	claims := c.requestClaims()
	pnr := strings.TrimPrefix(claims["login_hint"].(string), "se-pnr:")
	bankIDScriptWaiting(t, d, pnr)
	claims["requested_expiry"] = 3
	ack := c.start(t, claims)
	if ack.Status != http.StatusOK || ack.Body["expires_in"].(float64) != 3 {
		t.Fatalf("acknowledgement %d %v", ack.Status, ack.Body)
	}
	time.Sleep(4 * time.Second)
	wantError(t, c.poll(t, ack.str("auth_req_id")), http.StatusBadRequest, "expired_token")
}

func cibaBadBindingMessage(t *testing.T, c *fapiCIBAClient) {
	claims := c.requestClaims()
	claims["binding_message"] = "1234 \U0001F600\U0001F600 \u200b" + strings.Repeat("ä", 40)
	got := c.start(t, claims)
	if got.Status == http.StatusOK {
		wantTokens(t, c.await(t, got), got.str("auth_req_id"))
		return
	}
	wantError(t, got, http.StatusBadRequest, "invalid_binding_message")
}

func cibaRequestedExpiryString(t *testing.T, c *fapiCIBAClient) {
	claims := c.requestClaims()
	claims["requested_expiry"] = "30"
	ack := c.start(t, claims)
	if ack.Status != http.StatusOK || ack.Body["expires_in"].(float64) != 30 {
		t.Fatalf("acknowledgement %d %v", ack.Status, ack.Body)
	}
	wantTokens(t, c.await(t, ack), ack.str("auth_req_id"))
}

func cibaRequestObjectFails(change func(map[string]any)) func(*testing.T, *fapiCIBAClient) {
	return func(t *testing.T, c *fapiCIBAClient) {
		claims := c.requestClaims()
		change(claims)
		wantError(t, c.start(t, claims), http.StatusBadRequest, "invalid_request")
	}
}

func cibaRequestObjectSigned(how string) func(*testing.T, *fapiCIBAClient) {
	return func(t *testing.T, c *fapiCIBAClient) {
		claims := c.requestClaims()
		var request string
		switch how {
		case "none":
			payload, _ := json.Marshal(claims)
			request = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
		case "bad":
			signed := c.sign(t, claims)
			request = signed[:len(signed)-4] + "AAAA"
		case "other":
			request = c.other.sign(t, claims)
		}
		wantError(t, c.post(t, "/oauth/bc-authorize", url.Values{"request": {request}}, true), http.StatusBadRequest, "invalid_request")
	}
}

func cibaMultipleHints(t *testing.T, c *fapiCIBAClient) {
	claims := c.requestClaims()
	claims["login_hint_token"] = "eyJ0eXAiOiJKV1QifQ.e30."
	wantError(t, c.start(t, claims), http.StatusBadRequest, "invalid_request")
}

func cibaWrongAuthReqID(t *testing.T, c *fapiCIBAClient) {
	wantError(t, c.poll(t, randomString()), http.StatusBadRequest, "invalid_grant")
}

// The request object is the client's; the assertion another's.
func cibaDifferentClientIDAndIssuer(t *testing.T, c *fapiCIBAClient) {
	form := url.Values{"request": {c.sign(t, c.requestClaims())}, "client_id": {c.other.id},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {c.other.assertion(t, c.issuer)}}
	got := c.post(t, "/oauth/bc-authorize", form, false)
	if got.Status == http.StatusOK {
		t.Fatalf("a request object of one client accepted from another: %v", got.Body)
	}
	wantError(t, got, got.Status, "invalid_request", "invalid_client")
}

func cibaWrongClientAtToken(t *testing.T, c *fapiCIBAClient) {
	ack := c.start(t, c.requestClaims())
	wantError(t, c.other.poll(t, ack.str("auth_req_id")), http.StatusBadRequest, "invalid_grant")
}

func cibaWrongClientAtBackchannel(t *testing.T, c *fapiCIBAClient) {
	form := url.Values{"request": {c.sign(t, c.requestClaims())}, "client_id": {c.other.id}}
	got := c.post(t, "/oauth/bc-authorize", form, true)
	wantError(t, got, got.Status, "invalid_client", "invalid_request")
	if got.Status != http.StatusUnauthorized && got.Status != http.StatusBadRequest {
		t.Errorf("status %d", got.Status)
	}
}

func cibaWithoutAssertionAtToken(t *testing.T, c *fapiCIBAClient) {
	ack := c.start(t, c.requestClaims())
	got := c.post(t, "/oauth/token", url.Values{"grant_type": {config.GrantTypeCIBA}, "auth_req_id": {ack.str("auth_req_id")}}, false)
	wantError(t, got, http.StatusUnauthorized, "invalid_client")
}

func cibaWithoutAssertionAtBackchannel(t *testing.T, c *fapiCIBAClient) {
	got := c.post(t, "/oauth/bc-authorize", url.Values{"request": {c.sign(t, c.requestClaims())}}, false)
	wantError(t, got, http.StatusUnauthorized, "invalid_client")
}

func cibaAssertionAudTokenEndpoint(t *testing.T, c *fapiCIBAClient) {
	ack := c.start(t, c.requestClaims())
	if ack.Status != http.StatusOK {
		t.Fatalf("acknowledgement %d %v", ack.Status, ack.Body)
	}
	time.Sleep(5 * time.Second)
	form := url.Values{"grant_type": {config.GrantTypeCIBA}, "auth_req_id": {ack.str("auth_req_id")}, "client_id": {c.id},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {c.assertion(t, c.issuer+"/oauth/token")}}
	for range 10 {
		got := c.post(t, "/oauth/token", form, false)
		if got.str("error") != "authorization_pending" {
			wantTokens(t, got, ack.str("auth_req_id"))
			return
		}
		time.Sleep(5 * time.Second)
		form.Set("client_assertion", c.assertion(t, c.issuer+"/oauth/token"))
	}
	t.Fatal("never finished")
}
