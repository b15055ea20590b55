package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// backchannelParams are a backchannel authentication request's parameters,
// from the form or from its signed request object.
type backchannelParams struct {
	Scopes          []string
	ACRValues       []string
	LoginHint       string
	IDTokenHint     string
	LoginHintToken  string
	BindingMessage  string
	RequestedExpiry string
	NotifyToken     string
	UserCode        string
	CallInitiator   string
	Reason          string
	Agent           string
	// AuthorizationDetails asks the caller to sign (RFC 9396), JSON.
	AuthorizationDetails string
}

// backchannelParameterNames are the request parameters a signed request
// carries as claims; none of them may also come outside it.
var backchannelParameterNames = []string{
	"scope", "acr_values", "login_hint", "id_token_hint", "login_hint_token", "binding_message",
	"requested_expiry", "client_notification_token", "user_code", "call_initiator", "reason", "agent",
	"authorization_details",
}

func backchannelParamsOf(get func(string) string) backchannelParams {
	return backchannelParams{
		Scopes: strings.Fields(get("scope")), ACRValues: strings.Fields(get("acr_values")),
		LoginHint: get("login_hint"), IDTokenHint: get("id_token_hint"), LoginHintToken: get("login_hint_token"),
		BindingMessage: get("binding_message"), RequestedExpiry: get("requested_expiry"),
		NotifyToken: get("client_notification_token"), UserCode: get("user_code"),
		CallInitiator: get("call_initiator"), Reason: get("reason"), Agent: get("agent"),
		AuthorizationDetails: get("authorization_details"),
	}
}

// requestObjectAlgorithms sign backchannel request objects (never none).
var requestObjectAlgorithms = []jose.SignatureAlgorithm{jose.PS256, jose.ES256, jose.RS256, jose.EdDSA}

// maxRequestObjectLifetime is FAPI-CIBA's bound on nbf to exp.
const maxRequestObjectLifetime = 60 * time.Minute

// requestObjectSkew forgives clocks a little.
const requestObjectSkew = 10 * time.Second

// readBackchannelParams takes the parameters from the form, or from the signed
// request object when there is one (CIBA §7.1.1): signed by the client's key,
// aud the issuer, iss the client, with exp, iat, nbf (at most an hour apart)
// and a jti used once.
func (s *backchannel) readBackchannelParams(ctx context.Context, form url.Values, client *Client) (backchannelParams, error) {
	raw := form.Get("request")
	if raw == "" {
		return backchannelParamsOf(form.Get), nil
	}
	for _, name := range backchannelParameterNames {
		if form.Has(name) {
			return backchannelParams{}, oidc.ErrInvalidRequest().WithDescription("%s is given both in the signed request and outside it", name)
		}
	}
	bad := func(format string, args ...any) *oidc.Error {
		return oidc.ErrInvalidRequest().WithDescription("request: "+format, args...)
	}
	tok, err := jwt.ParseSigned(raw, requestObjectAlgorithms)
	if err != nil {
		return backchannelParams{}, bad("not a JWS signed with PS256, ES256, RS256 or EdDSA").WithParent(err)
	}
	key, err := client.publicKey(ctx, tok.Headers[0].KeyID, s.flow.fetchJWKS)
	if err != nil {
		return backchannelParams{}, bad("no key of the client verifies it (a signed request needs the client's JWKS)").WithParent(err)
	}
	var std jwt.Claims
	var all map[string]any
	if err := tok.Claims(key.Key, &std, &all); err != nil {
		return backchannelParams{}, bad("the signature does not verify").WithParent(err)
	}
	now := s.flow.now()
	switch {
	case !std.Audience.Contains(s.flow.issuer):
		return backchannelParams{}, bad("aud must be the issuer %s", s.flow.issuer)
	case std.Issuer != client.ID:
		return backchannelParams{}, bad("iss must be the client id")
	case std.Expiry == nil || std.IssuedAt == nil || std.NotBefore == nil || std.ID == "":
		return backchannelParams{}, bad("exp, iat, nbf and jti are required")
	case now.After(std.Expiry.Time().Add(requestObjectSkew)):
		return backchannelParams{}, bad("it has expired")
	case now.Add(requestObjectSkew).Before(std.NotBefore.Time()):
		return backchannelParams{}, bad("it is not valid yet (nbf)")
	case std.Expiry.Time().Sub(std.NotBefore.Time()) > maxRequestObjectLifetime:
		return backchannelParams{}, bad("its lifetime (nbf to exp) is over 60 minutes")
	}
	n, err := s.flow.store.Hit(ctx, "request-object:"+hashHex(client.ID+"\x00"+std.ID), time.Unix(0, 0), std.Expiry.Time().Add(time.Minute))
	if err != nil {
		return backchannelParams{}, err
	}
	if n > 1 {
		return backchannelParams{}, bad("it was used before (jti)")
	}
	p := backchannelParamsOf(func(name string) string { return claimString(all[name]) })
	if v, ok := all["authorization_details"]; ok && p.AuthorizationDetails == "" {
		// RFC 9396 §3: in a request object the entries are JSON, not a string.
		raw, err := json.Marshal(v)
		if err != nil {
			return backchannelParams{}, bad("authorization_details cannot be read").WithParent(err)
		}
		p.AuthorizationDetails = string(raw)
	}
	return p, nil
}

