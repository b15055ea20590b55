package conformance_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// postWithAssertion posts form to path on the broker, authenticating the JWT
// client with the assertion.
func (h *harness) postWithAssertion(t *testing.T, path, clientAssertion string, form url.Values) tokenResponse {
	t.Helper()
	form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	form.Set("client_assertion", clientAssertion)
	req, _ := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doToken(t, req)
}

// clientAuthEndpoints are the endpoints that authenticate a client, each with a
// request that succeeds for the JWT client holding the access token at.
func clientAuthEndpoints(h *harness, r *rp) []struct {
	name string
	call func(t *testing.T, clientAssertion string) tokenResponse
} {
	return []struct {
		name string
		call func(t *testing.T, clientAssertion string) tokenResponse
	}{
		{"token", func(t *testing.T, a string) tokenResponse { return h.redeemWithAssertion(t, r, a, nil) }},
		{"introspection", func(t *testing.T, a string) tokenResponse {
			return h.postWithAssertion(t, "/oauth/introspect", a, url.Values{"token": {"unknown-token"}})
		}},
		{"revocation", func(t *testing.T, a string) tokenResponse {
			return h.postWithAssertion(t, "/revoke", a, url.Values{"token": {"unknown-token"}})
		}},
	}
}

// RFC 7523 §3: a client assertion's jti makes it single use. That holds at every
// endpoint that authenticates a client, and across them: an assertion spent at
// introspection does not open the token endpoint afterwards.
func TestSecurityClientAssertionIsSingleUseEverywhere(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hJWTID, "", "private_key_jwt")
	endpoints := clientAuthEndpoints(h, r)
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			a := h.validAssertion().sign(t)
			if tr := ep.call(t, a); tr.Status != http.StatusOK {
				t.Fatalf("first use: status %d body %.200s", tr.Status, tr.Raw)
			}
			if tr := ep.call(t, a); tr.Status != http.StatusUnauthorized || tr.str("error") != "invalid_client" {
				t.Errorf("replayed assertion: status %d body %.200s; want 401 invalid_client", tr.Status, tr.Raw)
			}
		})
	}
	for i, first := range endpoints {
		then := endpoints[(i+1)%len(endpoints)]
		t.Run(first.name+" then "+then.name, func(t *testing.T) {
			a := h.validAssertion().sign(t)
			if tr := first.call(t, a); tr.Status != http.StatusOK {
				t.Fatalf("first use: status %d body %.200s", tr.Status, tr.Raw)
			}
			if tr := then.call(t, a); tr.Status != http.StatusUnauthorized || tr.str("error") != "invalid_client" {
				t.Errorf("replayed assertion: status %d body %.200s; want 401 invalid_client", tr.Status, tr.Raw)
			}
		})
	}
}

// RFC 7523 §3 and OIDC Core §9: the assertion's aud identifies this server, by its
// issuer or by its token endpoint URL. Both work at every endpoint that
// authenticates a client; any other audience does not.
func TestSecurityClientAssertionAudience(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hJWTID, "", "private_key_jwt")
	for _, ep := range clientAuthEndpoints(h, r) {
		for _, tc := range []struct {
			name string
			aud  any
			ok   bool
		}{
			{"issuer", h.URL, true},
			{"token endpoint", h.URL + "/oauth/token", true},
			{"array with the token endpoint", []string{"https://other.example", h.URL + "/oauth/token"}, true},
			{"introspection endpoint", h.URL + "/oauth/introspect", false},
			{"issuer with a trailing slash", h.URL + "/", false},
			{"another server", "https://other.example", false},
		} {
			t.Run(ep.name+" aud "+tc.name, func(t *testing.T) {
				a := h.validAssertion()
				a.claims["aud"] = tc.aud
				tr := ep.call(t, a.sign(t))
				if tc.ok && tr.Status != http.StatusOK {
					t.Errorf("status %d body %.200s; want 200", tr.Status, tr.Raw)
				}
				if !tc.ok && (tr.Status != http.StatusUnauthorized || tr.str("error") != "invalid_client") {
					t.Errorf("status %d body %.200s; want 401 invalid_client", tr.Status, tr.Raw)
				}
			})
		}
	}
}
