package evidence

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/storage"
)

// idPrefix starts every evidence id.
const idPrefix = "sev_"

// maxIDLength bounds an id a client asks for, before it reaches the database.
const maxIDLength = 64

// Issue builds the evidence of a completed signature, attests it, stores it
// sealed until the retention ends, and returns the granted entry enriched
// with it. It refuses a signature whose content is not what in.Details maps
// to: such evidence would never verify.
func (s *Service) Issue(ctx context.Context, in IssueInput) (SignDetails, error) {
	sig := in.Identity.Signature
	switch {
	case sig == nil:
		return SignDetails{}, errors.New("issue evidence: the identity carries no signature")
	case in.ClientID == "" || in.Subject == "":
		return SignDetails{}, errors.New("issue evidence: client and subject are required")
	case in.Details.Type != SignType:
		return SignDetails{}, fmt.Errorf("issue evidence: entry type %q is not %s", in.Details.Type, SignType)
	}
	d := in.Details
	d.Evidence = nil
	ev := &Evidence{
		ID:                idPrefix + randid.New(),
		Provider:          in.Identity.Connector,
		Operation:         sig.Operation,
		SignedAt:          sig.SignedAt.UTC(),
		Signer:            Signer{Sub: in.Subject, Name: in.Identity.Name},
		VisibleData:       sig.VisibleData,
		VisibleDataFormat: sig.VisibleDataFormat,
		NonVisibleData:    sig.NonVisibleData,
		Native:            maps.Clone(sig.Native),
	}
	if ev.Native == nil {
		ev.Native = map[string]string{}
	}
	if in.Identity.NationalID != "" {
		ev.Signer.NationalID = &NationalID{Country: in.Identity.Country, Value: in.Identity.NationalID}
	}
	if err := checkContent(d, ev); err != nil {
		return SignDetails{}, fmt.Errorf("issue evidence: %w", err)
	}
	if _, err := nativeEID(ev); err != nil {
		return SignDetails{}, fmt.Errorf("issue evidence: %w", err)
	}
	now := s.now()
	claims, err := bindings(d, ev)
	if err != nil {
		return SignDetails{}, fmt.Errorf("issue evidence: %w", err)
	}
	claims.Issuer, claims.Audience, claims.IssuedAt = s.issuer, in.ClientID, now.Unix()
	claims.Subject, claims.Txn, claims.ACR = in.Subject, in.Txn, in.ACR
	if ev.Attestation, err = s.attest(ctx, claims); err != nil {
		return SignDetails{}, fmt.Errorf("issue evidence: %w", err)
	}
	d.Evidence = ev
	plain, err := json.Marshal(d)
	if err != nil {
		return SignDetails{}, fmt.Errorf("issue evidence: %w", err)
	}
	sealed, err := s.sealer.Seal(plain, evidenceAD(ev.ID, in.ClientID))
	if err != nil {
		return SignDetails{}, fmt.Errorf("issue evidence: %w", err)
	}
	if err := s.store.CreateEvidence(ctx, storage.EvidenceRecord{
		ID: ev.ID, ClientID: in.ClientID, Data: sealed, CreatedAt: now, ExpiresAt: now.Add(s.retention),
	}); err != nil {
		return SignDetails{}, fmt.Errorf("issue evidence: %w", err)
	}
	return d, nil
}

// evidenceAD binds a sealed record to its id and its client: a blob copied
// into another row, or a row whose client_id is changed to hand the evidence
// to another client, does not open.
func evidenceAD(id, clientID string) []byte { return []byte("evidence:" + id + "\x00" + clientID) }

// attest signs claims with the current evidence key.
func (s *Service) attest(ctx context.Context, c Claims) (string, error) {
	key, err := s.keys.signingKey(ctx)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	jws, err := key.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign attestation: %w", err)
	}
	return jws.CompactSerialize()
}

// Fetch returns the evidence id for the client that asked for it.
// storage.ErrNotFound alike for unknown, expired, purged and another client's
// evidence, so a client learns nothing of evidence that is not its own.
func (s *Service) Fetch(ctx context.Context, clientID, id string) (SignDetails, error) {
	notFound := fmt.Errorf("fetch evidence: %w", storage.ErrNotFound)
	if !strings.HasPrefix(id, idPrefix) || len(id) > maxIDLength || clientID == "" {
		return SignDetails{}, notFound
	}
	rec, err := s.store.GetEvidence(ctx, id, s.now())
	if err != nil {
		return SignDetails{}, fmt.Errorf("fetch evidence: %w", err)
	}
	if rec.ClientID != clientID || !s.now().Before(rec.ExpiresAt) {
		return SignDetails{}, notFound
	}
	plain, err := s.sealer.Open(rec.Data, evidenceAD(id, rec.ClientID))
	if err != nil {
		return SignDetails{}, fmt.Errorf("fetch evidence %s: %w", id, err)
	}
	var d SignDetails
	if err := json.Unmarshal(plain, &d); err != nil {
		return SignDetails{}, fmt.Errorf("fetch evidence %s: %w", id, err)
	}
	if d.Evidence == nil || d.Evidence.ID != id {
		return SignDetails{}, fmt.Errorf("fetch evidence %s: stored entry names another evidence", id)
	}
	return d, nil
}

// checkContent compares what the eID signed, as the evidence records it,
// with what the request maps to (Content), byte for byte.
func checkContent(d SignDetails, ev *Evidence) error {
	want, err := Content(d)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrContent, err)
	}
	text, err := base64.StdEncoding.Strict().DecodeString(ev.VisibleData)
	if err != nil {
		return fmt.Errorf("%w: visible_data is not base64", ErrContent)
	}
	if string(text) != want.Text {
		return fmt.Errorf("%w: the signed text is not the requested text", ErrContent)
	}
	format := ""
	if want.Markdown {
		format = visibleFormatMarkdown
	}
	if ev.VisibleDataFormat != format {
		return fmt.Errorf("%w: visible_data_format %q, want %q", ErrContent, ev.VisibleDataFormat, format)
	}
	var unseen []byte
	if ev.NonVisibleData != "" {
		if unseen, err = base64.StdEncoding.Strict().DecodeString(ev.NonVisibleData); err != nil {
			return fmt.Errorf("%w: non_visible_data is not base64", ErrContent)
		}
	}
	if string(unseen) != string(want.NonVisibleData) {
		return fmt.Errorf("%w: the signed non-visible data is not the requested one", ErrContent)
	}
	return nil
}

// visibleFormatMarkdown is BankID's userVisibleDataFormat for markdown.
const visibleFormatMarkdown = "simpleMarkdownV1"
