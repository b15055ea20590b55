package conformance_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// fapiModule is one module of fapi2-security-profile-final-test-plan
// [client_auth_type=private_key_jwt][sender_constrain=dpop][openid=openid_connect]
// [fapi_profile=plain_fapi][fapi_request_method=unsigned]. A module without run
// is one the broker does not yet answer here, and pending says why.
type fapiModule struct {
	name    string
	run     func(t *testing.T, h *fapiHarness)
	pending string
}

const (
	pendingOther  = "for another ecosystem's profile (Brazil, Australia), not plain_fapi"
	pendingPerson = "needs a person who rejects the login; the harness's eID answers at once"
)

// fapi2Modules are the plan's modules in the suite's order, without the
// "fapi2-security-profile-final-" prefix.
func fapi2Modules() []fapiModule {
	return []fapiModule{
		{"discovery-end-point-verification", fapiDiscovery, ""},
		{"happy-flow", fapiHappyFlow, ""},
		{"user-rejects-authentication", nil, pendingPerson},
		{"ensure-authorization-request-without-state-success", fapiWithout("state"), ""},
		{"ensure-authorization-request-without-nonce-success", fapiWithout("nonce"), ""},
		{"ensure-authorization-request-with-64-char-nonce-success", fapiLongParam("nonce", 64), ""},
		{"ensure-other-scope-order-succeeds", fapiScopeOrder, ""},
		{"test-claims-parameter-identity-claims", fapiClaimsParameter, ""},
		{"access-token-type-header-case-sensitivity", fapiTokenTypeCase, ""},
		{"check-dpop-proof-nbf-exp", fapiProofNbfExp, ""},
		{"ensure-dpopproof-with-iat-10seconds-before-succeeds", fapiProofIAT(-10 * time.Second), ""},
		{"ensure-dpopproof-with-iat-10seconds-after-succeeds", fapiProofIAT(10 * time.Second), ""},
		{"ensure-mismatched-dpop-jkt-fails", fapiMismatchedJKTAtPAR, ""},
		{"ensure-token-endpoint-fails-with-mismatched-dpop-proof-jkt", fapiCodeBinding(true, false), ""},
		{"ensure-token-endpoint-fails-with-mismatched-dpop-jkt", fapiCodeBinding(false, false), ""},
		{"ensure-dpopproof-at-par-endpoint-binding-success", fapiCodeBinding(true, true), ""},
		{"ensure-dpop-auth-code-binding-success", fapiCodeBinding(false, true), ""},
		{"ensure-different-nonce-inside-and-outside-request-object", fapiInsideOutside("nonce"), ""},
		{"ensure-different-state-inside-and-outside-request-object", fapiInsideOutside("state"), ""},
		{"ensure-authorization-request-with-long-nonce", fapiLongParam("nonce", 384), ""},
		{"ensure-authorization-request-with-long-state", fapiLongParam("state", 384), ""},
		{"state-only-outside-request-object-not-used", fapiStateOnlyOutside, ""},
		{"ensure-request-object-without-redirect-uri-fails", fapiRequestObjectWithoutRedirect, ""},
		{"ensure-registered-redirect-uri", fapiRegisteredRedirect, ""},
		// The suite tolerates an OP that accepts an unregistered redirect_uri through
		// PAR; the broker matches redirect URIs exactly, pushed or not.
		{"plain-fapi-tolerate-unregistered-redirect-uri", fapiRegisteredRedirect, ""},
		{"ensure-unsigned-authorization-request-without-using-par-fails", fapiWithoutPAR, ""},
		{"ensure-redirect-uri-in-authorization-request", fapiRedirectRequired, ""},
		{"ensure-response-type-code-idtoken-fails", fapiResponseType("code id_token"), ""},
		{"ensure-response-type-token-fails", fapiResponseType("token"), ""},
		{"australia-connectid-ensure-invalid-purpose-fails", nil, pendingOther},
		{"ensure-client-id-in-token-endpoint", fapiClientIDAtToken, ""},
		{"ensure-holder-of-key-required", fapiHolderOfKey, ""},
		{"ensure-authorization-code-is-bound-to-client", fapiCodeBoundToClient, ""},
		{"attempt-reuse-authorization-code-after-one-second", fapiCodeReuse, ""},
		{"ensure-token-endpoint-fails-with-expired-auth-code", fapiExpiredCode, ""},
		{"ensure-signed-client-assertion-with-RS256-fails", fapiAssertionRS256, ""},
		{"ensure-client-assertion-in-token-endpoint", fapiAssertionRequired, ""},
		{"ensure-client-assertion-with-exp-is-5-minutes-in-past-fails", fapiAssertion(func(c map[string]any) { c["exp"] = time.Now().Add(-5 * time.Minute).Unix() }), ""},
		{"ensure-client-assertion-with-wrong-aud-fails", fapiAssertion(func(c map[string]any) { c["aud"] = "https://other.example" }), ""},
		{"ensure-client-assertion-with-no-sub-fails", fapiAssertion(func(c map[string]any) { delete(c, "sub") }), ""},
		{"dpop-negative-tests", fapiDPoPNegative, ""},
		{"refresh-token", fapiNoRefreshToken, ""},
		{"ensure-server-handles-non-matching-intent-id", nil, pendingOther},
		{"test-essential-acr-sca-claim", nil, pendingOther},
		{"brazil-ensure-bad-payment-signature-fails", nil, pendingOther},
		{"australia-connectid-test-claims-parameter-idtoken-identity-claims", nil, pendingOther},
		{"par-ensure-reused-request-uri-prior-to-auth-completion-succeeds", fapiReusedRequestURIBeforeCompletion, ""},
		{"par-attempt-reuse-request_uri", fapiReuseRequestURI, ""},
		{"par-attempt-to-use-expired-request_uri", fapiExpiredRequestURI, ""},
		{"par-ensure-jwt-client-assertions-nbf-8-seconds-in-the-future-is-accepted", fapiAssertionNotBefore(8*time.Second, http.StatusCreated), ""},
		{"par-ensure-jwt-client-assertions-nbf-over-60-seconds-in-the-future-fails", fapiAssertionNotBefore(61*time.Second, http.StatusUnauthorized), ""},
		{"par-attempt-to-use-request_uri-for-different-client", fapiRequestURIOtherClient, ""},
		{"par-authorization-request-containing-request_uri-form-param", fapiPushedRequestURI, ""},
		{"par-attempt-invalid-http-method", fapiPARMethod, ""},
		{"par-ensure-pkce-required", fapiPKCERequired, ""},
		{"ensure-pkce-code-verifier-required", fapiVerifier(""), ""},
		{"incorrect-pkce-code-verifier-rejected", fapiVerifier("wrong"), ""},
		{"par-plain-pkce-rejected", fapiPlainPKCE, ""},
		{"par-without-duplicate-parameters", fapiHappyFlow, ""},
		{"par-test-array-as-audience-fails", fapiAssertionAudience(func(h *fapiHarness) any { return []string{h.URL} }), ""},
		{"par-test-par-endpoint-url-as-audience-fails", fapiAssertionAudience(func(h *fapiHarness) any { return h.URL + "/oauth/par" }), ""},
		{"par-test-token-endpoint-url-as-audience-fails", fapiAssertionAudience(func(h *fapiHarness) any { return h.URL + "/oauth/token" }), ""},
	}
}

