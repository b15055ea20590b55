package connectors

import (
	"context"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Connector is what every eID connector is. Capabilities are the smaller interfaces
// below, found by type assertion; an implementation asserts them at compile time:
//
//	var _ connectors.OrderConnector = (*Connector)(nil)
type Connector interface {
	// Info describes the eID: id, country, methods and the level each reaches.
	Info() Info
}

// Info describes a connector for the login page and for acr_values matching.
type Info struct {
	// ID is the connector id and the idp claim, e.g. "se-bankid", "no-bankid",
	// "fi-ftn", "dk-mitid".
	ID string
	// Countries the eID serves, ISO 3166-1 alpha-2, upper case, at least one. An
	// eID of several countries (Freja eID) is offered under each of them.
	Countries []string
	// Name is the eID's name as people know it ("BankID", "MitID").
	Name string
	// Names are the eID's name by page language (sv, nb, fi, da, en) where
	// people call it otherwise ("Finnish Trust Network" is not what Finns say).
	// A theme's translation eid.<id>.name wins; without either, Name.
	Names map[string]string
	// NameSaysCountry: the eID's names already say its country ("Finnish bank
	// ID"), so a label does not add it.
	NameSaysCountry bool
	// Descriptions say in a line, by page language, who the eID is for or how
	// it is used, for the login page. A theme's eid.<id>.description wins.
	Descriptions map[string]string
	// Methods the person can choose, at least one. The first is the default.
	Methods []Method
	// ACRAliases map the acr values other Nordic brokers use for this eID
	// (urn:grn:authn:se:bankid:another-device) to the value of ours they mean, so
	// relying parties can move without changing their acr_values.
	ACRAliases map[string]string
	// Logo is the eID's logo, an SVG file, or the zero Logo for none. A theme's
	// static/eids/<id>.svg replaces it.
	Logo Logo
	// Providers are who the person picks next, at the eID's own page, when the
	// eID is a network of them (FTN's banks); the login page lists them so the
	// person recognises their own. Proper names, not translated.
	Providers []string
	// EncryptedTokensOnly: the eID's rules let its identities reach a relying
	// party only in an encrypted ID token (the Finnish Trust Network's). The
	// broker offers it only to clients with id_token_encrypted_response_alg.
	EncryptedTokensOnly bool
	// Signing is what the eID can sign, set exactly when the connector is a
	// Signer; nil for an eID that cannot sign.
	Signing *SigningInfo
}

// Method is one way to use an eID, such as BankID on another device.
type Method struct {
	// ID is short and unique within the connector: "other-device", "same-device",
	// "high", "substantial" or "" when the eID has one method.
	ID string
	// URN selects this method in acr_values, e.g. urn:portvakt:eid:se:bankid:same-device.
	URN string
	// LoA is the highest level this method can reach.
	LoA LoA
	// MinLoA is the lowest level it reports; equal to LoA for most methods.
	MinLoA LoA
	// LaunchesApp: the method opens the eID app on the browser's own device (the
	// login page puts it first on a phone; the order page shows a button, not a
	// QR code).
	LaunchesApp bool
}

// Logo is a file in a file system, typically the connector package's embedded
// files.
type Logo struct {
	FS   fs.FS
	Path string
}

// Read returns the logo's content, or nil for the zero Logo.
func (l Logo) Read() ([]byte, error) {
	if l.FS == nil {
		return nil, nil
	}
	return fs.ReadFile(l.FS, l.Path)
}

// Serves reports whether the eID serves a country (ISO 3166-1 alpha-2).
func (i Info) Serves(country string) bool { return slices.Contains(i.Countries, country) }

// Request is what the broker asks a connector to do for one login.
type Request struct {
	// ID is the broker's auth request id (random, 128 bits or more). A redirect
	// connector MUST send it as the upstream's OAuth state parameter, unchanged: the
	// broker's single callback URL finds the login by the state it gets back. The
	// callback is also bound to the browser, and nonce and PKCE live in the
	// connector's own state bytes.
	ID string
	// Method is the Method.ID chosen (or "" for the default).
	Method string
	// MinLoA is the level the login must reach. A connector that cannot reach it
	// returns ErrLoANotSupported; it never downgrades.
	MinLoA LoA
	// NationalID comes from login_hint=sub:<id>; empty when not given.
	NationalID string
	// Email comes from login_hint=email:<address>, given only to clients
	// allowed to push logins by e-mail address (Push is then set).
	Email string
	// Push: the client lets an eID that can push a login to the person's app
	// (Freja) do so for the person NationalID or Email names, with no QR code
	// and no app switch. Without it, a hint only preselects the person.
	Push bool
	// Countries are the only countries whose people the login accepts, for an
	// eID of several countries; empty for every country the eID serves. The
	// broker checks the identity's country itself.
	Countries []string
	// UILocale is the page language: sv, nb, fi, da or en.
	UILocale string
	// EndUserIP is the person's IP as the broker sees it.
	EndUserIP string
	// UserAgent of the person's browser.
	UserAgent string
	// CallbackURL is where a redirect connector's upstream must send the browser back.
	CallbackURL string
	// ReturnURL is where an order connector's app returns the person (same device).
	ReturnURL string
	// ClientName is the relying party's display name (for texts shown in the eID app).
	ClientName string
	// ReferenceText is a short text to show in the eID app, when the eID supports it.
	ReferenceText string
	// ForceLogin asks the upstream not to reuse its own session (prompt=login).
	ForceLogin bool
}

// RedirectConnector is an upstream the browser is sent to, which sends it back.
type RedirectConnector interface {
	Connector
	// Begin returns the URL to send the browser to and the state to keep server-side
	// until Finish (PKCE verifier, nonce, the level asked for).
	Begin(ctx context.Context, req Request) (redirectURL string, state []byte, err error)
	// Finish completes the login from the upstream's callback request.
	Finish(ctx context.Context, state []byte, r *http.Request) (Identity, error)
}

// OrderConnector is an upstream the broker starts an order at and then polls.
type OrderConnector interface {
	Connector
	// Start starts an order. The returned Order is persisted by the broker, so all
	// the connector needs later must be in it.
	Start(ctx context.Context, req Request) (*Order, error)
	// Poll asks the upstream for the order's status once. The broker calls it at most
	// once per order at a time and no more often than PollInterval.
	Poll(ctx context.Context, order *Order) (Progress, error)
	// Cancel cancels the order upstream. Cancelling a finished order is not an error.
	Cancel(ctx context.Context, order *Order) error
	// QR returns the QR code content to show at the given time, or "" if the method
	// has no QR code. It is computed locally, without calling the upstream.
	QR(order *Order, now time.Time) string
}

// Order is a started order, stored by the broker between polls.
type Order struct {
	// Ref is the upstream's reference (BankID orderRef).
	Ref string `json:"ref"`
	// Method is the Method.ID the order was started for.
	Method string `json:"method"`
	// LaunchURL opens the eID app on this device, or "". A same-device order
	// needs it; an order started for a QR code may offer it as the alternative.
	LaunchURL string `json:"launch_url,omitempty"`
	// StartedAt is when the upstream answered the start request.
	StartedAt time.Time `json:"started_at"`
	// PollInterval is how often the upstream may be polled.
	PollInterval time.Duration `json:"poll_interval"`
	// State is the connector's own data (QR secret, requested level). It never
	// leaves the broker.
	State []byte `json:"state,omitempty"`
}

// Progress is the outcome of one Poll.
type Progress struct {
	// Status is pending, complete or failed.
	Status Status
	// HintCode is the upstream's hint (BankID hintCode), for logs and tests.
	HintCode string
	// Message is the id of the message to show the person (BankID "RFA1"); the
	// connector's Messages give its text.
	Message string
	// Identity is set when Status is StatusComplete.
	Identity *Identity
}

// Status of an order.
type Status string

const (
	StatusPending  Status = "pending"
	StatusComplete Status = "complete"
	StatusFailed   Status = "failed"
)

// KeyPublisher is implemented by connectors that hold keys of their own which the
// upstream fetches (FTN's request-object signing and ID-token encryption keys).
// The broker serves them at /connectors/<id>/jwks.json.
type KeyPublisher interface {
	PublicJWKS() jose.JSONWebKeySet
}

// Messages is implemented by connectors that show their own texts to people
// (BankID's Recommended User Messages). Message returns the text for id in the
// language (sv, nb, fi, da, en), falling back to English, and "" for an unknown id.
type Messages interface {
	Message(lang, id string) string
}

// MobileUserAgent reports whether a browser's User-Agent is a phone's or a
// tablet's, where the eID app is on the same device as the browser.
func MobileUserAgent(userAgent string) bool {
	for _, marker := range []string{"Mobi", "Android", "iPhone", "iPad"} {
		if strings.Contains(userAgent, marker) {
			return true
		}
	}
	return false
}
