package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// userinfo answers with the claims stored with a login's access token. Only a
// token from an OpenID login opens it (OIDC Core §5.3): a client_credentials
// token names no person, and answering it would hand its holder a document
// that looks like a login. A DPoP-bound token opens it only under the DPoP
// scheme with a proof of its key (RFC 9449 §7). Every refusal is 401 with the
// challenge of RFC 6750 §3.1 or RFC 9449 §7.1; a request without any token gets
// the challenges without an error code.
func (s *grants) userinfo(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cred := userinfoCredential(r)
	var proof *dpopProof
	if cred.scheme == tokenTypeDPoP {
		var err error
		proof, err = s.dpopProofOf(ctx, r, dpopTarget{method: r.Method, url: s.issuer + userinfoPath, accessToken: cred.token})
		if err == nil && proof == nil {
			err = fmt.Errorf("%w: the DPoP scheme needs a DPoP proof", errInvalidDPoPProof)
		}
		if err != nil {
			s.logger.InfoContext(ctx, "userinfo refused", "error", err)
			s.refuseUserinfo(w, cred, err)
			return
		}
	}
	tokenID, ok := s.accessTokenID(ctx, cred.token)
	if !ok {
		s.refuseUserinfo(w, cred, nil)
		return
	}
	info, client, err := s.userinfoOf(ctx, tokenID, proof)
	if err != nil {
		if errors.Is(err, errNotLogin) || errors.Is(err, errDPoPBindingMismatch) {
			s.logger.InfoContext(ctx, "userinfo refused", "error", err)
		} else {
			s.logger.WarnContext(ctx, "userinfo refused", "error", err)
		}
		s.refuseUserinfo(w, cred, nil)
		return
	}
	if client.UserinfoEncryption.Alg == "" {
		writeJSON(w, http.StatusOK, info)
		return
	}
	jwe, err := s.encryptedUserinfo(ctx, client, info)
	if err != nil {
		s.logger.ErrorContext(ctx, "userinfo: cannot encrypt to the client", "client_id", client.ID, "error", err)
		http.Error(w, "the response cannot be encrypted to this client", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwt")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(jwe))
}

// encryptedUserinfo is the userinfo document signed with the client's ID
// token algorithm, as a JWT for the client (iss, aud; OIDC Core §5.3.2), then
// encrypted to its key.
func (s *grants) encryptedUserinfo(ctx context.Context, client *Client, info *oidc.UserInfo) (string, error) {
	key, err := s.keys.SigningKey(ctx, client.IDTokenAlg)
	if err != nil {
		return "", fmt.Errorf("signing key %s: %w", client.IDTokenAlg, err)
	}
	signer, err := op.SignerFromKey(key)
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	info.AppendClaims("iss", s.issuer)
	info.AppendClaims("aud", client.ID)
	signed, err := crypto.Sign(info, signer)
	if err != nil {
		return "", fmt.Errorf("sign userinfo: %w", err)
	}
	return s.encryptTo(ctx, client, client.UserinfoEncryption, signed)
}

// userinfoPath is the userinfo endpoint.
const userinfoPath = "/userinfo"

// errNotLogin: the token does not speak for a person.
var errNotLogin = errors.New("not issued for an OpenID login")

// userinfoOf is the document of a live login token presented with proof, the
// verified DPoP proof of the request (nil under the Bearer scheme).
func (s *grants) userinfoOf(ctx context.Context, tokenID string, proof *dpopProof) (*oidc.UserInfo, *Client, error) {
	t, client, err := s.liveTokenOfClient(ctx, tokenID)
	if err != nil {
		return nil, nil, err
	}
	if !fromOpenIDLogin(t) {
		return nil, nil, fmt.Errorf("token %s: %w", tokenID, errNotLogin)
	}
	// A bound token needs its key's proof; a bearer token under the DPoP
	// scheme is refused too, so no client mistakes one for the other.
	if proof == nil && t.DPoPJKT != "" || proof != nil && proof.JKT != t.DPoPJKT {
		return nil, nil, fmt.Errorf("token %s: %w", tokenID, errDPoPBindingMismatch)
	}
	info := &oidc.UserInfo{Subject: t.Subject}
	if err := s.appendStoredClaims(ctx, t, info.AppendClaims); err != nil {
		return nil, nil, err
	}
	return info, client, nil
}

// credential is the access token a request presents and how.
type credential struct {
	// scheme is Bearer or DPoP; empty when no token came.
	scheme string
	token  string
	// sent reports whether the request carried any credentials at all.
	sent bool
}

// userinfoCredential is the token from the Authorization header (schemes
// matched without regard to case), or else the access_token parameter
// (RFC 6750 §2, a bearer token).
func userinfoCredential(r *http.Request) credential {
	h := r.Header.Get("Authorization")
	for _, scheme := range []string{oidc.BearerToken, tokenTypeDPoP} {
		if len(h) > len(scheme) && h[len(scheme)] == ' ' && strings.EqualFold(h[:len(scheme)], scheme) {
			return credential{scheme: scheme, token: h[len(scheme)+1:], sent: true}
		}
	}
	var form string
	if r.ParseForm() == nil {
		form = r.Form.Get("access_token")
	}
	c := credential{token: form, sent: h != "" || form != ""}
	if form != "" {
		c.scheme = oidc.BearerToken
	}
	return c
}

// refuseUserinfo answers 401 with the challenge for the scheme the request
// used; proofErr is the failed DPoP proof, if that was the reason.
func (s *grants) refuseUserinfo(w http.ResponseWriter, cred credential, proofErr error) {
	algs := `algs="` + strings.Join(dpopAlgorithmNames(), " ") + `"`
	switch {
	case !cred.sent:
		w.Header().Add("WWW-Authenticate", "Bearer")
		w.Header().Add("WWW-Authenticate", "DPoP "+algs)
	case errors.Is(proofErr, errUseDPoPNonce):
		// One challenge only: clients retry on it alone (RFC 9449 §9).
		s.offerDPoPNonce(w, proofErr)
		w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce", error_description="send a DPoP proof with the nonce in the DPoP-Nonce header", `+algs)
	case proofErr != nil:
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`DPoP error="invalid_dpop_proof", error_description=%q, %s`, dpopReason(proofErr), algs))
	case cred.scheme == tokenTypeDPoP:
		w.Header().Set("WWW-Authenticate", `DPoP error="invalid_token", error_description="the access token is not valid", `+algs)
	default:
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="the access token is not valid"`)
	}
	http.Error(w, "access token invalid", http.StatusUnauthorized)
}
