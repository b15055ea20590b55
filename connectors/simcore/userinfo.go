package simcore

import (
	"net/http"

	"github.com/portvakt/portvakt/internal/httpauth"
)

func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	access, ok := httpauth.Credentials(r.Header.Get("Authorization"), "Bearer")
	s.mu.Lock()
	g := s.tokens[access]
	s.mu.Unlock()
	if !ok || g == nil || s.now().After(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeOAuthError(w, http.StatusUnauthorized, &OAuthError{Code: "invalid_token", Description: "unknown or expired access token"})
		return
	}
	claims := map[string]any{}
	for k, v := range g.uiClaims {
		claims[k] = v
	}
	claims["sub"] = g.sub
	rules := s.profile.Rules()
	if !rules.UserinfoJWT && !rules.EncryptTokens {
		writeJSON(w, http.StatusOK, claims)
		return
	}
	claims["iss"] = s.issuer
	claims["aud"] = g.req.ClientID
	raw, err := s.sign(claims)
	if err == nil && rules.EncryptTokens {
		if c := s.client(g.req.ClientID); c != nil {
			raw, err = encryptTo(c, raw)
		}
	}
	if err != nil {
		s.log.Error("simulated userinfo", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, &OAuthError{Code: "server_error", Description: "could not sign userinfo"})
		return
	}
	w.Header().Set("Content-Type", "application/jwt")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(raw))
}
