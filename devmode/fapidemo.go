package devmode

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/config"
)

// The FAPI 2.0 demo client, as the dev mode contract names it, and the files
// its private keys are kept in, in the data directory (dev only: for tests and
// examples to act as the client).
const (
	FAPIDemoClientID = "fapi-demo"
	FAPIDemoKeyFile  = "fapi-demo.jwk"
	FAPIDemoEncFile  = "fapi-demo-enc.jwk"
)

// fapiDemoClient is the FAPI 2.0 client of dev mode: private_key_jwt with an
// ES256 key, an RSA-OAEP-256 key for encrypted responses, pushed requests,
// PKCE and DPoP-bound tokens by its profile. Its keys are made on the first
// start and kept in the data directory, so a test or an example reads them
// from there and stays valid across restarts.
func fapiDemoClient(o Options) (config.Client, error) {
	sig, err := loadOrCreateJWK(filepath.Join(o.Data, FAPIDemoKeyFile), func() (jose.JSONWebKey, error) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		return jose.JSONWebKey{Key: k, Algorithm: string(jose.ES256), Use: "sig"}, err
	})
	if err != nil {
		return config.Client{}, err
	}
	// Both public keys are registered; ID tokens stay signed only, so that
	// `portvakt bench` and the examples read them without decrypting.
	enc, err := loadOrCreateJWK(filepath.Join(o.Data, FAPIDemoEncFile), func() (jose.JSONWebKey, error) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		return jose.JSONWebKey{Key: k, Algorithm: string(jose.RSA_OAEP_256), Use: "enc"}, err
	})
	if err != nil {
		return config.Client{}, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{sig.Public(), enc.Public()}}
	raw, err := json.Marshal(set)
	if err != nil {
		return config.Client{}, fmt.Errorf("fapi-demo jwks: %w", err)
	}
	var jwks map[string]any
	if err := json.Unmarshal(raw, &jwks); err != nil {
		return config.Client{}, fmt.Errorf("fapi-demo jwks: %w", err)
	}
	return config.Client{
		ID: FAPIDemoClientID, Name: "FAPI 2.0 demo app", Profile: config.ProfileFAPI2,
		Purpose:    "Shows a login under the FAPI 2.0 Security Profile.",
		AuthMethod: "private_key_jwt", JWKS: jwks, IDTokenAlg: string(jose.ES256),
		ClientURI:    o.Issuer + "/demo",
		RedirectURIs: append([]string{o.Issuer + "/demo/callback"}, o.ExtraRedirectURIs...),
		Scopes:       []string{"national_id"},
		Theme:        config.Theme{DisplayName: "FAPI 2.0 demo app"},
	}, nil
}

// loadOrCreateJWK reads a private JWK from path, or makes one with generate,
// names it by its thumbprint and writes it there (owner-only).
func loadOrCreateJWK(path string, generate func() (jose.JSONWebKey, error)) (jose.JSONWebKey, error) {
	var k jose.JSONWebKey
	raw, err := os.ReadFile(path) //nolint:gosec // G304: a file of the data directory the developer chose
	switch {
	case err == nil:
		if err := k.UnmarshalJSON(raw); err != nil {
			return k, fmt.Errorf("read %s: %w", path, err)
		}
		if k.IsPublic() {
			return k, fmt.Errorf("read %s: not a private key", path)
		}
		return k, nil
	case !errors.Is(err, fs.ErrNotExist):
		return k, fmt.Errorf("read %s: %w", path, err)
	}
	if k, err = generate(); err != nil {
		return k, fmt.Errorf("generate %s: %w", path, err)
	}
	thumb, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return k, fmt.Errorf("generate %s: %w", path, err)
	}
	k.KeyID = base64.RawURLEncoding.EncodeToString(thumb)
	if raw, err = k.MarshalJSON(); err != nil {
		return k, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o600); err != nil {
		return k, fmt.Errorf("write %s: %w", path, err)
	}
	return k, nil
}
