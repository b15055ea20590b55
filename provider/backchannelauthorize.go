package provider

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/storage"
)

// backchannelAck is the acknowledgement of a started verification (CIBA §7.3).
type backchannelAck struct {
	AuthReqID string `json:"auth_req_id"`
	ExpiresIn int64  `json:"expires_in"`
	Interval  int64  `json:"interval"`
}

// authorize is the backchannel authentication endpoint: it authenticates the
// client as the token endpoint does, checks the request against the client's
// rights, starts the eID order by the caller's national id and acknowledges.
// Every request of an authenticated client is on record, refused or not.
func (s *backchannel) authorize(w http.ResponseWriter, r *http.Request) {
	client, ok := s.grants.authenticatedPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ev := VerificationEvent{ClientID: client.ID, ClientIP: s.flow.clientIP(r), Started: s.flow.now()}
	ack, err := s.start(ctx, r, client, &ev)
	if err != nil {
		var oe *oidc.Error
		if errors.As(err, &oe) {
			ev.Outcome, ev.Error = VerificationRefused, string(oe.ErrorType)
		} else {
			ev.Outcome, ev.Error = OutcomeError, "server_error"
		}
		ev.Finished = s.flow.now()
		s.flow.recordVerification(ctx, ev)
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ack)
}

// start validates the request and starts the verification; ev gathers what
// the record of a refusal says.
func (s *backchannel) start(ctx context.Context, r *http.Request, client *Client, ev *VerificationEvent) (*backchannelAck, error) {
	if client.AuthMethod == string(oidc.AuthMethodNone) {
		return nil, oidc.ErrInvalidClient().WithDescription("a public client cannot verify callers")
	}
	if !client.HasGrant(grantTypeCIBA) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("the client is not allowed grant type %s", grantTypeCIBA)
	}
	p, err := s.readBackchannelParams(ctx, r.PostForm, client)
	if err != nil {
		return nil, err
	}
	ev.Agent, ev.Reason, ev.BindingMessage, ev.CallInitiator = truncateRunes(p.Agent, maxAgent), truncateRunes(p.Reason, maxReason), truncateRunes(p.BindingMessage, maxBindingMessage), p.CallInitiator
	if !slices.Contains(p.Scopes, scopeOpenID) {
		return nil, oidc.ErrInvalidScope().WithDescription("the openid scope is required")
	}
	sign, err := s.flow.signRequestOf(p.AuthorizationDetails, "", client)
	if err != nil {
		return nil, err
	}
	if sign != nil {
		ev.Sign = true
		if err := p.takeSignInitiator(sign.Details.CallInitiator); err != nil {
			return nil, err
		}
	}
	if err := p.checkTexts(client); err != nil {
		return nil, err
	}
	ev.CallInitiator = p.CallInitiator
	if err := p.checkNotifyToken(client); err != nil {
		return nil, err
	}
	if p.UserCode != "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("user_code is not supported")
	}
	expiry, err := p.expiry()
	if err != nil {
		return nil, err
	}
	who, err := s.caller(ctx, p, client.ID)
	if err != nil {
		return nil, err
	}
	ev.Country, ev.NationalID = who.Country, who.NationalID
	required := parseACRValues(p.ACRValues, s.flow.options)
	required.MinLoA = max(required.MinLoA, client.MinLoA)
	o, err := s.optionFor(client, required, who, sign)
	if err != nil {
		return nil, err
	}
	ev.Connector = o.Info.ID
	if err := s.limit(ctx, client, p.Agent); err != nil {
		return nil, err
	}
	return s.begin(ctx, client, o, p, who, required.MinLoA, expiry, sign, ev)
}

// caller is the person the request names: exactly one hint (CIBA §7.1).
func (s *backchannel) caller(ctx context.Context, p backchannelParams, clientID string) (caller, error) {
	hints := 0
	for _, h := range []string{p.LoginHint, p.IDTokenHint, p.LoginHintToken} {
		if h != "" {
			hints++
		}
	}
	switch {
	case hints != 1:
		return caller{}, oidc.ErrInvalidRequest().WithDescription("exactly one of login_hint, id_token_hint and login_hint_token is required")
	case p.LoginHintToken != "":
		return caller{}, oidc.ErrInvalidRequest().WithDescription("login_hint_token is not supported; use login_hint or id_token_hint")
	case p.IDTokenHint != "":
		return s.flow.callerFromIDTokenHint(ctx, p.IDTokenHint, clientID)
	}
	return callerFromLoginHint(p.LoginHint)
}

