package keys

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// TestTokensVerifyAgainstPublishedJWKS signs with each algorithm's current key the
// way the provider does and verifies against the JWKS as a relying party fetches it.
func TestTokensVerifyAgainstPublishedJWKS(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := f.manager("one", SupportedAlgorithms()...)
	initManager(t, m)

	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op.Keys(w, r, m)
	}))
	defer server.Close()
	resp, err := server.Client().Get(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	if len(jwks.Keys) != len(SupportedAlgorithms()) {
		t.Fatalf("JWKS has %d keys, want %d", len(jwks.Keys), len(SupportedAlgorithms()))
	}
	for _, k := range jwks.Keys {
		if !k.IsPublic() || k.Use != "sig" || k.KeyID == "" {
			t.Errorf("JWKS entry %s: public=%v use=%q", k.KeyID, k.IsPublic(), k.Use)
		}
	}

	for _, alg := range SupportedAlgorithms() {
		t.Run(alg, func(t *testing.T) {
			key, err := m.SigningKey(ctx, alg)
			if err != nil {
				t.Fatal(err)
			}
			signer, err := op.SignerFromKey(key)
			if err != nil {
				t.Fatal(err)
			}
			payload := []byte(`{"iss":"https://broker.example","sub":"pairwise-subject"}`)
			jws, err := signer.Sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			compact, err := jws.CompactSerialize()
			if err != nil {
				t.Fatal(err)
			}

			parsed, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			header := parsed.Signatures[0].Header
			if header.KeyID != key.ID() || header.Algorithm != alg {
				t.Fatalf("header kid=%s alg=%s, want %s %s", header.KeyID, header.Algorithm, key.ID(), alg)
			}
			published := jwks.Key(header.KeyID)
			if len(published) != 1 || published[0].Algorithm != alg {
				t.Fatalf("JWKS entries for kid %s: %+v", header.KeyID, published)
			}
			got, err := parsed.Verify(published[0].Key)
			if err != nil {
				t.Fatalf("verify with published key: %v", err)
			}
			if string(got) != string(payload) {
				t.Errorf("payload = %s", got)
			}
			for _, other := range jwks.Keys {
				if other.KeyID == header.KeyID {
					continue
				}
				if _, err := parsed.Verify(other.Key); err == nil {
					t.Errorf("token also verifies with key %s (%s)", other.KeyID, other.Algorithm)
				}
			}
		})
	}
}
