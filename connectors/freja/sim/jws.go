package sim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // G505: x5t is defined as the certificate's SHA-1 thumbprint
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"time"

	"github.com/portvakt/portvakt/connectors/mtls"

	"github.com/go-jose/go-jose/v4"
)

// resultSigner signs results' details as Freja does: an RS256 JWS whose x5t
// names the signing certificate. The certificate is self-signed; connectors
// trust it as configured, not by a chain.
type resultSigner struct {
	signer  jose.Signer
	certPEM []byte
}

func newResultSigner() (*resultSigner, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("sim: generate signing key: %w", err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber: mtls.Serial(),
		Subject:      pkix.Name{CommonName: "Simulated Freja eID result signing", Organization: []string{"portvakt simulator"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("sim: create signing certificate: %w", err)
	}
	thumb := sha1.Sum(der) //nolint:gosec // G401: see the import
	opts := (&jose.SignerOptions{}).WithHeader("x5t", base64.RawURLEncoding.EncodeToString(thumb[:]))
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	if err != nil {
		return nil, fmt.Errorf("sim: signer: %w", err)
	}
	return &resultSigner{signer: signer, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// sign returns the compact JWS of v's JSON.
func (s *resultSigner) sign(v any) (string, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	obj, err := s.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// JWSCertPEM is the certificate results are signed under, the one a connector
// must trust.
func (s *Simulator) JWSCertPEM() []byte { return append([]byte(nil), s.results.certPEM...) }

// appJWSCert serves the result-signing certificate: public, and what
// `portvakt evidence verify --freja-keys` takes to check a signature the
// simulator made.
func (s *Simulator) appJWSCert(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(s.results.certPEM)
}
