package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/themes"
)

// loadAuthRequest reads and opens a login's state.
func (s *logins) loadAuthRequest(ctx context.Context, id string) (*authRequest, error) {
	rec, err := s.store.GetAuthRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.decoded.load(s.codec, rec)
}

// updateLogin changes a login's state with compare-and-swap; change may run again
// if another request or process changed the login in between.
func (s *logins) updateLogin(ctx context.Context, a *authRequest, change func(*loginState) error) (*authRequest, error) {
	return s.updateRecord(ctx, a, func(st *loginState, _ *storage.AuthRequest) error { return change(st) })
}

// updateRecord is updateLogin for changes that also touch the stored record (the
// code). It starts from the version a was read at, so an unchanged login costs
// one write and no read; a stale one is read again and change runs again. Every
// write is checked against the transition table (moveLogin).
func (s *logins) updateRecord(ctx context.Context, a *authRequest, change func(*loginState, *storage.AuthRequest) error) (*authRequest, error) {
	apply := func(rec storage.AuthRequest) (*authRequest, storage.AuthRequest, error) {
		next, err := s.codec.decode(rec)
		if err != nil {
			return nil, rec, err
		}
		if err := moveLogin(&next.state, func(st *loginState) error { return change(st, &rec) }); err != nil {
			return nil, rec, err
		}
		rec.OpenOrder = next.state.Order != nil
		if rec.Data, err = s.codec.encode(rec.ID, &next.state); err != nil {
			return nil, rec, err
		}
		return next, rec, nil
	}
	if a.rec.Version > 0 {
		next, rec, err := apply(a.rec)
		if err != nil {
			return nil, err
		}
		stored, err := s.store.ReplaceAuthRequest(ctx, rec)
		if err == nil {
			next.rec = stored
			return next, nil
		}
		if !errors.Is(err, storage.ErrConflict) {
			return nil, err
		}
	}
	var next *authRequest
	stored, err := s.store.UpdateAuthRequest(ctx, a.id, func(current storage.AuthRequest) (storage.AuthRequest, error) {
		n, rec, err := apply(current)
		next = n
		return rec, err
	})
	if err != nil {
		return nil, err
	}
	next.rec = stored
	return next, nil
}

// advanceLogin is updateRecord for the steps an eID drives: starting an option,
// the eID's answer, its failure. It holds the rule that a login which reached its
// outcome stays there: the check runs on the state the write replaces, so a late
// or replayed request, or one racing with the person's cancel, cannot revive it.
func (s *logins) advanceLogin(ctx context.Context, a *authRequest, change func(*loginState, *storage.AuthRequest) error) (*authRequest, error) {
	return s.updateRecord(ctx, a, func(st *loginState, rec *storage.AuthRequest) error {
		if !st.phase().runsEID() {
			return errLoginMovedOn
		}
		return change(st, rec)
	})
}

// currentIfMovedOn is the login as it is now when a step was refused as late, so
// the caller shows the login's outcome rather than an error.
func (s *logins) currentIfMovedOn(ctx context.Context, id string, updated *authRequest, err error) (*authRequest, error) {
	if errors.Is(err, errLoginMovedOn) {
		return s.loadAuthRequest(ctx, id)
	}
	return updated, err
}

// stepFailed answers a step whose write failed: a late step gets the session
// error page, a database failure the unavailable page.
func (s *logins) stepFailed(w http.ResponseWriter, r *http.Request, a *authRequest, err error) {
	if errors.Is(err, errLoginMovedOn) {
		s.loginErrorPage(w, r, a, http.StatusBadRequest, "error.session", err)
		return
	}
	s.unavailablePage(w, r, err)
}

// loginFromRequest loads the login named in the path and checks it belongs to this
// browser. It writes the error page itself and returns nil on failure.
func (s *logins) loginFromRequest(w http.ResponseWriter, r *http.Request, id string) *authRequest {
	a, err := s.loadAuthRequest(r.Context(), id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.errorPage(w, r, http.StatusBadRequest, "error.session", err)
		return nil
	case err != nil:
		s.unavailablePage(w, r, err)
		return nil
	case !s.browser.sameBrowser(r, a):
		s.loginErrorPage(w, r, a, http.StatusForbidden, "error.session", errors.New("login continued in another browser"))
		return nil
	}
	return a
}

