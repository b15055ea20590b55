package config

import (
	"slices"
	"time"
)

// AuthorizationRequests are the server-wide rules for authorization requests.
type AuthorizationRequests struct {
	// RequirePushed accepts authorization requests only through the PAR
	// endpoint (RFC 9126), from every client.
	RequirePushed bool `yaml:"require_pushed_authorization_requests"`
	// RequireSigned accepts authorization requests only as signed request
	// objects (RFC 9101), from every client.
	RequireSigned bool `yaml:"require_signed_request_object"`
	// PushedLifetime is how long a pushed request's request_uri may be used:
	// 60s by default, under 10 minutes (FAPI 2.0 wants less than 600 s).
	PushedLifetime Duration `yaml:"pushed_request_lifetime"`
}

const (
	// ProfileFAPI2 is the FAPI 2.0 Security Profile (final).
	ProfileFAPI2 = "fapi2"
	// DefaultPushedLifetime is a pushed request's default lifetime.
	DefaultPushedLifetime = 60 * time.Second
	// MaxPushedLifetime caps it: FAPI 2.0 requires expires_in below 600.
	MaxPushedLifetime = 599 * time.Second
	// MaxFAPICodeLifetime is FAPI 2.0's cap on authorization codes.
	MaxFAPICodeLifetime = 60 * time.Second
)

// FAPIAlgorithms are the signing algorithms FAPI 2.0 allows.
var FAPIAlgorithms = []string{"PS256", "ES256", "EdDSA"}

// RequestObjectAlgorithms are those a client's request objects may be signed
// with (never none or a MAC).
var RequestObjectAlgorithms = []string{"RS256", "PS256", "ES256", "EdDSA"}

// Pushed is a pushed request's lifetime, the default applied.
func (a AuthorizationRequests) Pushed() time.Duration {
	if a.PushedLifetime.D() <= 0 {
		return DefaultPushedLifetime
	}
	return a.PushedLifetime.D()
}

// IsFAPI2 reports whether the client follows the FAPI 2.0 profile.
func (cl *Client) IsFAPI2() bool { return cl.Profile == ProfileFAPI2 }

// validateRequestRules checks the client's authorization request settings and,
// for the FAPI 2.0 profile, that the rest of its settings meet it.
func (cl *Client) validateRequestRules(p *Problems) {
	if cl.RequestObjectSigningAlg != "" && !slices.Contains(RequestObjectAlgorithms, cl.RequestObjectSigningAlg) {
		p.Add("request_object_signing_alg: %q is not one of %v", cl.RequestObjectSigningAlg, RequestObjectAlgorithms)
	}
	switch cl.Profile {
	case "":
		return
	case ProfileFAPI2:
	default:
		p.Add("profile: %q is not one of [%s]", cl.Profile, ProfileFAPI2)
		return
	}
	if cl.AuthMethod != "private_key_jwt" {
		p.Add("token_endpoint_auth_method: the fapi2 profile needs private_key_jwt")
	}
	if !slices.Contains(FAPIAlgorithms, cl.IDTokenAlg) {
		p.Add("id_token_signed_response_alg: the fapi2 profile needs one of %v", FAPIAlgorithms)
	}
	if cl.RequestObjectSigningAlg != "" && !slices.Contains(FAPIAlgorithms, cl.RequestObjectSigningAlg) {
		p.Add("request_object_signing_alg: the fapi2 profile allows only %v", FAPIAlgorithms)
	}
	if slices.Contains(cl.GrantTypes, "client_credentials") && !slices.Contains(cl.GrantTypes, "authorization_code") {
		p.Add("grant_types: the fapi2 profile is for clients of the authorization code flow")
	}
}

// validate checks the server's rules.
func (a AuthorizationRequests) validate(p *Problems) {
	if d := a.PushedLifetime.D(); d < 0 || d > MaxPushedLifetime {
		p.Add("authorization_requests.pushed_request_lifetime: %v must be between 0 and %v", d, MaxPushedLifetime)
	}
}
