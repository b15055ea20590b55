package sim_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/evidence/bankidsig"
)

// TestCompletionSignatures: every completed order, auth or sign, browser or
// phone, carries a genuine XML signature of what was sent and an OCSP response
// bound to it, under the signing root (not the TLS CA).
func TestCompletionSignatures(t *testing.T) {
	text, hidden := []byte("# Avtal\n\nJag godkänner **villkoren**."), []byte("unseen digests")
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name, path, body string
		sameDevice       bool
		want             bankidsig.Expected
		funcID           string
	}{
		{"auth", "auth", `{"endUserIp":"192.0.2.1"}`, false, bankidsig.Expected{}, "Identification"},
		{"auth with text", "auth", fmt.Sprintf(`{"endUserIp":"192.0.2.1","userVisibleData":%q}`, b64(text)), false, bankidsig.Expected{VisibleData: text}, "Identification"},
		{"sign other device", "sign", fmt.Sprintf(`{"endUserIp":"192.0.2.1","userVisibleData":%q,"userVisibleDataFormat":"simpleMarkdownV1","userNonVisibleData":%q}`, b64(text), b64(hidden)),
			false, bankidsig.Expected{VisibleData: text, VisibleDataFormat: "simpleMarkdownV1", NonVisibleData: hidden}, "Signing"},
		{"sign, base64 broken into lines", "sign", fmt.Sprintf(`{"endUserIp":"192.0.2.1","userVisibleData":%q}`, b64(text)[:8]+"\r\n"+b64(text)[8:]),
			false, bankidsig.Expected{VisibleData: text}, "Signing"},
		{"sign same device", "sign", fmt.Sprintf(`{"endUserIp":"192.0.2.1","userVisibleData":%q}`, b64(text)), true, bankidsig.Expected{VisibleData: text}, "Signing"},
		{"phone auth", "phone/auth", `{"personalNumber":"%s","callInitiator":"RP"}`, false, bankidsig.Expected{}, "Identification"},
		{"phone sign", "phone/sign", fmt.Sprintf(`{"personalNumber":"%%s","callInitiator":"user","userVisibleData":%q,"userVisibleDataFormat":"simpleMarkdownV1","userNonVisibleData":%q}`, b64(text), b64(hidden)),
			false, bankidsig.Expected{VisibleData: text, VisibleDataFormat: "simpleMarkdownV1", NonVisibleData: hidden}, "Signing"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sim.Options{})
			user := sim.TestUsers()[i%len(sim.TestUsers())]
			body := tt.body
			if tt.path == "phone/auth" || tt.path == "phone/sign" {
				body = fmt.Sprintf(body, user.PersonalNumber)
			}
			status, started := f.post(t, tt.path, body)
			if status != 200 {
				t.Fatalf("%s = %d %v", tt.path, status, started)
			}
			ref := started["orderRef"].(string)
			if tt.sameDevice {
				if _, err := f.sim.OpenAutostart(started["autoStartToken"].(string)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.sim.Approve(ref, user.PersonalNumber); err != nil {
				t.Fatal(err)
			}
			_, collected := f.post(t, "collect", fmt.Sprintf(`{"orderRef":%q}`, ref))
			cd, _ := collected["completionData"].(map[string]any)
			signature, _ := cd["signature"].(string)
			ocsp, _ := cd["ocspResponse"].(string)
			roots := x509.NewCertPool()
			roots.AppendCertsFromPEM(f.sim.SigningRootPEM())
			want := tt.want
			want.PersonalNumber = user.PersonalNumber
			res, err := bankidsig.Verify(signature, ocsp, want, roots, f.now.Now())
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.FuncID != tt.funcID || res.Name != user.Name() || !res.ProducedAt.Equal(f.now.Now()) {
				t.Errorf("result = %+v", res)
			}
		})
	}
	s, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(s.SigningRootPEM(), s.CAPEM()) || len(s.SigningRootPEM()) == 0 {
		t.Error("the signing root is the TLS CA, or missing")
	}
}

// BenchmarkSignedOrder is a whole signing order through the API over mutual
// TLS: sign, approve, collect with its signature and OCSP response.
func BenchmarkSignedOrder(b *testing.B) {
	f := newFixture(b, sim.Options{})
	user := sim.TestUsers()[0]
	body := fmt.Sprintf(`{"endUserIp":"192.0.2.1","userVisibleData":%q,"userVisibleDataFormat":"simpleMarkdownV1"}`, base64.StdEncoding.EncodeToString([]byte("# Loan\n\nI agree.")))
	var size int
	for b.Loop() {
		_, started := f.post(b, "sign", body)
		ref := started["orderRef"].(string)
		if _, err := f.sim.Approve(ref, user.PersonalNumber); err != nil {
			b.Fatal(err)
		}
		_, collected := f.post(b, "collect", fmt.Sprintf(`{"orderRef":%q}`, ref))
		cd := collected["completionData"].(map[string]any)
		size = len(cd["signature"].(string)) + len(cd["ocspResponse"].(string))
	}
	b.ReportMetric(float64(size), "evidence-bytes")
}
