package keys

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/storage"
)

// newKeyRecord generates a key for alg and returns it as storage keeps it: the
// private key PKCS#8 DER sealed with the kid as associated data, the public key as JWK.
func newKeyRecord(sealer *Sealer, alg string, now time.Time) (storage.SigningKey, error) {
	private, err := generatePrivateKey(alg)
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("generate %s key: %w", alg, err)
	}
	kid := randid.New() // unique without coordination between processes, and free of meaning
	der, err := x509.MarshalPKCS8PrivateKey(private)
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("marshal %s key: %w", alg, err)
	}
	sealed, err := sealer.Seal(der, []byte(kid))
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("seal %s key: %w", alg, err)
	}
	jwk := jose.JSONWebKey{Key: private.Public(), KeyID: kid, Algorithm: alg, Use: "sig"}
	publicJWK, err := jwk.MarshalJSON()
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("marshal %s public key: %w", alg, err)
	}
	return storage.SigningKey{
		ID:         kid,
		Algorithm:  alg,
		PrivateKey: sealed,
		PublicJWK:  publicJWK,
		CreatedAt:  now,
	}, nil
}

// decodePublic reads a record's public JWK and checks it agrees with the record.
func decodePublic(rec storage.SigningKey) (*publicKey, error) {
	if err := checkAlgorithm(rec.Algorithm); err != nil {
		return nil, fmt.Errorf("key %s: %w", rec.ID, err)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(rec.PublicJWK); err != nil {
		return nil, fmt.Errorf("key %s: parse public jwk: %w", rec.ID, err)
	}
	if jwk.KeyID != rec.ID || jwk.Algorithm != rec.Algorithm || !jwk.IsPublic() {
		return nil, fmt.Errorf("key %s: public jwk does not match its record", rec.ID)
	}
	if err := checkKeyType(rec.Algorithm, jwk.Key); err != nil {
		return nil, fmt.Errorf("key %s: %w", rec.ID, err)
	}
	return &publicKey{id: rec.ID, alg: jose.SignatureAlgorithm(rec.Algorithm), public: jwk.Key}, nil
}

// decodePrivate opens a record's sealed private key and checks it is the private
// half of the published public key.
func decodePrivate(sealer *Sealer, rec storage.SigningKey, public *publicKey) (*signingKey, error) {
	der, err := sealer.Open(rec.PrivateKey, []byte(rec.ID))
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", rec.ID, err)
	}
	private, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("key %s: parse private key: %w", rec.ID, err)
	}
	type keyPair interface{ Public() crypto.PublicKey }
	pair, ok := private.(keyPair)
	if !ok {
		return nil, fmt.Errorf("key %s: private key of type %T cannot sign", rec.ID, private)
	}
	if eq, ok := pair.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(public.public) {
		return nil, fmt.Errorf("key %s: private key does not match the published public key", rec.ID)
	}
	return &signingKey{id: rec.ID, alg: public.alg, private: private}, nil
}
