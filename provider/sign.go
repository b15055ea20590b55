package provider

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/themes"
)

// EvidenceService issues the evidence of a completed signature and keeps it
// for the client that asked; *evidence.Service is the broker's.
type EvidenceService interface {
	Issue(ctx context.Context, in evidence.IssueInput) (evidence.SignDetails, error)
	// Fetch answers storage.ErrNotFound for unknown, expired, purged or
	// another client's evidence.
	Fetch(ctx context.Context, clientID, id string) (evidence.SignDetails, error)
	KeySet(ctx context.Context) (jose.JSONWebKeySet, error)
}

// signState is the signing part of a login: the request as granted, what the
// eID is asked to sign, and the evidence id once signed.
type signState struct {
	Details evidence.SignDetails   `json:"d"`
	Content connectors.SignContent `json:"c"`
	// EvidenceID is set when the signature's evidence is stored.
	EvidenceID string `json:"e,omitempty"`
}

// ID token claims of a signature: the transaction and a reference to the
// evidence, never the evidence itself.
const (
	claimTxn            = "txn"
	claimSignEvidenceID = "sign_evidence_id"
)

// errInvalidAuthorizationDetails is RFC 9396 §5's error.
func errInvalidAuthorizationDetails() *oidc.Error {
	return &oidc.Error{ErrorType: "invalid_authorization_details"}
}

// invalidDetails turns a refused request into the client's error, its
// description the parser's.
func invalidDetails(err error) *oidc.Error {
	var de *evidence.DetailsError
	if errors.As(err, &de) {
		return errInvalidAuthorizationDetails().WithDescription("%s", de.Description)
	}
	return errInvalidAuthorizationDetails().WithDescription("authorization_details cannot be granted")
}

// signRequestOf reads a signature request from an authorization request:
// authorization_details (RFC 9396) or Idura's login_hint alias ("action:sign
// message:<base64>"). It checks the client's permission; nil, nil when the
// request asks for no signature.
func (b *base) signRequestOf(rawDetails, loginHint string, client *Client) (*signState, error) {
	alias, aliasErr := signHintOf(loginHint)
	if rawDetails == "" && alias == nil && aliasErr == nil {
		return nil, nil
	}
	if !slices.Contains(client.DetailsTypes, evidence.SignType) {
		return nil, errInvalidAuthorizationDetails().WithDescription("this client may not request authorization_details of type %s", evidence.SignType)
	}
	if b.evidence == nil {
		return nil, errInvalidAuthorizationDetails().WithDescription("this broker does not offer signatures")
	}
	if aliasErr != nil {
		return nil, invalidDetails(aliasErr)
	}
	var d evidence.SignDetails
	switch {
	case rawDetails != "" && alias != nil:
		return nil, errInvalidAuthorizationDetails().WithDescription("authorization_details and login_hint action:sign cannot be sent together")
	case alias != nil:
		d = *alias
	default:
		entries, err := evidence.ParseSignDetails([]byte(rawDetails))
		if err != nil {
			return nil, invalidDetails(err)
		}
		if len(entries) == 0 {
			return nil, nil
		}
		d = entries[0]
	}
	content, err := evidence.Content(d)
	if err != nil {
		return nil, errInvalidAuthorizationDetails().WithDescription("authorization_details cannot be signed").WithParent(err)
	}
	return &signState{Details: d, Content: content}, nil
}

// signHintOf reads Idura's signing login_hint: space-separated "action:sign"
// and "message:<base64 of UTF-8>", the message in markdown. Another hint is
// not a signature (nil, nil).
func signHintOf(hint string) (*evidence.SignDetails, error) {
	fields := strings.Fields(hint)
	if !slices.Contains(fields, "action:sign") {
		return nil, nil
	}
	var message string
	for _, f := range fields {
		if m, ok := strings.CutPrefix(f, "message:"); ok {
			message = m
		}
	}
	if message == "" {
		return nil, &evidence.DetailsError{Description: "login_hint action:sign needs message:<base64>"}
	}
	text, err := decodeAnyBase64(message)
	if err != nil || !utf8.Valid(text) {
		return nil, &evidence.DetailsError{Description: "login_hint message: is not base64 of UTF-8 text"}
	}
	d := evidence.SignDetails{Type: evidence.SignType, Text: string(text), TextFormat: evidence.FormatMarkdown}
	if err := evidence.Validate(d); err != nil {
		return nil, err
	}
	return &d, nil
}

// decodeAnyBase64 accepts the base64 alphabets and paddings clients send.
func decodeAnyBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// signOptions narrows options to the eIDs that can sign content; when none
// can, the error says why, for the client.
func signOptions(options []Option, content connectors.SignContent, backchannel bool) ([]Option, error) {
	var out []Option
	var why []string
	for _, o := range options {
		if reason := cannotSign(o, content, backchannel); reason != "" {
			if !slices.Contains(why, reason) {
				why = append(why, reason)
			}
			continue
		}
		out = append(out, o)
	}
	if len(out) > 0 {
		return out, nil
	}
	// Say what would help: a limit of an eID that signs, rather than that
	// others cannot sign at all.
	var limits []string
	for _, w := range why {
		if !strings.HasSuffix(w, "cannot sign") {
			limits = append(limits, w)
		}
	}
	if len(limits) == 0 && len(why) > 0 && len(why) <= 3 {
		return nil, errInvalidAuthorizationDetails().WithDescription("no eID this request allows can sign: %s", strings.Join(why, "; "))
	}
	if len(limits) == 0 {
		return nil, errInvalidAuthorizationDetails().WithDescription("no eID this client may use can sign")
	}
	return nil, errInvalidAuthorizationDetails().WithDescription("%s", strings.Join(limits, "; "))
}

