package provider

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/storage"
)

var (
	// RFC 7636: 43 to 128 characters of the unreserved set; an S256 challenge is 43.
	codeChallengePattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
	nationalIDHint       = regexp.MustCompile(`^[0-9A-Za-z+-]{6,20}$`)
)

// authorize is the authorization endpoint. Until client and redirect_uri are known to
// be good, errors are shown as a page; after that, they go back to the client.
func (s *logins) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		s.errorPage(w, r, http.StatusMethodNotAllowed, "error.invalid_request", nil)
		return
	}
	ctx := r.Context()
	if err := r.ParseForm(); tooLarge(err) {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge, "error.invalid_request", err)
		return
	}
	// Until the client and its redirect are known, an oversized parameter gets a page.
	if name, limit, ok := oversizedParameter(url.Values{"client_id": r.Form["client_id"], "redirect_uri": r.Form["redirect_uri"], "request": r.Form["request"], "request_uri": r.Form["request_uri"]}); ok {
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid_request", errParameterTooLong(name, limit))
		return
	}
	src, ok := s.resolveRequest(w, r)
	if !ok {
		return
	}
	if name, limit, ok := oversizedParameter(url.Values{"client_id": r.Form["client_id"], "redirect_uri": r.Form["redirect_uri"]}); ok {
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid_request", errParameterTooLong(name, limit))
		return
	}
	req, err := op.ParseAuthorizeRequest(r, s.decoder)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid_request", err)
		return
	}
	if req.ClientID == "" {
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid_request", errors.New("client_id missing"))
		return
	}
	client, err := s.clients.Get(ctx, req.ClientID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			s.errorPage(w, r, http.StatusBadRequest, "error.unknown_client", err)
		} else {
			s.unavailablePage(w, r, err)
		}
		return
	}
	// Exact string comparison: no unescaping, no normalising (RFC 9700 §4.1).
	if req.RedirectURI == "" || !slices.Contains(client.RedirectURIs, req.RedirectURI) {
		s.clientErrorPage(w, r, client, http.StatusBadRequest, "error.bad_redirect", errors.New("redirect_uri not registered"))
		return
	}
	p := authParams{ClientID: client.ID, RedirectURI: req.RedirectURI, State: req.State, FAPI: client.isFAPI2()}
	if req.ResponseMode == oidc.ResponseModeFormPost {
		p.ResponseMode = string(oidc.ResponseModeFormPost)
	}
	p.UILocales = localeStrings(req.UILocales)
	if name, limit, ok := oversizedParameter(r.Form); ok {
		if len(p.State) > parameterCap("state") {
			p.State = "" // not echoed: the cap is what keeps it out of responses too
		}
		s.respondError(w, r, p, errParameterTooLong(name, limit))
		return
	}

	if err := s.checkRequestRules(client, src.pushed, src.signed); err != nil {
		s.respondError(w, r, p, err)
		return
	}
	params, required, oerr := s.validateAuthorize(r, req, client, p)
	if oerr != nil {
		s.respondError(w, r, p, oerr)
		return
	}
	options, oerr := s.optionsFor(client, required)
	if oerr != nil {
		s.respondError(w, r, params, oerr)
		return
	}
	st := loginState{Params: params, MinLoA: required.MinLoA, Browser: s.browser.browserBinding(w, r), Countries: personCountriesOf(options, client, required),
		Sign: required.sign}
	for _, o := range options {
		st.Options = append(st.Options, o.Value())
	}
	now := s.now()
	a := &authRequest{id: newID(), state: st}

	// A signature is never answered from the session: the person signs.
	if sso, ok := s.browser.reusableLogin(r, client, &a.state, options, now); ok && a.state.Sign == nil {
		a.state.Identity, a.state.Subject, a.state.AuthTime = &sso.Identity, sso.Subject, sso.AuthTime
		askConsent, err := s.needsConsent(r.Context(), client, &a.state)
		if err != nil {
			s.unavailablePage(w, r, err)
			return
		}
		if askConsent && slices.Contains(params.Prompt, oidc.PromptNone) {
			s.respondError(w, r, params, errConsentRequired().WithDescription("the person has not consented to share their data with this client"))
			return
		}
		a.state.identify(&sso.Identity, sso.Subject, sso.AuthTime, askConsent)
	} else if slices.Contains(params.Prompt, oidc.PromptNone) {
		s.respondError(w, r, params, oidc.ErrLoginRequired().WithDescription("the person is not logged in at this broker for this client"))
		return
	}
	if err := s.createAuthRequest(r, a, now); err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	if a.state.phase() == phaseDone {
		s.finish(w, r, a)
		return
	}
	redirect(w, r, "/login/"+a.id)
}

// optionsFor are the eIDs a request may use: the client's and the request's,
// and of those, for a signature, the ones that can sign what it asks.
func (s *logins) optionsFor(client *Client, required requirement) ([]Option, error) {
	options := selectOptions(s.options, client, required)
	if len(options) == 0 {
		return nil, errUnmetAuthenticationRequirements().
			WithDescription("none of the requested eIDs or levels of assurance is available to this client")
	}
	if required.sign != nil {
		return signOptions(options, required.sign.Content, false)
	}
	return options, nil
}

