package provider

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"regexp"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// Binding tokens and codes to DPoP keys (RFC 9449 §5, §6, §10).

// tokenTypeDPoP is the token_type of a DPoP-bound access token (RFC 9449 §5).
const tokenTypeDPoP = "DPoP"

// jktPattern is a base64url SHA-256 thumbprint: 43 characters, no padding.
var jktPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// tokenRequestProof checks the DPoP proof of a token request. A client
// registered with dpop_bound_access_tokens must send one; any client may, and
// its tokens are then bound. The answer to a failed proof is
// invalid_dpop_proof.
func (s *grants) tokenRequestProof(ctx context.Context, r *http.Request, client *Client) (*dpopProof, error) {
	proof, err := s.dpopProofOf(ctx, r, dpopTarget{method: http.MethodPost, url: s.issuer + tokenPath})
	if err != nil {
		return nil, dpopProofError(err)
	}
	if proof == nil && client.RequiresDPoP() {
		return nil, errInvalidDPoPProofCode().WithDescription("this client's access tokens are DPoP-bound: send a DPoP proof")
	}
	return proof, nil
}

// checkCodeBinding refuses a code whose authorization request named a DPoP
// key (dpop_jkt, RFC 9449 §10) redeemed with a proof of another key or none.
func checkCodeBinding(a *authRequest, proof *dpopProof) error {
	want := a.state.Params.DPoPJKT
	if want == "" {
		return nil
	}
	if proof == nil || subtle.ConstantTimeCompare([]byte(proof.JKT), []byte(want)) != 1 {
		return oidc.ErrInvalidGrant().WithDescription("the code is bound to another DPoP key than the proof's (dpop_jkt)")
	}
	return nil
}

// bindTo records the key the tokens issued for a now are bound to.
func (a *authRequest) bindTo(proof *dpopProof) {
	if proof != nil {
		a.boundJKT = proof.JKT
	}
}

// tokenType is the token_type of an access token bound to jkt, or not.
func tokenType(jkt string) string {
	if jkt != "" {
		return tokenTypeDPoP
	}
	return oidc.BearerToken
}

// confirmation is the cnf claim of a token bound to jkt (RFC 9449 §6.1), nil
// for a bearer token.
func confirmation(jkt string) map[string]any {
	if jkt == "" {
		return nil
	}
	return map[string]any{"jkt": jkt}
}

// authorizationDPoPJKT validates the dpop_jkt parameter of an authorization
// request (RFC 9449 §10): a code issued for it can only be redeemed with a
// proof of that key.
func authorizationDPoPJKT(value string) (string, error) {
	if value != "" && !jktPattern.MatchString(value) {
		return "", oidc.ErrInvalidRequest().WithDescription("dpop_jkt is not a base64url SHA-256 JWK thumbprint")
	}
	return value, nil
}

// PushedDPoPJKT is the DPoP key a pushed authorization request (RFC 9126)
// binds its code to (RFC 9449 §10.1): the dpop_jkt parameter, or the key of a
// DPoP proof sent with the request, checked in full against parURL. Both may
// come, and then must name the same key. It returns "" for a request that
// names none, and an *oidc.Error (invalid_request or invalid_dpop_proof) for a
// request the PAR endpoint must refuse. The proof's jti is used up.
func (s *base) PushedDPoPJKT(ctx context.Context, r *http.Request, parURL string) (string, error) {
	jkt, err := authorizationDPoPJKT(r.PostForm.Get("dpop_jkt"))
	if err != nil {
		return "", err
	}
	proof, err := s.dpopProofOf(ctx, r, dpopTarget{method: http.MethodPost, url: parURL})
	if err != nil {
		return "", dpopProofError(err)
	}
	switch {
	case proof == nil:
		return jkt, nil
	case jkt != "" && jkt != proof.JKT:
		return "", oidc.ErrInvalidRequest().WithDescription("dpop_jkt and the DPoP proof name different keys")
	default:
		return proof.JKT, nil
	}
}

// errDPoPBindingMismatch: a bound token presented without its key, or a
// bearer token presented as DPoP.
var errDPoPBindingMismatch = errors.New("the access token is not bound to the proof's key")
