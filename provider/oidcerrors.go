package provider

import "github.com/zitadel/oidc/v3/pkg/oidc"

// Error codes the library has no constructor for. Untyped constants convert to the
// library's unexported error type.
func errUnsupportedResponseType() *oidc.Error {
	return &oidc.Error{ErrorType: "unsupported_response_type"}
}
func errRequestURINotSupported() *oidc.Error {
	return &oidc.Error{ErrorType: "request_uri_not_supported", Description: "request_uri is not supported"}
}

// errUnmetAuthenticationRequirements (OpenID Connect Core Unmet Authentication
// Requirements 1.0): the broker cannot reach the eID or level the client asked for.
func errUnmetAuthenticationRequirements() *oidc.Error {
	return &oidc.Error{ErrorType: "unmet_authentication_requirements"}
}
func errTemporarilyUnavailable() *oidc.Error {
	return &oidc.Error{ErrorType: "temporarily_unavailable"}
}

// errInvalidDPoPProofCode (RFC 9449 §5, §7.1): a DPoP proof failed a check.
func errInvalidDPoPProofCode() *oidc.Error { return &oidc.Error{ErrorType: "invalid_dpop_proof"} }

// errUseDPoPNonceCode (RFC 9449 §8): the proof needs a nonce from the broker.
func errUseDPoPNonceCode() *oidc.Error { return &oidc.Error{ErrorType: "use_dpop_nonce"} }
func errConsentRequired() *oidc.Error  { return &oidc.Error{ErrorType: "consent_required"} }

// oidcError turns a stored failure back into the error the client receives.
func (f *failure) oidcError() *oidc.Error {
	var e *oidc.Error
	switch f.Code {
	case string(oidc.AccessDenied):
		e = oidc.ErrAccessDenied()
	case string(oidc.LoginRequired):
		e = oidc.ErrLoginRequired()
	case "temporarily_unavailable":
		e = errTemporarilyUnavailable()
	case "unmet_authentication_requirements":
		e = errUnmetAuthenticationRequirements()
	case "consent_required":
		e = errConsentRequired()
	default:
		e = oidc.ErrServerError()
	}
	return e.WithDescription("%s", f.Description)
}
