package frejasig_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // G505: x5t is the certificate's SHA-1 thumbprint
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/evidence/frejasig"
)

// Synthetic test person (valid check digit).
const (
	testCountry = "SE"
	testSSN     = "199104172383"
	otherSSN    = "196311309154"
)

// keys are made once: RSA key generation would dominate the test time.
var keys = sync.OnceValue(func() *testKeys {
	freja, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	user, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	stranger, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	template := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Test person"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &user.PublicKey, user)
	if err != nil {
		panic(err)
	}
	return &testKeys{freja: freja, other: other, user: user, stranger: stranger, userDER: der}
})

type testKeys struct {
	freja, other   *rsa.PrivateKey
	user, stranger *ecdsa.PrivateKey
	userDER        []byte
}

// result is a signature result to sign, changed by each case.
type result struct {
	signKey       crypto.Signer
	alg           jose.SignatureAlgorithm
	details       map[string]any
	userKey       crypto.Signer
	userX5C       bool
	signedText    []byte
	signedBinary  []byte
	signatureType string
	userSignature string // replaces the one made, when set
}

func goodResult() *result {
	k := keys()
	return &result{
		signKey: k.freja, alg: jose.RS256, userKey: k.user, userX5C: true,
		signedText: []byte("Jag godkänner lånet på 10 000 kr."), signedBinary: []byte{0x01, 0xfe, 0x00, 0x7f},
		signatureType: frejasig.TypeExtended,
		details: map[string]any{
			"signRef": "ref-1", "status": "APPROVED", "userInfoType": "SSN", "userInfo": "x",
			"minRegistrationLevel": "PLUS", "timestamp": int64(1747476271123),
			"requestedAttributes": map[string]any{
				"basicUserInfo":     map[string]string{"name": "Elin", "surname": "Frejasdotter"},
				"ssn":               map[string]string{"country": testCountry, "ssn": testSSN},
				"registrationLevel": "PLUS",
			},
		},
	}
}

func (r *result) sign(t *testing.T) string {
	t.Helper()
	userSig := r.userSignature
	if userSig == "" {
		payload, err := frejasig.SignedData(r.signatureType, r.signedText, r.signedBinary)
		if err != nil {
			payload = r.signedText
		}
		opts := &jose.SignerOptions{}
		if r.userX5C {
			opts = opts.WithHeader("x5c", []string{base64.StdEncoding.EncodeToString(keys().userDER)})
		}
		userSig = compact(t, jose.ES256, r.userKey, opts, payload)
	}
	r.details["signatureType"] = r.signatureType
	r.details["signatureData"] = map[string]string{"userSignature": userSig, "certificateStatus": "MA=="}
	payload, err := json.Marshal(r.details)
	if err != nil {
		t.Fatal(err)
	}
	thumb := sha1.Sum([]byte("cert")) //nolint:gosec // G401: a header value only
	return compact(t, r.alg, r.signKey, (&jose.SignerOptions{}).WithHeader("x5t", base64.RawURLEncoding.EncodeToString(thumb[:])), payload)
}

func compact(t *testing.T, alg jose.SignatureAlgorithm, key any, opts *jose.SignerOptions, payload []byte) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func want() frejasig.Expected {
	g := goodResult()
	return frejasig.Expected{Text: g.signedText, BinaryData: g.signedBinary, Country: testCountry, SSN: testSSN, SignRef: "ref-1"}
}

