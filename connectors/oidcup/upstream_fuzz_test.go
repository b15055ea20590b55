package oidcup

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const fuzzIssuer = "https://op.invalid"

// fuzzUpstream is an upstream OpenID provider held in memory: discovery and JWKS
// are fixed, the token and userinfo answers are the fuzzer's.
type fuzzUpstream struct {
	signing      *rsa.PrivateKey
	tokenStatus  int
	tokenBody    []byte
	userinfoType string
	userinfoBody []byte
}

func (u *fuzzUpstream) RoundTrip(r *http.Request) (*http.Response, error) {
	status, ctype, body := http.StatusOK, "application/json", []byte(nil)
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		body, _ = json.Marshal(map[string]any{
			"issuer": fuzzIssuer, "authorization_endpoint": fuzzIssuer + "/authorize", "token_endpoint": fuzzIssuer + "/token",
			"userinfo_endpoint": fuzzIssuer + "/userinfo", "jwks_uri": fuzzIssuer + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	case "/jwks":
		body, _ = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &u.signing.PublicKey, KeyID: "up1", Algorithm: "RS256", Use: "sig"}}})
	case "/token":
		status, body = u.tokenStatus, u.tokenBody
	case "/userinfo":
		ctype, body = u.userinfoType, u.userinfoBody
	default:
		status = http.StatusNotFound
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ctype}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

// FuzzUpstreamAnswers feeds arbitrary callbacks, token responses (plain or
// encrypted ID tokens) and userinfo answers (JSON or JWT) to Exchange and
// Userinfo: they must never panic, and what they accept must be the login's.
func FuzzUpstreamAnswers(f *testing.F) {
	signing, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	encKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	encPEM, err := EncodeRSAPrivateKeyPEM(encKey)
	if err != nil {
		f.Fatal(err)
	}
	st := State{State: "st-123", Nonce: "n-456", Verifier: strings.Repeat("v", 43), RedirectURI: "https://broker.invalid/callback/x"}
	sign := func(claims map[string]any) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: signing}, (&jose.SignerOptions{}).WithHeader("kid", "up1"))
		if err != nil {
			f.Fatal(err)
		}
		payload, _ := json.Marshal(claims)
		jws, _ := s.Sign(payload)
		out, _ := jws.CompactSerialize()
		return out
	}
	encrypt := func(inner string) string {
		e, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP, Key: &encKey.PublicKey},
			(&jose.EncrypterOptions{}).WithContentType("JWT"))
		if err != nil {
			f.Fatal(err)
		}
		jwe, _ := e.Encrypt([]byte(inner))
		out, _ := jwe.CompactSerialize()
		return out
	}
	exp := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	idToken := sign(map[string]any{"iss": fuzzIssuer, "aud": "broker", "sub": "person-1", "nonce": st.Nonce,
		"iat": time.Now().Unix(), "exp": exp, "acr": "substantial", "name": "Test Person"})
	tokenBody := func(id string) []byte {
		b, _ := json.Marshal(map[string]any{"access_token": "at-1", "token_type": "Bearer", "id_token": id})
		return b
	}
	userinfoJWT := sign(map[string]any{"iss": fuzzIssuer, "aud": "broker", "sub": "person-1", "name": "Test Person"})
	callback := "state=st-123&code=c-1&iss=" + fuzzIssuer

	f.Add(callback, 200, tokenBody(idToken), "application/json", []byte(`{"sub":"person-1","name":"Test Person"}`))
	f.Add(callback, 200, tokenBody(encrypt(idToken)), "application/jwt", []byte(userinfoJWT))
	f.Add(callback, 200, tokenBody(idToken), "application/jwt", []byte(encrypt(userinfoJWT)))
	f.Add(callback, 200, tokenBody("a.b.c"), "application/json", []byte(`{}`))
	f.Add(callback, 200, tokenBody("a.b.c.d.e"), "application/json", []byte(`{"sub":1}`))
	f.Add(callback, 400, []byte(`{"error":"invalid_grant"}`), "text/plain", []byte(`eyJ`))
	f.Add(callback, 500, []byte("<html>"), "", []byte(nil))
	f.Add("state=st-123&error=access_denied", 200, tokenBody(idToken), "application/json", []byte(`null`))
	f.Add("state=other&code=c", 200, tokenBody(idToken), "application/json", []byte(`[]`))
	f.Add("%zz", 200, []byte(`{"id_token":null}`), "application/json", []byte(`{"sub":"person-1","aud":["broker",3]}`))

	f.Fuzz(func(t *testing.T, query string, tokenStatus int, tokenRespBody []byte, userinfoType string, userinfoBody []byte) {
		if tokenStatus < 100 || tokenStatus > 999 {
			tokenStatus = 200
		}
		up := &fuzzUpstream{signing: signing, tokenStatus: tokenStatus, tokenBody: tokenRespBody,
			userinfoType: userinfoType, userinfoBody: userinfoBody}
		c, err := New(Options{
			Upstream:   Upstream{Issuer: fuzzIssuer, ClientID: "broker", ClientSecret: "secret", EncryptionKeyPEM: encPEM},
			HTTPClient: &http.Client{Transport: up},
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		cb := httptest.NewRequest(http.MethodGet, "https://broker.invalid/callback/x", nil)
		cb.URL.RawQuery = query
		res, err := c.Exchange(ctx, st, cb)
		if err != nil {
			return
		}
		if res.IDToken.Nonce != st.Nonce || res.IDToken.Issuer != fuzzIssuer || res.IDToken.Subject == "" {
			t.Fatalf("accepted an ID token not of this login: nonce %q iss %q sub %q", res.IDToken.Nonce, res.IDToken.Issuer, res.IDToken.Subject)
		}
		claims, err := c.Userinfo(ctx, res)
		if err == nil && ClaimString(claims, "sub") != res.IDToken.Subject {
			t.Fatalf("accepted userinfo for another subject: %v", claims["sub"])
		}
		_ = ClaimStrings(claims, "amr")
	})
}
