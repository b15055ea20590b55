package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/storage"
)

// loginState is the provider's document of one authorization request, stored sealed
// in storage.AuthRequest.Data. Everything a later step needs is here, so any broker
// process can serve any step, and a restart loses nothing.
type loginState struct {
	Params authParams `json:"p"`
	// Browser is the SHA-256 (hex) of the browser-binding cookie that started it.
	Browser string `json:"b"`
	// Options are the option values this request may use (client ∩ request).
	Options []string       `json:"o"`
	MinLoA  connectors.LoA `json:"l"`
	// Countries narrow, by option value, whose people an option may identify
	// (see personCountries); an option not here may identify anyone its eID
	// serves.
	Countries map[string][]string `json:"pc,omitempty"`

	// Chosen option and the connector's state.
	Option        string            `json:"c,omitempty"`
	UpstreamState []byte            `json:"us,omitempty"`
	Order         *connectors.Order `json:"ord,omitempty"`
	LastPoll      time.Time         `json:"lp,omitempty"`
	Message       string            `json:"msg,omitempty"`

	// The outcome.
	Identity *connectors.Identity `json:"id,omitempty"`
	Subject  string               `json:"sub,omitempty"`
	AuthTime time.Time            `json:"at,omitempty"`
	Done     bool                 `json:"d,omitempty"`
	// ConsentPending: identified, waiting for the person's consent.
	ConsentPending bool     `json:"cp,omitempty"`
	Failure        *failure `json:"f,omitempty"`

	// Backchannel is set when the login is a caller verification (CIBA): no
	// browser, started by the backchannel endpoint.
	Backchannel *backchannelState `json:"bc,omitempty"`
	// Sign is set when the login is a signature (authorization_details of
	// the signing type): what is signed and, once signed, its evidence.
	Sign *signState `json:"sg,omitempty"`
}

// errLoginMovedOn refuses a step that comes too late: the login reached its
// outcome, or runs another eID attempt than the one the step answers.
var errLoginMovedOn = errors.New("the login has moved on")

// sameAttempt reports whether st still runs the eID attempt that prev ran: the
// same option with the same order or upstream state. An answer to an attempt
// the login has since replaced is late.
func (st *loginState) sameAttempt(prev *loginState) bool {
	if st.Option != prev.Option || !bytes.Equal(st.UpstreamState, prev.UpstreamState) {
		return false
	}
	if st.Order == nil || prev.Order == nil {
		return st.Order == prev.Order
	}
	return st.Order.Ref == prev.Order.Ref
}

// failure is an error to give the relying party when the person returns to it.
type failure struct {
	Code        string `json:"e"`
	Description string `json:"ed,omitempty"`
}

// authParams are the authorization request's parameters, after validation.
type authParams struct {
	ClientID      string   `json:"cid"`
	RedirectURI   string   `json:"ru"`
	ResponseMode  string   `json:"rm,omitempty"`
	Scopes        []string `json:"s"`
	State         string   `json:"st,omitempty"`
	Nonce         string   `json:"n,omitempty"`
	CodeChallenge string   `json:"cc,omitempty"`
	Prompt        []string `json:"pr,omitempty"`
	MaxAge        *uint    `json:"ma,omitempty"`
	UILocales     []string `json:"ui,omitempty"`
	LoginHintID   string   `json:"lh,omitempty"`
	// LoginHintEmail is login_hint=email:<address>, kept only for a client
	// with login_hint_email.
	LoginHintEmail string           `json:"le,omitempty"`
	HintSubject    string           `json:"hs,omitempty"`
	Claims         *requestedClaims `json:"cl,omitempty"`
	// DPoPJKT binds the code to a DPoP key (dpop_jkt, RFC 9449 §10).
	DPoPJKT string `json:"jkt,omitempty"`
	// FAPI: the client follows the FAPI 2.0 profile (codes live 60 s at most).
	FAPI bool `json:"fapi,omitempty"`
}