// TestFAPI2SecurityProfileOP is fapi2-security-profile-final-test-plan, private_key_jwt + DPoP, openid_connect.
func TestFAPI2SecurityProfileOP(t *testing.T) {
	h := newFAPIHarness(t)
	for _, m := range fapi2Modules() {
		t.Run("fapi2-security-profile-final-"+m.name, func(t *testing.T) {
			if m.run == nil {
				t.Skip(m.pending)
			}
			m.run(t, h)
		})
	}
}

func TestFAPI2PlanListsEveryModule(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range fapi2Modules() {
		if seen[m.name] {
			t.Errorf("module %s listed twice", m.name)
		}
		seen[m.name] = true
		if m.run == nil && m.pending == "" {
			t.Errorf("module %s neither runs nor says why not", m.name)
		}
	}
	if len(seen) != 62 {
		t.Errorf("%d modules, the FAPI 2.0 Security Profile plan has 62", len(seen))
	}
}

func fapiDiscovery(t *testing.T, h *fapiHarness) {
	m := h.rp.meta
	if m["pushed_authorization_request_endpoint"] != h.URL+"/oauth/par" {
		t.Errorf("pushed_authorization_request_endpoint %v", m["pushed_authorization_request_endpoint"])
	}
	if m["authorization_response_iss_parameter_supported"] != true {
		t.Error("authorization_response_iss_parameter_supported must be true (RFC 9207)")
	}
	list := func(k string) []any { l, _ := m[k].([]any); return l }
	if !slices.Equal(list("code_challenge_methods_supported"), []any{"S256"}) {
		t.Errorf("code_challenge_methods_supported %v, want [S256]", list("code_challenge_methods_supported"))
	}
	if !slices.Contains(list("token_endpoint_auth_methods_supported"), any("private_key_jwt")) {
		t.Error("private_key_jwt not advertised")
	}
	for _, alg := range []string{"ES256", "PS256"} {
		if !slices.Contains(list("id_token_signing_alg_values_supported"), any(alg)) {
			t.Errorf("id_token_signing_alg_values_supported lacks %s", alg)
		}
	}
	if !slices.Equal(list("response_types_supported"), []any{"code"}) {
		t.Errorf("response_types_supported %v, want [code]", list("response_types_supported"))
	}
}

