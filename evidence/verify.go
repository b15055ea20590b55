package evidence

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// MaxPackageSize caps an exported package Verify reads: a BankID signature
// with its OCSP response and the longest texts fit many times over.
const MaxPackageSize = 1 << 20

// Native artefact names (connectors.Signature.Native).
const (
	NativeBankIDSignature = "bankid_signature"
	NativeBankIDOCSP      = "bankid_ocsp_response"
	NativeFrejaDetails    = "freja_details_jws"
)

// Errors of Verify, one per check; errors.Is tells which check failed.
var (
	ErrMalformed            = errors.New("evidence: malformed package")
	ErrUnknownKey           = errors.New("evidence: attestation key not among the evidence keys")
	ErrKeyCertificate       = errors.New("evidence: attestation key certificate does not match the key")
	ErrAttestationSignature = errors.New("evidence: attestation signature invalid")
	ErrIssuer               = errors.New("evidence: attestation issuer is not the expected one")
	ErrAudience             = errors.New("evidence: attestation is for another client")
	ErrEvidenceID           = errors.New("evidence: attestation names another evidence id")
	ErrDetailsHash          = errors.New("evidence: request does not match authorization_details_sha256")
	ErrTextHash             = errors.New("evidence: visible data does not match text_sha256")
	ErrNativeHash           = errors.New("evidence: native artefacts do not match native_sha256")
	ErrEvidenceFields       = errors.New("evidence: signer, provider, operation or signed_at differ from the attestation")
	ErrContent              = errors.New("evidence: signed content is not what the request maps to")
	ErrNoTrustAnchors       = errors.New("evidence: no trust anchors configured for this eID")
	ErrNative               = errors.New("evidence: native signature invalid")
)

// VerifyOptions say what Verify trusts.
type VerifyOptions struct {
	BankID, Freja NativeVerifier     // nil: that eID's evidence is refused
	Keys          jose.JSONWebKeySet // the broker's evidence keys (from /evidence/keys)
	Issuer        string             // expected iss, "" to accept any
	// Audience is the client the evidence must have been issued to (aud),
	// "" to accept any: a relying party checks evidence is its own.
	Audience string
}

// Report is what a verified package says, and the checks it passed in order.
type Report struct {
	EvidenceID string
	Issuer     string
	Audience   string
	KeyID      string
	Provider   string
	Operation  string
	SignedAt   time.Time
	Signer     Signer
	Checks     []string
}

// Verify checks an exported package offline: pkg is one SignDetails JSON with
// evidence, or {"authorization_details":[...]} (its first entry of SignType).
// It checks the attestation's key and signature, every hash it makes against
// the package, that the signed content is what the request maps to, and the
// eID's native artefacts with the verifier for them.
func Verify(pkg []byte, o VerifyOptions) (*Report, error) {
	d, err := parsePackage(pkg)
	if err != nil {
		return nil, err
	}
	ev := d.Evidence
	r := &Report{EvidenceID: ev.ID, Provider: ev.Provider, Operation: ev.Operation, SignedAt: ev.SignedAt, Signer: ev.Signer}
	r.Checks = append(r.Checks, "package well-formed")

	claims, kid, err := verifyAttestation(ev.Attestation, o.Keys)
	if err != nil {
		return nil, err
	}
	r.KeyID, r.Issuer, r.Audience = kid, claims.Issuer, claims.Audience
	r.Checks = append(r.Checks, "attestation signed by evidence key "+kid)
	if o.Issuer != "" && claims.Issuer != o.Issuer {
		return nil, fmt.Errorf("%w: %q, want %q", ErrIssuer, claims.Issuer, o.Issuer)
	}
	if o.Audience != "" && claims.Audience != o.Audience {
		return nil, fmt.Errorf("%w: %q, want %q", ErrAudience, claims.Audience, o.Audience)
	}
	if o.Audience != "" {
		r.Checks = append(r.Checks, "client "+claims.Audience)
	}
	if o.Issuer != "" {
		r.Checks = append(r.Checks, "issuer "+claims.Issuer)
	}
	if claims.ID != ev.ID {
		return nil, fmt.Errorf("%w: jti %q, evidence %q", ErrEvidenceID, claims.ID, ev.ID)
	}
	r.Checks = append(r.Checks, "evidence id")
	if err := checkBindings(d, ev, claims); err != nil {
		return nil, err
	}
	r.Checks = append(r.Checks, "authorization_details_sha256", "text_sha256", "native_sha256", "signer, provider, operation, signed_at")
	if err := checkContent(d, ev); err != nil {
		return nil, err
	}
	r.Checks = append(r.Checks, "signed content is the requested content")
	name, err := verifyNative(ev, o)
	if err != nil {
		return nil, err
	}
	r.Checks = append(r.Checks, name+" native signature")
	return r, nil
}