// authRequest adapts a stored request to op.AuthRequest for the token endpoint.
type authRequest struct {
	id    string
	state loginState
	// rec is the stored request this state was read from (its Version lets the
	// next update skip the read).
	rec storage.AuthRequest
	// code is the authorization code the write that produced this state issued;
	// it exists only in this request's memory, to be sent to the client once.
	code         string
	cachedClaims map[string]any
	// boundJKT is the DPoP key the tokens issued now are bound to (set at the
	// token endpoint, see bindTo).
	boundJKT string
}

// codeIssued: a code was already issued for this request.
func (a *authRequest) codeIssued() bool { return len(a.rec.CodeHash) > 0 }

var (
	_ op.AuthRequest    = (*authRequest)(nil)
	_ slog.LogValuer    = (*authRequest)(nil)
	_ op.ErrAuthRequest = (*authRequest)(nil)
)

func (a *authRequest) GetID() string { return a.id }
func (a *authRequest) GetACR() string {
	if a.state.Identity == nil {
		return ""
	}
	return a.state.Identity.LoA.URI()
}
func (a *authRequest) GetAMR() []string {
	if a.state.Identity == nil {
		return nil
	}
	return a.state.Identity.AMR
}
func (a *authRequest) GetAudience() []string  { return []string{a.state.Params.ClientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.state.AuthTime }
func (a *authRequest) GetClientID() string    { return a.state.Params.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.state.Params.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.state.Params.CodeChallenge, Method: oidc.CodeChallengeMethodS256}
}
func (a *authRequest) GetNonce() string                   { return a.state.Params.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.state.Params.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseTypeCode }
func (a *authRequest) GetResponseMode() oidc.ResponseMode {
	return oidc.ResponseMode(a.state.Params.ResponseMode)
}
func (a *authRequest) GetScopes() []string { return a.state.Params.Scopes }
func (a *authRequest) GetState() string    { return a.state.Params.State }
func (a *authRequest) GetSubject() string  { return a.state.Subject }
func (a *authRequest) Done() bool          { return a.state.Done }

// LogValue keeps nonce, PKCE and identity out of logs.
func (a *authRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", a.id),
		slog.String("client_id", a.state.Params.ClientID),
		slog.String("redirect_uri", a.state.Params.RedirectURI),
		slog.Any("scopes", a.state.Params.Scopes),
		slog.String("option", a.state.Option),
		slog.Bool("done", a.state.Done),
	)
}

// stateCodec seals login state at rest: it holds national ids and upstream secrets.
type stateCodec struct{ sealer Sealer }

// Sealer encrypts with associated data (the record's id), so a sealed value cannot
// be moved to another record.
type Sealer interface {
	Seal(plaintext, associatedData []byte) ([]byte, error)
	Open(sealed, associatedData []byte) ([]byte, error)
}

func (c stateCodec) encode(id string, st *loginState) (json.RawMessage, error) {
	plain, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode login state: %w", err)
	}
	sealed, err := c.sealer.Seal(plain, []byte("authreq:"+id))
	if err != nil {
		return nil, fmt.Errorf("seal login state: %w", err)
	}
	// A JSON string, so the column holds valid JSON on every database.
	return json.Marshal(sealed)
}

func (c stateCodec) decode(rec storage.AuthRequest) (*authRequest, error) {
	var sealed []byte
	if err := json.Unmarshal(rec.Data, &sealed); err != nil {
		return nil, fmt.Errorf("decode login state %s: %w", rec.ID, err)
	}
	plain, err := c.sealer.Open(sealed, []byte("authreq:"+rec.ID))
	if err != nil {
		return nil, fmt.Errorf("open login state %s: %w", rec.ID, err)
	}
	a := &authRequest{id: rec.ID, rec: rec}
	if err := json.Unmarshal(plain, &a.state); err != nil {
		return nil, fmt.Errorf("decode login state %s: %w", rec.ID, err)
	}
	return a, nil
}