// validateAuthorize checks what comes after client and redirect_uri. The error is
// an *oidc.Error for the client.
func (s *logins) validateAuthorize(r *http.Request, req *oidc.AuthRequest, client *Client, p authParams) (authParams, requirement, error) {
	var none requirement
	switch {
	case req.RequestParam != "":
		return p, none, oidc.ErrInvalidRequest().WithDescription("request and request_uri cannot be sent together")
	case r.Form.Get("request_uri") != "":
		return p, none, errRequestURINotSupported()
	case req.ResponseType == "":
		return p, none, oidc.ErrInvalidRequest().WithDescription("response_type is missing")
	case req.ResponseType != oidc.ResponseTypeCode:
		return p, none, errUnsupportedResponseType().WithDescription("only response_type=code is supported")
	case req.ResponseMode != "" && req.ResponseMode != oidc.ResponseModeQuery && req.ResponseMode != oidc.ResponseModeFormPost:
		return p, none, oidc.ErrInvalidRequest().WithDescription("response_mode must be query or form_post")
	case !slices.Contains(req.Scopes, scopeOpenID):
		return p, none, oidc.ErrInvalidScope().WithDescription("the openid scope is required")
	}
	if err := checkPKCE(req, client); err != nil {
		return p, none, err
	}
	maxAge, err := op.ValidateAuthReqPrompt(req.Prompt, req.MaxAge)
	if err != nil {
		return p, none, err
	}
	p.Prompt, p.MaxAge = req.Prompt, maxAge
	p.Scopes = append([]string{scopeOpenID}, slices.DeleteFunc(grantedScopes(req.Scopes, client), func(s string) bool { return s == scopeOpenID })...)
	p.Nonce = req.Nonce
	p.CodeChallenge = req.CodeChallenge
	if p.DPoPJKT, err = authorizationDPoPJKT(r.Form.Get("dpop_jkt")); err != nil {
		return p, none, err
	}
	if raw := r.Form.Get("claims"); raw != "" {
		p.Claims = new(requestedClaims)
		if err := json.Unmarshal([]byte(raw), p.Claims); err != nil {
			return p, none, oidc.ErrInvalidRequest().WithDescription("the claims parameter is not valid JSON")
		}
	}
	if hint, ok := strings.CutPrefix(req.LoginHint, "sub:"); ok && nationalIDHint.MatchString(hint) {
		p.LoginHintID = hint
	}
	if hint, ok := strings.CutPrefix(req.LoginHint, "email:"); ok && client.LoginHintEmail {
		addr, err := mail.ParseAddress(hint)
		if err != nil || addr.Address != hint || len(hint) > 254 {
			return p, none, oidc.ErrInvalidRequest().WithDescription("login_hint email: is not an e-mail address")
		}
		p.LoginHintEmail = hint
	}
	if req.IDTokenHint != "" {
		sub, err := op.ValidateAuthReqIDTokenHint(r.Context(), req.IDTokenHint, s.idTokenHintVerifier())
		if err != nil {
			return p, none, err
		}
		p.HintSubject = sub
	}
	required := parseACRValues(append(slices.Clone(req.ACRValues), p.Claims.acrValues()...), s.options)
	required.MinLoA = max(required.MinLoA, client.MinLoA)
	if required.sign, err = s.signRequestOf(r.Form.Get("authorization_details"), req.LoginHint, client); err != nil {
		return p, none, err
	}
	if required.sign != nil && required.sign.Details.CallInitiator != "" {
		// Attested as who phoned whom: only a signature by phone has a call.
		return p, none, errInvalidAuthorizationDetails().WithDescription("call_initiator is for a signature by phone (the backchannel endpoint), not a browser's")
	}
	if required.sign != nil && slices.Contains(p.Prompt, oidc.PromptNone) {
		return p, none, oidc.ErrInteractionRequired().WithDescription("a signature needs the person: prompt=none cannot sign")
	}
	return p, required, nil
}

// checkPKCE allows only S256, requires it of public clients, and refuses a method
// without a challenge (a downgrade attempt).
func checkPKCE(req *oidc.AuthRequest, client *Client) error {
	if req.CodeChallenge == "" {
		if req.CodeChallengeMethod != "" {
			return oidc.ErrInvalidRequest().WithDescription("code_challenge_method without code_challenge")
		}
		if client.AuthMethod == "none" || client.isFAPI2() {
			return oidc.ErrInvalidRequest().WithDescription("PKCE with S256 is required for public and FAPI 2.0 clients")
		}
		return nil
	}
	if req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256; plain is not allowed")
	}
	if !codeChallengePattern.MatchString(req.CodeChallenge) {
		return oidc.ErrInvalidRequest().WithDescription("code_challenge is malformed")
	}
	return nil
}

func (s *logins) createAuthRequest(r *http.Request, a *authRequest, now time.Time) error {
	data, err := s.codec.encode(a.id, &a.state)
	if err != nil {
		return err
	}
	rec := storage.AuthRequest{
		ID: a.id, ClientID: a.state.Params.ClientID, Data: data,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.Login.Lifetime.D()), Version: 1,
	}
	code := ""
	if a.state.phase() == phaseDone {
		code = s.issueCode(&rec, &a.state.Params, now) // single sign-on: answered at once
	}
	if err := s.store.CreateAuthRequest(r.Context(), rec); err != nil {
		return err
	}
	a.rec, a.code = rec, code
	return nil
}

func localeStrings(l oidc.Locales) []string {
	out := make([]string, 0, len(l))
	for _, t := range l {
		out = append(out, t.String())
	}
	return out
}

// meetsLevel reports whether an identity reached the level a request needs.
func meetsLevel(id *connectors.Identity, min connectors.LoA) bool { return id.LoA >= min }
