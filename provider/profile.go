package provider

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/config"
)

// isFAPI2 reports whether the client follows the FAPI 2.0 Security Profile.
func (c *ClientSettings) isFAPI2() bool { return c.Profile == config.ProfileFAPI2 }

// assertionClockSkew is how far ahead of the broker's clock a client
// assertion's nbf may be (FAPI 2.0 §5.3.2.1 asks for 10 s).
const assertionClockSkew = 10 * time.Second

// RequiresDPoP reports whether the client's access tokens must be bound to a
// DPoP key: it is registered with dpop_bound_access_tokens, or follows the
// FAPI 2.0 profile, which requires sender-constrained tokens, offered as DPoP
// (RFC 9449).
func (c *ClientSettings) RequiresDPoP() bool { return c.DPoPBound || c.isFAPI2() }

// checkAssertionRules applies the rules for client assertions the library
// does not: nbf, for every client (RFC 7519 §4.1.5), and for a FAPI client
// FAPI 2.0's: signed with PS256, ES256 or EdDSA, and the issuer as the one
// audience, a string (FAPI 2.0 §5.3.2.1; the conformance suite refuses an
// array, the token endpoint and the PAR endpoint).
func (s *grants) checkAssertionRules(tok *jwt.JSONWebToken, claims jwt.Claims, client *Client) error {
	failed := oidc.ErrInvalidClient().WithDescription("client authentication failed")
	if claims.NotBefore != nil && claims.NotBefore.Time().After(s.now().Add(assertionClockSkew)) {
		return failed.WithDescription("the client assertion is not valid yet (nbf)")
	}
	if !client.isFAPI2() {
		return nil
	}
	if len(tok.Headers) != 1 || !slices.Contains(config.FAPIAlgorithms, tok.Headers[0].Algorithm) {
		return failed.WithDescription("a FAPI 2.0 client's assertion must be signed with one of %v", config.FAPIAlgorithms)
	}
	var aud struct {
		Aud json.RawMessage `json:"aud"`
	}
	if err := tok.UnsafeClaimsWithoutVerification(&aud); err != nil {
		return failed.WithParent(err)
	}
	var single string
	if json.Unmarshal(aud.Aud, &single) != nil || single != s.issuer {
		return failed.WithDescription("a FAPI 2.0 client's assertion must have the issuer %s as its aud, a single string", s.issuer)
	}
	return nil
}

// codeLifetime is how long a code issued for the request lives: the broker's,
// and at most 60 s for a FAPI client (FAPI 2.0 §5.3.2.1).
func (s *logins) codeLifetime(p *authParams) time.Duration {
	d := s.cfg.Tokens.Code.D()
	if p.FAPI {
		d = min(d, config.MaxFAPICodeLifetime)
	}
	return d
}