// fapiLogin runs req to the end and returns the ID token's claims.
func fapiLogin(t *testing.T, h *fapiHarness, req *request) map[string]any {
	t.Helper()
	tr := h.redeem(t, h.code(t, req), req.verifier, nil)
	if tr.Status != http.StatusOK || tr.str("id_token") == "" || tr.str("access_token") == "" {
		t.Fatalf("token: %d %s", tr.Status, tr.Raw)
	}
	return h.verifyIDToken(t, tr.str("id_token"), req.params.Get("nonce"))
}

func fapiHappyFlow(t *testing.T, h *fapiHarness) {
	claims := fapiLogin(t, h, h.request())
	if claims["acr"] == nil || claims["sub"] == nil {
		t.Errorf("ID token claims %v", claims)
	}
}

func fapiWithout(param string) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		req := h.request()
		req.params.Del(param)
		if param == "state" {
			req.state = ""
		}
		fapiLogin(t, h, req)
	}
}

func fapiLongParam(param string, n int) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		req := h.request()
		long := strings.Repeat("a", n)
		req.params.Set(param, long)
		if param == "state" {
			req.state = long
		}
		fapiLogin(t, h, req)
	}
}

func fapiScopeOrder(t *testing.T, h *fapiHarness) {
	req := h.request()
	req.params.Set("scope", "profile openid")
	fapiLogin(t, h, req)
}

func fapiClaimsParameter(t *testing.T, h *fapiHarness) {
	req := h.request()
	req.params.Set("scope", "openid profile")
	req.params.Set("claims", `{"id_token":{"name":{"essential":true}}}`)
	if claims := fapiLogin(t, h, req); claims["name"] == nil {
		t.Errorf("ID token without the name asked for: %v", claims)
	}
}

// requestObject signs req's parameters as fapi-one's request object.
func (h *fapiHarness) requestObject(t *testing.T, params url.Values, change func(map[string]any)) string {
	t.Helper()
	now := h.clock.now()
	claims := map[string]any{"iss": fapiID, "aud": h.URL, "jti": randomString(),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	for k := range params {
		claims[k] = params.Get(k)
	}
	if change != nil {
		change(claims)
	}
	return signJWT(t, jose.ES256, h.key, "es", "oauth-authz-req+jwt", claims)
}

// fapiInsideOutside: a parameter outside the request object is not used.
func fapiInsideOutside(param string) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		req := h.request()
		form := url.Values{"request": {h.requestObject(t, req.params, nil)}, param: {"outside"}}
		tr := h.push(t, form)
		if tr.Status != http.StatusCreated {
			t.Fatalf("PAR: %d %s", tr.Status, tr.Raw)
		}
		code := h.rp.expectCode(t, h.authorizeURI(t, newBrowser(t), tr.str("request_uri")), req.state)
		tok := h.redeem(t, code, req.verifier, nil)
		h.verifyIDToken(t, tok.str("id_token"), req.params.Get("nonce"))
	}
}

