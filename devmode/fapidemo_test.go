package devmode

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// fapiDemoKey reads the fapi-demo client's private signing key from the data directory.
func fapiDemoKey(t *testing.T, data string) jose.JSONWebKey {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(data, FAPIDemoKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	return k
}

func signWith(t *testing.T, key jose.JSONWebKey, opts *jose.SignerOptions, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.Algorithm), Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := obj.CompactSerialize()
	return s
}

// fapiPost posts form to the broker as fapi-demo (private_key_jwt, aud the
// issuer) with a DPoP proof, and returns the status and JSON answer.
func fapiPost(t *testing.T, issuer, path string, key jose.JSONWebKey, dpopKey *ecdsa.PrivateKey, form url.Values) (int, map[string]any) {
	t.Helper()
	now := time.Now()
	form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	form.Set("client_assertion", signWith(t, key, (&jose.SignerOptions{}).WithType("JWT"), map[string]any{
		"iss": FAPIDemoClientID, "sub": FAPIDemoClientID, "aud": issuer, "jti": newJTI(t),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	}))
	req, _ := http.NewRequest(http.MethodPost, issuer+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	proofKey := jose.JSONWebKey{Key: dpopKey, Algorithm: string(jose.ES256)}
	req.Header.Set("DPoP", signWith(t, proofKey,
		(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"),
		map[string]any{"jti": newJTI(t), "htm": http.MethodPost, "htu": issuer + path, "iat": now.Unix()}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	answer := map[string]any{}
	_ = json.Unmarshal(body, &answer)
	return resp.StatusCode, answer
}

func newJTI(t *testing.T) string {
	t.Helper()
	return oauth2.GenerateVerifier()[:22]
}

// TestDevFAPIDemoClient: the fapi-demo client logs in with a pushed request
// signed by the key dev mode wrote to the data directory, and keeps that key
// across a restart.
func TestDevFAPIDemoClient(t *testing.T) {
	data := t.TempDir()
	first := startDevServer(t, data, true)
	keyFile, err := os.ReadFile(filepath.Join(data, FAPIDemoKeyFile))
	if err != nil {
		t.Fatalf("the signing key is not in the data directory: %v", err)
	}
	enc, err := os.ReadFile(filepath.Join(data, FAPIDemoEncFile))
	if err != nil || !bytes.Contains(enc, []byte(`"use":"enc"`)) {
		t.Fatalf("the encryption key is not in the data directory: %v %s", err, enc)
	}
	if info, _ := os.Stat(filepath.Join(data, FAPIDemoKeyFile)); info.Mode().Perm() != 0o600 {
		t.Errorf("%s mode %v, want 0600", FAPIDemoKeyFile, info.Mode().Perm())
	}
	first.stop()

	d := startDevServer(t, data, true)
	if again, _ := os.ReadFile(filepath.Join(data, FAPIDemoKeyFile)); !bytes.Equal(again, keyFile) {
		t.Error("the signing key changed across a restart")
	}
	key := fapiDemoKey(t, data)
	dpopKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	redirect := d.issuer + "/demo/callback"
	verifier := oauth2.GenerateVerifier()
	status, pushed := fapiPost(t, d.issuer, "/oauth/par", key, dpopKey, url.Values{
		"client_id": {FAPIDemoClientID}, "response_type": {"code"}, "scope": {"openid national_id"}, "redirect_uri": {redirect},
		"state": {"st"}, "nonce": {"n"}, "acr_values": {"urn:portvakt:eid:fi:ftn"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
	})
	if status != http.StatusCreated {
		t.Fatalf("PAR: %d %v", status, pushed)
	}
	start := d.issuer + "/authorize?" + url.Values{"client_id": {FAPIDemoClientID}, "request_uri": {pushed["request_uri"].(string)}}.Encode()
	got := redirectsOnly(t, noFollow(t), start, redirect)
	if got.Get("code") == "" || got.Get("state") != "st" {
		t.Fatalf("callback %v", got)
	}
	status, tok := fapiPost(t, d.issuer, "/oauth/token", key, dpopKey, url.Values{
		"grant_type": {"authorization_code"}, "code": {got.Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier},
	})
	if status != http.StatusOK || tok["id_token"] == nil {
		t.Fatalf("token: %d %v", status, tok)
	}
}
