package sim

import (
	"testing"
	"time"
)

// BenchmarkSignOrder is the simulator's own cost of a completed order's
// evidence: the XML signature and the OCSP response, for a person whose
// certificate is cached.
func BenchmarkSignOrder(b *testing.B) {
	p, err := newSignPKI(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	u := TestUsers()[0]
	d := signedData{funcID: "Signing", visible: b64("# Loan\n\nI agree to the **terms**."), format: "simpleMarkdownV1", nonVisible: b64(`{"document_digests":[]}`), uhi: b64("device")}
	var size int
	for b.Loop() {
		sig, ocsp, err := p.signOrder(u, d, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		size = len(sig) + len(ocsp)
	}
	b.ReportMetric(float64(size), "evidence-bytes")
}
