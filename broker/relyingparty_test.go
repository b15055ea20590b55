package broker_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/config"
)

// The relying party of these tests.
const (
	rpID       = "rp"
	rpSecret   = "rp-secret-0123456789"
	rpRedirect = "https://rp.example/cb"
)

func rpClient() config.Client {
	return config.Client{ID: rpID, Name: "Test RP", Secret: rpSecret, RedirectURIs: []string{rpRedirect},
		Scopes: []string{"national_id"}}
}

// authRequest is one login the relying party starts: its state, nonce and PKCE
// verifier.
type authRequest struct {
	issuer, state, nonce, verifier string
}

func newAuthRequest(issuer string) *authRequest {
	return &authRequest{issuer: issuer, state: oauth2.GenerateVerifier()[:16], nonce: oauth2.GenerateVerifier()[:16],
		verifier: oauth2.GenerateVerifier()}
}

// url is the authorization request asking for acr (an eID or level), sent to
// base (the issuer, or one broker process behind it), with any extra parameters.
func (a *authRequest) url(base, acr string, extra ...string) string {
	q := url.Values{
		"client_id": {rpID}, "response_type": {"code"}, "redirect_uri": {rpRedirect},
		"scope": {"openid profile national_id"}, "state": {a.state}, "nonce": {a.nonce},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(a.verifier)}, "code_challenge_method": {"S256"},
		"acr_values": {acr},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return base + "/authorize?" + q.Encode()
}

// code checks the broker's answer at the redirect URI and returns the code.
func (a *authRequest) code(t testing.TB, at landing) string {
	t.Helper()
	if at.rp == nil {
		t.Fatalf("the login did not return to the relying party: %d at %s: %.500s", at.status, at.url, at.body)
	}
	if at.rp.Get("error") != "" || at.rp.Get("code") == "" {
		t.Fatalf("the relying party got no code: %v", at.rp)
	}
	if at.rp.Get("state") != a.state || at.rp.Get("iss") != a.issuer {
		t.Fatalf("state or iss do not match: %v", at.rp)
	}
	return at.rp.Get("code")
}

// tokenResponse is the token endpoint's answer, success or error.
type tokenResponse struct {
	status           int
	AccessToken      string `json:"access_token"`
	IDToken          string `json:"id_token"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// exchange redeems code at the token endpoint of base (the issuer, or one broker
// process behind it).
func (a *authRequest) exchange(t testing.TB, base, code string) tokenResponse {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpRedirect},
		"code_verifier": {a.verifier}}
	req, err := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(rpID, rpSecret)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	tr := tokenResponse{status: resp.StatusCode}
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatalf("token response %d is not JSON: %.300s", resp.StatusCode, body)
	}
	return tr
}

// redeem exchanges the code and verifies the ID token against the issuer's
// discovery document and JWKS; it returns the token's claims.
func (a *authRequest) redeem(t testing.TB, code string) (tokenResponse, map[string]any) {
	t.Helper()
	tr := a.exchange(t, a.issuer, code)
	if tr.status != http.StatusOK || tr.IDToken == "" || tr.AccessToken == "" {
		t.Fatalf("token exchange: %d %s %s", tr.status, tr.Error, tr.ErrorDescription)
	}
	return tr, a.verify(t, tr.IDToken)
}

// verify checks the ID token's signature, issuer, audience and nonce the way a
// relying party's library does.
func (a *authRequest) verify(t testing.TB, raw string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	provider, err := oidc.NewProvider(ctx, a.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	tok, err := provider.VerifierContext(ctx, &oidc.Config{ClientID: rpID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("the ID token does not verify: %v", err)
	}
	if tok.Nonce != a.nonce {
		t.Fatalf("nonce %q, want %q", tok.Nonce, a.nonce)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// userinfo fetches the userinfo claims with an access token.
func userinfo(t testing.TB, base, accessToken string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/userinfo", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var claims map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &claims) != nil {
		t.Fatalf("userinfo: %d %.300s", resp.StatusCode, body)
	}
	return claims
}