// cannotSign says why option o cannot sign content, or "".
func cannotSign(o Option, content connectors.SignContent, backchannel bool) string {
	info := o.Info.Signing
	name := o.Info.Name
	if name == "" {
		name = o.Info.ID
	}
	if _, ok := o.Connector.(connectors.Signer); !ok || info == nil {
		return name + " cannot sign"
	}
	switch {
	case backchannel && !info.Backchannel:
		return name + " cannot sign without a browser"
	case len(content.Text) > info.MaxTextBytes:
		return fmt.Sprintf("the text is too long for %s (%d bytes, at most %d)", name, len(content.Text), info.MaxTextBytes)
	case content.Markdown && !info.Markdown:
		return "markdown is not supported by " + name
	case len(content.NonVisibleData) > info.MaxNonVisibleBytes:
		return fmt.Sprintf("the document digests and non-visible data are too long for %s (%d bytes, at most %d)", name, len(content.NonVisibleData), info.MaxNonVisibleBytes)
	}
	return ""
}

// signedWhatWasAsked checks that a signature is of the content the login
// asked for, byte for byte: an eID's answer for another order (or a login
// order) cannot pass as this signature.
func signedWhatWasAsked(sig *connectors.Signature, content connectors.SignContent) error {
	if sig == nil {
		return fmt.Errorf("%w: the eID returned no signature", connectors.ErrInvalidResponse)
	}
	visible := base64.StdEncoding.EncodeToString([]byte(content.Text))
	nonVisible := ""
	if len(content.NonVisibleData) > 0 {
		nonVisible = base64.StdEncoding.EncodeToString(content.NonVisibleData)
	}
	if sig.VisibleData != visible || sig.NonVisibleData != nonVisible {
		return fmt.Errorf("%w: the eID signed other data than was asked", connectors.ErrInvalidResponse)
	}
	return nil
}

// issueEvidence stores the evidence of a completed signature and returns
// its id. It runs before the login is marked done: a signature without
// stored evidence never reaches the client (fail closed).
func (b *base) issueEvidence(ctx context.Context, a *authRequest, subject string, id connectors.Identity) (string, error) {
	if b.evidence == nil {
		return "", errors.New("signing is not offered")
	}
	granted := a.state.Sign.Details
	granted.Evidence = nil
	issued, err := b.evidence.Issue(ctx, evidence.IssueInput{
		ClientID: a.state.Params.ClientID, Subject: subject, Txn: a.id, ACR: id.LoA.URI(),
		Details: granted, Identity: id,
	})
	if err != nil {
		return "", fmt.Errorf("issue evidence: %w", err)
	}
	if issued.Evidence == nil || issued.Evidence.ID == "" {
		return "", errors.New("issue evidence: no evidence id")
	}
	return issued.Evidence.ID, nil
}

// signClaims are a signature's ID token claims, nil for another login.
func signClaims(a *authRequest) map[string]any {
	if a.state.Sign == nil || a.state.Sign.EvidenceID == "" {
		return nil
	}
	return map[string]any{claimTxn: a.id, claimSignEvidenceID: a.state.Sign.EvidenceID}
}

// signAction is the audit action of a login: ActionSign for a signature.
func signAction(a *authRequest) string {
	if a.state.Sign != nil {
		return ActionSign
	}
	return ""
}

// evidenceIDOf is a signature's evidence id, "" for a login.
func evidenceIDOf(a *authRequest) string {
	if a.state.Sign == nil {
		return ""
	}
	return a.state.Sign.EvidenceID
}

// signPreview is what the chooser shows of a signature before any eID
// starts: the text as requested, rendered as the eID app renders it, and the
// documents with the digests the app appends.
func signPreview(sign *signState) *themes.SignPreview {
	if sign == nil {
		return nil
	}
	d := sign.Details
	p := &themes.SignPreview{Text: themes.RenderSignText(d.Text, d.TextFormat == evidence.FormatMarkdown)}
	for _, doc := range d.DocumentDigests {
		sum, err := base64.RawURLEncoding.DecodeString(doc.Hash)
		if err != nil {
			continue // validated at the request; never here
		}
		p.Documents = append(p.Documents, themes.SignDocument{Label: doc.Label, HashAlg: strings.ToUpper(doc.HashAlg), Digest: hex.EncodeToString(sum)})
	}
	return p
}

// takeSignInitiator takes a signature's call_initiator (the entry's) as the
// request's; sent both ways, they must agree.
func (p *backchannelParams) takeSignInitiator(fromEntry string) error {
	switch {
	case fromEntry == "":
		return nil
	case p.CallInitiator != "" && p.CallInitiator != fromEntry:
		return errInvalidAuthorizationDetails().WithDescription("call_initiator differs in authorization_details and the request")
	}
	p.CallInitiator = fromEntry
	return nil
}
