package connectors

import (
	"context"
	"time"
)

// Signer is an order connector whose eID can also have a person sign. The
// signing order is polled, cancelled and shown (QR code, app link) as a login's
// order is; its identity's evidence holds the signature.
type Signer interface {
	OrderConnector
	StartSign(ctx context.Context, req SignRequest) (*Order, error)
}

// SignRequest is what the broker asks a person to sign, on the device and by
// the method a login would use.
type SignRequest struct {
	Request
	SignContent
}

// SignContent is what a person signs: the same for a browser signature and a
// phone (backchannel) one.
type SignContent struct {
	// Text is shown to the person and signed (BankID userVisibleData, Freja
	// dataToSign.text), as UTF-8. Required.
	Text string
	// Markdown: Text is BankID's simpleMarkdownV1, for an eID whose
	// SigningInfo.Markdown is set; else Text is plain.
	Markdown bool
	// NonVisibleData is signed without being shown (BankID userNonVisibleData,
	// Freja's extended binaryData), such as document digests; nil for none.
	NonVisibleData []byte
}

// SigningInfo is what a Signer's eID can sign, for Info.Signing: the broker
// refuses a request beyond it before any order starts.
type SigningInfo struct {
	// MaxTextBytes bounds SignContent.Text's UTF-8 bytes.
	MaxTextBytes int
	// Markdown: the eID renders BankID's simpleMarkdownV1.
	Markdown bool
	// MaxNonVisibleBytes bounds SignContent.NonVisibleData; 0: none accepted.
	MaxNonVisibleBytes int
	// Backchannel: StartBackchannel signs when BackchannelRequest.Sign is set
	// (BankID's phone/sign, a Freja signature pushed to the app).
	Backchannel bool
}

// Signature is a completed signing order's proof, on Identity.Signature. The
// connector checked the native artefacts against its trust anchors and the
// content it sent before handing them over; they are kept verbatim so that
// anyone can check them again offline.
type Signature struct {
	// Operation names the upstream call that signed: "rp/v6.0/sign",
	// "rp/v6.0/phone/sign", "sign/1.0/initSignature".
	Operation string `json:"operation"`
	// SignedAt is when the eID reports the signature made (else when the
	// order completed).
	SignedAt time.Time `json:"signed_at"`
	// VisibleData is the shown text exactly as sent upstream, base64 (standard,
	// padded); VisibleDataFormat is BankID's userVisibleDataFormat ("" or
	// "simpleMarkdownV1").
	VisibleData       string `json:"visible_data"`
	VisibleDataFormat string `json:"visible_data_format,omitempty"`
	// NonVisibleData is the unseen data exactly as sent, base64, or "".
	NonVisibleData string `json:"non_visible_data,omitempty"`
	// Native are the eID's own artefacts, verbatim, by name:
	// "bankid_signature" and "bankid_ocsp_response" (BankID's base64 strings),
	// "freja_details_jws" (Freja's signed result).
	Native map[string]string `json:"native"`
}

// Backchannel is an order connector that can start an order from a national id
// alone, with no browser: the eID app asks the person (BankID's phone
// authentication, OpenID CIBA). The order is polled and cancelled as a login's.
type Backchannel interface {
	OrderConnector
	StartBackchannel(ctx context.Context, req BackchannelRequest) (*Order, error)
}

// BackchannelRequest names the person the eID app is to ask.
type BackchannelRequest struct {
	// NationalID is the person's national id. Required, unless the eID finds
	// people by Email as well.
	NationalID string
	// Email is the person's e-mail address, for an eID that finds people by it
	// (Freja eID); used only when NationalID is empty.
	Email string
	// PersonCalled: the person phoned the relying party; else the relying party
	// phoned the person (BankID's callInitiator).
	PersonCalled bool
	// Text is shown in the eID app, or "".
	Text string
	// Sign, when set, makes the order a signature of it rather than an
	// authentication (Text is then unused), for an eID whose
	// SigningInfo.Backchannel is set.
	Sign *SignContent
}
