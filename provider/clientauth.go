package provider

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// clientAuth is what a request offers to authenticate its client: a secret (HTTP
// Basic or form) or a private_key_jwt assertion. Every endpoint that authenticates
// clients (token, introspection, revocation) reads it the same way and hands it to
// authenticateClient, so each rule of client authentication holds at all of them.
type clientAuth struct {
	ID, Secret               string
	AssertionType, Assertion string
}

// authenticatedPost begins an endpoint a client calls with its credentials in a
// form POST (introspection, revocation): the answer is never cached, other
// methods get 405, and a client that fails authentication gets invalid_client.
// ok is false when the answer is already written.
func (s *grants) authenticatedPost(w http.ResponseWriter, r *http.Request) (client *Client, ok bool) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	auth, err := clientAuthFrom(r)
	if err == nil {
		client, err = s.authenticateClient(r.Context(), r, auth)
	}
	if err != nil {
		s.tokenError(w, r, err)
		return nil, false
	}
	return client, true
}

// clientAuthFrom reads a form-encoded request's client authentication. Basic
// credentials are form-urlencoded first (RFC 6749 §2.3.1).
func clientAuthFrom(r *http.Request) (clientAuth, error) {
	if err := r.ParseForm(); err != nil {
		return clientAuth{}, oidc.ErrInvalidRequest().WithDescription("the request body is not a valid form").WithParent(err)
	}
	a := clientAuth{
		ID: r.PostForm.Get("client_id"), Secret: r.PostForm.Get("client_secret"),
		AssertionType: r.PostForm.Get("client_assertion_type"), Assertion: r.PostForm.Get("client_assertion"),
	}
	if id, secret, ok := r.BasicAuth(); ok {
		var errID, errSecret error
		a.ID, errID = url.QueryUnescape(id)
		a.Secret, errSecret = url.QueryUnescape(secret)
		if errID != nil || errSecret != nil {
			return clientAuth{}, oidc.ErrInvalidClient().WithDescription("malformed basic authentication")
		}
	}
	return a, nil
}

func (a clientAuth) usesAssertion() bool {
	return a.AssertionType == oidc.ClientAssertionTypeJWTAssertion
}

// secretAuthMethod is the method a request without an assertion used: Basic, a
// client_secret in the body, or neither. Both at once is refused (RFC 6749 §2.3).
func secretAuthMethod(r *http.Request) (oidc.AuthMethod, error) {
	_, _, basic := r.BasicAuth()
	post := r.PostForm.Get("client_secret") != ""
	switch {
	case basic && post:
		return "", oidc.ErrInvalidRequest().WithDescription("client authentication must use one method, not more than one (Basic and client_secret both given)")
	case basic:
		return oidc.AuthMethodBasic, nil
	case post:
		return oidc.AuthMethodPost, nil
	}
	return oidc.AuthMethodNone, nil
}

// wrongAuthMethod answers a request that authenticated the client another way
// than it is registered for. Naming the registered method tells a developer what
// to set in their library; it reveals nothing a second try would not.
func wrongAuthMethod(client *Client, used oidc.AuthMethod) error {
	how := map[oidc.AuthMethod]string{
		oidc.AuthMethodBasic:         "client_secret_basic (HTTP Basic)",
		oidc.AuthMethodPost:          "client_secret_post (client_secret in the body)",
		oidc.AuthMethodPrivateKeyJWT: "private_key_jwt (a client assertion)",
		oidc.AuthMethodNone:          "no client credentials",
	}[used]
	return oidc.ErrInvalidClient().WithDescription("client authentication failed: client %s is registered for %s, but the request used %s",
		client.ID, client.AuthMethodsText(), how)
}

// verifyClientAssertion authenticates a private_key_jwt client (RFC 7523 §3): the
// signature by the client's registered key, iss = sub = the client, exp and iat,
// an aud naming this server, and a jti never seen before.
func (s *grants) verifyClientAssertion(ctx context.Context, assertion string) (*Client, error) {
	failed := oidc.ErrInvalidClient().WithDescription("client authentication failed")
	tok, err := jwt.ParseSigned(assertion, s.assertionAlgorithms())
	if err != nil {
		return nil, failed.WithParent(err)
	}
	var claims jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return nil, failed.WithParent(err)
	}
	audience, ok := s.assertionAudience(claims.Audience)
	if !ok {
		return nil, failed.WithDescription("the client assertion's aud must be the issuer or the token endpoint")
	}
	// The method is checked before the signature, so a secret client that sent an
	// assertion learns its registered method rather than of a missing key.
	client, err := s.clients.Get(ctx, claims.Issuer)
	if err != nil {
		return nil, failed.WithParent(err)
	}
	if !client.AcceptsAuthMethod(string(oidc.AuthMethodPrivateKeyJWT)) {
		return nil, wrongAuthMethod(client, oidc.AuthMethodPrivateKeyJWT)
	}
	if err := s.checkAssertionRules(tok, claims, client); err != nil {
		return nil, err
	}
	verifier := op.NewJWTProfileVerifier(clientKeys{s.base}, audience, time.Hour, time.Second)
	if _, err := op.VerifyJWTAssertion(ctx, assertion, verifier); err != nil {
		return nil, failed.WithParent(err)
	}
	if err := s.useAssertionOnce(ctx, client.ID, claims); err != nil {
		return nil, err
	}
	return client, nil
}

// assertionAudience picks the audience an assertion is checked against: the
// issuer, or the token endpoint URL (RFC 7523 §3 allows both, and most client
// libraries send the latter), whichever the aud names.
func (s *grants) assertionAudience(aud jwt.Audience) (string, bool) {
	for _, want := range []string{s.issuer, s.issuer + tokenPath, s.issuer + parPath} {
		if aud.Contains(want) {
			return want, true
		}
	}
	return "", false
}

// clientAuthOf takes the client authentication the op library parsed from a token
// request (Basic credentials already decoded).
func clientAuthOf(req *oidc.AccessTokenRequest) clientAuth {
	return clientAuth{ID: req.ClientID, Secret: req.ClientSecret, AssertionType: string(req.ClientAssertionType), Assertion: req.ClientAssertion}
}
