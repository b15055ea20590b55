package provider_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
)

// fapiBroker is a broker with a FAPI 2.0 client.
func fapiBroker(t *testing.T, opts ...brokerOption) (*broker, *jarClient) {
	t.Helper()
	jc := newJARClient(t, "fapi-rp")
	cl := jc.config(t)
	cl.Profile, cl.IDTokenAlg = config.ProfileFAPI2, "ES256"
	return newBroker(t, append(opts, withClients(cl))...), jc
}

// fapiParams is an authorization request of the FAPI client and its PKCE verifier.
func fapiParams(jc *jarClient) (url.Values, string) {
	verifier := oauth2.GenerateVerifier()
	params := authzParams(jc.id)
	params.Set("code_challenge", oauth2.S256ChallengeFromVerifier(verifier))
	return params, verifier
}

func TestFAPI2ClientAssertionAudience(t *testing.T) {
	b, jc := fapiBroker(t)
	for _, tc := range []struct {
		name       string
		aud        any
		wantStatus int
	}{
		{"the issuer", b.URL, http.StatusCreated},
		{"an array holding the issuer", []string{b.URL}, http.StatusUnauthorized},
		{"the token endpoint", b.URL + "/oauth/token", http.StatusUnauthorized},
		{"the PAR endpoint", b.URL + "/oauth/par", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params, _ := fapiParams(jc)
			status, answer, _ := b.push(t, merge(jc.assertion(t, b, tc.aud), params), "", "")
			if status != tc.wantStatus {
				t.Errorf("status %d %v, want %d", status, answer, tc.wantStatus)
			}
			if tc.wantStatus == http.StatusUnauthorized && answer["error"] != "invalid_client" {
				t.Errorf("error %v, want invalid_client", answer["error"])
			}
		})
	}
}

func TestFAPI2ClientAssertionNotBefore(t *testing.T) {
	b, jc := fapiBroker(t)
	for _, tc := range []struct {
		name       string
		ahead      time.Duration
		wantStatus int
	}{
		{"8 seconds ahead", 8 * time.Second, http.StatusCreated},
		{"over 60 seconds ahead", 61 * time.Second, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := b.clock.now()
			assertion := jc.sign(t, "", map[string]any{"iss": jc.id, "sub": jc.id, "aud": b.URL, "jti": randomString(),
				"iat": now.Unix(), "nbf": now.Add(tc.ahead).Unix(), "exp": now.Add(2 * time.Minute).Unix()})
			params, _ := fapiParams(jc)
			form := merge(params, url.Values{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}})
			if status, answer, _ := b.push(t, form, "", ""); status != tc.wantStatus {
				t.Errorf("status %d %v, want %d", status, answer, tc.wantStatus)
			}
		})
	}
}

func TestFAPI2RefusesWeakerRequests(t *testing.T) {
	b, jc := fapiBroker(t)
	params, _ := fapiParams(jc)
	if status, loc := b.authorizeStatus(t, params); status != http.StatusFound || loc.Query().Get("error") != "invalid_request" {
		t.Errorf("authorization request without PAR: %d %v, want invalid_request at the client", status, loc)
	}
	noPKCE := url.Values{}
	for k, v := range params {
		if k != "code_challenge" && k != "code_challenge_method" {
			noPKCE[k] = v
		}
	}
	if status, answer, _ := b.push(t, merge(jc.assertion(t, b, nil), noPKCE), "", ""); status != http.StatusBadRequest || answer["error"] != "invalid_request" {
		t.Errorf("pushed without PKCE: %d %v, want 400 invalid_request", status, answer)
	}
}

// TestFAPI2CodeLivesAMinute: FAPI 2.0 caps codes at 60 s, whatever the
// broker's code lifetime.
func TestFAPI2CodeLivesAMinute(t *testing.T) {
	for _, tc := range []struct {
		name      string
		wait      time.Duration
		wantError string
	}{
		{"redeemed at once", 0, ""},
		{"redeemed after 61 s", 61 * time.Second, "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, jc := fapiBroker(t, func(cfg *config.Config, _ *[]connectors.Connector) {
				cfg.Tokens.Code = config.Duration(5 * time.Minute)
			})
			params, verifier := fapiParams(jc)
			status, answer, _ := b.push(t, merge(jc.assertion(t, b, nil), params), "", "")
			if status != http.StatusCreated {
				t.Fatalf("PAR: %d %v", status, answer)
			}
			got := b.authorize(t, browser(t), url.Values{"client_id": {jc.id}, "request_uri": {answer["request_uri"].(string)}}).Query()
			if got.Get("code") == "" {
				t.Fatalf("authorize: %v", got)
			}
			b.clock.advance(tc.wait)
			// FAPI 2.0 tokens are DPoP-bound: the proof is made at the broker's time.
			key := newDPoPKey(t)
			form := merge(jc.assertion(t, b, nil), url.Values{
				"grant_type": {"authorization_code"}, "code": {got.Get("code")}, "redirect_uri": {rpRedirect}, "code_verifier": {verifier},
			})
			req, err := http.NewRequest(http.MethodPost, b.URL+"/oauth/token", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("DPoP", key.encode(t, key.spec(t, http.MethodPost, b.URL+"/oauth/token", "", b.clock.now())))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
			var tok map[string]any
			_ = json.Unmarshal(body, &tok)
			if tok["error"] != nil && tok["error"] != tc.wantError || tc.wantError != "" && tok["error"] != tc.wantError {
				t.Fatalf("token: %d %s, want error %q", status, body, tc.wantError)
			}
			if tc.wantError == "" && tok["id_token"] == nil {
				t.Errorf("token: %d %s, want an ID token", status, body)
			}
		})
	}
}