// loginPage shows the eIDs to choose from, the running order, or moves on.
func (s *logins) loginPage(w http.ResponseWriter, r *http.Request) {
	a := s.loginFromRequest(w, r, r.PathValue("id"))
	if a == nil {
		return
	}
	p := a.state.phase()
	switch {
	case p.terminal():
		s.finish(w, r, a)
		return
	case p == phaseConsent:
		s.consentPage(w, r, a)
		return
	case a.state.Order != nil:
		s.orderPage(w, r, a)
		return
	}
	options := s.optionsOf(a)
	// A signature always shows what is signed first: never straight to the eID.
	if len(options) == 1 && p != phaseRetry && a.state.Sign == nil {
		s.startOption(w, r, a, options[0])
		return
	}
	s.choosePage(w, r, a, options)
}

// chooseOption starts the eID the person picked.
func (s *logins) chooseOption(w http.ResponseWriter, r *http.Request) {
	a := s.loginFromRequest(w, r, r.PathValue("id"))
	if a == nil {
		return
	}
	if !s.browser.validCSRF(r, a) {
		s.loginErrorPage(w, r, a, http.StatusForbidden, "error.session", errors.New("bad csrf token"))
		return
	}
	value := r.PostFormValue("option")
	for _, o := range s.optionsOf(a) {
		if o.Value() == value {
			s.startOption(w, r, a, o)
			return
		}
	}
	s.loginErrorPage(w, r, a, http.StatusBadRequest, "error.invalid_request", errors.New("unknown option "+value))
}

// optionsOf resolves the option values stored with a login.
func (s *logins) optionsOf(a *authRequest) []Option {
	var out []Option
	for _, o := range s.options {
		if slices.Contains(a.state.Options, o.Value()) {
			out = append(out, o)
		}
	}
	return out
}

func (s *logins) choosePage(w http.ResponseWriter, r *http.Request, a *authRequest, options []Option) {
	client, err := s.clients.Get(r.Context(), a.state.Params.ClientID)
	if err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	title := "login.title"
	if a.state.Sign != nil {
		title = "login.sign_title"
	}
	base := s.pageFor(w, r, a.state.Params.UILocales, title)
	page := themes.LoginPage{Page: base, Action: "/login/" + a.id, CancelURL: "/login/" + a.id + "/cancel", Sign: signPreview(a.state.Sign)}
	page.Theme = s.clientTheme(client)
	page.CSRFToken = s.browser.csrfToken(a)
	if a.state.Message != "" {
		page.Error = s.message(base.Lang, a.state.Option, a.state.Message)
	}
	page.Groups = chooserGroups(base.T, base.Lang, r, a.state.Params.UILocales, &a.state, options)
	s.render(w, http.StatusOK, "login.html", page)
}