// optionFor is the eID that verifies the caller: one that can start an order
// by national id (connectors.Backchannel), serves the caller's country, is
// allowed to the client and asked for by acr_values, and reaches the level.
func (s *backchannel) optionFor(client *Client, required requirement, who caller, sign *signState) (Option, error) {
	allowed := false
	var phone []Option
	for _, o := range selectOptions(s.flow.options, client, required) {
		// An eID of several countries identifies only the people of those
		// the client and the request accept, as in a browser login.
		if cs := personCountries(o, client, required); !o.Info.Serves(who.Country) || (cs != nil && !slices.Contains(cs, who.Country)) {
			continue
		}
		allowed = true
		if _, ok := o.Connector.(connectors.Backchannel); ok {
			if sign == nil {
				return o, nil
			}
			phone = append(phone, o)
		}
	}
	if sign != nil && len(phone) > 0 {
		// A signature by phone: the first eID that can sign this without a browser.
		signers, err := signOptions(phone, sign.Content, true)
		if err != nil {
			return Option{}, err
		}
		return signers[0], nil
	}
	if sign != nil && allowed {
		return Option{}, errInvalidAuthorizationDetails().WithDescription("no eID this client may use for %s can sign without a browser", who.Country)
	}
	if allowed {
		return Option{}, oidc.ErrInvalidRequest().WithDescription("no eID of %s this client may use can verify a caller without a browser; eIDs that can: %v", who.Country, backchannelEIDs(s.flow.options))
	}
	for _, o := range s.flow.options {
		if o.Info.Serves(who.Country) && (!client.AllowsEID(o.Info) || !slices.Contains(personCountriesOrAll(o, client), who.Country)) {
			return Option{}, oidc.ErrAccessDenied().WithDescription("the client may not verify people of %s", who.Country)
		}
	}
	return Option{}, errUnmetAuthenticationRequirements().WithDescription("no eID for %s reaches the requested level of assurance or matches acr_values", who.Country)
}

// backchannelEIDs are the connectors that can verify a caller.
func backchannelEIDs(options []Option) []string {
	var out []string
	for _, o := range options {
		if _, ok := o.Connector.(connectors.Backchannel); ok && !slices.Contains(out, o.Info.ID) {
			out = append(out, o.Info.ID)
		}
	}
	return out
}

// limit counts verifications per client and per agent, per minute.
func (s *backchannel) limit(ctx context.Context, client *Client, agent string) error {
	limits := s.flow.cfg.CIBA
	start := s.flow.now().Truncate(time.Minute)
	counters := []struct {
		kind, value string
		limit       int
		what        string
	}{{"ciba:client", client.ID, limits.PerClient, "this client"}}
	if agent != "" {
		counters = append(counters, struct {
			kind, value string
			limit       int
			what        string
		}{"ciba:agent", client.ID + "\x00" + agent, limits.PerAgent, "this agent"})
	}
	for _, c := range counters {
		if c.limit <= 0 {
			continue
		}
		n, err := s.flow.store.Hit(ctx, s.flow.counterKey(c.kind, c.value), start, start.Add(2*time.Minute))
		if err != nil {
			return err
		}
		if n > int64(c.limit) {
			return oidc.ErrAccessDenied().WithDescription("too many verifications by %s; at most %d a minute", c.what, c.limit)
		}
	}
	return nil
}

