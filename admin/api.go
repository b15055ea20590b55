package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/console"
	"github.com/portvakt/portvakt/internal/httpauth"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

// APIPrefix is where the admin API lives.
const APIPrefix = "/admin/api/v1"

// TokenVerifier checks an admin API bearer token ((*provider.Server).VerifyAdminToken).
type TokenVerifier func(ctx context.Context, raw string) (Principal, error)

// route is one admin API operation; the table is what the router serves and what
// the OpenAPI test compares the document with.
type route struct {
	method, path string
	handle       func(*API, http.ResponseWriter, *http.Request, Principal)
}

var routes = []route{
	{"GET", "/clients", (*API).listClients},
	{"POST", "/clients", (*API).createClient},
	{"GET", "/clients/{id}", (*API).getClient},
	{"PUT", "/clients/{id}", (*API).updateClient},
	{"DELETE", "/clients/{id}", (*API).deleteClient},
	{"POST", "/clients/{id}/disable", (*API).disableClient},
	{"POST", "/clients/{id}/enable", (*API).enableClient},
	{"POST", "/clients/{id}/secret", (*API).rotateSecret},
	{"GET", "/clients/{id}/consents", (*API).listConsents},
	{"DELETE", "/clients/{id}/consents/{sub}", (*API).withdrawConsent},
	{"GET", "/eids", (*API).listEIDs},
	{"GET", "/audit", (*API).listAudit},
	{"GET", "/audit/export", (*API).exportAudit},
	{"GET", "/audit/verify", (*API).verifyAudit},
	{"POST", "/audit/purge", (*API).purgeAudit},
	{"GET", "/roles", (*API).listRoles},
	{"POST", "/roles/grant", (*API).grantRole},
	{"POST", "/roles/revoke", (*API).revokeRole},
}

// API is the admin JSON API.
type API struct {
	svc    *Service
	verify TokenVerifier
	// clientIP finds the caller's address behind trusted proxies; the peer when nil.
	clientIP func(*http.Request) string
	// signIn, when set, lets a person signed in to the admin page call the API
	// with the page's session cookie and CSRF token.
	signIn *console.SignIn
}

// SetSignIn lets the admin page's signed-in persons use the API.
func (a *API) SetSignIn(s *console.SignIn) { a.signIn = s }

// NewAPI returns the API over the service, authenticating with verify.
// clientIP is the login path's own reading of the caller's address behind
// trusted proxies ((*provider.Server).ClientIP), so the audit trail names the
// admin, not the proxy; nil means the peer address.
func NewAPI(svc *Service, verify TokenVerifier, clientIP func(*http.Request) string) *API {
	return &API{svc: svc, verify: verify, clientIP: clientIP}
}

// Handler serves the API under APIPrefix. Every route needs a valid admin
// token; only the OpenAPI document is public.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+APIPrefix+"/openapi.yaml", serveOpenAPI)
	for _, rt := range routes {
		handle := rt.handle
		mux.HandleFunc(rt.method+" "+APIPrefix+rt.path, func(w http.ResponseWriter, r *http.Request) {
			p, ok := a.authenticate(w, r)
			if ok {
				handle(a, w, r, p)
			}
		})
	}
	mux.HandleFunc(APIPrefix+"/", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := a.authenticate(w, r); ok {
			writeError(w, http.StatusNotFound, "not_found", "no such admin API operation")
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, provider.MaxAdminBody)
		}
		mux.ServeHTTP(w, r)
	})
}

func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (Principal, bool) {
	if r.Header.Get("Authorization") == "" && a.signIn != nil {
		if p, ok := a.person(w, r); ok || p.Actor != "" {
			return p, ok
		}
	}
	raw, ok := httpauth.Credentials(r.Header.Get("Authorization"), "Bearer")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="portvakt-admin", error="invalid_token", error_description="an admin access token is required"`)
		writeError(w, http.StatusUnauthorized, "invalid_token", "an admin access token is required")
		return Principal{}, false
	}
	ap, err := a.verify(r.Context(), raw)
	if err != nil {
		if !errors.Is(err, provider.ErrInvalidAdminToken) {
			writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the token could not be checked; try again")
			return Principal{}, false
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="portvakt-admin", error="invalid_token", error_description="the access token is invalid or expired"`)
		writeError(w, http.StatusUnauthorized, "invalid_token", "the access token is invalid or expired")
		return Principal{}, false
	}
	ap.IP = a.peer(r)
	return ap, true
}

