package bankidsig_test

import (
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/evidence/bankidsig"
)

// BenchmarkVerify is the check the connector makes of every signature at
// issuance.
func BenchmarkVerify(b *testing.B) {
	bid := newBankID(b)
	user := sim.TestUsers()[0]
	cd := bid.sign(b, user.PersonalNumber, signText, markdown, signHidden)
	want := bankidsig.Expected{VisibleData: signText, VisibleDataFormat: markdown, NonVisibleData: signHidden, PersonalNumber: user.PersonalNumber}
	at := time.Now()
	for b.Loop() {
		if _, err := bankidsig.Verify(cd.Signature, cd.OCSPResponse, want, bid.roots, at); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(cd.Signature)), "signature-bytes")
	b.ReportMetric(float64(len(cd.OCSPResponse)), "ocsp-bytes")
}