func fapiStateOnlyOutside(t *testing.T, h *fapiHarness) {
	req := h.request()
	inside := url.Values{}
	for k, v := range req.params {
		if k != "state" {
			inside[k] = v
		}
	}
	tr := h.push(t, url.Values{"request": {h.requestObject(t, inside, nil)}, "state": {req.state}})
	if tr.Status != http.StatusCreated {
		t.Fatalf("PAR: %d %s", tr.Status, tr.Raw)
	}
	got := h.authorizeURI(t, newBrowser(t), tr.str("request_uri"))
	if got.Params == nil || got.Params.Get("state") != "" {
		t.Errorf("answer %v: the state outside the request object must not be returned", got.Params)
	}
}

func fapiRequestObjectWithoutRedirect(t *testing.T, h *fapiHarness) {
	req := h.request()
	req.params.Del("redirect_uri")
	tr := h.push(t, url.Values{"request": {h.requestObject(t, req.params, nil)}})
	expectTokenError(t, tr, "invalid_request")
}

func fapiRegisteredRedirect(t *testing.T, h *fapiHarness) {
	req := h.request()
	req.params.Set("redirect_uri", "https://rp.example/other")
	expectTokenError(t, h.push(t, req.params), "invalid_request")
}

func fapiWithoutPAR(t *testing.T, h *fapiHarness) {
	req := h.request()
	if e := h.rp.expectError(t, newBrowser(t).authorize(h.rp, http.MethodGet, req.params), req.state); e != "invalid_request" {
		t.Errorf("error %s, want invalid_request", e)
	}
}

func fapiRedirectRequired(t *testing.T, h *fapiHarness) {
	req := h.request()
	req.params.Del("redirect_uri")
	expectTokenError(t, h.push(t, req.params), "invalid_request")
}

func fapiResponseType(rt string) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		req := h.request()
		req.params.Set("response_type", rt)
		expectTokenError(t, h.push(t, req.params), "unsupported_response_type")
	}
}

func fapiClientIDAtToken(t *testing.T, h *fapiHarness) {
	req := h.request()
	code := h.code(t, req)
	tr := h.redeem(t, code, req.verifier, joinForms(h.auth(t, nil), url.Values{"client_id": {fapiOtherID}}))
	expectTokenError(t, tr, "invalid_client")
}

func fapiCodeBoundToClient(t *testing.T, h *fapiHarness) {
	req := h.request()
	code := h.code(t, req)
	other := h.assertionClaims(fapiOtherID)
	tr := h.redeem(t, code, req.verifier, assertionForm(signJWT(t, jose.ES256, h.otherKey, "es2", "", other)))
	expectTokenError(t, tr, "invalid_grant")
}

func fapiCodeReuse(t *testing.T, h *fapiHarness) {
	req := h.request()
	code := h.code(t, req)
	if tr := h.redeem(t, code, req.verifier, nil); tr.Status != http.StatusOK {
		t.Fatalf("first redemption: %d %s", tr.Status, tr.Raw)
	}
	h.clock.advance(time.Second)
	expectTokenError(t, h.redeem(t, code, req.verifier, nil), "invalid_grant")
}

func fapiExpiredCode(t *testing.T, h *fapiHarness) {
	req := h.request()
	code := h.code(t, req)
	h.clock.advance(61 * time.Second)
	expectTokenError(t, h.redeem(t, code, req.verifier, nil), "invalid_grant")
}

func fapiAssertionRS256(t *testing.T, h *fapiHarness) {
	assertion := signJWT(t, jose.RS256, h.rsaKey, "rs", "", h.assertionClaims(fapiID))
	expectTokenError(t, h.post(t, "/oauth/par", joinForms(assertionForm(assertion), h.request().params)), "invalid_client")
}

func fapiAssertionRequired(t *testing.T, h *fapiHarness) {
	req := h.request()
	code := h.code(t, req)
	expectTokenError(t, h.redeem(t, code, req.verifier, url.Values{"client_id": {fapiID}}), "invalid_client")
}

