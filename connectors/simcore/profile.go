package simcore

import "fmt"

// Levels a Profile maps to its own acr values.
const (
	LevelLow         = "low"
	LevelSubstantial = "substantial"
	LevelHigh        = "high"
)

// Profile is what makes the core behave like one eID's provider.
type Profile interface {
	// Rules are the upstream's fixed rules.
	Rules() Rules
	// CheckAuthorize enforces the upstream's own rules on an authorization request
	// that passed the core's checks. It returns an *OAuthError.
	CheckAuthorize(req *AuthRequest) error
	// HintedUser returns the key (national id or alias) of the test user the
	// request names, or "" when it names none.
	HintedUser(req *AuthRequest) string
	// Level is the level the request asks for (LevelLow, ...).
	Level(req *AuthRequest) string
	// Claims are the profile's ID token and userinfo claims for a login of u at
	// level. The core adds iss, sub, aud, exp, iat, auth_time, nonce and azp.
	Claims(req *AuthRequest, u User, level string) (idToken, userinfo map[string]any)
	// Subject is the sub claim for a login of u.
	Subject(req *AuthRequest, u User) string
}

// Rules are the rules of one upstream.
type Rules struct {
	// Name names the upstream in messages to developers.
	Name string
	// EID is the connector id the simulator stands in for (no-bankid); it picks
	// the page's name in each language and its colours.
	EID string
	// LanguageParam is the authorize parameter that carries the person's
	// language; "" means ui_locales.
	LanguageParam string
	// Banks, when set, are offered on the page for the person to pick, as an
	// upstream that hands over to the person's bank does.
	Banks []Bank
	// RequirePKCE refuses an authorize without code_challenge_method=S256.
	RequirePKCE bool
	// RequireRequestObject refuses an authorize without a signed request object.
	// The request object's parameters are then the only ones used (RFC 9101).
	RequireRequestObject bool
	// ClientAuthMethods accepted at the token endpoint.
	ClientAuthMethods []string
	// RequireAssertionKID refuses client assertions without a kid header.
	RequireAssertionKID bool
	// EncryptTokens encrypts ID tokens and userinfo JWTs to the client's key, and
	// refuses to register a client without an encryption key.
	EncryptTokens bool
	// UserinfoJWT answers userinfo with a signed JWT instead of JSON.
	UserinfoJWT bool
	// CancelDescription is the error_description sent when the person cancels.
	CancelDescription string
	// Scopes and ACRValues go into discovery.
	Scopes    []string
	ACRValues []string
	// Metadata is merged into discovery.
	Metadata map[string]any
}

// Bank is a (fictional) bank the person can pick on the page.
type Bank struct {
	// ID goes into AuthRequest.Method when the person picks the bank.
	ID   string
	Name string
}

// User is a test user. All its data is synthetic.
type User struct {
	// NationalID is the synthetic national id, the key a hint names the user by.
	NationalID string `json:"national_id"`
	// Name is shown on the simulator's page.
	Name string `json:"name"`
	// Aliases are other keys a hint may use (a MitID uuid).
	Aliases []string `json:"aliases,omitempty"`
	// Claims are the profile-specific claims the user's logins release.
	Claims map[string]any `json:"claims,omitempty"`
}

func (u User) matches(key string) bool {
	if key == u.NationalID {
		return true
	}
	for _, a := range u.Aliases {
		if a == key {
			return true
		}
	}
	return false
}

// OAuthError is an OAuth 2.0 error answer.
type OAuthError struct {
	Code        string
	Description string
}

func (e *OAuthError) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Description) }

// InvalidRequest is the common OAuth error for a request the upstream refuses.
func InvalidRequest(format string, args ...any) *OAuthError {
	return &OAuthError{Code: "invalid_request", Description: fmt.Sprintf(format, args...)}
}
