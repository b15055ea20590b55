package provider

import (
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// revoke is the revocation endpoint (RFC 7009). The caller authenticates as at
// the token endpoint (a public client by its client_id); it may revoke only its
// own tokens, and an unknown token is not an error (§2.2).
func (s *grants) revoke(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticatedPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	raw := r.PostForm.Get("token")
	tokenID, ok := s.accessTokenID(ctx, raw)
	if !ok {
		tokenID = raw
	}
	if oerr := s.revokeTokenOf(ctx, tokenID, caller.ID); oerr != nil {
		op.RevocationRequestError(w, r, oerr)
		return
	}
	w.WriteHeader(http.StatusOK)
}
