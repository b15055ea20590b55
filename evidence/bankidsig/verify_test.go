package bankidsig_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/evidence/bankidsig"
)

const markdown = "simpleMarkdownV1"

var (
	signText   = []byte("# Loan\n\nI borrow **250 000 SEK** and repay it in *60* months.")
	signHidden = []byte(`{"document_digests":[{"hash":"3q2-7w","hash_alg":"sha-256","label":"Loan.pdf"}]}`)
)

// verification is one call of Verify.
type verification struct {
	signature, ocsp string
	want            bankidsig.Expected
	roots           *x509.CertPool
	at              time.Time
}

// xmlEdit changes the signature's XML document and encodes it again.
func xmlEdit(t *testing.T, v *verification, edit func(string) string) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(v.signature)
	if err != nil {
		t.Fatal(err)
	}
	changed := edit(string(raw))
	if changed == string(raw) {
		t.Fatal("the edit changed nothing")
	}
	v.signature = base64.StdEncoding.EncodeToString([]byte(changed))
}

// TestVerify: a genuine signature verifies; each tampered part, and each
// expectation it does not meet, fails with its own error.
func TestVerify(t *testing.T) {
	b := newBankID(t)
	other := newBankID(t) // another signing CA
	user := sim.TestUsers()[1]
	good := b.sign(t, user.PersonalNumber, signText, markdown, signHidden)
	again := b.sign(t, user.PersonalNumber, signText, markdown, signHidden)
	foreign := other.sign(t, user.PersonalNumber, signText, markdown, signHidden)
	now := time.Now()
	base := verification{
		signature: good.Signature, ocsp: good.OCSPResponse, roots: b.roots, at: now,
		want: bankidsig.Expected{VisibleData: signText, VisibleDataFormat: markdown, NonVisibleData: signHidden, PersonalNumber: user.PersonalNumber},
	}
	encodedText := base64.StdEncoding.EncodeToString(signText)
	tests := []struct {
		name   string
		change func(*testing.T, *verification)
		want   error
	}{
		{"genuine", func(*testing.T, *verification) {}, nil},
		{"genuine, by digests", func(_ *testing.T, v *verification) {
			v.want.VisibleDataSHA256, v.want.NonVisibleDataSHA256 = sha(signText), sha(signHidden)
			v.want.VisibleData, v.want.NonVisibleData = nil, nil
		}, nil},
		{"not base64", func(_ *testing.T, v *verification) { v.signature = "<Signature/>" }, bankidsig.ErrMalformed},
		{"not xml", func(_ *testing.T, v *verification) { v.signature = base64.StdEncoding.EncodeToString([]byte("{}")) }, bankidsig.ErrMalformed},
		{"signed text changed", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string {
				return strings.Replace(s, encodedText, base64.StdEncoding.EncodeToString([]byte("I borrow 1 SEK")), 1)
			})
			v.want.VisibleData = []byte("I borrow 1 SEK")
		}, bankidsig.ErrDigest},
		{"signed format removed", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string { return strings.Replace(s, ` format="simpleMarkdownV1"`, "", 1) })
		}, bankidsig.ErrDigest},
		{"certificate swapped in KeyInfo", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string {
				return strings.Replace(s, firstCert(t, s), firstCert(t, decode(t, foreign.Signature)), 1)
			})
		}, bankidsig.ErrDigest},
		{"signature value changed", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string {
				i := strings.Index(s, "<SignatureValue>") + len("<SignatureValue>")
				flip := "A"
				if s[i] == 'A' {
					flip = "B"
				}
				return s[:i] + flip + s[i+1:]
			})
		}, bankidsig.ErrSignature},
		{"reference dropped", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string {
				i := strings.Index(s, `<Reference URI="#bidKeyInfo">`)
				j := strings.Index(s[i:], "</Reference>") + i + len("</Reference>")
				return s[:i] + s[j:]
			})
		}, bankidsig.ErrReference},
		{"second signed data with the same Id", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string {
				return strings.Replace(s, "</Signature>", `<Object><bankIdSignedData xmlns="http://www.bankid.com/signature/v1.0.0/types" Id="bidSignedData"/></Object></Signature>`, 1)
			})
		}, bankidsig.ErrMalformed},
		{"comment cutting the signed text", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string {
				return strings.Replace(s, encodedText, encodedText[:8]+"<!---->"+encodedText[8:], 1)
			})
			v.want.VisibleData = signText[:6]
		}, bankidsig.ErrMalformed},
		{"text after the root element", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string { return s + "I owe you" })
		}, bankidsig.ErrMalformed},
		{"document type declaration", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string {
				return strings.Replace(s, "<Signature ", `<!DOCTYPE Signature [<!ENTITY x "y">]><Signature `, 1)
			})
		}, bankidsig.ErrMalformed},
		{"nested too deep", func(t *testing.T, v *verification) {
			xmlEdit(t, v, func(s string) string {
				return strings.Replace(s, "</Signature>", "<Object>"+strings.Repeat("<a>", 100000)+strings.Repeat("</a>", 100000)+"</Object></Signature>", 1)
			})
		}, bankidsig.ErrMalformed},
		{"signed by another CA", func(_ *testing.T, v *verification) { v.signature, v.ocsp = foreign.Signature, foreign.OCSPResponse }, bankidsig.ErrChain},
		{"no roots", func(_ *testing.T, v *verification) { v.roots = nil }, bankidsig.ErrChain},
		{"certificate not yet valid", func(_ *testing.T, v *verification) { v.at = now.AddDate(-30, 0, 0) }, bankidsig.ErrChain},
		{"other text expected", func(_ *testing.T, v *verification) { v.want.VisibleData = []byte("# Loan") }, bankidsig.ErrVisibleData},
		{"other text digest expected", func(_ *testing.T, v *verification) { v.want.VisibleDataSHA256 = sha([]byte("# Loan")) }, bankidsig.ErrVisibleData},
		{"plain text expected", func(_ *testing.T, v *verification) { v.want.VisibleDataFormat = "" }, bankidsig.ErrVisibleDataFormat},
		{"other non-visible data expected", func(_ *testing.T, v *verification) { v.want.NonVisibleData = nil }, bankidsig.ErrNonVisibleData},
		{"other personal number expected", func(_ *testing.T, v *verification) { v.want.PersonalNumber = sim.TestUsers()[0].PersonalNumber }, bankidsig.ErrPersonalNumber},
		{"no personal number expected", func(_ *testing.T, v *verification) { v.want.PersonalNumber = "" }, bankidsig.ErrPersonalNumber},
		{"ocsp response not DER", func(_ *testing.T, v *verification) { v.ocsp = base64.StdEncoding.EncodeToString([]byte("ocsp")) }, bankidsig.ErrOCSPMalformed},
		{"ocsp response missing", func(_ *testing.T, v *verification) { v.ocsp = "" }, bankidsig.ErrOCSPMalformed},
		{"ocsp response data changed", func(t *testing.T, v *verification) {
			der := decodeBytes(t, v.ocsp)
			i := bytes.Index(der, nonceHash(v.signature))
			if i < 0 {
				t.Fatal("nonce not found in the OCSP response")
			}
			der[i] ^= 1
			v.ocsp = base64.StdEncoding.EncodeToString(der)
		}, bankidsig.ErrOCSPResponder},
		{"ocsp responder certificate changed", func(t *testing.T, v *verification) {
			der := decodeBytes(t, v.ocsp)
			der[len(der)-3] ^= 1 // inside the responder certificate's signature
			v.ocsp = base64.StdEncoding.EncodeToString(der)
		}, bankidsig.ErrOCSPResponder},
		{"ocsp response from another CA", func(_ *testing.T, v *verification) { v.ocsp = foreign.OCSPResponse }, bankidsig.ErrOCSPStatus},
		{"ocsp response of another signature", func(_ *testing.T, v *verification) { v.ocsp = again.OCSPResponse }, bankidsig.ErrOCSPNonce},
		{"ocsp response not from the signing", func(_ *testing.T, v *verification) { v.at = now.Add(time.Hour) }, bankidsig.ErrOCSPTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := base
			tt.change(t, &v)
			res, err := bankidsig.Verify(v.signature, v.ocsp, v.want, v.roots, v.at)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if res.PersonalNumber != user.PersonalNumber || res.Name != user.Name() || res.FuncID != "Signing" ||
					!bytes.Equal(res.VisibleData, signText) || !bytes.Equal(res.NonVisibleData, signHidden) || res.VisibleDataFormat != markdown ||
					len(res.Chain) != 2 || res.ProducedAt.Sub(now).Abs() > time.Minute {
					t.Errorf("result = %+v", res)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
			if res != nil {
				t.Errorf("a refused signature has a result: %+v", res)
			}
		})
	}
}
