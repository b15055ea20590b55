package sim

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/portvakt/portvakt/evidence/bankidsig"
)

// TestOCSPResponders: an OCSP response verifies when the CA or its delegated
// responder signed it, and not when a certificate of the CA without the OCSP
// signing purpose did (a person's).
func TestOCSPResponders(t *testing.T) {
	now := time.Now()
	p, err := newSignPKI(now)
	if err != nil {
		t.Fatal(err)
	}
	user, impostor := TestUsers()[0], TestUsers()[1]
	pc, err := p.person(user)
	if err != nil {
		t.Fatal(err)
	}
	other, err := p.person(impostor)
	if err != nil {
		t.Fatal(err)
	}
	xml, err := p.signXML(pc, signedData{funcID: "Signing", visible: b64("I agree")})
	if err != nil {
		t.Fatal(err)
	}
	signature := base64.StdEncoding.EncodeToString(xml)
	roots := x509.NewCertPool()
	roots.AddCert(p.caCert)
	for _, tt := range []struct {
		name      string
		responder *x509.Certificate
		answer    func() ([]byte, error)
		want      error
	}{
		{"delegated responder", p.ocspCert, func() ([]byte, error) { return p.ocspAnswer(p.ocspCert, p.ocspKey, pc, signature, now) }, nil},
		{"the CA itself", p.caCert, func() ([]byte, error) { return p.ocspAnswer(p.caCert, p.caKey, pc, signature, now) }, nil},
		{"a person's certificate", other.cert, func() ([]byte, error) { return p.ocspAnswer(other.cert, other.key, pc, signature, now) }, bankidsig.ErrOCSPResponder},
	} {
		t.Run(tt.name, func(t *testing.T) {
			der, err := tt.answer()
			if err != nil {
				t.Fatal(err)
			}
			_, err = bankidsig.Verify(signature, base64.StdEncoding.EncodeToString(der),
				bankidsig.Expected{VisibleData: []byte("I agree"), PersonalNumber: user.PersonalNumber}, roots, now)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
		})
	}
}
