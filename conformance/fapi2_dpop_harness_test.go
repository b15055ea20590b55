package conformance_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// dpopKey is a client's DPoP key pair (RFC 9449), and the proofs it makes.
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

// proofSpec is a proof's header and claims, which a module may spoil.
type proofSpec struct {
	header map[string]any
	claims map[string]any
	// signer signs instead of the key the header names, when set.
	signer *ecdsa.PrivateKey
}

// spec is a correct proof for method and URL at now, with the access token's
// hash when one is given.
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

// encode builds the compact JWS by hand, so modules can make proofs no
// library would.
func (k *dpopKey) encode(t *testing.T, p *proofSpec) string {
	t.Helper()
	h, _ := json.Marshal(p.header)
	c, _ := json.Marshal(p.claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	signer := k.priv
	if p.signer != nil {
		signer = p.signer
	}
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, signer, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// proof is a correct proof of k for a request to the broker at its own time.
func (h *fapiHarness) proof(t *testing.T, k *dpopKey, method, path, accessToken string) string {
	t.Helper()
	return k.encode(t, k.spec(t, method, h.URL+path, accessToken, h.clock.now()))
}

// postProof posts form to path with a DPoP proof, none when proof is "".
func (h *fapiHarness) postProof(t *testing.T, path string, form url.Values, proof string) tokenResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	return doToken(t, req)
}

// redeemProof trades code as fapi-one (or with auth) with the given proof.
func (h *fapiHarness) redeemProof(t *testing.T, code, verifier string, auth url.Values, proof string) tokenResponse {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {hRedirect}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	if auth == nil {
		auth = h.auth(t, nil)
	}
	return h.postProof(t, "/oauth/token", joinForms(auth, form), proof)
}

// userinfoAnswer is the userinfo endpoint's status, body and challenge.
type userinfoAnswer struct {
	status    int
	body      string
	challenge string
}

// userinfo calls the userinfo endpoint with an Authorization header and the
// DPoP header values given (none, one or several).
func (h *fapiHarness) userinfo(t *testing.T, authorization string, proofs ...string) userinfoAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.URL+"/userinfo", nil)
	req.Header.Set("Authorization", authorization)
	for _, p := range proofs {
		req.Header.Add("DPoP", p)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return userinfoAnswer{status: resp.StatusCode, body: string(raw), challenge: resp.Header.Get("WWW-Authenticate")}
}
