package conformance_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The FAPI 2.0 plan's DPoP modules (RFC 9449 with FAPI 2.0 §5.3.2.2).

// fapiDPoPToken runs a login of fapi-one and returns its DPoP-bound access token.
func fapiDPoPToken(t *testing.T, h *fapiHarness) string {
	t.Helper()
	req := h.request()
	tr := h.redeem(t, h.code(t, req), req.verifier, nil)
	if tr.Status != http.StatusOK || tr.str("access_token") == "" {
		t.Fatalf("token: %d %s", tr.Status, tr.Raw)
	}
	if tr.str("token_type") != "DPoP" {
		t.Fatalf("token_type %q, want DPoP", tr.str("token_type"))
	}
	return tr.str("access_token")
}

// fapiTokenTypeCase: the Authorization scheme is case-insensitive (RFC 9110
// §11.1), so "dpop" and "DPOP" reach the userinfo endpoint as "DPoP" does.
func fapiTokenTypeCase(t *testing.T, h *fapiHarness) {
	at := fapiDPoPToken(t, h)
	for _, scheme := range []string{"DPoP", "dpop", "DPOP"} {
		got := h.userinfo(t, scheme+" "+at, h.proof(t, h.dpop, http.MethodGet, "/userinfo", at))
		if got.status != http.StatusOK {
			t.Errorf("userinfo with scheme %q: %d %s %s", scheme, got.status, got.challenge, got.body)
		}
	}
}

// fapiProofAt redeems a fresh code with a proof whose claims change edits and
// checks the status.
func fapiProofAt(t *testing.T, h *fapiHarness, change func(claims map[string]any), want int) {
	t.Helper()
	req := h.request()
	code := h.code(t, req)
	spec := h.dpop.spec(t, http.MethodPost, h.URL+"/oauth/token", "", h.clock.now())
	change(spec.claims)
	tr := h.redeemProof(t, code, req.verifier, nil, h.dpop.encode(t, spec))
	switch {
	case want == http.StatusOK && tr.Status != http.StatusOK:
		t.Errorf("token: %d %s, want 200", tr.Status, tr.Raw)
	case want != http.StatusOK:
		expectTokenError(t, tr, "invalid_dpop_proof")
	}
}

// fapiProofNbfExp: a proof is judged by its iat, accepted up to 10 s ahead
// of the broker's clock and refused beyond 60 s either way; nbf and exp in
// the proof do not widen the window.
func fapiProofNbfExp(t *testing.T, h *fapiHarness) {
	for _, tc := range []struct {
		name   string
		change func(c map[string]any)
		want   int
	}{
		{"nbf and exp around a fresh iat", func(c map[string]any) {
			now := h.clock.now()
			c["nbf"], c["exp"] = now.Add(-time.Second).Unix(), now.Add(time.Minute).Unix()
		}, http.StatusOK},
		{"iat 61 s ahead", func(c map[string]any) { c["iat"] = h.clock.now().Add(61 * time.Second).Unix() }, http.StatusBadRequest},
		{"iat 61 s ahead with nbf now", func(c map[string]any) {
			c["iat"], c["nbf"] = h.clock.now().Add(61*time.Second).Unix(), h.clock.now().Unix()
		}, http.StatusBadRequest},
		{"iat 5 min old with exp ahead", func(c map[string]any) {
			c["iat"], c["exp"] = h.clock.now().Add(-5*time.Minute).Unix(), h.clock.now().Add(time.Hour).Unix()
		}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) { fapiProofAt(t, h, tc.change, tc.want) })
	}
}

// fapiProofIAT: FAPI 2.0 §5.3.2.1 lets a client's clock be 10 s off either way.
func fapiProofIAT(offset time.Duration) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		fapiProofAt(t, h, func(c map[string]any) { c["iat"] = h.clock.now().Add(offset).Unix() }, http.StatusOK)
	}
}

