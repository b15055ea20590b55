package provider

import (
	"context"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/themes"
)

// Handler is the broker's whole HTTP surface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	step := s.metrics.Step
	session := func(name string, h http.HandlerFunc) http.Handler { return step(name, s.sessions.LoadAndSave(h)) }

	mux.Handle("GET /.well-known/openid-configuration", allowCORS(http.HandlerFunc(s.discovery)))
	mux.Handle("/authorize", session("authorize", s.authorize))
	mux.HandleFunc("/authorize/callback", http.NotFound) // the library's; logins finish at /login/{id}/done
	mux.Handle("/oauth/token", step("token", allowCORS(http.HandlerFunc(s.tokenOrPreflight))))

	mux.Handle("GET /login/{id}", session("login", s.loginPage))
	mux.Handle("POST /login/{id}", session("login", s.chooseOption))
	mux.Handle("GET /login/{id}/status", session("order_status", s.orderStatusJSON))
	mux.Handle("/login/{id}/cancel", session("cancel", s.cancelLogin))
	mux.Handle("GET /login/{id}/done", session("done", s.finishLogin))
	mux.Handle("POST /login/{id}/consent", session("consent", s.decideConsent))
	mux.Handle("/callback/{connector}", session("callback", s.upstreamCallback))

	mux.HandleFunc("GET /connectors/{id}/jwks", s.connectorJWKS)
	mux.Handle("GET /static/", http.StripPrefix("/static/", s.themes.StaticHandler()))
	mux.HandleFunc("GET /theme/{file}", s.clientCSS)
	mux.HandleFunc("GET /logged-out", s.loggedOut)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("/end_session", step("end_session", s.sessions.LoadAndSave(s.op)))
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.Handle("/userinfo", step("userinfo", s.op))
	mux.Handle("/device_authorization", http.NotFoundHandler())
	mux.Handle("/", s.op) // userinfo, introspection, revocation, keys

	return securityHeaders(op.NewIssuerInterceptor(s.op.IssuerFromRequest).Handler(s.guardJWTs(mux)))
}

func (s *Server) tokenOrPreflight(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.token(w, r)
}

// readyz answers 200 only when the database answers.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.logger.Warn("not ready", "error", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) loggedOut(w http.ResponseWriter, r *http.Request) {
	page := themes.LoggedOutPage{Page: s.pageFor(w, r, nil, "logout.title")}
	s.render(w, http.StatusOK, "logged_out.html", page)
}
