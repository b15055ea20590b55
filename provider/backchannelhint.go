package provider

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/internal/nationalid"
)

// caller is the person a verification asks for.
type caller struct {
	Country    string
	NationalID string
}

// hintSchemes are the login_hint schemes of caller verification, each a
// country's national id in its normal form.
var hintSchemes = []struct {
	scheme, country, idType string
}{
	{"se-pnr", "SE", nationalid.SEPersonnummer},
	{"no-nnin", "NO", nationalid.NOFodselsnummer},
	{"dk-cpr", "DK", nationalid.DKCPR},
	{"fi-hetu", "FI", nationalid.FIHETU},
}

// callerFromLoginHint reads login_hint: <scheme>:<national id>, or
// sub:<national id>, whose form says the country. A malformed hint is
// invalid_request.
func callerFromLoginHint(hint string) (caller, error) {
	scheme, id, ok := strings.Cut(hint, ":")
	if !ok {
		return caller{}, oidc.ErrInvalidRequest().WithDescription("login_hint must be <scheme>:<national id>, the scheme one of se-pnr, no-nnin, dk-cpr, fi-hetu or sub")
	}
	for _, h := range hintSchemes {
		if scheme == h.scheme || scheme == "sub" {
			if nationalid.Valid(h.idType, id) {
				return caller{Country: h.country, NationalID: id}, nil
			}
			if scheme == h.scheme {
				return caller{}, oidc.ErrInvalidRequest().WithDescription("login_hint: %s is not a valid national id of scheme %s (its form, date or check digits)", nationalid.Mask(id), h.scheme)
			}
		}
	}
	if scheme == "sub" {
		return caller{}, oidc.ErrInvalidRequest().WithDescription("login_hint: %s is not a valid Swedish, Norwegian, Danish or Finnish national id", nationalid.Mask(id))
	}
	return caller{}, oidc.ErrInvalidRequest().WithDescription("login_hint: unknown scheme %q; use se-pnr, no-nnin, dk-cpr, fi-hetu or sub", scheme)
}

// callerFromIDTokenHint reads the caller from an ID token this broker issued
// to the same client, which must carry the national id (scope national_id).
func (s *logins) callerFromIDTokenHint(ctx context.Context, raw, clientID string) (caller, error) {
	claims, err := op.VerifyIDTokenHint[*oidc.IDTokenClaims](ctx, raw, s.idTokenHintVerifier())
	if err != nil && !errors.As(err, &op.IDTokenHintExpiredError{}) {
		return caller{}, oidc.ErrInvalidRequest().WithDescription("id_token_hint is not an ID token this broker issued").WithParent(err)
	}
	aud := claims.GetAudience()
	if !slices.Contains(aud, clientID) {
		return caller{}, oidc.ErrInvalidRequest().WithDescription("id_token_hint was issued to another client")
	}
	id, _ := claims.Claims["national_id"].(string)
	country, _ := claims.Claims["country"].(string)
	for _, h := range hintSchemes {
		if h.country == country && nationalid.Valid(h.idType, id) {
			return caller{Country: country, NationalID: id}, nil
		}
	}
	return caller{}, oidc.ErrInvalidRequest().WithDescription("id_token_hint carries no national id; use an ID token issued with the national_id scope, or login_hint")
}
