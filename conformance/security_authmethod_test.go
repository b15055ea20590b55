package conformance_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// authAttempt is how a request presents a client: Basic, a client_secret in the
// body, both, or only a client_id.
type authAttempt struct {
	id, secret string
	style      string // client_secret_basic, client_secret_post, both, none
}

// send posts form to the endpoint with the attempt's credentials and returns the
// status and the OAuth error body (empty on success).
func (a authAttempt) send(t *testing.T, endpoint string, form url.Values) (int, oauthError) {
	t.Helper()
	form.Set("client_id", a.id)
	if a.style == "client_secret_post" || a.style == "both" {
		form.Set("client_secret", a.secret)
	}
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a.style == "client_secret_basic" || a.style == "both" {
		req.SetBasicAuth(url.QueryEscape(a.id), url.QueryEscape(a.secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e oauthError
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// A client authenticates only with a method it is registered for, at every
// endpoint that authenticates clients; one registered for both secret methods
// takes either. A request with the right secret sent the wrong way is told which
// method the client is registered for (RFC 6749 §5.2 leaves the description to
// the server): the answer a developer needs when a library's default differs.
func TestSecurityClientAuthMethod(t *testing.T) {
	h := newHarness(t)
	endpoints := map[string]url.Values{
		"token":         {"grant_type": {"authorization_code"}, "code": {"unknown-code"}, "redirect_uri": {hRedirect}},
		"introspection": {"token": {"unknown-token"}},
		"revocation":    {"token": {"unknown-token"}},
	}
	paths := map[string]string{"token": "/oauth/token", "introspection": "/oauth/introspect", "revocation": "/revoke"}
	for _, tc := range []struct {
		name    string
		attempt authAttempt
		// wantError is "" when the client authenticates; wantNames is what the
		// description must say.
		wantError, wantNames string
	}{
		{"basic client with Basic", authAttempt{hBasicID, hBasicSecret, "client_secret_basic"}, "", ""},
		{"basic client with the secret in the body", authAttempt{hBasicID, hBasicSecret, "client_secret_post"}, "invalid_client", "registered for client_secret_basic"},
		{"basic client without credentials", authAttempt{hBasicID, "", "none"}, "invalid_client", "registered for client_secret_basic"},
		{"basic client with a wrong secret", authAttempt{hBasicID, "wrong-secret-0123456789", "client_secret_basic"}, "invalid_client", "client authentication failed"},
		{"post client with the secret in the body", authAttempt{hPostID, hPostSecret, "client_secret_post"}, "", ""},
		{"post client with Basic", authAttempt{hPostID, hPostSecret, "client_secret_basic"}, "invalid_client", "registered for client_secret_post"},
		{"either client with Basic", authAttempt{hEitherID, hEitherSecret, "client_secret_basic"}, "", ""},
		{"either client with the secret in the body", authAttempt{hEitherID, hEitherSecret, "client_secret_post"}, "", ""},
		{"either client without credentials", authAttempt{hEitherID, "", "none"}, "invalid_client", "registered for client_secret_basic or client_secret_post"},
		{"either client with a wrong secret in the body", authAttempt{hEitherID, "wrong-secret-0123456789", "client_secret_post"}, "invalid_client", "client authentication failed"},
		{"both methods in one request", authAttempt{hEitherID, hEitherSecret, "both"}, "invalid_request", "more than one"},
		{"private_key_jwt client with a secret", authAttempt{hJWTID, "anything-0123456789", "client_secret_basic"}, "invalid_client", "registered for private_key_jwt"},
		{"public client with a secret", authAttempt{hPublicID, "anything-0123456789", "client_secret_post"}, "invalid_client", "registered for none"},
	} {
		for name, form := range endpoints {
			if name != "token" && tc.attempt.id == hPublicID {
				continue // a public client has no introspection or revocation to call
			}
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				status, got := tc.attempt.send(t, h.URL+paths[name], f)
				if tc.wantError == "" {
					if got.Error == "invalid_client" || got.Error == "invalid_request" {
						t.Fatalf("status %d %s: %s; want the client authenticated", status, got.Error, got.Description)
					}
					return
				}
				if got.Error != tc.wantError || !strings.Contains(got.Description, tc.wantNames) {
					t.Errorf("status %d %s: %q; want %s naming %q", status, got.Error, got.Description, tc.wantError, tc.wantNames)
				}
			})
		}
	}
}

// A secret client that presents a private_key_jwt assertion is told its
// registered method too.
func TestSecurityClientAuthAssertionForSecretClient(t *testing.T) {
	h := newHarness(t)
	a := h.validAssertion()
	a.claims["iss"], a.claims["sub"] = hBasicID, hBasicID
	tr := h.redeemWithAssertion(t, h.rpFor(t, hJWTID, "", "private_key_jwt"), a.sign(t), nil)
	if tr.str("error") != "invalid_client" || !strings.Contains(tr.str("error_description"), "registered for client_secret_basic") {
		t.Errorf("token endpoint: %d %s; want invalid_client naming client_secret_basic", tr.Status, tr.Raw)
	}
}
