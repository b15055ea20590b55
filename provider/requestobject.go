package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/config"
)

// Request object time rules (RFC 9101, FAPI 2.0 Message Signing): an object
// lives at most an hour, and a clock up to ten seconds ahead of ours is allowed.
const (
	requestObjectMaxLifetime = time.Hour
	requestObjectClockSkew   = 10 * time.Second
)

// The claims of a request object that are about the object, not parameters of
// the authorization request.
var requestObjectOwnClaims = []string{"iss", "aud", "exp", "nbf", "iat", "jti", "sub"}

func errInvalidRequestObject(format string, args ...any) *oidc.Error {
	return &oidc.Error{ErrorType: "invalid_request_object", Description: fmt.Sprintf(format, args...)}
}

// requestObjectAlgorithms are those a client's request objects may be signed
// with: its registered one, else FAPI 2.0's for a FAPI client, else those the
// broker accepts from anyone. Never none, never a MAC.
func (c *Client) requestObjectAlgorithms() []jose.SignatureAlgorithm {
	names := config.RequestObjectAlgorithms
	switch {
	case c.RequestObjectAlg != "":
		names = []string{c.RequestObjectAlg}
	case c.Profile == config.ProfileFAPI2:
		names = config.FAPIAlgorithms
	}
	algs := make([]jose.SignatureAlgorithm, len(names))
	for i, n := range names {
		algs[i] = jose.SignatureAlgorithm(n)
	}
	return algs
}

// verifyRequestObject checks a signed request object (RFC 9101) from client
// and returns the authorization request it carries. Only its parameters count
// (RFC 9101 §6.3): whatever the query says beside it is not read. The checks:
// one signature, by a key of the client, with an algorithm the client may use;
// iss the client, aud naming the issuer, exp in the future, nbf not ahead and
// not over an hour old, at most an hour between them, and a jti never seen
// before.
func (b *base) verifyRequestObject(ctx context.Context, client *Client, raw string) (url.Values, error) {
	if strings.Count(raw, ".") == 4 {
		return nil, errInvalidRequestObject("encrypted request objects are not supported; sign the request object only")
	}
	jws, err := jose.ParseSignedCompact(raw, client.requestObjectAlgorithms())
	if err != nil {
		return nil, errInvalidRequestObject("the request object is not a JWS signed with one of %v", client.requestObjectAlgorithms()).WithParent(err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errInvalidRequestObject("the request object must have one signature")
	}
	header := jws.Signatures[0].Protected
	if typ, _ := header.ExtraHeaders[jose.HeaderType].(string); typ != "" && !requestObjectType(typ) {
		return nil, errInvalidRequestObject("the request object's typ must be oauth-authz-req+jwt or JWT, not %q", typ)
	}
	key, err := client.publicKey(ctx, header.KeyID, b.fetchJWKS)
	if err != nil {
		return nil, errInvalidRequestObject("no signing key of the client matches the request object's kid").WithParent(err)
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, errInvalidRequestObject("the request object's signature does not verify with the client's key").WithParent(err)
	}
	claims := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, errInvalidRequestObject("the request object's payload is not a JSON object").WithParent(err)
	}
	if err := b.checkRequestObjectClaims(ctx, client, claims); err != nil {
		return nil, err
	}
	return requestObjectParameters(claims)
}

func requestObjectType(typ string) bool {
	typ = strings.TrimPrefix(strings.ToLower(typ), "application/")
	return typ == "oauth-authz-req+jwt" || typ == "jwt"
}

func (b *base) checkRequestObjectClaims(ctx context.Context, client *Client, claims map[string]any) error {
	if iss, _ := claims["iss"].(string); iss != client.ID {
		return errInvalidRequestObject("the request object's iss must be the client_id")
	}
	if id, ok := claims["client_id"]; ok && id != client.ID {
		return errInvalidRequestObject("the request object's client_id is not the client's")
	}
	if !audienceNames(claims["aud"], b.issuer) {
		return errInvalidRequestObject("the request object's aud must be the issuer %s", b.issuer)
	}
	for _, nested := range []string{"request", "request_uri"} {
		if _, ok := claims[nested]; ok {
			return errInvalidRequestObject("a request object cannot hold %s", nested)
		}
	}
	now := b.now()
	exp, ok := numericDate(claims["exp"])
	if !ok {
		return errInvalidRequestObject("the request object needs exp")
	}
	if !now.Before(exp) {
		return errInvalidRequestObject("the request object has expired")
	}
	nbf, hasNBF := numericDate(claims["nbf"])
	switch {
	case !hasNBF && client.Profile == config.ProfileFAPI2:
		return errInvalidRequestObject("the request object needs nbf")
	case !hasNBF:
		nbf = now // the lifetime left is what counts
	case nbf.After(now.Add(requestObjectClockSkew)):
		return errInvalidRequestObject("the request object is not valid yet (nbf)")
	case now.Sub(nbf) > requestObjectMaxLifetime:
		return errInvalidRequestObject("the request object's nbf is more than an hour old")
	}
	if exp.Sub(nbf) > requestObjectMaxLifetime {
		return errInvalidRequestObject("the request object may live an hour at most (exp - nbf)")
	}
	jti, _ := claims["jti"].(string)
	if jti == "" || len(jti) > 256 {
		return errInvalidRequestObject("the request object needs a jti (at most 256 characters)")
	}
	n, err := b.store.Hit(ctx, "request-object:"+hashHex(client.ID+"\x00"+jti), time.Unix(0, 0), exp.Add(time.Minute))
	if err != nil {
		return err
	}
	if n > 1 {
		return errInvalidRequestObject("the request object was used before (jti)")
	}
	return nil
}

// audienceNames reports whether aud, a string or an array of strings, names want.
func audienceNames(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		return slices.ContainsFunc(a, func(v any) bool { return v == want })
	}
	return false
}

func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// requestObjectParameters turns a request object's claims into the request's
// parameters as a query would carry them: strings as they are, numbers and
// booleans as written, objects (claims, authorization_details) as JSON.
func requestObjectParameters(claims map[string]any) (url.Values, error) {
	params := url.Values{}
	for name, v := range claims {
		if slices.Contains(requestObjectOwnClaims, name) {
			continue
		}
		switch v := v.(type) {
		case string:
			params.Set(name, v)
		case json.Number:
			params.Set(name, v.String())
		case bool:
			params.Set(name, fmt.Sprint(v))
		case nil:
		default:
			encoded, err := json.Marshal(v)
			if err != nil {
				return nil, errInvalidRequestObject("the request object's %s cannot be read", name).WithParent(err)
			}
			params.Set(name, string(encoded))
		}
	}
	return params, nil
}
