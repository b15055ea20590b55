package provider

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/internal/httpsec"
	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/themes"
)

// tokenPath is the token endpoint; client assertions may name it as their audience.
const tokenPath = "/oauth/token" //nolint:gosec // G101: an endpoint's path, not a credential

// Handler is the broker's whole HTTP surface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	step := s.metrics.Step
	session := func(name string, h http.HandlerFunc) http.Handler {
		return step(name, s.browser.sessions.LoadAndSave(h))
	}

	mux.Handle("/.well-known/openid-configuration", allowCORS(getOnly(s.discovery)))
	mux.Handle("/authorize", session("authorize", s.flow.authorize))
	mux.HandleFunc("/authorize/callback", s.notFound) // the library's; logins finish at /login/{id}/done
	mux.Handle(tokenPath, step("token", allowCORS(http.HandlerFunc(s.tokenOrPreflight))))
	mux.Handle(parPath, step("par", http.HandlerFunc(s.par)))
	mux.Handle("/oauth/introspect", step("introspect", http.HandlerFunc(s.grants.introspect)))
	mux.Handle("/revoke", step("revoke", http.HandlerFunc(s.grants.revoke)))
	mux.Handle(backchannelPath, step("bc_authorize", http.HandlerFunc(s.ciba.authorize)))

	mux.Handle("GET /login/{id}", session("login", s.flow.loginPage))
	mux.Handle("POST /login/{id}", session("login", s.flow.chooseOption))
	mux.Handle("GET /login/{id}/status", session("order_status", s.flow.orderStatusJSON))
	mux.Handle("/login/{id}/cancel", session("cancel", s.flow.cancelLogin))
	mux.Handle("GET /login/{id}/done", session("done", s.flow.finishLogin))
	mux.Handle("POST /login/{id}/consent", session("consent", s.flow.decideConsent))
	mux.Handle("/callback/{connector}", session("callback", s.flow.upstreamCallback))

	mux.HandleFunc("GET /connectors/{id}/jwks", s.connectorJWKS)
	mux.Handle("GET "+evidenceKeysPath, allowCORS(http.HandlerFunc(s.evidenceKeys)))
	mux.Handle("GET /evidence/{id}", step("evidence", http.HandlerFunc(s.evidenceFetch)))
	mux.Handle("POST /evidence/{id}", step("evidence", http.HandlerFunc(s.evidenceFetch)))
	mux.Handle("GET /static/", http.StripPrefix("/static/", s.themes.StaticHandler()))
	mux.HandleFunc("GET /theme/{file}", s.clientCSS)
	mux.Handle("/end_session", session("end_session", s.browser.endSession))
	mux.HandleFunc("GET /logged-out", s.loggedOut)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.metricsOnMainListener() {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mux.Handle("/userinfo", step("userinfo", allowCORS(http.HandlerFunc(s.grants.userinfo))))
	mux.Handle("/keys", allowCORS(http.HandlerFunc(s.jwks)))
	mux.HandleFunc("/", s.notFound)

	return httpsec.Broker(limitBodies(s.guardJWTs(s.boundRequests(mux))))
}

func (s *Server) tokenOrPreflight(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.grants.token(w, r)
}

// readyz answers 200 only when the database answers and may be used: a Galera
// node outside the Primary Component or not Synced makes this broker unready,
// so a load balancer sends its clients to another, and the answer says why.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.logger.Warn("not ready", "error", err)
		answer := map[string]string{"status": "unavailable", "database": "unreachable"}
		var notReady *storage.NotReadyError
		if errors.As(err, &notReady) {
			answer["database"], answer["reason"] = "not ready", notReady.Reason
		}
		writeJSON(w, http.StatusServiceUnavailable, answer)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) loggedOut(w http.ResponseWriter, r *http.Request) {
	page := themes.LoggedOutPage{Page: s.pageFor(w, r, nil, "logout.title")}
	s.render(w, http.StatusOK, "logged_out.html", page)
}

// jwks publishes the broker's signing keys.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) { op.Keys(w, r, s.keys) }

// getOnly answers methods other than GET and HEAD with 405; CORS preflights are
// answered before it.
func getOnly(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h(w, r)
	})
}
