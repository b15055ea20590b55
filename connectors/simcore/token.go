package simcore

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/internal/randid"
)

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// maxAssertionLifetime is the longest client assertion accepted.
const maxAssertionLifetime = time.Hour

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	// The form is read first: the server notices a client that gave up (and
	// cancels the request's context) only once the body has been consumed.
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, InvalidRequest("unreadable form"))
		return
	}
	f := s.currentFaults()
	if f.TokenHang {
		<-r.Context().Done()
		return
	}
	if f.TokenStatus != 0 {
		writeOAuthError(w, f.TokenStatus, &OAuthError{Code: "server_error", Description: "simulated failure"})
		return
	}
	c, oe := s.authenticateClient(r)
	if oe != nil {
		status := http.StatusBadRequest
		if oe.Code == "invalid_client" {
			status = http.StatusUnauthorized
		}
		writeOAuthError(w, status, oe)
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "authorization_code" {
		writeOAuthError(w, http.StatusBadRequest, &OAuthError{Code: "unsupported_grant_type", Description: gt})
		return
	}
	code := r.PostForm.Get("code")
	s.mu.Lock()
	g := s.codes[code]
	delete(s.codes, code) // single use, whatever happens next
	s.mu.Unlock()
	if g == nil || s.now().After(g.expires) || g.req.ClientID != c.ID {
		writeOAuthError(w, http.StatusBadRequest, &OAuthError{Code: "invalid_grant", Description: "unknown, used or expired code"})
		return
	}
	if r.PostForm.Get("redirect_uri") != g.req.RedirectURI {
		writeOAuthError(w, http.StatusBadRequest, &OAuthError{Code: "invalid_grant", Description: "redirect_uri differs from the authorize request"})
		return
	}
	if oe := checkPKCE(g.req.CodeChallenge, r.PostForm.Get("code_verifier")); oe != nil {
		writeOAuthError(w, http.StatusBadRequest, oe)
		return
	}
	idToken, err := s.idToken(c, g, f.TamperIDToken)
	if err != nil {
		s.log.Error("simulated id token", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, &OAuthError{Code: "server_error", Description: "could not issue the id token"})
		return
	}
	access := randid.String(24)
	s.mu.Lock()
	g.expires = s.now().Add(tokenLifetime)
	s.tokens[access] = g
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(tokenLifetime.Seconds()),
		"id_token":     idToken,
		"scope":        strings.Join(g.req.Scopes, " "),
	})
}

func checkPKCE(challenge, verifier string) *OAuthError {
	if challenge == "" {
		if verifier != "" {
			return &OAuthError{Code: "invalid_grant", Description: "code_verifier without a code_challenge"}
		}
		return nil
	}
	sum := sha256.Sum256([]byte(verifier))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) != 1 {
		return &OAuthError{Code: "invalid_grant", Description: "PKCE verification failed"}
	}
	return nil
}

// authenticateClient applies the profile's client authentication methods.
func (s *Server) authenticateClient(r *http.Request) (*Client, *OAuthError) {
	method, id, secret := "", "", ""
	if u, p, ok := r.BasicAuth(); ok {
		method = "client_secret_basic"
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(p)
	} else if r.PostForm.Get("client_assertion") != "" {
		method = "private_key_jwt"
	} else if r.PostForm.Get("client_secret") != "" {
		method = "client_secret_post"
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	} else {
		return nil, &OAuthError{Code: "invalid_client", Description: "no client authentication"}
	}
	if !slices.Contains(s.profile.Rules().ClientAuthMethods, method) {
		return nil, &OAuthError{Code: "invalid_client", Description: method + " is not accepted here"}
	}
	if method == "private_key_jwt" {
		return s.verifyAssertion(r)
	}
	c := s.client(id)
	if c == nil || c.Secret == "" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return nil, &OAuthError{Code: "invalid_client", Description: "client authentication failed"}
	}
	return c, nil
}

// verifyAssertion checks an RFC 7523 client assertion.
func (s *Server) verifyAssertion(r *http.Request) (*Client, *OAuthError) {
	fail := func(d string) (*Client, *OAuthError) {
		return nil, &OAuthError{Code: "invalid_client", Description: d}
	}
	if r.PostForm.Get("client_assertion_type") != assertionType {
		return fail("client_assertion_type must be " + assertionType)
	}
	jws, err := jose.ParseSignedCompact(r.PostForm.Get("client_assertion"), []jose.SignatureAlgorithm{jose.RS256, jose.PS256})
	if err != nil {
		return fail("client assertion is not a JWS: " + err.Error())
	}
	kid := jws.Signatures[0].Header.KeyID
	if kid == "" && s.profile.Rules().RequireAssertionKID {
		return fail("client assertion has no kid header")
	}
	var unverified struct {
		Iss string `json:"iss"`
	}
	_ = json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &unverified) // checked after verification
	c := s.client(unverified.Iss)
	if c == nil {
		return fail("client assertion names an unknown client")
	}
	key := clientKey(c.JWKS, "sig")
	if key == nil || (kid != "" && key.KeyID != "" && key.KeyID != kid) {
		return fail("no registered key matches the assertion's kid")
	}
	payload, err := jws.Verify(key.Key)
	if err != nil {
		return fail("client assertion signature does not verify")
	}
	var claims struct {
		Iss string  `json:"iss"`
		Sub string  `json:"sub"`
		Aud any     `json:"aud"`
		Exp float64 `json:"exp"`
		JTI string  `json:"jti"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return fail("client assertion claims are not JSON")
	}
	now := s.now()
	exp := time.Unix(int64(claims.Exp), 0)
	switch {
	case claims.Iss != c.ID || claims.Sub != c.ID:
		return fail("client assertion iss and sub must be the client id")
	case r.PostForm.Get("client_id") != "" && r.PostForm.Get("client_id") != c.ID:
		return fail("client_id differs from the assertion")
	case !audienceContains(claims.Aud, s.endpoint("/token")) && !audienceContains(claims.Aud, s.issuer):
		return fail("client assertion aud is not this token endpoint")
	case claims.Exp == 0 || now.After(exp):
		return fail("client assertion expired")
	case exp.Sub(now) > maxAssertionLifetime:
		return fail("client assertion lives too long")
	case claims.JTI == "":
		return fail("client assertion has no jti")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeExpiredLocked()
	if until, seen := s.jtis[c.ID+" "+claims.JTI]; seen && !now.After(until) {
		return fail("client assertion jti was already used")
	}
	s.jtis[c.ID+" "+claims.JTI] = exp
	return c, nil
}