// claimString is a request object's claim as the form value it stands for: a
// number (requested_expiry) as its digits.
func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	}
	return ""
}

// notifyTokenPattern is RFC 6750's bearer token syntax.
var notifyTokenPattern = regexp.MustCompile(`^[A-Za-z0-9._~+/-]+=*$`)

// checkTexts checks what the client asks the eID app to show and what it
// says for the record.
func (p *backchannelParams) checkTexts(client *Client) error {
	if len([]rune(p.BindingMessage)) > maxBindingMessage || strings.ContainsFunc(p.BindingMessage, unicode.IsControl) {
		return &oidc.Error{ErrorType: "invalid_binding_message", Description: fmt.Sprintf("binding_message must be plain text of at most %d characters", maxBindingMessage)}
	}
	switch p.CallInitiator {
	case "":
		p.CallInitiator = callInitiatorUser
	case callInitiatorUser, callInitiatorRP:
	default:
		return oidc.ErrInvalidRequest().WithDescription("call_initiator must be user (the caller phoned) or rp (the client phoned the caller)")
	}
	if len([]rune(p.Reason)) > maxReason || strings.ContainsFunc(p.Reason, unicode.IsControl) {
		return oidc.ErrInvalidRequest().WithDescription("reason must be plain text of at most %d characters", maxReason)
	}
	if client.RequireReason && strings.TrimSpace(p.Reason) == "" {
		return oidc.ErrInvalidRequest().WithDescription("reason is required: this client must say why it verifies a caller")
	}
	if len([]rune(p.Agent)) > maxAgent || strings.ContainsFunc(p.Agent, unicode.IsControl) {
		return oidc.ErrInvalidRequest().WithDescription("agent must be plain text of at most %d characters", maxAgent)
	}
	if strings.HasPrefix(p.Agent, consoleAgentPrefix) && client.ID != AgentConsoleClientID {
		return oidc.ErrInvalidRequest().WithDescription("agent: the prefix %s is the broker's own agent console's", consoleAgentPrefix)
	}
	return nil
}

// expiry is how long the verification waits for the caller: the eID's limit,
// or less when the client asks (requested_expiry, seconds, a number or a
// string of one).
func (p *backchannelParams) expiry() (time.Duration, error) {
	if p.RequestedExpiry == "" {
		return backchannelMaxExpiry, nil
	}
	n, err := strconv.ParseUint(p.RequestedExpiry, 10, 32)
	if err != nil || n == 0 {
		return 0, oidc.ErrInvalidRequest().WithDescription("requested_expiry must be a positive whole number of seconds")
	}
	return min(time.Duration(n)*time.Second, backchannelMaxExpiry), nil
}

// checkNotifyToken checks the ping bearer (CIBA §7.1: at most 1,024
// characters of RFC 6750 syntax, and not guessable).
func (p *backchannelParams) checkNotifyToken(client *Client) error {
	if client.BackchannelMode != deliveryPing {
		return nil
	}
	switch {
	case p.NotifyToken == "":
		return oidc.ErrInvalidRequest().WithDescription("client_notification_token is required in ping mode")
	case len(p.NotifyToken) > 1024 || !notifyTokenPattern.MatchString(p.NotifyToken):
		return oidc.ErrInvalidRequest().WithDescription("client_notification_token must be a bearer token (RFC 6750) of at most 1024 characters")
	case len(p.NotifyToken) < 22:
		return oidc.ErrInvalidRequest().WithDescription("client_notification_token must carry at least 128 bits of entropy")
	}
	return nil
}
