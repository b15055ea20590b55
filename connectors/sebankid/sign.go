package sebankid

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"unicode/utf8"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence/bankidsig"
)

// BankID's limits on what a person signs: userVisibleData up to 40,000
// characters and userNonVisibleData up to 200,000, both after base64, which
// turns 3 bytes into 4 characters.
const (
	MaxSignTextBytes       = 40000 / 4 * 3
	MaxSignNonVisibleBytes = 200000 / 4 * 3
)

// The operations a signature is made by, for connectors.Signature.Operation.
const (
	OperationSign      = "rp/v6.0/sign"
	OperationPhoneSign = "rp/v6.0/phone/sign"
)

// Native artefact names of a BankID signature.
const (
	NativeSignature    = "bankid_signature"
	NativeOCSPResponse = "bankid_ocsp_response"
)

// signState is what a signing order remembers of what it sent, to check the
// signature against at completion: digests, so that a large text does not
// travel with every poll.
type signState struct {
	// Kind is "sign" or "phone/sign".
	Kind             string `json:"kind"`
	VisibleSHA256    []byte `json:"visibleSha256"`
	VisibleFormat    string `json:"visibleFormat,omitempty"`
	NonVisibleSHA256 []byte `json:"nonVisibleSha256,omitempty"`
}

// signingInfo is what BankID signs, or nil when the connector has no signing
// roots to check signatures against.
func (c *Connector) signingInfo() *connectors.SigningInfo {
	if c.signingRoots == nil {
		return nil
	}
	return &connectors.SigningInfo{
		MaxTextBytes:       MaxSignTextBytes,
		Markdown:           true,
		MaxNonVisibleBytes: MaxSignNonVisibleBytes,
		Backchannel:        true,
	}
}

// signContent checks content against BankID's limits and returns it as the
// API takes it, with the state that remembers it.
func (c *Connector) signContent(op, kind string, content connectors.SignContent) (visible, format, nonVisible string, st *signState, err error) {
	switch {
	case c.signingRoots == nil:
		return "", "", "", nil, fmt.Errorf("%s: signing is off without signing roots to check signatures", op)
	case content.Text == "":
		return "", "", "", nil, fmt.Errorf("%s: a text to sign is required", op)
	case len(content.Text) > MaxSignTextBytes:
		return "", "", "", nil, fmt.Errorf("%s: text of %d bytes, BankID shows at most %d", op, len(content.Text), MaxSignTextBytes)
	case !utf8.ValidString(content.Text):
		return "", "", "", nil, fmt.Errorf("%s: text is not UTF-8", op)
	case len(content.NonVisibleData) > MaxSignNonVisibleBytes:
		return "", "", "", nil, fmt.Errorf("%s: non-visible data of %d bytes, BankID signs at most %d", op, len(content.NonVisibleData), MaxSignNonVisibleBytes)
	}
	sum := sha256.Sum256([]byte(content.Text))
	st = &signState{Kind: kind, VisibleSHA256: sum[:]}
	if content.Markdown {
		format = UserVisibleDataFormatSimpleMarkdown
		st.VisibleFormat = format
	}
	if len(content.NonVisibleData) > 0 {
		nonVisible = base64.StdEncoding.EncodeToString(content.NonVisibleData)
		sum := sha256.Sum256(content.NonVisibleData)
		st.NonVisibleSHA256 = sum[:]
	}
	return EncodeUserData(content.Text), format, nonVisible, st, nil
}

// signature checks a completed signing order's signature and OCSP response
// offline, against the signing roots, what was sent and the person who
// completed it, and returns the proof for Identity.Signature.
func (c *Connector) signature(data *CompletionData, personalNumber string, st *signState) (*connectors.Signature, error) {
	res, err := bankidsig.Verify(data.Signature, data.OCSPResponse, bankidsig.Expected{
		VisibleDataSHA256:    st.VisibleSHA256,
		VisibleDataFormat:    st.VisibleFormat,
		NonVisibleDataSHA256: st.NonVisibleSHA256,
		PersonalNumber:       personalNumber,
	}, c.signingRoots, c.now())
	if err != nil {
		return nil, fmt.Errorf("sebankid poll: signature refused: %w: %w", connectors.ErrInvalidResponse, err)
	}
	if res.FuncID != "Signing" {
		return nil, fmt.Errorf("sebankid poll: signature refused: %w: funcId %q, not a signing", connectors.ErrInvalidResponse, res.FuncID)
	}
	op := OperationSign
	if st.Kind == "phone/sign" {
		op = OperationPhoneSign
	}
	sig := &connectors.Signature{
		Operation:         op,
		SignedAt:          res.ProducedAt,
		VisibleData:       base64.StdEncoding.EncodeToString(res.VisibleData),
		VisibleDataFormat: res.VisibleDataFormat,
		Native:            map[string]string{NativeSignature: data.Signature, NativeOCSPResponse: data.OCSPResponse},
	}
	if len(res.NonVisibleData) > 0 {
		sig.NonVisibleData = base64.StdEncoding.EncodeToString(res.NonVisibleData)
	}
	return sig, nil
}
