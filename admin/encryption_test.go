package admin_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/devmode"
)

// The admin API refuses a client that chose Finnish Trust Network logins
// unless its ID tokens and userinfo are encrypted to a key of its own, and
// shows the encryption settings of one that has them.
func TestFTNClientNeedsEncryptionThroughTheAPI(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	var bad struct {
		Problems []string `json:"problems"`
	}
	client := map[string]any{"id": "fi-rp", "redirect_uris": []string{"https://rp.example/cb"}, "eids": []string{"fi-ftn"},
		"token_endpoint_auth_method": "client_secret_basic"}
	b.mustCall(t, token, "POST", "/clients", client, &bad, http.StatusBadRequest)
	if got := strings.Join(bad.Problems, "\n"); !strings.Contains(got, "id_token_encrypted_response_alg") || !strings.Contains(got, "userinfo_encrypted_response_alg") {
		t.Errorf("problems %q; want both encryption settings named", got)
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "enc-1", Use: "enc"}}})
	var jwks map[string]any
	_ = json.Unmarshal(raw, &jwks)
	client["jwks"] = jwks
	client["id_token_encrypted_response_alg"] = "RSA-OAEP-256"
	client["userinfo_encrypted_response_alg"] = "RSA-OAEP-256"
	client["userinfo_encrypted_response_enc"] = "A256GCM"
	b.mustCall(t, token, "POST", "/clients", client, nil, http.StatusCreated)
	var shown map[string]any
	b.mustCall(t, token, "GET", "/clients/fi-rp", nil, &shown, http.StatusOK)
	if shown["id_token_encrypted_response_alg"] != "RSA-OAEP-256" || shown["id_token_encrypted_response_enc"] != "A128CBC-HS256" ||
		shown["userinfo_encrypted_response_enc"] != "A256GCM" {
		t.Errorf("client read back as %v; want the encryption settings, enc defaulted to A128CBC-HS256", shown)
	}
}