// begin takes the caller's lease (one open verification per person), starts
// the eID order and stores the verification as a running login.
func (s *backchannel) begin(ctx context.Context, client *Client, o Option, p backchannelParams, who caller, minLoA connectors.LoA, expiry time.Duration, sign *signState, ev *VerificationEvent) (*backchannelAck, error) {
	authReqID := randid.String(32)
	id := backchannelRecordID(authReqID)
	now := s.flow.now()
	lease, err := s.flow.store.AcquireLease(ctx, s.flow.callerLease(who.NationalID), id, expiry+collectEvery)
	if err != nil {
		return nil, err
	}
	if !lease.Held {
		return nil, oidc.ErrAccessDenied().WithDescription("a verification of this person is already in progress; wait for it to end")
	}
	release := func() {
		if err := s.flow.store.ReleaseLease(context.WithoutCancel(ctx), s.flow.callerLease(who.NationalID), id); err != nil {
			s.flow.logger.WarnContext(ctx, "release caller lease", "error", err)
		}
	}
	bc := o.Connector.(connectors.Backchannel)
	breq := connectors.BackchannelRequest{
		NationalID: who.NationalID, PersonCalled: p.CallInitiator == callInitiatorUser, Text: p.BindingMessage,
	}
	if sign != nil {
		content := sign.Content
		breq.Sign = &content
	}
	order, err := bc.StartBackchannel(ctx, breq)
	if err != nil {
		release()
		s.flow.logger.WarnContext(ctx, "start caller verification", "connector", o.Info.ID, "client_id", client.ID,
			"national_id", nationalid.Mask(who.NationalID), "error", err)
		return nil, orderStartError(err)
	}
	st := loginState{
		Params: authParams{ClientID: client.ID, Scopes: append([]string{scopeOpenID}, slices.DeleteFunc(grantedScopes(p.Scopes, client), func(s string) bool { return s == scopeOpenID })...)},
		MinLoA: minLoA, Options: []string{o.Value()},
		Backchannel: &backchannelState{
			Mode: client.BackchannelMode, NationalID: who.NationalID, Country: who.Country,
			CallInitiator: p.CallInitiator, BindingMessage: p.BindingMessage, Reason: p.Reason, Agent: p.Agent,
			Interval: backchannelInterval, StartedAt: now, Expires: now.Add(expiry), ClientIP: ev.ClientIP,
		},
		Sign: sign,
	}
	if client.BackchannelMode == deliveryPing {
		st.Backchannel.NotifyToken, st.Backchannel.AuthReqID = p.NotifyToken, authReqID
	}
	st.attempt(o.Value(), nil, order)
	data, err := s.flow.codec.encode(id, &st)
	if err == nil {
		err = s.flow.store.CreateAuthRequest(ctx, storage.AuthRequest{
			ID: id, ClientID: client.ID, Data: data, CreatedAt: now,
			ExpiresAt: now.Add(expiry + backchannelGrace), OpenOrder: true, Version: 1,
		})
	}
	if err != nil {
		s.flow.cancelOrder(context.WithoutCancel(ctx), o.Value(), order)
		release()
		return nil, err
	}
	s.flow.metrics.LoginStarted(o.Info.ID, client.ID)
	return &backchannelAck{AuthReqID: authReqID, ExpiresIn: int64(expiry / time.Second), Interval: int64(backchannelInterval / time.Second)}, nil
}

// orderStartError is what the client hears of an eID that refused to start.
func orderStartError(err error) error {
	switch {
	case errors.Is(err, connectors.ErrRateLimited):
		return oidc.ErrAccessDenied().WithDescription("the eID refused: too many orders")
	case errors.Is(err, connectors.ErrLoANotSupported):
		return errUnmetAuthenticationRequirements().WithDescription("the eID cannot reach the requested level of assurance")
	case errors.Is(err, connectors.ErrUnknownPerson):
		return &oidc.Error{ErrorType: "unknown_user_id", Description: "the eID knows no person by this hint"}
	case errors.Is(err, connectors.ErrTextNotShown):
		return oidc.ErrInvalidRequest().WithDescription("this eID cannot show a binding_message to the caller; leave it out")
	}
	var ue *connectors.UserError
	if errors.As(err, &ue) && ue.Message == "RFA4" {
		return oidc.ErrAccessDenied().WithDescription("the eID has an order in progress for this person")
	}
	return errTemporarilyUnavailable().WithDescription("the eID could not start the verification; try again shortly").WithParent(err)
}

// writeError answers the backchannel endpoint with its error and status
// (CIBA §13): 401 invalid_client, 403 access_denied, 503 when the eID or the
// database is away, else 400.
func (s *backchannel) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var oe *oidc.Error
	if !errors.As(err, &oe) {
		s.grants.tokenError(w, r, err)
		return
	}
	status := http.StatusBadRequest
	switch oe.ErrorType {
	case oidc.InvalidClient:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="portvakt"`)
	case oidc.AccessDenied:
		status = http.StatusForbidden
	case "temporarily_unavailable":
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
	case oidc.ServerError:
		status = http.StatusInternalServerError
	}
	if oe.Parent != nil {
		s.flow.logger.InfoContext(r.Context(), "backchannel request refused", "error", oe.ErrorType, "cause", oe.Parent)
	}
	op.WriteError(w, r, op.NewStatusError(oe, status), nil)
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