func TestVerify(t *testing.T) {
	k := keys()
	for _, tc := range []struct {
		name   string
		change func(*result)
		expect func(*frejasig.Expected)
		keys   []crypto.PublicKey
		jws    func(string) string
		err    error
	}{
		{name: "genuine extended"},
		{name: "genuine simple", change: func(r *result) { r.signatureType, r.signedBinary = frejasig.TypeSimple, nil },
			expect: func(e *frejasig.Expected) { e.BinaryData = nil }},
		{name: "several keys, one of them Freja's", keys: []crypto.PublicKey{&k.other.PublicKey, &k.freja.PublicKey}},
		{name: "any reference", expect: func(e *frejasig.Expected) { e.SignRef = "" }},
		{name: "user signature without x5c", change: func(r *result) { r.userX5C = false }},
		{name: "no keys", keys: []crypto.PublicKey{}, err: frejasig.ErrNoKeys},
		{name: "signed by another key", change: func(r *result) { r.signKey = k.other }, err: frejasig.ErrSignature},
		{name: "payload tampered", jws: swapPayload(`"ssn":"` + testSSN + `"`), err: frejasig.ErrSignature},
		{name: "alg none", jws: func(string) string {
			h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
			return h + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"status":"APPROVED"}`)) + "."
		}, err: frejasig.ErrMalformed},
		{name: "HS256 with the public key as secret", jws: func(string) string {
			der, _ := x509.MarshalPKIXPublicKey(&k.freja.PublicKey)
			return compact(t, jose.HS256, der, &jose.SignerOptions{}, []byte(`{"status":"APPROVED"}`))
		}, err: frejasig.ErrMalformed},
		{name: "not a JWS", jws: func(string) string { return "details" }, err: frejasig.ErrMalformed},
		{name: "oversized", jws: func(s string) string { return s + strings.Repeat("A", frejasig.MaxDetailsBytes) }, err: frejasig.ErrMalformed},
		{name: "rejected", change: func(r *result) { r.details["status"] = "REJECTED" }, err: frejasig.ErrNotApproved},
		{name: "another transaction", change: func(r *result) { r.details["signRef"] = "ref-2" }, err: frejasig.ErrReference},
		{name: "no timestamp", change: func(r *result) { delete(r.details, "timestamp") }, err: frejasig.ErrMalformed},
		{name: "unknown signature type", change: func(r *result) { r.signatureType = "XML_MINAMEDDELANDEN" }, err: frejasig.ErrMalformed},
		{name: "another person", change: func(r *result) {
			r.details["requestedAttributes"].(map[string]any)["ssn"] = map[string]string{"country": testCountry, "ssn": otherSSN}
		}, err: frejasig.ErrSigner},
		{name: "same number, another country", change: func(r *result) {
			r.details["requestedAttributes"].(map[string]any)["ssn"] = map[string]string{"country": "NO", "ssn": testSSN}
		}, err: frejasig.ErrSigner},
		{name: "no personal number", change: func(r *result) { delete(r.details, "requestedAttributes") }, err: frejasig.ErrSigner},
		{name: "no expected person", expect: func(e *frejasig.Expected) { e.SSN = "" }, err: frejasig.ErrSigner},
		{name: "another text signed", change: func(r *result) { r.signedText = []byte("Jag godkänner lånet på 99 000 kr.") }, err: frejasig.ErrSignedData},
		{name: "another text expected", expect: func(e *frejasig.Expected) { e.Text = append([]byte(nil), e.Text[:len(e.Text)-1]...) }, err: frejasig.ErrSignedData},
		{name: "other binary data signed", change: func(r *result) { r.signedBinary = []byte{0x01} }, err: frejasig.ErrSignedData},
		{name: "binary data expected, simple signature", change: func(r *result) { r.signatureType = frejasig.TypeSimple }, err: frejasig.ErrSignedData},
		{name: "simple expected, extended signature", change: func(r *result) { r.signedBinary = nil },
			expect: func(e *frejasig.Expected) { e.BinaryData = nil }, err: frejasig.ErrSignedData},
		{name: "user signature by a stranger's key", change: func(r *result) { r.userKey = k.stranger }, err: frejasig.ErrUserSignature},
		{name: "user signature not a JWS", change: func(r *result) { r.userSignature = "signed" }, err: frejasig.ErrUserSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := goodResult()
			if tc.change != nil {
				tc.change(r)
			}
			jws := r.sign(t)
			if tc.jws != nil {
				jws = tc.jws(jws)
			}
			w := want()
			if tc.expect != nil {
				tc.expect(&w)
			}
			trusted := []crypto.PublicKey{&k.freja.PublicKey}
			if tc.keys != nil {
				trusted = tc.keys
			}
			res, err := frejasig.Verify(jws, w, trusted...)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || res != nil {
					t.Fatalf("Verify = %+v, %v; want %v", res, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.SSN != testSSN || res.Country != testCountry || res.GivenName != "Elin" || res.RegistrationLevel != "PLUS" ||
				!res.SignedAt.Equal(time.UnixMilli(1747476271123)) || res.CertificateStatus != "MA==" || (res.UserCertificate != nil) != r.userX5C {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

// swapPayload replaces old in a JWS's payload by another person's number,
// keeping the header and the signature.
func swapPayload(old string) func(string) string {
	return func(jws string) string {
		parts := strings.Split(jws, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), old, `"ssn":"`+otherSSN+`"`, 1)))
		return strings.Join(parts, ".")
	}
}