// startOption runs the chosen connector: a redirect to the upstream, or an order.
func (s *logins) startOption(w http.ResponseWriter, r *http.Request, a *authRequest, o Option) {
	ctx := r.Context()
	if !a.state.phase().runsEID() {
		s.stepFailed(w, r, a, errLoginMovedOn)
		return
	}
	client, err := s.clients.Get(ctx, a.state.Params.ClientID)
	if err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	req := connectors.Request{
		ID: a.id, Method: o.Method.ID, MinLoA: a.state.MinLoA, NationalID: a.state.Params.LoginHintID, Countries: a.state.Countries[o.Value()],
		Email: a.state.Params.LoginHintEmail, Push: client.LoginHintPush || a.state.Params.LoginHintEmail != "",
		UILocale: s.lang(nil, r, a.state.Params.UILocales), EndUserIP: s.clientIP(r), UserAgent: r.UserAgent(),
		CallbackURL: s.issuer + "/callback/" + o.Info.ID, ReturnURL: s.issuer + "/login/" + a.id,
		ClientName: client.DisplayName(), ForceLogin: slices.Contains(a.state.Params.Prompt, oidc.PromptLogin),
	}
	s.metrics.LoginStarted(o.Info.ID, client.ID)
	// The order this choice replaces goes first: BankID refuses a new order for a
	// person who has one in progress.
	s.cancelOrder(ctx, a.state.Option, a.state.Order)
	switch c := o.Connector.(type) {
	case connectors.RedirectConnector:
		if a.state.Sign != nil {
			// The options were narrowed to signers; a redirect eID cannot sign.
			s.connectorFailed(w, r, a, o, fmt.Errorf("%s cannot sign", o.Info.ID))
			return
		}
		to, upstream, err := c.Begin(ctx, req)
		if err != nil {
			s.connectorFailed(w, r, a, o, err)
			return
		}
		if err := s.startAttempt(ctx, a, o, upstream, nil); err != nil {
			s.stepFailed(w, r, a, err)
			return
		}
		redirect(w, r, to)
	case connectors.OrderConnector:
		if err := s.limitOrders(ctx, req.EndUserIP, a.state.Browser); err != nil {
			s.connectorFailed(w, r, a, o, err)
			return
		}
		start := c.Start
		if a.state.Sign != nil {
			signer, ok := c.(connectors.Signer)
			if !ok {
				s.connectorFailed(w, r, a, o, fmt.Errorf("%s cannot sign", o.Info.ID))
				return
			}
			start = func(ctx context.Context, req connectors.Request) (*connectors.Order, error) {
				return signer.StartSign(ctx, connectors.SignRequest{Request: req, SignContent: a.state.Sign.Content})
			}
		}
		order, err := start(ctx, req)
		if err != nil {
			s.connectorFailed(w, r, a, o, err)
			return
		}
		if err := s.startAttempt(ctx, a, o, nil, order); err != nil {
			s.cancelOrder(ctx, o.Value(), order)
			s.stepFailed(w, r, a, err)
			return
		}
		redirect(w, r, "/login/"+a.id)
	default:
		s.errorPage(w, r, http.StatusInternalServerError, "error.generic", errors.New("connector has no known capability"))
	}
}

// startAttempt makes the eID attempt just started upstream the login's current
// one. An order it replaces that the caller did not cancel already (another
// request started it in between) is cancelled once the write is stored.
func (s *logins) startAttempt(ctx context.Context, a *authRequest, o Option, upstream []byte, order *connectors.Order) error {
	var replacedOption string
	var replaced *connectors.Order
	_, err := s.advanceLogin(ctx, a, func(st *loginState, _ *storage.AuthRequest) error {
		replacedOption, replaced = "", nil
		if st.Order != nil && (a.state.Order == nil || st.Order.Ref != a.state.Order.Ref) {
			replacedOption, replaced = st.Option, st.Order
		}
		st.attempt(o.Value(), upstream, order)
		return nil
	})
	if err == nil {
		s.cancelOrder(ctx, replacedOption, replaced)
	}
	return err
}

// upstreamCallback is where redirect connectors' upstreams send the browser back.
func (s *logins) upstreamCallback(w http.ResponseWriter, r *http.Request) {
	a := s.loginFromRequest(w, r, r.FormValue("state"))
	if a == nil {
		return
	}
	o, ok := s.chosen(a)
	rc, isRedirect := o.Connector.(connectors.RedirectConnector)
	if !ok || !isRedirect || o.Info.ID != r.PathValue("connector") || !a.state.phase().runsEID() {
		s.loginErrorPage(w, r, a, http.StatusBadRequest, "error.session", errors.New("callback does not match the login"))
		return
	}
	id, err := rc.Finish(r.Context(), a.state.UpstreamState, r)
	if err != nil {
		s.connectorFailed(w, r, a, o, err)
		return
	}
	s.completeLogin(w, r, a, o, id)
}

// chosen is the option the login is running.
func (s *logins) chosen(a *authRequest) (Option, bool) { return s.optionNamed(a.state.Option) }

// optionNamed finds an option by its value.
func (s *logins) optionNamed(value string) (Option, bool) {
	for _, o := range s.options {
		if o.Value() == value {
			return o, true
		}
	}
	return Option{}, false
}

