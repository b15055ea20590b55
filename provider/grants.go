package provider

import "github.com/zitadel/oidc/v3/pkg/op"

// grants are the token endpoint and what answers for the tokens it issues:
// client authentication, introspection, revocation, userinfo and admin tokens.
type grants struct {
	*base
	// tokenCipher encrypts opaque access tokens.
	tokenCipher op.Crypto
	// ciba answers the CIBA grant.
	ciba *backchannel
}