// fapiMismatchedJKTAtPAR: dpop_jkt and the proof at the PAR endpoint must
// name the same key (RFC 9449 §10.1).
func fapiMismatchedJKTAtPAR(t *testing.T, h *fapiHarness) {
	req := h.request()
	req.params.Set("dpop_jkt", newDPoPKey(t).jkt)
	tr := h.postProof(t, "/oauth/par", joinForms(h.auth(t, nil), req.params), h.proof(t, h.dpop, http.MethodPost, "/oauth/par", ""))
	if tr.Status != http.StatusBadRequest || tr.str("error") != "invalid_request" && tr.str("error") != "invalid_dpop_proof" {
		t.Errorf("PAR: %d %s, want invalid_request or invalid_dpop_proof", tr.Status, tr.Raw)
	}
}

// fapiBoundCode pushes req bound to h.dpop, by a proof at PAR or by dpop_jkt,
// and returns the code.
func fapiBoundCode(t *testing.T, h *fapiHarness, req *request, byProof bool) string {
	t.Helper()
	proof := ""
	if byProof {
		proof = h.proof(t, h.dpop, http.MethodPost, "/oauth/par", "")
	} else {
		req.params.Set("dpop_jkt", h.dpop.jkt)
	}
	tr := h.postProof(t, "/oauth/par", joinForms(h.auth(t, nil), req.params), proof)
	if tr.Status != http.StatusCreated {
		t.Fatalf("PAR: %d %s", tr.Status, tr.Raw)
	}
	return h.rp.expectCode(t, h.authorizeURI(t, newBrowser(t), tr.str("request_uri")), req.state)
}

// fapiCodeBinding: a code bound at PAR is redeemed with a proof of that key,
// and refused with a proof of another (RFC 9449 §10).
func fapiCodeBinding(byProof, sameKey bool) func(*testing.T, *fapiHarness) {
	return func(t *testing.T, h *fapiHarness) {
		req := h.request()
		code := fapiBoundCode(t, h, req, byProof)
		key := h.dpop
		if !sameKey {
			key = newDPoPKey(t)
		}
		tr := h.redeemProof(t, code, req.verifier, nil, h.proof(t, key, http.MethodPost, "/oauth/token", ""))
		if !sameKey {
			expectTokenError(t, tr, "invalid_grant")
			return
		}
		if tr.Status != http.StatusOK || tr.str("token_type") != "DPoP" {
			t.Fatalf("token: %d %s, want 200 with a DPoP token", tr.Status, tr.Raw)
		}
		at := tr.str("access_token")
		if got := h.userinfo(t, "DPoP "+at, h.proof(t, h.dpop, http.MethodGet, "/userinfo", at)); got.status != http.StatusOK {
			t.Errorf("userinfo: %d %s", got.status, got.body)
		}
	}
}

// fapiHolderOfKey: a FAPI 2.0 client's code is not traded without a DPoP
// proof, and its token is not accepted as a bearer token.
func fapiHolderOfKey(t *testing.T, h *fapiHarness) {
	req := h.request()
	expectTokenError(t, h.redeemProof(t, h.code(t, req), req.verifier, nil, ""), "invalid_dpop_proof")
	at := fapiDPoPToken(t, h)
	if got := h.userinfo(t, "Bearer "+at); got.status != http.StatusUnauthorized {
		t.Errorf("userinfo with the DPoP token as Bearer: %d %s, want 401", got.status, got.body)
	}
}

