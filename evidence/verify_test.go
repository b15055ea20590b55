package evidence

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// goodPackage issues evidence and returns its export package and the keys
// that verify it.
func goodPackage(t *testing.T) (*fixture, SignDetails, jose.JSONWebKeySet) {
	t.Helper()
	f := newFixture(t)
	d, err := f.svc.Issue(t.Context(), issueInput(t, "loan-app", f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	set, err := f.svc.KeySet(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The package goes through JSON, as GET /evidence/{id} serves it.
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back SignDetails
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	return f, back, roundTripKeys(t, set)
}

// roundTripKeys is the key set as a verifier reads it from /evidence/keys.
func roundTripKeys(t *testing.T, set jose.JSONWebKeySet) jose.JSONWebKeySet {
	t.Helper()
	raw, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	var back jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

func TestVerifyGood(t *testing.T) {
	_, d, set := goodPackage(t)
	pkg, _ := json.Marshal(d)
	bankid := &fakeBankID{}
	r, err := Verify(pkg, VerifyOptions{Keys: set, Issuer: testIssuer, BankID: bankid})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if bankid.calls != 1 {
		t.Errorf("BankID verifier ran %d times", bankid.calls)
	}
	if r.EvidenceID != d.Evidence.ID || r.Issuer != testIssuer || r.Audience != "loan-app" || r.Provider != "se-bankid" ||
		r.Signer.NationalID.Value != testPersonalNumber || r.SignedAt.IsZero() || r.KeyID == "" {
		t.Errorf("Report = %+v", r)
	}
	want := []string{"package well-formed", "attestation", "issuer", "evidence id", "authorization_details_sha256",
		"text_sha256", "native_sha256", "signed content", "BankID native signature"}
	joined := strings.Join(r.Checks, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("Report.Checks %q lacks %q", r.Checks, w)
		}
	}

	// As a token response carries it, among other entries.
	wrapped, _ := json.Marshal(map[string]any{"authorization_details": []any{
		map[string]string{"type": "other"}, d,
	}})
	if _, err := Verify(wrapped, VerifyOptions{Keys: set, BankID: &fakeBankID{}}); err != nil {
		t.Errorf("Verify of authorization_details: %v", err)
	}

	// A relying party checks the evidence is its own: another client's
	// genuine evidence is not proof of a signature to it.
	if r, err := Verify(pkg, VerifyOptions{Keys: set, Audience: "loan-app", BankID: &fakeBankID{}}); err != nil || !slices.Contains(r.Checks, "client loan-app") {
		t.Errorf("Verify for its own client = %v, %v", r, err)
	}
	if _, err := Verify(pkg, VerifyOptions{Keys: set, Audience: "other-app", BankID: &fakeBankID{}}); !errors.Is(err, ErrAudience) {
		t.Errorf("Verify for another client = %v, want ErrAudience", err)
	}
}

func TestVerifyRefusesTampering(t *testing.T) {
	f, good, set := goodPackage(t)
	otherFixture := newFixture(t)
	otherSet, err := otherFixture.svc.KeySet(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	kid := attestationKid(t, good.Evidence.Attestation)
	_ = f

	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name   string
		change func(d *SignDetails, o *VerifyOptions)
		want   error
	}{
		{"requested text", func(d *SignDetails, _ *VerifyOptions) { d.Text += " Or 1 000 000." }, ErrDetailsHash},
		{"signed text", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.VisibleData = b64("I borrow nothing.") }, ErrTextHash},
		{"document digest", func(d *SignDetails, _ *VerifyOptions) {
			d.DocumentDigests[0].Hash = base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xcd}, 32))
		}, ErrDetailsHash},
		{"document label", func(d *SignDetails, _ *VerifyOptions) { d.DocumentDigests[0].Label = "Gift.pdf" }, ErrDetailsHash},
		{"requested non-visible data", func(d *SignDetails, _ *VerifyOptions) {
			d.NonVisibleData = base64.RawURLEncoding.EncodeToString([]byte("loan-4712"))
		}, ErrDetailsHash},
		{"signed non-visible data", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.NonVisibleData = b64("loan-4712") }, ErrContent},
		{"text format", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.VisibleDataFormat = "" }, ErrContent},
		{"attestation signature", func(d *SignDetails, _ *VerifyOptions) {
			a := []byte(d.Evidence.Attestation)
			i := len(a) - 10
			a[i] = map[bool]byte{true: 'B', false: 'A'}[a[i] == 'A']
			d.Evidence.Attestation = string(a)
		}, ErrAttestationSignature},
		{"attestation payload", func(d *SignDetails, _ *VerifyOptions) {
			parts := strings.Split(d.Evidence.Attestation, ".")
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			payload = bytes.Replace(payload, []byte(`"aud":"loan-app"`), []byte(`"aud":"evil-app"`), 1)
			parts[1] = base64.RawURLEncoding.EncodeToString(payload)
			d.Evidence.Attestation = strings.Join(parts, ".")
		}, ErrAttestationSignature},
		{"native signature", func(d *SignDetails, _ *VerifyOptions) {
			d.Evidence.Native[NativeBankIDSignature] = fakeBankIDSignature(b64("other"), "")
		}, ErrNativeHash},
		{"OCSP response", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.Native[NativeBankIDOCSP] = b64("ocsp revoked") }, ErrNativeHash},
		{"native artefact removed", func(d *SignDetails, _ *VerifyOptions) { delete(d.Evidence.Native, NativeBankIDOCSP) }, ErrNativeHash},
		{"native artefact added", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.Native["bankid_extra"] = "x" }, ErrNativeHash},
		{"evidence id", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.ID = "sev_AAAAAAAAAAAAAAAAAAAAAA" }, ErrEvidenceID},
		{"signer", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.Signer.NationalID.Value = "198507232398" }, ErrEvidenceFields},
		{"signer name", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.Signer.Name = "Someone Else" }, ErrEvidenceFields},
		{"provider", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.Provider = "freja" }, ErrEvidenceFields},
		{"signed_at", func(d *SignDetails, _ *VerifyOptions) { d.Evidence.SignedAt = d.Evidence.SignedAt.Add(-48 * 3600e9) }, ErrEvidenceFields},
		{"key not in the set", func(_ *SignDetails, o *VerifyOptions) { o.Keys = otherSet }, ErrUnknownKey},
		{"no keys", func(_ *SignDetails, o *VerifyOptions) { o.Keys = jose.JSONWebKeySet{} }, ErrUnknownKey},
		{"key's certificate of another key", func(_ *SignDetails, o *VerifyOptions) {
			k := o.Keys.Key(kid)[0]
			k.Certificates = otherSet.Keys[0].Certificates
			o.Keys = jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k}}
		}, ErrKeyCertificate},
		{"another issuer expected", func(_ *SignDetails, o *VerifyOptions) { o.Issuer = "https://other.example" }, ErrIssuer},
		{"no BankID trust anchors", func(_ *SignDetails, o *VerifyOptions) { o.BankID = nil }, ErrNoTrustAnchors},
		{"BankID signature refused", func(_ *SignDetails, o *VerifyOptions) { o.BankID = refusing{} }, ErrNative},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := clonePackage(t, good)
			o := VerifyOptions{Keys: set, Issuer: testIssuer, BankID: &fakeBankID{}}
			tc.change(&d, &o)
			pkg, _ := json.Marshal(d)
			_, err := Verify(pkg, o)
			if !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestVerifyRefusesForeignAttestation: a well-signed attestation of another
