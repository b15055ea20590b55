package conformance_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/internal/testenv"
)

// TestInteropNodeDPoPAndEncryption runs node/dpop-jwe.mjs: openid-client binds
// the code with dpop_jkt, redeems it and reads userinfo with its DPoP, and
// decrypts the encrypted ID token and userinfo with its own JWE support, for a
// client registered with dpop_bound_access_tokens and encrypted responses.
func TestInteropNodeDPoPAndEncryption(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node is not installed; the openid-client interop test needs Node.js 20 or later")
	}
	dir, _ := filepath.Abs("node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openid-client")); err != nil {
		testenv.Missing(t, "conformance/node/node_modules is missing; run `npm ci` in conformance/node")
	}
	d := dev(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "node-enc", Use: "enc"}}})
	var jwks map[string]any
	_ = json.Unmarshal(raw, &jwks)
	const id, secret = "conformance-dpop-jwe", "conformance-dpop-jwe-secret-0123456"
	if err := registerClient(t.Context(), d.env.Broker.Store, config.Client{
		ID: id, Name: "Conformance DPoP and JWE", Secret: secret, AuthMethod: "client_secret_post",
		RedirectURIs: []string{d.redirectURI()}, JWKS: jwks, DPoPBoundAccessTokens: true,
		IDTokenEncryptionAlg: "RSA-OAEP-256", IDTokenEncryptionEnc: "A256GCM",
		UserinfoEncryptionAlg: "RSA-OAEP-256",
	}); err != nil {
		t.Fatal(err)
	}
	private, _ := json.Marshal(jose.JSONWebKey{Key: key, KeyID: "node-enc", Use: "enc"})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "dpop-jwe.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PORTVAKT_ISSUER="+d.issuer, "PORTVAKT_CLIENT_ID="+id, "PORTVAKT_CLIENT_SECRET="+secret,
		"PORTVAKT_REDIRECT_URI="+d.redirectURI(), "PORTVAKT_ACR_VALUES="+mitidACR, "PORTVAKT_ENC_JWK="+string(private))
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	runErr := cmd.Run()
	var rep struct {
		OK               bool    `json:"ok"`
		Error            string  `json:"error"`
		TokenType        string  `json:"token_type"`
		EncryptedIDToken bool    `json:"encrypted_id_token"`
		Sub              string  `json:"sub"`
		NonceOK          bool    `json:"nonce_ok"`
		UserinfoSub      string  `json:"userinfo_sub"`
		UserinfoName     *string `json:"userinfo_name"`
		BearerStatus     int     `json:"bearer_userinfo_status"`
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil || !rep.OK || runErr != nil {
		t.Fatalf("openid-client failed: %s (%v, %v); stdout %q; stderr %s", rep.Error, err, runErr, out.String(), errOut.String())
	}
	if strings.ToLower(rep.TokenType) != "dpop" || !rep.EncryptedIDToken || rep.Sub == "" || !rep.NonceOK {
		t.Errorf("token response: %+v; want a DPoP token and an encrypted ID token that verifies", rep)
	}
	if rep.UserinfoSub != rep.Sub || rep.UserinfoName == nil || *rep.UserinfoName == "" {
		t.Errorf("encrypted userinfo: sub %q name %v; want the ID token's person", rep.UserinfoSub, rep.UserinfoName)
	}
	if rep.BearerStatus != 401 {
		t.Errorf("userinfo with the DPoP-bound token as Bearer: %d, want 401", rep.BearerStatus)
	}
}
