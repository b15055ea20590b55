package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// userinfo answers with the claims stored with a login's access token. Only a
// token from an OpenID login opens it (OIDC Core §5.3): a client_credentials
// token names no person, and answering it would hand its holder a document
// that looks like a login. Every refusal is 401 with the RFC 6750 §3.1
// challenge; a request without any token gets the challenge without an error
// code.
func (s *grants) userinfo(w http.ResponseWriter, r *http.Request) {
	raw, sent := userinfoToken(r)
	tokenID, ok := s.accessTokenID(r.Context(), raw)
	if !ok {
		s.refuseUserinfo(w, sent)
		return
	}
	info, err := s.userinfoOf(r, tokenID)
	if err != nil {
		if errors.Is(err, errNotLogin) {
			s.logger.InfoContext(r.Context(), "userinfo refused", "error", err)
		} else {
			s.logger.WarnContext(r.Context(), "userinfo refused", "error", err)
		}
		s.refuseUserinfo(w, sent)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// errNotLogin: the token does not speak for a person.
var errNotLogin = errors.New("not issued for an OpenID login")

func (s *grants) userinfoOf(r *http.Request, tokenID string) (*oidc.UserInfo, error) {
	ctx := r.Context()
	t, err := s.liveToken(ctx, tokenID)
	if err != nil {
		return nil, err
	}
	if !fromOpenIDLogin(t) {
		return nil, fmt.Errorf("token %s: %w", tokenID, errNotLogin)
	}
	info := &oidc.UserInfo{Subject: t.Subject}
	if err := s.appendStoredClaims(ctx, t, info.AppendClaims); err != nil {
		return nil, err
	}
	return info, nil
}

// userinfoToken is the bearer token from the Authorization header, or else the
// access_token parameter (RFC 6750 §2). sent reports whether the request
// carried any credentials at all.
func userinfoToken(r *http.Request) (token string, sent bool) {
	h := r.Header.Get("Authorization")
	if len(h) >= len(oidc.PrefixBearer) && strings.EqualFold(h[:len(oidc.PrefixBearer)], oidc.PrefixBearer) {
		return h[len(oidc.PrefixBearer):], true
	}
	var form string
	if r.ParseForm() == nil {
		form = r.Form.Get("access_token")
	}
	return form, h != "" || form != ""
}

func (s *grants) refuseUserinfo(w http.ResponseWriter, sent bool) {
	challenge := "Bearer"
	if sent {
		challenge = `Bearer error="invalid_token", error_description="the access token is not valid"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	http.Error(w, "access token invalid", http.StatusUnauthorized)
}