// type, or one whose header names another certificate, is refused.
func TestVerifyRefusesForeignAttestation(t *testing.T) {
	_, good, set := goodPackage(t)
	claims, kid, err := verifyAttestationUnchecked(good.Evidence.Attestation)
	if err != nil {
		t.Fatal(err)
	}
	// A rogue key published beside the broker's, with a valid certificate.
	private, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert, err := selfSigned(private, testIssuer, newClock().Now())
	if err != nil {
		t.Fatal(err)
	}
	x5c := []string{base64.StdEncoding.EncodeToString(cert.Raw)}
	rogue := jose.JSONWebKey{Key: private.Public(), KeyID: "rogue", Algorithm: "ES256", Use: "sig", Certificates: []*x509.Certificate{cert}}
	sign := func(kid, typ string, x5c []string) string {
		opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ))
		if x5c != nil {
			opts = opts.WithHeader("x5c", x5c)
		}
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: private, KeyID: kid}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(claims)
		jws, err := s.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := jws.CompactSerialize()
		return out
	}
	withRogue := jose.JSONWebKeySet{Keys: append(append([]jose.JSONWebKey(nil), set.Keys...), rogue)}
	for _, tc := range []struct {
		name, attestation string
		keys              jose.JSONWebKeySet
		want              error
	}{
		{"control: rogue key in the set", sign("rogue", attestationType, x5c), withRogue, nil},
		{"typ JWT", sign("rogue", "JWT", x5c), withRogue, ErrAttestationSignature},
		{"no x5c header", sign("rogue", attestationType, nil), withRogue, ErrKeyCertificate},
		{"broker's kid, rogue signature", sign(kid, attestationType, x5c), set, ErrKeyCertificate},
		{"alg none", "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(`{}`)) + ".", set, ErrAttestationSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := clonePackage(t, good)
			d.Evidence.Attestation = tc.attestation
			pkg, _ := json.Marshal(d)
			_, err := Verify(pkg, VerifyOptions{Keys: tc.keys, BankID: &fakeBankID{}})
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyRefusesMalformed(t *testing.T) {
	_, good, set := goodPackage(t)
	pkg, _ := json.Marshal(good)
	noEvidence := clonePackage(t, good)
	noEvidence.Evidence = nil
	bare, _ := json.Marshal(noEvidence)
	for _, tc := range []struct {
		name string
		pkg  []byte
	}{
		{"empty", nil},
		{"not json", []byte("<xml/>")},
		{"oversized", append(append([]byte(`{"type":"`+SignType+`","text":"`), bytes.Repeat([]byte("a"), MaxPackageSize)...), `"}`...)},
		{"unknown field", bytes.Replace(pkg, []byte(`{"type"`), []byte(`{"extra":1,"type"`), 1)},
		{"unknown evidence field", bytes.Replace(pkg, []byte(`"evidence":{`), []byte(`"evidence":{"extra":1,`), 1)},
		{"trailing data", append(append([]byte(nil), pkg...), []byte(` {}`)...)},
		{"no evidence", bare},
		{"no sign entry", []byte(`{"authorization_details":[{"type":"other"}]}`)},
		{"array", []byte(`[` + string(pkg) + `]`)},
		// A reader of the file would see a text that was never signed.
		{"a second text before the signed one", bytes.Replace(pkg, []byte(`{"type"`), []byte(`{"text":"I owe Mallory 1 000 000 SEK","type"`), 1)},
		{"the text under a name in capitals", bytes.Replace(pkg, []byte(`"text":`), []byte(`"TEXT":`), 1)},
		{"two signing entries", []byte(`{"authorization_details":[` + string(pkg) + `,` + string(pkg) + `]}`)},
		{"an empty member the broker never writes", bytes.Replace(pkg, []byte(`{"type"`), []byte(`{"call_initiator":"","type"`), 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Verify(tc.pkg, VerifyOptions{Keys: set, BankID: &fakeBankID{}}); !errors.Is(err, ErrMalformed) {
				t.Errorf("Verify = %v, want ErrMalformed", err)
			}
		})
	}
}

// TestVerifyFreja: Freja evidence goes to the Freja verifier, and is refused
// without one.
func TestVerifyFreja(t *testing.T) {
	f := newFixture(t)
	d := signRequest()
	d.TextFormat, d.DocumentDigests = FormatPlain, nil
	d.Text = "I agree."
	in := IssueInput{ClientID: "app", Subject: "s", Details: d, Identity: signedIdentity(t, d, f.clock.Now())}
	in.Identity.Connector = "freja"
	in.Identity.Signature.Operation = "sign/1.0/initSignature"
	in.Identity.Signature.Native = map[string]string{NativeFrejaDetails: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}
	issued, err := f.svc.Issue(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := f.svc.KeySet(t.Context())
	pkg, _ := json.Marshal(issued)
	freja := &countingVerifier{}
	if _, err := Verify(pkg, VerifyOptions{Keys: set, Freja: freja, BankID: refusing{}}); err != nil || freja.calls != 1 {
		t.Errorf("Verify = %v with %d Freja calls", err, freja.calls)
	}
	if _, err := Verify(pkg, VerifyOptions{Keys: set, BankID: &fakeBankID{}}); !errors.Is(err, ErrNoTrustAnchors) {
		t.Errorf("Verify without Freja keys = %v, want ErrNoTrustAnchors", err)
	}
}

type countingVerifier struct{ calls int }

func (c *countingVerifier) VerifyNative(*Evidence) error { c.calls++; return nil }

func clonePackage(t *testing.T, d SignDetails) SignDetails {
	t.Helper()
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var out SignDetails
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