func fapiAssertion(change func(map[string]any)) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		req := h.request()
		code := h.code(t, req)
		expectTokenError(t, h.redeem(t, code, req.verifier, h.auth(t, change)), "invalid_client")
	}
}

func fapiNoRefreshToken(t *testing.T, h *fapiHarness) {
	req := h.request()
	tr := h.redeem(t, h.code(t, req), req.verifier, nil)
	if tr.str("refresh_token") != "" {
		t.Errorf("a refresh token was issued: %s", tr.Raw)
	}
}

// fapiReusedRequestURIBeforeCompletion: the suite only warns when a
// request_uri fails a second time before the login finished. The broker takes
// a request_uri once, when the browser brings it (RFC 9126 §4: one-time use),
// so the second use is refused with a page.
func fapiReusedRequestURIBeforeCompletion(t *testing.T, h *fapiHarness) {
	uri := h.pushed(t, h.request())
	h.authorizeURI(t, newBrowser(t), uri)
	expectErrorPage(t, h.authorizeURI(t, newBrowser(t), uri))
}

func fapiReuseRequestURI(t *testing.T, h *fapiHarness) {
	req := h.request()
	uri := h.pushed(t, req)
	h.rp.expectCode(t, h.authorizeURI(t, newBrowser(t), uri), req.state)
	expectErrorPage(t, h.authorizeURI(t, newBrowser(t), uri))
}

func fapiExpiredRequestURI(t *testing.T, h *fapiHarness) {
	uri := h.pushed(t, h.request())
	h.clock.advance(61 * time.Second)
	expectErrorPage(t, h.authorizeURI(t, newBrowser(t), uri))
}

func fapiAssertionNotBefore(ahead time.Duration, want int) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		auth := h.auth(t, func(c map[string]any) { c["nbf"] = h.clock.now().Add(ahead).Unix() })
		tr := h.post(t, "/oauth/par", joinForms(auth, h.request().params))
		if tr.Status != want {
			t.Errorf("status %d %s, want %d", tr.Status, tr.Raw, want)
		}
	}
}

func fapiRequestURIOtherClient(t *testing.T, h *fapiHarness) {
	uri := h.pushed(t, h.request())
	got := newBrowser(t).authorize(h.rp, http.MethodGet, url.Values{"client_id": {fapiOtherID}, "request_uri": {uri}})
	expectErrorPage(t, got)
}

func fapiPushedRequestURI(t *testing.T, h *fapiHarness) {
	req := h.request()
	req.params.Set("request_uri", "urn:ietf:params:oauth:request_uri:pushed-by-the-client")
	expectTokenError(t, h.push(t, req.params), "invalid_request")
}

func fapiPARMethod(t *testing.T, h *fapiHarness) {
	resp, err := http.Get(h.URL + "/oauth/par")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /oauth/par: %d, want 405", resp.StatusCode)
	}
}

func fapiPKCERequired(t *testing.T, h *fapiHarness) {
	req := h.request()
	req.params.Del("code_challenge")
	req.params.Del("code_challenge_method")
	expectTokenError(t, h.push(t, req.params), "invalid_request")
}

func fapiVerifier(verifier string) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		req := h.request()
		code := h.code(t, req)
		if verifier == "" {
			// The suite takes invalid_request or invalid_grant.
			if tr := h.redeem(t, code, "", nil); tr.Status != http.StatusBadRequest || tr.str("error") != "invalid_request" && tr.str("error") != "invalid_grant" {
				t.Errorf("token endpoint: status %d body %.200s; want invalid_request or invalid_grant", tr.Status, tr.Raw)
			}
			return
		}
		expectTokenError(t, h.redeem(t, code, req.verifier+"x", nil), "invalid_grant")
	}
}

func fapiPlainPKCE(t *testing.T, h *fapiHarness) {
	req := h.request()
	req.params.Set("code_challenge_method", "plain")
	req.params.Set("code_challenge", req.verifier)
	expectTokenError(t, h.push(t, req.params), "invalid_request")
}

func fapiAssertionAudience(aud func(*fapiHarness) any) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		auth := h.auth(t, func(c map[string]any) { c["aud"] = aud(h) })
		expectTokenError(t, h.post(t, "/oauth/par", joinForms(auth, h.request().params)), "invalid_client")
	}
}
