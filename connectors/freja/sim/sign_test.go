package sim_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/crypto/ocsp"

	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
)

// TestSignatureResult reads an approved signature's details as a relying
// party would: Freja's documented fields, signed under the result-signing
// certificate, with the person's own JWS over the text and binary data and
// an OCSP response that their certificate was good.
func TestSignatureResult(t *testing.T) {
	f := newFixture(t, sim.Options{AutoApprove: true})
	u := sim.TestUsers()[0]
	text, binary := "Jag godkänner avtalet.", []byte{0, 1, 2, 250}
	init := `{"userInfoType":"SSN","userInfo":"` + ssnInfo(u.Country, u.SSN) + `","minRegistrationLevel":"PLUS","dataToSignType":"EXTENDED_UTF8_TEXT",` +
		`"signatureType":"EXTENDED","dataToSign":{"text":"` + base64.StdEncoding.EncodeToString([]byte(text)) + `","binaryData":"` + base64.StdEncoding.EncodeToString(binary) + `"}}`
	_, started := f.post(t, freja.PathInitSign, "initSignRequest", init)
	ref, _ := started["signRef"].(string)
	_, result := f.post(t, freja.PathSignResult, "getOneSignResultRequest", `{"signRef":"`+ref+`"}`)
	details, _ := result["details"].(string)
	if result["status"] != freja.StatusApproved || details == "" {
		t.Fatalf("result = %v", result)
	}
	block, _ := pem.Decode(f.sim.JWSCertPEM())
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(details, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if x5t, _ := jws.Signatures[0].Protected.ExtraHeaders["x5t"].(string); x5t == "" {
		t.Error("the details name no x5t")
	}
	payload, err := jws.Verify(cert.PublicKey)
	if err != nil {
		t.Fatalf("details do not verify under JWSCertPEM: %v", err)
	}
	var d struct {
		SignRef, Status, UserInfoType, UserInfo, MinRegistrationLevel, SignatureType string
		Timestamp                                                                    int64
		RequestedAttributes                                                          struct{ SSN struct{ Country, SSN string } }
		SignatureData                                                                struct{ UserSignature, CertificateStatus string }
	}
	if err := json.Unmarshal(payload, &d); err != nil {
		t.Fatal(err)
	}
	if d.SignRef != ref || d.Status != freja.StatusApproved || d.UserInfoType != freja.UserInfoSSN || d.SignatureType != freja.SignatureTypeExtended ||
		d.Timestamp != f.now.Now().UnixMilli() || d.RequestedAttributes.SSN.SSN != u.SSN {
		t.Errorf("details = %+v", d)
	}
	userSig, err := jose.ParseSignedCompact(d.SignatureData.UserSignature, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	var header struct{ X5C []string }
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(d.SignatureData.UserSignature, ".")[0])
	_ = json.Unmarshal(raw, &header)
	der, _ := base64.StdEncoding.DecodeString(header.X5C[0])
	userCert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := userSig.Verify(userCert.PublicKey)
	want := base64.RawURLEncoding.EncodeToString([]byte(text)) + "." + base64.RawURLEncoding.EncodeToString(binary)
	if err != nil || string(signed) != want || userCert.Subject.SerialNumber != u.SSN {
		t.Errorf("user signature = %q, %v; want %q by %s", signed, err, want, u.SSN)
	}
	status, _ := base64.StdEncoding.DecodeString(d.SignatureData.CertificateStatus)
	resp, err := ocsp.ParseResponse(status, nil)
	if err != nil || resp.Status != ocsp.Good || resp.SerialNumber.Cmp(userCert.SerialNumber) != 0 {
		t.Errorf("certificate status = %+v, %v", resp, err)
	}
	// The result fetched again is the same, person's signature and all.
	if _, again := f.post(t, freja.PathSignResult, "getOneSignResultRequest", `{"signRef":"`+ref+`"}`); again["details"] != details {
		t.Error("the signature's details changed between fetches")
	}
}

func TestSignatureTypeMustMatchData(t *testing.T) {
	f := newFixture(t, sim.Options{})
	text := base64.StdEncoding.EncodeToString([]byte("x"))
	for _, body := range []string{
		`{"userInfoType":"INFERRED","userInfo":"N/A","minRegistrationLevel":"EXTENDED","dataToSignType":"SIMPLE_UTF8_TEXT","signatureType":"EXTENDED","dataToSign":{"text":"` + text + `"}}`,
		`{"userInfoType":"INFERRED","userInfo":"N/A","minRegistrationLevel":"EXTENDED","dataToSignType":"EXTENDED_UTF8_TEXT","signatureType":"SIMPLE","dataToSign":{"text":"` + text + `","binaryData":"AQ=="}}`,
		`{"userInfoType":"INFERRED","userInfo":"N/A","minRegistrationLevel":"EXTENDED","dataToSignType":"SIMPLE_UTF8_TEXT","signatureType":"SIMPLE","dataToSign":{"text":"` +
			base64.StdEncoding.EncodeToString([]byte(strings.Repeat("å", freja.MaxSignTextChars+1))) + `"}}`,
	} {
		if status, out := f.post(t, freja.PathInitSign, "initSignRequest", body); status != http.StatusBadRequest {
			t.Errorf("init = %d %v, want refused", status, out)
		}
	}
}

func TestAppServesTheResultSigningCertificate(t *testing.T) {
	f := newFixture(t, sim.Options{AppBasePath: "/sim/freja/"})
	app := httptest.NewServer(f.sim.AppHandler())
	t.Cleanup(app.Close)
	resp, err := http.Get(app.URL + "/sim/freja/jws.pem")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != string(f.sim.JWSCertPEM()) {
		t.Errorf("jws.pem = %d %q", resp.StatusCode, body)
	}
}

// BenchmarkSignature is one auto-approved signature, started and fetched over
// the API: the simulator must keep up with `portvakt bench --sign`.
func BenchmarkSignature(b *testing.B) {
	f := newFixture(b, sim.Options{AutoApprove: true})
	u := sim.TestUsers()[0]
	text := base64.StdEncoding.EncodeToString([]byte("Jag godkänner avtalet."))
	init := `{"userInfoType":"SSN","userInfo":"` + ssnInfo(u.Country, u.SSN) + `","minRegistrationLevel":"PLUS","dataToSignType":"EXTENDED_UTF8_TEXT",` +
		`"signatureType":"EXTENDED","dataToSign":{"text":"` + text + `","binaryData":"AQID"}}`
	for b.Loop() {
		_, started := f.post(b, freja.PathInitSign, "initSignRequest", init)
		ref, _ := started["signRef"].(string)
		if _, result := f.post(b, freja.PathSignResult, "getOneSignResultRequest", `{"signRef":"`+ref+`"}`); result["details"] == nil {
			b.Fatalf("result = %v", result)
		}
	}
}
