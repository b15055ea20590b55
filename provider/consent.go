package provider

import (
	"context"
	"errors"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/themes"
)

// consentClaims are the claims about the person a client would receive, in the
// order the consent page lists them.
func consentClaims(id *connectors.Identity, scopes []string, client *Client, asked *requestedClaims) []string {
	released := identityClaims(id, scopes, client, asked)
	var out []string
	for _, name := range []string{"name", "birthdate", "national_id", "country", "evidence"} {
		if _, ok := released[name]; ok {
			out = append(out, name)
		}
	}
	return out
}

// needsConsent reports whether the person must be asked before the client gets
// their data: the client asks for consent and no remembered consent covers it.
func (s *logins) needsConsent(ctx context.Context, client *Client, st *loginState) (bool, error) {
	if !client.Consent || s.consents == nil || st.Identity == nil {
		return false, nil
	}
	remembered, err := s.consents.Remembered(ctx, client.ID, st.Subject, consentClaims(st.Identity, st.Params.Scopes, client, st.Params.Claims), client.createdAt)
	return !remembered, err
}

// consentPage shows which client asks for which data and why.
func (s *logins) consentPage(w http.ResponseWriter, r *http.Request, a *authRequest) {
	client, err := s.clients.Get(r.Context(), a.state.Params.ClientID)
	if err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	base := s.pageFor(w, r, a.state.Params.UILocales, "consent.title")
	page := themes.ConsentPage{Page: base, ClientName: client.DisplayName(), Purpose: client.Purpose,
		Action: "/login/" + a.id + "/consent", Remember: true}
	page.Theme = s.clientTheme(client)
	page.CSRFToken = s.browser.csrfToken(a)
	released := identityClaims(a.state.Identity, a.state.Params.Scopes, client, a.state.Params.Claims)
	for _, name := range consentClaims(a.state.Identity, a.state.Params.Scopes, client, a.state.Params.Claims) {
		value, _ := released[name].(string)
		switch name {
		case "national_id":
			value = nationalid.Mask(value)
		case "evidence":
			value = ""
		}
		page.Claims = append(page.Claims, themes.ConsentClaim{Name: base.T("consent.claim." + name), Value: value})
	}
	s.render(w, http.StatusOK, "consent.html", page)
}

// decideConsent records the person's answer and answers the client.
func (s *logins) decideConsent(w http.ResponseWriter, r *http.Request) {
	a := s.loginFromRequest(w, r, r.PathValue("id"))
	if a == nil {
		return
	}
	if !s.browser.validCSRF(r, a) || a.state.phase() != phaseConsent {
		s.loginErrorPage(w, r, a, http.StatusForbidden, "error.session", errors.New("consent posted out of turn"))
		return
	}
	ctx := r.Context()
	client, err := s.clients.Get(ctx, a.state.Params.ClientID)
	if err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	granted := r.PostFormValue("consent") == "allow"
	decision := ConsentDecision{
		Time: s.now(), ClientID: client.ID, Subject: a.state.Subject, Granted: granted,
		Remember: granted && r.PostFormValue("remember") != "",
		Claims:   consentClaims(a.state.Identity, a.state.Params.Scopes, client, a.state.Params.Claims),
	}
	if err := s.consents.Record(ctx, decision); err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	updated, err := s.updateLogin(ctx, a, func(st *loginState) error {
		if st.phase() != phaseConsent {
			return errLoginMovedOn
		}
		if granted {
			st.consented()
		} else {
			st.end(&failure{Code: string(oidc.AccessDenied), Description: "the person declined to share their data"})
		}
		return nil
	})
	if err != nil {
		s.stepFailed(w, r, a, err)
		return
	}
	if granted {
		if err := s.loginSucceeded(ctx, client, updated, s.clientIP(r)); err != nil {
			s.stepFailed(w, r, a, err)
			return
		}
	}
	s.finish(w, r, updated)
}

// audit hands an event to the recorder; the login goes on if that fails.
func (s *logins) audit(ctx context.Context, e LoginEvent) {
	if s.auditor == nil {
		return
	}
	if err := s.auditor.RecordLogin(ctx, e); err != nil {
		s.logger.ErrorContext(ctx, "audit record not written", "client_id", e.ClientID, "outcome", e.Outcome, "error", err)
	}
}

// auditFailure records a login that ended in an error for the client.
func (s *logins) auditFailure(r *http.Request, a *authRequest) {
	outcome := OutcomeError
	if a.state.Failure.Code == string(oidc.AccessDenied) {
		outcome = OutcomeCancel
	}
	e := LoginEvent{Time: s.now(), ClientID: a.state.Params.ClientID, AuthRequestID: a.id, Outcome: outcome,
		Error: a.state.Failure.Code, ClientIP: s.clientIP(r)}
	if o, ok := s.chosen(a); ok {
		e.Connector = o.Info.ID
	}
	if id := a.state.Identity; id != nil {
		e.LoA, e.Country, e.NationalID, e.Subject = id.LoA, id.Country, id.NationalID, a.state.Subject
	}
	s.metrics.LoginFinished(e.Connector, e.ClientID, outcome)
	s.audit(r.Context(), e)
}
