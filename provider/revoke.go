package provider

import (
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// revoke is the revocation endpoint (RFC 7009). The caller authenticates as at
// the token endpoint (a public client by its client_id); it may revoke only its
// own tokens, and an unknown token is not an error (§2.2).
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	auth, err := clientAuthFrom(r)
	if err != nil {
		s.tokenError(w, r, err)
		return
	}
	caller, err := s.authenticateClient(ctx, r, auth)
	if err != nil {
		s.tokenError(w, r, err)
		return
	}
	raw := r.PostForm.Get("token")
	tokenID, ok := s.accessTokenID(ctx, raw)
	if !ok {
		tokenID = raw
	}
	if oerr := (opStorage{s}).RevokeToken(ctx, tokenID, "", caller.ID); oerr != nil {
		op.RevocationRequestError(w, r, oerr)
		return
	}
	w.WriteHeader(http.StatusOK)
}