// fapiDPoPNegative is the suite's dpop-negative-tests against the userinfo
// endpoint: the proofs it must accept and the ones it must refuse.
func fapiDPoPNegative(t *testing.T, h *fapiHarness) {
	at := fapiDPoPToken(t, h)
	other := newDPoPKey(t)
	privateJWK, err := json.Marshal(jose.JSONWebKey{Key: h.dpop.priv})
	if err != nil {
		t.Fatal(err)
	}
	spec := func() *proofSpec { return h.dpop.spec(t, http.MethodGet, h.URL+"/userinfo", at, h.clock.now()) }
	withClaim := func(k string, v any) []string {
		p := spec()
		if v == nil {
			delete(p.claims, k)
		} else {
			p.claims[k] = v
		}
		return []string{h.dpop.encode(t, p)}
	}
	withHeader := func(k string, v any) []string {
		p := spec()
		if v == nil {
			delete(p.header, k)
		} else {
			p.header[k] = v
		}
		return []string{h.dpop.encode(t, p)}
	}
	good := func() string { return h.dpop.encode(t, spec()) }
	badSignature := spec()
	badSignature.signer = other.priv
	for _, tc := range []struct {
		name    string
		scheme  string
		proofs  []string
		accepts bool
	}{
		{"htu with a query", "DPoP", withClaim("htu", h.URL+"/userinfo?x=1"), true},
		{"htu with a fragment", "DPoP", withClaim("htu", h.URL+"/userinfo#f"), true},
		{"an extra claim", "DPoP", withClaim("extra", "yes"), true},
		{"two DPoP headers", "DPoP", []string{good(), good()}, false},
		{"a malformed JWT", "DPoP", []string{"not.a.jwt"}, false},
		{"no typ", "DPoP", withHeader("typ", nil), false},
		{"no alg", "DPoP", withHeader("alg", nil), false},
		{"no jwk", "DPoP", withHeader("jwk", nil), false},
		{"no jti", "DPoP", withClaim("jti", nil), false},
		{"no htm", "DPoP", withClaim("htm", nil), false},
		{"no htu", "DPoP", withClaim("htu", nil), false},
		{"no iat", "DPoP", withClaim("iat", nil), false},
		{"no ath", "DPoP", withClaim("ath", nil), false},
		{"typ JWT", "DPoP", withHeader("typ", "JWT"), false},
		{"alg RS256", "DPoP", withHeader("alg", "RS256"), false},
		{"alg none", "DPoP", withHeader("alg", "none"), false},
		{"a bad signature", "DPoP", []string{h.dpop.encode(t, badSignature)}, false},
		{"a private jwk", "DPoP", withHeader("jwk", json.RawMessage(privateJWK)), false},
		{"htm POST", "DPoP", withClaim("htm", http.MethodPost), false},
		{"htu of another endpoint", "DPoP", withClaim("htu", h.URL+"/oauth/token"), false},
		{"iat an hour ago", "DPoP", withClaim("iat", h.clock.now().Add(-time.Hour).Unix()), false},
		{"iat an hour ahead", "DPoP", withClaim("iat", h.clock.now().Add(time.Hour).Unix()), false},
		{"ath of another token", "DPoP", withClaim("ath", strings.Repeat("A", 43)), false},
		{"a proof of another key", "DPoP", []string{h.proof(t, other, http.MethodGet, "/userinfo", at)}, false},
		{"no proof", "DPoP", nil, false},
		{"the Bearer scheme", "Bearer", []string{good()}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := h.userinfo(t, tc.scheme+" "+at, tc.proofs...)
			if tc.accepts != (got.status == http.StatusOK) {
				t.Errorf("userinfo: %d %s %s; accepted should be %v", got.status, got.challenge, got.body, tc.accepts)
			}
			if !tc.accepts && got.status != http.StatusUnauthorized && got.status != http.StatusBadRequest {
				t.Errorf("status %d, want 401 or 400", got.status)
			}
		})
	}
	replayed := good()
	if got := h.userinfo(t, "DPoP "+at, replayed); got.status != http.StatusOK {
		t.Fatalf("first use of a proof: %d %s", got.status, got.body)
	}
	if got := h.userinfo(t, "DPoP "+at, replayed); got.status == http.StatusOK {
		t.Error("a replayed proof was accepted")
	}
}
