package bankidsig_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/evidence/bankidsig"
)

// FuzzVerify feeds arbitrary XML documents and OCSP responses to Verify: it
// must never panic, and it must never accept anything but the genuine pair
// it was seeded with, whose signature is not in reach of the mutations.
func FuzzVerify(f *testing.F) {
	b := newBankID(f)
	user := sim.TestUsers()[2]
	good := b.sign(f, user.PersonalNumber, signText, markdown, signHidden)
	xml, _ := base64.StdEncoding.DecodeString(good.Signature)
	ocsp, _ := base64.StdEncoding.DecodeString(good.OCSPResponse)
	f.Add(xml, ocsp)
	f.Add([]byte("<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>"), []byte{0x30, 0x03, 0x0a, 0x01, 0x00})
	f.Add([]byte("<a Id=\"x\"><b Id=\"x\"/></a>"), []byte{})
	f.Add(xml[:len(xml)/2], ocsp[:len(ocsp)/2])
	want := bankidsig.Expected{VisibleData: signText, VisibleDataFormat: markdown, NonVisibleData: signHidden, PersonalNumber: user.PersonalNumber}
	at := time.Now()
	f.Fuzz(func(t *testing.T, xmlDoc, ocspDER []byte) {
		signature := base64.StdEncoding.EncodeToString(xmlDoc)
		res, err := bankidsig.Verify(signature, base64.StdEncoding.EncodeToString(ocspDER), want, b.roots, at)
		if err == nil && (res == nil || signature != good.Signature) {
			t.Fatalf("accepted a signature that is not the genuine one: %q", xmlDoc)
		}
	})
}
