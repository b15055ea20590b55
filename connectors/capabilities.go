package connectors

import "context"

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
	// Text is shown to the person and signed (BankID userVisibleData). Required.
	Text string
	// DataHash is signed without being shown (BankID userNonVisibleData), such
	// as a document's SHA-256; nil for none.
	DataHash []byte
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
}