// parsePackage reads pkg strictly: no unknown fields in the entry, nothing
// after it, an evidence with an attestation.
func parsePackage(pkg []byte) (SignDetails, error) {
	if len(pkg) > MaxPackageSize {
		return SignDetails{}, fmt.Errorf("%w: %d bytes, at most %d", ErrMalformed, len(pkg), MaxPackageSize)
	}
	if err := noDuplicateKeys(pkg); err != nil {
		return SignDetails{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(pkg, &top); err != nil {
		return SignDetails{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	entry := json.RawMessage(pkg)
	if list, ok := top["authorization_details"]; ok {
		var entries []json.RawMessage
		if err := json.Unmarshal(list, &entries); err != nil {
			return SignDetails{}, fmt.Errorf("%w: authorization_details: %w", ErrMalformed, err)
		}
		entry = nil
		for _, e := range entries {
			var typed struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(e, &typed) == nil && typed.Type == SignType {
				if entry != nil {
					return SignDetails{}, fmt.Errorf("%w: more than one %s entry in authorization_details", ErrMalformed, SignType)
				}
				entry = e
			}
		}
		if entry == nil {
			return SignDetails{}, fmt.Errorf("%w: no %s entry in authorization_details", ErrMalformed, SignType)
		}
	}
	var d SignDetails
	dec := json.NewDecoder(bytes.NewReader(entry))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return SignDetails{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return SignDetails{}, fmt.Errorf("%w: data after the entry", ErrMalformed)
	}
	if err := exactJSON(entry, d); err != nil {
		return SignDetails{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch {
	case d.Type != SignType:
		return SignDetails{}, fmt.Errorf("%w: type %q, want %s", ErrMalformed, d.Type, SignType)
	case d.Evidence == nil:
		return SignDetails{}, fmt.Errorf("%w: no evidence", ErrMalformed)
	case d.Evidence.Attestation == "":
		return SignDetails{}, fmt.Errorf("%w: no attestation", ErrMalformed)
	}
	return d, nil
}

// verifyAttestation checks the JWS against the key its kid names in keys and
// returns its claims.
func verifyAttestation(attestation string, keys jose.JSONWebKeySet) (Claims, string, error) {
	jws, err := jose.ParseSignedCompact(attestation, []jose.SignatureAlgorithm{keyAlgorithm})
	if err != nil {
		return Claims{}, "", fmt.Errorf("%w: %w", ErrAttestationSignature, err)
	}
	h := jws.Signatures[0].Header
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != attestationType {
		return Claims{}, "", fmt.Errorf("%w: typ %q, want %s", ErrAttestationSignature, typ, attestationType)
	}
	kid := h.KeyID
	found := keys.Key(kid)
	if kid == "" || len(found) != 1 {
		return Claims{}, kid, fmt.Errorf("%w: kid %q", ErrUnknownKey, kid)
	}
	jwk := found[0]
	if err := checkKey(jwk); err != nil {
		return Claims{}, kid, fmt.Errorf("%w: %w", ErrKeyCertificate, err)
	}
	if err := sameCertificate(h, jwk.Certificates[0]); err != nil {
		return Claims{}, kid, fmt.Errorf("%w: %w", ErrKeyCertificate, err)
	}
	payload, err := jws.Verify(jwk.Key)
	if err != nil {
		return Claims{}, kid, fmt.Errorf("%w: %w", ErrAttestationSignature, err)
	}
	var c Claims
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Claims{}, kid, fmt.Errorf("%w: claims: %w", ErrMalformed, err)
	}
	if c.Audience == "" || c.Subject == "" {
		return Claims{}, kid, fmt.Errorf("%w: claims lack aud or sub", ErrMalformed)
	}
	return c, kid, nil
}

// sameCertificate requires the header's x5c leaf to be the key's certificate.
func sameCertificate(h jose.Header, cert *x509.Certificate) error {
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	chains, err := h.Certificates(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return fmt.Errorf("x5c header: %w", err)
	}
	if !chains[0][0].Equal(cert) {
		return errors.New("x5c header names another certificate")
	}
	return nil
}

// checkBindings recomputes the hash claims from the package.
func checkBindings(d SignDetails, ev *Evidence, c Claims) error {
	want, err := bindings(d, ev)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch {
	case c.DetailsSHA256 != want.DetailsSHA256:
		return ErrDetailsHash
	case c.TextSHA256 != want.TextSHA256:
		return ErrTextHash
	case !maps.Equal(c.NativeSHA256, want.NativeSHA256):
		return fmt.Errorf("%w: attested %v, package has %v", ErrNativeHash,
			slices.Sorted(maps.Keys(c.NativeSHA256)), slices.Sorted(maps.Keys(want.NativeSHA256)))
	case c.SignerSHA256 != want.SignerSHA256, c.Provider != want.Provider,
		c.Operation != want.Operation, c.SignedAt != want.SignedAt:
		return ErrEvidenceFields
	}
	return nil
}

// verifyNative runs the verifier of the eID whose artefacts the evidence
// holds.
func verifyNative(ev *Evidence, o VerifyOptions) (string, error) {
	name, err := nativeEID(ev)
	if err != nil {
		return "", err
	}
	verifier := o.BankID
	if name == "Freja" {
		verifier = o.Freja
	}
	if verifier == nil {
		return "", fmt.Errorf("%w: %s (configure its trust anchors)", ErrNoTrustAnchors, name)
	}
	if err := verifier.VerifyNative(ev); err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrNative, name, err)
	}
	return name, nil
}

// nativeEID names the one eID whose artefacts the evidence holds, and
// refuses artefacts of no known eID, of several, or none.
func nativeEID(ev *Evidence) (string, error) {
	known := map[string]string{
		NativeBankIDSignature: "BankID", NativeBankIDOCSP: "BankID", NativeFrejaDetails: "Freja",
	}
	eids := map[string]bool{}
	for name := range ev.Native {
		eid, ok := known[name]
		if !ok {
			return "", fmt.Errorf("%w: unknown native artefact %q", ErrNative, name)
		}
		eids[eid] = true
	}
	switch {
	case len(eids) > 1:
		return "", fmt.Errorf("%w: artefacts of more than one eID", ErrNative)
	case ev.Native[NativeBankIDSignature] != "":
		return "BankID", nil
	case ev.Native[NativeFrejaDetails] != "":
		return "Freja", nil
	default:
		return "", fmt.Errorf("%w: no native signature in the evidence", ErrNative)
	}
}