// completeLogin records the identity and answers the relying party.
func (s *logins) completeLogin(w http.ResponseWriter, r *http.Request, a *authRequest, o Option, id connectors.Identity) {
	updated, err := s.recordLogin(r.Context(), a, o, id, s.clientIP(r), true)
	if err != nil {
		s.stepFailed(w, r, a, err)
		return
	}
	s.finish(w, r, updated)
}

// recordLogin checks the identity against the request, derives the subject and
// stores the finished login (or the reason it cannot finish). answerNow: the
// caller sends the browser back to the client at once, so the same write issues
// the code.
func (s *logins) recordLogin(ctx context.Context, a *authRequest, o Option, id connectors.Identity, ip string, answerNow bool) (*authRequest, error) {
	client, err := s.clients.Get(ctx, a.state.Params.ClientID)
	if err != nil {
		return nil, err
	}
	id.Connector = o.Info.ID
	if id.Country == "" && len(o.Info.Countries) == 1 {
		id.Country = o.Info.Countries[0]
	}
	if id.Method == "" {
		id.Method = o.Method.URN
	}
	if !meetsLevel(&id, a.state.MinLoA) {
		return s.recordFailure(ctx, a, o, connectors.ErrLoANotSupported)
	}
	if !a.state.acceptsCountry(o.Value(), id.Country) {
		return s.recordFailure(ctx, a, o, fmt.Errorf("%w: %s", connectors.ErrCountryNotAccepted, id.Country))
	}
	if id.PersonKey() == "" {
		return s.recordFailure(ctx, a, o, fmt.Errorf("%w: no identifier for the person", connectors.ErrInvalidResponse))
	}
	subject := subjectFor(s.subjectSecret, client, &id)
	var evidenceID string
	if a.state.Sign != nil {
		if err := signedWhatWasAsked(id.Signature, a.state.Sign.Content); err != nil {
			return s.recordFailure(ctx, a, o, err)
		}
		if a.state.Params.HintSubject != "" && a.state.Params.HintSubject != subject {
			// Checked in the write below too; no evidence for the wrong person.
			return s.recordFailure(ctx, a, o, fmt.Errorf("%w: not the person in id_token_hint", connectors.ErrInvalidResponse))
		}
		if evidenceID, err = s.issueEvidence(ctx, a, subject, id); err != nil {
			s.logger.ErrorContext(ctx, "signature ended: its evidence was not stored", "client_id", client.ID, "error", err)
			return s.endLogin(ctx, a, &failure{Code: string(errTemporarilyUnavailable().ErrorType), Description: "the signature could not be recorded; try again"})
		}
	}
	trimForState(&id, client, a.state.Params.Scopes)
	now := s.now().Truncate(time.Second)
	probe := a.state
	probe.Identity, probe.Subject = &id, subject
	askConsent, err := s.needsConsent(ctx, client, &probe)
	if err != nil {
		return nil, err
	}
	var code string
	updated, err := s.advanceLogin(ctx, a, func(st *loginState, rec *storage.AuthRequest) error {
		code = ""
		if !st.sameAttempt(&a.state) {
			return errLoginMovedOn
		}
		if st.Params.HintSubject != "" && st.Params.HintSubject != subject {
			st.fail(&failure{Code: string(oidc.LoginRequired), Description: "the person who logged in is not the one in id_token_hint"}, "")
			return nil
		}
		st.identify(&id, subject, now, askConsent)
		if st.Sign != nil {
			st.Sign.EvidenceID = evidenceID
		}
		if st.Done && answerNow && len(rec.CodeHash) == 0 {
			code = s.issueCode(rec, &st.Params, now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	updated.code = code
	if updated.state.Done {
		if err := s.loginSucceeded(ctx, client, updated, ip); err != nil {
			return nil, err
		}
	}
	return updated, nil
}

// finish answers the relying party: a code, or the login's error.
func (s *logins) finish(w http.ResponseWriter, r *http.Request, a *authRequest) {
	p := a.state.phase()
	switch {
	case p == phaseDone && a.code != "":
		s.sendToClient(w, r, a.state.Params, url.Values{"code": {a.code}})
	case p == phaseDone && a.codeIssued():
		// Answered once already (a reload, the back button): a second code would
		// look like a reused one when redeemed and revoke the person's tokens.
		s.loginErrorPage(w, r, a, http.StatusBadRequest, "error.session", errors.New("login already answered"))
	case p == phaseDone:
		s.respondSuccess(w, r, a)
	case p == phaseFailed:
		s.auditFailure(r, a)
		s.respondError(w, r, a.state.Params, a.state.Failure.oidcError())
	default:
		// Not finished, or failed with a message for the person: the login page
		// shows it with the choice to try again.
		redirect(w, r, "/login/"+a.id)
	}
}

// finishLogin is the GET target the order page goes to when the order is over.
func (s *logins) finishLogin(w http.ResponseWriter, r *http.Request) {
	a := s.loginFromRequest(w, r, r.PathValue("id"))
	if a == nil {
		return
	}
	s.finish(w, r, a)
}

// cancelLogin ends the login at the person's request: any order is cancelled
// upstream and the relying party gets access_denied.
func (s *logins) cancelLogin(w http.ResponseWriter, r *http.Request) {
	a := s.loginFromRequest(w, r, r.PathValue("id"))
	if a == nil {
		return
	}
	if r.Method == http.MethodPost && !s.browser.validCSRF(r, a) {
		s.loginErrorPage(w, r, a, http.StatusForbidden, "error.session", errors.New("bad csrf token"))
		return
	}
	if a.state.phase() == phaseDone {
		s.finish(w, r, a)
		return
	}
	ctx := r.Context()
	var droppedOption string
	var dropped *connectors.Order
	updated, err := s.updateLogin(ctx, a, func(st *loginState) error {
		droppedOption, dropped = st.Option, st.Order
		st.end(&failure{Code: string(oidc.AccessDenied), Description: "the person cancelled the login"})
		return nil
	})
	if updated, err = s.currentIfMovedOn(ctx, a.id, updated, err); err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	s.cancelOrder(ctx, droppedOption, dropped)
	s.finish(w, r, updated)
}

// connectorFailed records why the eID failed and shows it: the person gets the
// message with the choice to try again or go back (the relying party then gets the
// matching OIDC error); a level the eID cannot reach goes straight back.
func (s *logins) connectorFailed(w http.ResponseWriter, r *http.Request, a *authRequest, o Option, err error) {
	updated, uerr := s.recordFailure(r.Context(), a, o, err)
	if uerr != nil {
		s.stepFailed(w, r, a, uerr)
		return
	}
	s.finish(w, r, updated)
}

// endLogin ends a login that runs an eID with an error for the client, with
// no retry: the person's attempt succeeded upstream but cannot be used.
func (s *logins) endLogin(ctx context.Context, a *authRequest, f *failure) (*authRequest, error) {
	return s.advanceLogin(ctx, a, func(st *loginState, _ *storage.AuthRequest) error {
		if !st.sameAttempt(&a.state) {
			return errLoginMovedOn
		}
		st.fail(f, "")
		return nil
	})
}

func (s *logins) recordFailure(ctx context.Context, a *authRequest, o Option, err error) (*authRequest, error) {
	f, message := failureFor(err)
	s.logger.WarnContext(ctx, "eID login failed", "connector", o.Info.ID, "error", err, "client_id", a.state.Params.ClientID)
	if ue := (*connectors.UserError)(nil); errors.As(err, &ue) && ue.Message != "" {
		message = ue.Message
	}
	return s.advanceLogin(ctx, a, func(st *loginState, _ *storage.AuthRequest) error {
		st.Option = o.Value()
		st.fail(f, message)
		return nil
	})
}

// message resolves a message id: the connector's own texts (BankID's RFA), then the
// broker's.
func (s *logins) message(lang, option, id string) string {
	for _, o := range s.options {
		if o.Value() == option {
			if m, ok := o.Connector.(connectors.Messages); ok {
				if text := m.Message(lang, id); text != "" {
					return text
				}
			}
			t := s.themes.Translator(lang)
			return t(id, "EID", themes.EIDName(t, lang, o.Info))
		}
	}
	return s.themes.Translator(lang)(id)
}
