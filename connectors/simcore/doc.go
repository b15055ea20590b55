// Package simcore is the one OpenID provider behind the simulators of the upstream
// eIDs (Norwegian BankID, FTN, MitID).
//
// It is a small purpose-built provider on go-jose rather than a zitadel/oidc op:
// the simulators must be stricter and stranger than a general provider (FTN's
// request-object-only authorize, nested signed-then-encrypted ID tokens addressed
// to each client's own key, MitID's idp_params), must be able to misbehave on
// purpose (faults), and must run under any path prefix with an injected clock. A
// few hundred lines that do exactly that are easier to trust than bending a
// general provider.
//
// It owns discovery, the JWKS, the authorize endpoint with a page that plays the
// eID app (pick a bank where the eID has them, pick a test user, approve or
// cancel; drawn by simui in the request's language), the token and userinfo endpoints,
// and client registration. What differs between eIDs (claims, levels, the rules
// the real upstream enforces) comes from a Profile. State is in memory.
package simcore
