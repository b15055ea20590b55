package freja

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence/frejasig"
)

// What a Freja signature carries.
const (
	// MaxSignTextChars is Freja's bound on dataToSign.text: 4096 characters.
	// Info.Signing bounds the text's UTF-8 bytes by the same number, which
	// keeps every accepted text within it.
	MaxSignTextChars = 4096
	// MaxSignBinaryBytes bounds dataToSign.binaryData. Freja signs it unseen;
	// the broker sends document digests and a relying party's small
	// non-visible data, never a document, so the bound is the broker's.
	MaxSignBinaryBytes = 16 << 10
)

// signingInfo is what Freja signs: plain text (the app renders no markdown)
// and binary data unseen, in the browser or pushed to the app.
func signingInfo() *connectors.SigningInfo {
	return &connectors.SigningInfo{MaxTextBytes: MaxSignTextChars, MaxNonVisibleBytes: MaxSignBinaryBytes, Backchannel: true}
}

// StartSign starts a signature: the person sees and signs req.Text, and signs
// req.NonVisibleData unseen (an EXTENDED signature).
func (c *Connector) StartSign(ctx context.Context, req connectors.SignRequest) (*connectors.Order, error) {
	method, level, who, err := c.checkOrder("freja sign", req.Request)
	if err != nil {
		return nil, err
	}
	return c.startSign(ctx, req.Request, req.SignContent, method, level, who)
}

// checkContent refuses what Freja cannot sign as asked, before it is sent.
func checkContent(content connectors.SignContent) error {
	switch {
	case content.Text == "":
		return errors.New("a text to sign is required")
	case content.Markdown:
		return fmt.Errorf("the app shows plain text, not markdown: %w", connectors.ErrTextNotShown)
	case len(content.Text) > MaxSignTextChars:
		return fmt.Errorf("a text of %d bytes, Freja signs at most %d", len(content.Text), MaxSignTextChars)
	case !utf8.ValidString(content.Text):
		return errors.New("the text is not UTF-8")
	case len(content.NonVisibleData) > MaxSignBinaryBytes:
		return fmt.Errorf("%d bytes of non-visible data, at most %d", len(content.NonVisibleData), MaxSignBinaryBytes)
	}
	return nil
}

// startSign calls initSignature for content, keeping the data sent in the
// order's state for the check of the result.
func (c *Connector) startSign(ctx context.Context, req connectors.Request, content connectors.SignContent, method, level string, who person) (*connectors.Order, error) {
	if err := checkContent(content); err != nil {
		return nil, fmt.Errorf("freja sign: %w", err)
	}
	body := InitSignRequest{
		UserInfoType: who.infoType, UserInfo: who.info, MinRegistrationLevel: level,
		Title: truncate(req.ClientName, 128), DataToSignType: DataToSignText, SignatureType: SignatureTypeSimple,
		DataToSign:         DataToSign{Text: base64.StdEncoding.EncodeToString([]byte(content.Text))},
		AttributesToReturn: attributes(), UseDynamicQRCode: who.useDynamicQRCode,
	}
	if len(content.NonVisibleData) > 0 {
		body.DataToSignType, body.SignatureType = DataToSignExtendedText, SignatureTypeExtended
		body.DataToSign.BinaryData = base64.StdEncoding.EncodeToString(content.NonVisibleData)
	}
	state := orderState{
		Kind: kindSign, Method: method, Level: level, Country: who.country, SSN: who.ssn, Email: who.email,
		SignText: body.DataToSign.Text, SignBinary: body.DataToSign.BinaryData,
	}
	return c.startOrder(ctx, req, state, func(ctx context.Context) (string, string, error) {
		resp, err := c.client.InitSignature(ctx, body)
		if err != nil {
			return "", "", err
		}
		return resp.SignRef, resp.QRCodeSecret, nil
	})
}

// signature checks an approved signature's details (already verified as
// Freja's) against what was sent and who signed, and keeps them as the proof.
func (c *Connector) signature(ref, details string, state orderState, country, ssn string) (*connectors.Signature, error) {
	text, err := base64.StdEncoding.DecodeString(state.SignText)
	if err != nil || state.SignText == "" {
		return nil, fmt.Errorf("freja poll: the order keeps no text it signed: %w", connectors.ErrInvalidResponse)
	}
	binary, err := base64.StdEncoding.DecodeString(state.SignBinary)
	if err != nil {
		return nil, fmt.Errorf("freja poll: the order's binary data: %w: %w", connectors.ErrInvalidResponse, err)
	}
	want := frejasig.Expected{Text: text, BinaryData: binary, Country: country, SSN: ssn, SignRef: ref}
	res, err := frejasig.Verify(details, want, frejasig.CertificateKeys(c.verifier.certs)...)
	if err != nil {
		return nil, fmt.Errorf("freja poll: signature: %w: %w", connectors.ErrInvalidResponse, err)
	}
	return &connectors.Signature{
		Operation:      frejasig.Operation,
		SignedAt:       res.SignedAt,
		VisibleData:    state.SignText,
		NonVisibleData: state.SignBinary,
		Native:         map[string]string{frejasig.NativeName: details},
	}, nil
}
