package provider_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/provider"
)

// dpopKey is a client's DPoP key pair, and the proofs it makes.
type dpopKey struct {
	priv *ecdsa.PrivateKey
	jkt  string
}

func newDPoPKey(t *testing.T) *dpopKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := (&jose.JSONWebKey{Key: priv.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return &dpopKey{priv: priv, jkt: base64.RawURLEncoding.EncodeToString(sum)}
}

// proofSpec is a proof's header and claims, which a test may spoil.
type proofSpec struct {
	header map[string]any
	claims map[string]any
	// sign signs the signing input; nil signs with ES256 under the key.
	sign func(input []byte) []byte
}

// spec is a correct proof for method and URL, and the access token if any.
func (k *dpopKey) spec(t *testing.T, method, u, accessToken string, now time.Time) *proofSpec {
	t.Helper()
	jwk, err := json.Marshal(jose.JSONWebKey{Key: k.priv.Public()})
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"jti": randomString(), "htm": method, "htu": u, "iat": now.Unix()}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return &proofSpec{header: map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": json.RawMessage(jwk)}, claims: claims}
}

// encode builds the compact JWS by hand, so tests can make proofs no library
// would.
func (k *dpopKey) encode(t *testing.T, p *proofSpec) string {
	t.Helper()
	h, _ := json.Marshal(p.header)
	c, _ := json.Marshal(p.claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sign := p.sign
	if sign == nil {
		sign = func(in []byte) []byte { return es256(t, k.priv, in) }
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sign([]byte(input)))
}

func (k *dpopKey) proof(t *testing.T, method, u, accessToken string) string {
	return k.encode(t, k.spec(t, method, u, accessToken, time.Now()))
}

func es256(t *testing.T, priv *ecdsa.PrivateKey, input []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(input)
	r, s, err := ecdsa.Sign(rand.Reader, priv, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out
}

// dpopClients are a client that requires DPoP and one with JWT access tokens.
func dpopClients(cfg *config.Config, _ *[]connectors.Connector) {
	cfg.Clients = append(cfg.Clients,
		config.Client{ID: "bound", Name: "DPoP bound", Secret: "bound-secret-0123456", RedirectURIs: []string{rpRedirect},
			DPoPBoundAccessTokens: true},
		config.Client{ID: "jwt-rp", Name: "JWT access tokens", Secret: "jwt-rp-secret-012345", RedirectURIs: []string{rpRedirect},
			AccessTokenFormat: "jwt"})
}

// codeGrant is an authorization code waiting at the client, with its verifier.
type codeGrant struct {
	client, secret, code, verifier string
}

// dpopCode runs a login for client and returns its code; extra adds to the
// authorization request.
func dpopCode(t *testing.T, b *broker, client, secret string, extra url.Values) codeGrant {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	q := url.Values{
		"client_id": {client}, "redirect_uri": {rpRedirect}, "response_type": {"code"}, "scope": {"openid profile"},
		"state": {randomString()}, "nonce": {randomString()}, "code_challenge": {s256(verifier)},
		"code_challenge_method": {"S256"}, "acr_values": {"urn:portvakt:eid:se:test"},
	}
	for k, v := range extra {
		q[k] = v
	}
	got := b.authorize(t, browser(t), q).Query()
	if got.Get("code") == "" {
		t.Fatalf("no code: %s: %s", got.Get("error"), got.Get("error_description"))
	}
	return codeGrant{client: client, secret: secret, code: got.Get("code"), verifier: verifier}
}

// tokenAnswer is the token endpoint's answer.
type tokenAnswer struct {
	status      int
	header      http.Header
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// redeem posts the code to the token endpoint with the DPoP headers given.
func (g codeGrant) redeem(t *testing.T, b *broker, proofs ...string) tokenAnswer {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {rpRedirect}, "code_verifier": {g.verifier}}
	req, _ := http.NewRequest(http.MethodPost, b.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(g.client, g.secret)
	for _, p := range proofs {
		req.Header.Add("DPoP", p)
	}
	return doToken(t, req)
}

func doToken(t *testing.T, req *http.Request) tokenAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("token answer %d: %s", resp.StatusCode, body)
	}
	a.status, a.header = resp.StatusCode, resp.Header
	return a
}

// callUserinfo calls /userinfo with the Authorization header and DPoP proofs given.
func callUserinfo(t *testing.T, b *broker, authorization string, proofs ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.URL+"/userinfo", nil)
	req.Header.Set("Authorization", authorization)
	for _, p := range proofs {
		req.Header.Add("DPoP", p)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

// A token request with a DPoP proof gets a DPoP-bound token (RFC 9449 §5):
// token_type DPoP, cnf.jkt at introspection, and userinfo opens only under the
// DPoP scheme with a fresh proof of that key for that token.
func TestDPoPBindsAccessTokens(t *testing.T) {
	b := newBroker(t, dpopClients)
	key := newDPoPKey(t)
	tokenURL, userinfoURL := b.URL+"/oauth/token", b.URL+"/userinfo"
	tok := dpopCode(t, b, "rp1", "rp1-secret-0123456789", nil).redeem(t, b, key.proof(t, "POST", tokenURL, ""))
	if tok.status != http.StatusOK || tok.TokenType != "DPoP" {
		t.Fatalf("token: status %d, token_type %q, error %s %s; want 200 DPoP", tok.status, tok.TokenType, tok.Error, tok.Description)
	}

	status, body := b.postForm(t, "/oauth/introspect", "rp1", "rp1-secret-0123456789", url.Values{"token": {tok.AccessToken}})
	var intro struct {
		Active    bool              `json:"active"`
		TokenType string            `json:"token_type"`
		Cnf       map[string]string `json:"cnf"`
	}
	if err := json.Unmarshal(body, &intro); err != nil || status != http.StatusOK {
		t.Fatalf("introspect: %d %s", status, body)
	}
	if !intro.Active || intro.TokenType != "DPoP" || intro.Cnf["jkt"] != key.jkt {
		t.Errorf("introspection = %s; want active, token_type DPoP, cnf.jkt %s", body, key.jkt)
	}

	if status, h := callUserinfo(t, b, "DPoP "+tok.AccessToken, key.proof(t, "GET", userinfoURL, tok.AccessToken)); status != http.StatusOK {
		t.Fatalf("userinfo with the bound token and its proof: %d %s", status, h)
	}
	other := newDPoPKey(t)
	replayed := key.proof(t, "GET", userinfoURL, tok.AccessToken)
	if status, _ := callUserinfo(t, b, "DPoP "+tok.AccessToken, replayed); status != http.StatusOK {
		t.Fatalf("userinfo: %d", status)
	}
	for _, tc := range []struct {
		name, authorization string
		proofs              []string
		want                string
	}{
		{"as a bearer token", "Bearer " + tok.AccessToken, nil, `Bearer error="invalid_token"`},
		{"as a bearer token with a proof", "Bearer " + tok.AccessToken, []string{key.proof(t, "GET", userinfoURL, tok.AccessToken)}, `Bearer error="invalid_token"`},
		{"without a proof", "DPoP " + tok.AccessToken, nil, `DPoP error="invalid_dpop_proof"`},
		{"with another key's proof", "DPoP " + tok.AccessToken, []string{other.proof(t, "GET", userinfoURL, tok.AccessToken)}, `DPoP error="invalid_token"`},
		{"with a replayed proof", "DPoP " + tok.AccessToken, []string{replayed}, `DPoP error="invalid_dpop_proof"`},
		{"with a proof for another token", "DPoP " + tok.AccessToken, []string{key.proof(t, "GET", userinfoURL, "another-token")}, `DPoP error="invalid_dpop_proof"`},
		{"with a proof for the token endpoint", "DPoP " + tok.AccessToken, []string{key.proof(t, "GET", tokenURL, tok.AccessToken)}, `DPoP error="invalid_dpop_proof"`},
		{"with a proof for POST", "DPoP " + tok.AccessToken, []string{key.proof(t, "POST", userinfoURL, tok.AccessToken)}, `DPoP error="invalid_dpop_proof"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h := callUserinfo(t, b, tc.authorization, tc.proofs...)
			if status != http.StatusUnauthorized || !strings.HasPrefix(h, tc.want) {
				t.Errorf("status %d, WWW-Authenticate %q; want 401 %s", status, h, tc.want)
			}
		})
	}

	// A bearer token is not taken under the DPoP scheme either.
	plain := dpopCode(t, b, "rp1", "rp1-secret-0123456789", nil).redeem(t, b)
	if plain.TokenType != "Bearer" {
		t.Fatalf("token without a proof: token_type %q, want Bearer", plain.TokenType)
	}
	if status, h := callUserinfo(t, b, "DPoP "+plain.AccessToken, key.proof(t, "GET", userinfoURL, plain.AccessToken)); status != http.StatusUnauthorized {
		t.Errorf("a bearer token under the DPoP scheme: %d %q; want 401", status, h)
	}
	if status, _ := callUserinfo(t, b, "Bearer "+plain.AccessToken); status != http.StatusOK {
		t.Errorf("a bearer token as Bearer: %d; want 200", status)
	}
}

// Every check of RFC 9449 §4.3 at the token endpoint: a proof that fails one
// is invalid_dpop_proof, 400, and does not burn the code, which a good proof
// then redeems.
func TestDPoPProofChecksAtTokenEndpoint(t *testing.T) {
	b := newBroker(t, dpopClients)
	key := newDPoPKey(t)
	tokenURL := b.URL + "/oauth/token"
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	used := key.proof(t, "POST", tokenURL, "")
	if a := dpopCode(t, b, "rp1", "rp1-secret-0123456789", nil).redeem(t, b, used); a.status != http.StatusOK {
		t.Fatalf("first use of a proof: %d %s", a.status, a.Error)
	}
	spoiled := func(change func(p *proofSpec)) string {
		p := key.spec(t, "POST", tokenURL, "", time.Now())
		change(p)
		return key.encode(t, p)
	}
	for _, tc := range []struct {
		name   string
		proofs []string
	}{
		{"wrong htu", []string{spoiled(func(p *proofSpec) { p.claims["htu"] = b.URL + "/token" })}},
		{"htu of another host", []string{spoiled(func(p *proofSpec) { p.claims["htu"] = "https://rp.example/oauth/token" })}},
		{"wrong htm", []string{spoiled(func(p *proofSpec) { p.claims["htm"] = "GET" })}},
		{"replayed proof", []string{used}},
		{"two proofs", []string{key.proof(t, "POST", tokenURL, ""), key.proof(t, "POST", tokenURL, "")}},
		{"malformed", []string{"not.a.jwt"}},
		{"no typ", []string{spoiled(func(p *proofSpec) { delete(p.header, "typ") })}},
		{"typ JWT", []string{spoiled(func(p *proofSpec) { p.header["typ"] = "JWT" })}},
		{"no jwk", []string{spoiled(func(p *proofSpec) { delete(p.header, "jwk") })}},
		{"private jwk", []string{spoiled(func(p *proofSpec) {
			raw, _ := json.Marshal(jose.JSONWebKey{Key: key.priv})
			p.header["jwk"] = json.RawMessage(raw)
		})}},
		{"no jti", []string{spoiled(func(p *proofSpec) { delete(p.claims, "jti") })}},
		{"huge jti", []string{spoiled(func(p *proofSpec) { p.claims["jti"] = strings.Repeat("j", 300) })}},
		{"no htm", []string{spoiled(func(p *proofSpec) { delete(p.claims, "htm") })}},
		{"no htu", []string{spoiled(func(p *proofSpec) { delete(p.claims, "htu") })}},
		{"no iat", []string{spoiled(func(p *proofSpec) { delete(p.claims, "iat") })}},
		{"iat an hour ago", []string{spoiled(func(p *proofSpec) { p.claims["iat"] = time.Now().Add(-time.Hour).Unix() })}},
		{"iat in an hour", []string{spoiled(func(p *proofSpec) { p.claims["iat"] = time.Now().Add(time.Hour).Unix() })}},
		{"bad signature", []string{spoiled(func(p *proofSpec) {
			p.sign = func(in []byte) []byte { return es256(t, newDPoPKey(t).priv, in) }
		})}},
		{"alg none", []string{spoiled(func(p *proofSpec) {
			p.header["alg"] = "none"
			p.sign = func([]byte) []byte { return nil }
		})}},
		{"RS256", []string{spoiled(func(p *proofSpec) {
			raw, _ := json.Marshal(jose.JSONWebKey{Key: rsaKey.Public()})
			p.header["alg"], p.header["jwk"] = "RS256", json.RawMessage(raw)
			p.sign = func(in []byte) []byte {
				sum := sha256.Sum256(in)
				sig, _ := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, sum[:])
				return sig
			}
		})}},
		{"HS256", []string{spoiled(func(p *proofSpec) {
			p.header["alg"] = "HS256"
			p.header["jwk"] = map[string]any{"kty": "oct", "k": "c2VjcmV0"}
		})}},
		{"jwk of another key", []string{spoiled(func(p *proofSpec) {
			other := newDPoPKey(t)
			raw, _ := json.Marshal(jose.JSONWebKey{Key: other.priv.Public()})
			p.header["jwk"] = json.RawMessage(raw)
		})}},
		{"jwk with a point off the curve", []string{spoiled(func(p *proofSpec) {
			x := base64.RawURLEncoding.EncodeToString(new(big.Int).SetInt64(1).FillBytes(make([]byte, 32)))
			p.header["jwk"] = map[string]any{"kty": "EC", "crv": "P-256", "x": x, "y": x}
		})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := dpopCode(t, b, "rp1", "rp1-secret-0123456789", nil)
			if a := g.redeem(t, b, tc.proofs...); a.status != http.StatusBadRequest || a.Error != "invalid_dpop_proof" {
				t.Fatalf("status %d, error %q (%s); want 400 invalid_dpop_proof", a.status, a.Error, a.Description)
			}
			if a := g.redeem(t, b, key.proof(t, "POST", tokenURL, "")); a.status != http.StatusOK || a.TokenType != "DPoP" {
				t.Errorf("the code after a refused proof: %d %s %s; want it still good", a.status, a.Error, a.Description)
			}
		})
	}
}

// What RFC 9449 and the FAPI 2.0 tests let pass: an htu with a query or
// fragment, a different case or the default port, claims the broker does not
// know, and a clock ten seconds off either way.
func TestDPoPProofToleratesWhatTheRFCAllows(t *testing.T) {
	b := newBroker(t, dpopClients)
	key := newDPoPKey(t)
	tokenURL := b.URL + "/oauth/token"
	for _, tc := range []struct {
		name   string
		change func(p *proofSpec)
	}{
		{"htu with a query and fragment", func(p *proofSpec) { p.claims["htu"] = tokenURL + "?x=1#f" }},
		{"htu in upper case scheme and host", func(p *proofSpec) {
			p.claims["htu"] = "HTTP://" + strings.TrimPrefix(b.URL, "http://") + "/oauth/token"
		}},
		{"extra claims", func(p *proofSpec) { p.claims["extra"] = "yes" }},
		{"iat 10 s ago", func(p *proofSpec) { p.claims["iat"] = time.Now().Add(-10 * time.Second).Unix() }},
		{"iat in 10 s", func(p *proofSpec) { p.claims["iat"] = time.Now().Add(10*time.Second).Unix() - 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := key.spec(t, "POST", tokenURL, "", time.Now())
			tc.change(p)
			if a := dpopCode(t, b, "rp1", "rp1-secret-0123456789", nil).redeem(t, b, key.encode(t, p)); a.status != http.StatusOK || a.TokenType != "DPoP" {
				t.Errorf("status %d, token_type %q, error %s (%s); want a DPoP token", a.status, a.TokenType, a.Error, a.Description)
			}
		})
	}
}

// dpop_bound_access_tokens: the client's token requests need a proof.
func TestDPoPBoundClientNeedsAProof(t *testing.T) {
	b := newBroker(t, dpopClients)
	g := dpopCode(t, b, "bound", "bound-secret-0123456", nil)
	if a := g.redeem(t, b); a.status != http.StatusBadRequest || a.Error != "invalid_dpop_proof" {
		t.Fatalf("bound client without a proof: %d %q; want 400 invalid_dpop_proof", a.status, a.Error)
	}
	key := newDPoPKey(t)
	if a := g.redeem(t, b, key.proof(t, "POST", b.URL+"/oauth/token", "")); a.status != http.StatusOK || a.TokenType != "DPoP" {
		t.Errorf("bound client with a proof: %d %q %s", a.status, a.TokenType, a.Error)
	}
}

// dpop_jkt at the authorization endpoint binds the code to that key (RFC 9449
// §10): redeemed with another key's proof, or none, it is invalid_grant.
func TestDPoPAuthorizationCodeBinding(t *testing.T) {
	b := newBroker(t, dpopClients)
	key, other := newDPoPKey(t), newDPoPKey(t)
	tokenURL := b.URL + "/oauth/token"
	bound := url.Values{"dpop_jkt": {key.jkt}}
	for _, tc := range []struct {
		name   string
		proofs []string
	}{
		{"another key", []string{other.proof(t, "POST", tokenURL, "")}},
		{"no proof", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := dpopCode(t, b, "rp1", "rp1-secret-0123456789", bound).redeem(t, b, tc.proofs...)
			if a.status != http.StatusBadRequest || a.Error != "invalid_grant" {
				t.Errorf("status %d, error %q; want 400 invalid_grant", a.status, a.Error)
			}
		})
	}
	if a := dpopCode(t, b, "rp1", "rp1-secret-0123456789", bound).redeem(t, b, key.proof(t, "POST", tokenURL, "")); a.status != http.StatusOK || a.TokenType != "DPoP" {
		t.Errorf("the named key: %d %q %s", a.status, a.TokenType, a.Error)
	}
	q := url.Values{
		"client_id": {"rp1"}, "redirect_uri": {rpRedirect}, "response_type": {"code"}, "scope": {"openid"},
		"state": {"s"}, "dpop_jkt": {"not a thumbprint"},
	}
	if got := b.authorize(t, browser(t), q).Query(); got.Get("error") != "invalid_request" {
		t.Errorf("malformed dpop_jkt: error %q, want invalid_request", got.Get("error"))
	}
}

// A JWT access token carries cnf.jkt (RFC 9449 §6.1), so a resource server
// that reads it checks the binding itself.
func TestDPoPJWTAccessTokenHasConfirmation(t *testing.T) {
	b := newBroker(t, dpopClients)
	key := newDPoPKey(t)
	a := dpopCode(t, b, "jwt-rp", "jwt-rp-secret-012345", nil).redeem(t, b, key.proof(t, "POST", b.URL+"/oauth/token", ""))
	if a.status != http.StatusOK {
		t.Fatalf("token: %d %s", a.status, a.Error)
	}
	parts := strings.Split(a.AccessToken, ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a JWT: %q", a.AccessToken)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		Cnf map[string]string `json:"cnf"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil || claims.Cnf["jkt"] != key.jkt {
		t.Errorf("JWT access token claims %s; want cnf.jkt %s", raw, key.jkt)
	}
}

// Discovery names the algorithms a proof may use, and the refusal of a
// request without credentials offers the DPoP scheme with them.
func TestDPoPAdvertised(t *testing.T) {
	b := newBroker(t)
	resp, err := http.Get(b.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		Algs []string `json:"dpop_signing_alg_values_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.Algs, " ") != "ES256 PS256 EdDSA" {
		t.Errorf("dpop_signing_alg_values_supported = %v", d.Algs)
	}
	req, _ := http.NewRequest(http.MethodGet, b.URL+"/userinfo", nil)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if got := r2.Header.Values("WWW-Authenticate"); len(got) != 2 || got[0] != "Bearer" || got[1] != `DPoP algs="ES256 PS256 EdDSA"` {
		t.Errorf("challenges %q; want Bearer and DPoP with algs", got)
	}
}

// A pushed authorization request names its DPoP key by dpop_jkt or by a proof
// (RFC 9449 §10.1); both are taken, must agree, and a bad proof is refused.
func TestDPoPAtPushedAuthorization(t *testing.T) {
	b := newBroker(t)
	key, other := newDPoPKey(t), newDPoPKey(t)
	parURL := b.URL + "/oauth/par"
	push := func(jkt string, proofs ...string) *http.Request {
		form := url.Values{"client_id": {"rp1"}}
		if jkt != "" {
			form.Set("dpop_jkt", jkt)
		}
		r, _ := http.NewRequest(http.MethodPost, parURL, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, p := range proofs {
			r.Header.Add("DPoP", p)
		}
		_ = r.ParseForm()
		return r
	}
	for _, tc := range []struct {
		name    string
		req     *http.Request
		want    string
		wantErr string
	}{
		{"neither", push(""), "", ""},
		{"dpop_jkt", push(key.jkt), key.jkt, ""},
		{"a proof", push("", key.proof(t, "POST", parURL, "")), key.jkt, ""},
		{"both, agreeing", push(key.jkt, key.proof(t, "POST", parURL, "")), key.jkt, ""},
		{"both, differing", push(other.jkt, key.proof(t, "POST", parURL, "")), "", "invalid_request"},
		{"a proof for another URL", push("", key.proof(t, "POST", b.URL+"/oauth/token", "")), "", "invalid_dpop_proof"},
		{"a malformed dpop_jkt", push("abc"), "", "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := b.server.PushedDPoPJKTOf(tc.req, parURL)
			var code string
			if e := new(oidc.Error); errors.As(err, &e) {
				code = string(e.ErrorType)
			} else if err != nil {
				t.Fatalf("error %v is not an OIDC error", err)
			}
			if got != tc.want || code != tc.wantErr {
				t.Errorf("PushedDPoPJKT = %q, %q; want %q, %q", got, code, tc.want, tc.wantErr)
			}
		})
	}
}

// Turning dpop_bound_access_tokens on ends the client's bearer tokens; turning
// it off leaves its bound tokens bound.
func TestRequiringDPoPEndsBearerTokens(t *testing.T) {
	plain := config.Client{ID: "c", Secret: "c-secret-0123456789", RedirectURIs: []string{rpRedirect}}
	bound := plain
	bound.DPoPBoundAccessTokens = true
	if !provider.ChangeEndsTokens(plain, bound) {
		t.Error("requiring DPoP kept the bearer tokens")
	}
	if provider.ChangeEndsTokens(bound, plain) {
		t.Error("no longer requiring DPoP ended the tokens")
	}
}
