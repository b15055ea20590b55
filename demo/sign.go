package demo

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/themes"
)

// sampleDocument stands for the document the demo's agreement attaches: it is
// signed by its digest, as a real app signs a PDF it keeps.
var sampleDocument = []byte("portvakt demo terms, version 1: nothing to pay, nothing to keep.\n")

// signDetails is the demo's signing request: the agreement in the page's
// language, as markdown, with the sample document's digest.
func signDetails(t themes.Translator) []evidence.SignDetails {
	sum := sha256.Sum256(sampleDocument)
	return []evidence.SignDetails{{
		Type: evidence.SignType, Text: t("demo.sign.agreement"), TextFormat: evidence.FormatMarkdown,
		DocumentDigests: []evidence.DocumentDigest{{Label: t("demo.sign.document"), HashAlg: "sha-256", Hash: base64.RawURLEncoding.EncodeToString(sum[:])}},
	}}
}

// signed is what the demo keeps of a signature: the package the broker
// returned and the outcome of checking it offline.
type signed struct {
	pkg     []byte
	details evidence.SignDetails
	report  *evidence.Report
	err     error
}

// signedResult reads the granted signing entry of a token response and checks
// its evidence offline, as a relying party that keeps evidence would: the
// broker's evidence keys from its discovery, the eIDs' trust anchors from the
// demo's configuration.
func (a *App) signedResult(ctx context.Context, tok *oauth2.Token) (*signed, error) {
	granted, ok := tok.Extra("authorization_details").([]any)
	if !ok || len(granted) == 0 {
		return nil, errors.New("the token response has no authorization_details")
	}
	pkg, err := json.Marshal(granted[0])
	if err != nil {
		return nil, err
	}
	out := &signed{pkg: pkg}
	if err := json.Unmarshal(pkg, &out.details); err != nil {
		return nil, fmt.Errorf("the granted entry: %w", err)
	}
	if out.details.Evidence == nil {
		return nil, errors.New("the granted entry carries no evidence")
	}
	// Keys that cannot be fetched fail the check the page shows, not the
	// signature: the evidence is kept and may be checked again later.
	keys, keysErr := a.evidenceKeys.get(ctx, a, out.details.Evidence.Attestation)
	if keysErr == nil {
		opts := a.o.EvidenceTrust
		opts.Keys, opts.Issuer, opts.Audience = keys, a.o.Issuer, a.o.ClientID
		out.report, out.err = evidence.Verify(pkg, opts)
	} else {
		out.err = keysErr
	}
	return out, nil
}

// evidenceKeyCache holds the broker's evidence keys, fetched again when an
// attestation names a key it does not have (the broker rotated).
type evidenceKeyCache struct {
	mu   sync.Mutex
	keys jose.JSONWebKeySet
}

func (c *evidenceKeyCache) get(ctx context.Context, a *App, attestation string) (jose.JSONWebKeySet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kid := attestationKID(attestation)
	if kid != "" && len(c.keys.Key(kid)) > 0 {
		return c.keys, nil
	}
	provider, _, err := a.oauth(ctx)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	var meta struct {
		URI string `json:"sign_evidence_jwks_uri"`
	}
	if err := provider.Claims(&meta); err != nil || meta.URI == "" {
		return jose.JSONWebKeySet{}, errors.New("the broker's discovery names no sign_evidence_jwks_uri")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, meta.URI, nil)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	resp, err := a.o.HTTPClient.Do(req)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("evidence keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return jose.JSONWebKeySet{}, fmt.Errorf("evidence keys: HTTP %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("evidence keys: %w", err)
	}
	c.keys = set
	return set, nil
}

// attestationKID is the kid in a compact JWS's header, or "".
func attestationKID(jws string) string {
	sig, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || len(sig.Signatures) != 1 {
		return ""
	}
	return sig.Signatures[0].Header.KeyID
}

// signedRows say what was signed, by whom, when, and whether the evidence
// verified: what the demo page shows above the package.
func signedRows(t themes.Translator, lang string, a *App, s *signed) []themes.DemoClaim {
	ev := s.details.Evidence
	var rows []themes.DemoClaim
	add := func(labelID, value string) {
		if value != "" {
			rows = append(rows, themes.DemoClaim{Name: t(labelID), Value: value})
		}
	}
	signer := ev.Signer.Name
	if id := ev.Signer.NationalID; id != nil {
		signer += " (" + nationalid.Mask(id.Value) + ")"
	}
	add("demo.signed_by", signer)
	add("demo.eid", eidLabel(t, lang, a.eids(), ev.Provider, countryOf(ev)))
	add("demo.signed_at", ev.SignedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	add("demo.evidence_id", ev.ID)
	return rows
}

func countryOf(ev *evidence.Evidence) string {
	if ev.Signer.NationalID != nil {
		return ev.Signer.NationalID.Country
	}
	return ""
}

// evidenceDownload serves the session's evidence package as a file, for
// `portvakt evidence verify`.
func (a *App) evidenceDownload(w http.ResponseWriter, r *http.Request) {
	c, err := a.readCookie(r, sessionCookie)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	res, ok := a.sessions.get(c.Value)
	if !ok || res.signed == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="evidence-`+fileSafe(res.signed.details.Evidence.ID)+`.json"`)
	_, _ = w.Write(res.signed.pkg)
}

// signedPanel is the page's view of a signature.
func signedPanel(t themes.Translator, lang string, a *App, s *signed) *themes.DemoSigned {
	p := &themes.DemoSigned{Rows: signedRows(t, lang, a, s), PackageJSON: string(s.pkg), Verified: s.err == nil}
	if s.err != nil {
		p.Failure = s.err.Error()
	}
	if s.report != nil {
		p.Checks = s.report.Checks
	}
	if text, err := base64.StdEncoding.DecodeString(s.details.Evidence.VisibleData); err == nil {
		p.Text = string(text)
	}
	return p
}

// fileSafe keeps only the characters an evidence id is made of, so a broker's
// odd id cannot break out of the Content-Disposition header.
func fileSafe(id string) string {
	out := make([]rune, 0, len(id))
	for _, r := range id {
		if r == '_' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			out = append(out, r)
		}
	}
	return string(out)
}