func (a *API) peer(r *http.Request) string {
	if a.clientIP != nil {
		return a.clientIP(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type errorBody struct {
	Error       string   `json:"error"`
	Description string   `json:"error_description,omitempty"`
	Problems    []string `json:"problems,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, errorBody{Error: code, Description: description})
}

// fail maps a service error to a status; unexpected errors say nothing of their cause.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var invalid *InvalidError
	switch {
	case errors.As(err, &invalid):
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "invalid_client_metadata", Description: invalid.Error(), Problems: invalid.Problems})
	case errors.Is(err, ErrForbidden):
		writeError(w, http.StatusForbidden, "insufficient_scope", "this operation needs the admin role")
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such client")
	case errors.Is(err, ErrReadOnly):
		writeError(w, http.StatusConflict, "read_only", ErrReadOnly.Error())
	case errors.Is(err, ErrExists):
		writeError(w, http.StatusConflict, "already_exists", ErrExists.Error())
	case errors.Is(err, ErrNoSecret):
		writeError(w, http.StatusConflict, "no_secret", ErrNoSecret.Error())
	case errors.Is(err, ErrUnknownRole), errors.Is(err, ErrNoPerson):
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
	case errors.Is(err, ErrNoRetention):
		writeError(w, http.StatusConflict, "no_retention", ErrNoRetention.Error())
	default:
		a.svc.o.Logger.ErrorContext(r.Context(), "admin API", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "server_error", "the operation failed; see the broker's log")
	}
}

func decodeClient(w http.ResponseWriter, r *http.Request) (ClientSettings, bool) {
	var in ClientSettings
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&in); err != nil {
		if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
			writeError(w, http.StatusRequestEntityTooLarge, "request_too_large", "the body is larger than "+strconv.FormatInt(mb.Limit, 10)+" bytes")
			return in, false
		}
		writeError(w, http.StatusBadRequest, "invalid_request", "the body must be a client document in JSON: "+err.Error())
		return in, false
	}
	return in, true
}

func (a *API) listClients(w http.ResponseWriter, r *http.Request, p Principal) {
	clients, err := a.svc.ListClients(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": clients})
}

func (a *API) getClient(w http.ResponseWriter, r *http.Request, p Principal) {
	c, err := a.svc.GetClient(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// withSecret is a client with its new secret: the only response that holds it.
type withSecret struct {
	Client
	ClientSecret string `json:"client_secret,omitempty"`
}

func (a *API) createClient(w http.ResponseWriter, r *http.Request, p Principal) {
	in, ok := decodeClient(w, r)
	if !ok {
		return
	}
	c, secret, err := a.svc.CreateClient(r.Context(), p, in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", APIPrefix+"/clients/"+c.ID)
	writeJSON(w, http.StatusCreated, withSecret{Client: c, ClientSecret: secret})
}

func (a *API) updateClient(w http.ResponseWriter, r *http.Request, p Principal) {
	in, ok := decodeClient(w, r)
	if !ok {
		return
	}
	if in.ID != "" && in.ID != r.PathValue("id") {
		writeError(w, http.StatusBadRequest, "invalid_request", "the id in the body differs from the id in the path")
		return
	}
	c, err := a.svc.UpdateClient(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) deleteClient(w http.ResponseWriter, r *http.Request, p Principal) {
	if err := a.svc.DeleteClient(r.Context(), p, r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) disableClient(w http.ResponseWriter, r *http.Request, p Principal) {
	a.setDisabled(w, r, p, true)
}

func (a *API) enableClient(w http.ResponseWriter, r *http.Request, p Principal) {
	a.setDisabled(w, r, p, false)
}

func (a *API) setDisabled(w http.ResponseWriter, r *http.Request, p Principal, disabled bool) {
	c, err := a.svc.SetDisabled(r.Context(), p, r.PathValue("id"), disabled)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) rotateSecret(w http.ResponseWriter, r *http.Request, p Principal) {
	secret, err := a.svc.RotateSecret(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"client_id": r.PathValue("id"), "client_secret": secret})
}

func (a *API) listConsents(w http.ResponseWriter, r *http.Request, p Principal) {
	c, err := a.svc.ListConsents(r.Context(), p, r.PathValue("id"), r.URL.Query().Get("sub"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) withdrawConsent(w http.ResponseWriter, r *http.Request, p Principal) {
	had, err := a.svc.WithdrawConsent(r.Context(), p, r.PathValue("id"), r.PathValue("sub"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"withdrawn": had})
}

func (a *API) listEIDs(w http.ResponseWriter, _ *http.Request, _ Principal) {
	writeJSON(w, http.StatusOK, map[string]any{"eids": a.svc.EIDs(), "countries": connectors.Countries()})
}

// auditQuery reads the filters of the audit routes.
func auditQuery(r *http.Request) (audit.Query, error) {
	v := r.URL.Query()
	q := audit.Query{ClientID: v.Get("client_id"), NationalID: v.Get("national_id"), Subject: v.Get("sub"),
		Agent: v.Get("agent"), AgentNationalID: v.Get("agent_national_id")}
	var err error
	parseTime := func(name string) time.Time {
		s := v.Get(name)
		if s == "" || err != nil {
			return time.Time{}
		}
		t, e := time.Parse(time.RFC3339, s)
		if e != nil {
			err = errors.New(name + " must be an RFC 3339 time")
		}
		return t
	}
	parseInt := func(name string) int64 {
		s := v.Get(name)
		if s == "" || err != nil {
			return 0
		}
		n, e := strconv.ParseInt(s, 10, 64)
		if e != nil || n < 0 {
			err = errors.New(name + " must be a non-negative integer")
		}
		return n
	}
	q.From, q.To = parseTime("from"), parseTime("to")
	q.Limit = int(parseInt("limit"))
	if err == nil {
		if q.After, err = audit.ParseCursor(v.Get("after")); err != nil {
			err = errors.New("after must be a next_after value from an earlier page")
		}
	}
	return q, err
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request, p Principal) {
	q, err := auditQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if q.Limit == 0 || q.Limit > 500 {
		q.Limit = 100
	}
	entries, err := a.svc.ListAudit(r.Context(), p, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	body := map[string]any{"records": entries}
	if len(entries) == q.Limit {
		body["next_after"] = audit.CursorAfter(entries[len(entries)-1]).String()
	}
	writeJSON(w, http.StatusOK, body)
}

func (a *API) exportAudit(w http.ResponseWriter, r *http.Request, p Principal) {
	q, err := auditQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if err := a.svc.authorize(r.Context(), p, false, "audit.export", q.ClientID); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="portvakt-audit.jsonl"`)
	w.Header().Set("Cache-Control", "no-store")
	if _, err := a.svc.ExportAudit(r.Context(), p, w, q); err != nil {
		// The status is sent; a cut-off export is all that can be signalled.
		a.svc.o.Logger.ErrorContext(r.Context(), "audit export", "error", err)
		_, _ = io.WriteString(w, `{"error":"server_error","error_description":"export interrupted"}`+"\n")
	}
}

func (a *API) verifyAudit(w http.ResponseWriter, r *http.Request, p Principal) {
	rep, err := a.svc.VerifyAudit(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (a *API) purgeAudit(w http.ResponseWriter, r *http.Request, p Principal) {
	n, err := a.svc.PurgeAudit(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"deleted": n})
}

func (a *API) listRoles(w http.ResponseWriter, r *http.Request, p Principal) {
	roles, err := a.svc.ListRoles(r.Context(), p, r.URL.Query().Get("role"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if roles == nil {
		roles = []storage.PersonRole{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"roles": roles})
}

// roleChange is a grant or revocation's body: the national id travels in the
// body, never in a URL that logs keep.
type roleChange struct {
	Role string `json:"role"`
	Person
}

func decodeRoleChange(w http.ResponseWriter, r *http.Request) (roleChange, bool) {
	var in roleChange
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "the body must be {\"role\": ..., \"national_id\": ...} in JSON")
		return in, false
	}
	return in, true
}

func (a *API) grantRole(w http.ResponseWriter, r *http.Request, p Principal) {
	in, ok := decodeRoleChange(w, r)
	if !ok {
		return
	}
	grant, err := a.svc.GrantRole(r.Context(), p, in.Role, in.Person)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, grant)
}

func (a *API) revokeRole(w http.ResponseWriter, r *http.Request, p Principal) {
	in, ok := decodeRoleChange(w, r)
	if !ok {
		return
	}
	had, err := a.svc.RevokeRole(r.Context(), p, in.Role, in.Person)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"revoked": had})
}
