package provider

import (
	"context"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/internal/httpsec"
	"github.com/portvakt/portvakt/themes"
)

// Handler is the broker's whole HTTP surface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	step := s.metrics.Step
	session := func(name string, h http.HandlerFunc) http.Handler { return step(name, s.sessions.LoadAndSave(h)) }

	mux.Handle("/.well-known/openid-configuration", allowCORS(getOnly(s.discovery)))
	mux.Handle("/authorize", session("authorize", s.authorize))
	mux.HandleFunc("/authorize/callback", s.notFound) // the library's; logins finish at /login/{id}/done
	mux.Handle("/oauth/token", step("token", allowCORS(http.HandlerFunc(s.tokenOrPreflight))))
	mux.Handle("/oauth/introspect", step("introspect", http.HandlerFunc(s.introspect)))
	mux.Handle("/revoke", step("revoke", http.HandlerFunc(s.revoke)))

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
	mux.Handle("/end_session", session("end_session", s.endSession))
	mux.HandleFunc("GET /logged-out", s.loggedOut)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.metricsOnMainListener() {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	// The library serves these; nothing else reaches it.
	mux.Handle("/userinfo", step("userinfo", bearerChallenge(s.op)))
	mux.Handle("/keys", s.op)
	mux.HandleFunc("/", s.notFound)

	return httpsec.Broker(op.NewIssuerInterceptor(s.op.IssuerFromRequest).Handler(limitBodies(s.guardJWTs(s.boundRequests(mux)))))
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

// bearerChallenge answers a refused userinfo request as RFC 6750 §3.1 says: 401
// with WWW-Authenticate, where the library answers 403 for a token it does not
// accept and a bare 401 for one it cannot read. A request without any token gets
// the challenge without an error code.
func bearerChallenge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		challenge := `Bearer error="invalid_token", error_description="the access token is not valid"`
		if r.Header.Get("Authorization") == "" && r.ParseForm() == nil && r.Form.Get("access_token") == "" {
			challenge = "Bearer"
		}
		next.ServeHTTP(&challengeWriter{ResponseWriter: w, challenge: challenge}, r)
	})
}

type challengeWriter struct {
	http.ResponseWriter
	challenge string
	wrote     bool
}

func (c *challengeWriter) WriteHeader(status int) {
	if !c.wrote && (status == http.StatusForbidden || status == http.StatusUnauthorized) {
		c.Header().Set("WWW-Authenticate", c.challenge)
		status = http.StatusUnauthorized
	}
	c.wrote = true
	c.ResponseWriter.WriteHeader(status)
}

func (c *challengeWriter) Write(b []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}

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
