package provider

import (
	"encoding/json"
	"fmt"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/storage"
)

// EncodeClient is the stored document of a client's settings. The secret in
// clear is never stored: newClient and the admin service hash it first.
func EncodeClient(cl config.Client) (json.RawMessage, error) {
	return storage.EncodeClientDocument(clientDocument(cl))
}

// DecodeClient reads a client's settings from its stored document.
func DecodeClient(rec storage.Client) (config.Client, error) {
	d, err := storage.DecodeClientDocument(rec.Settings)
	if err != nil {
		return config.Client{}, fmt.Errorf("client %s: %w", rec.ID, err)
	}
	cl, err := clientSettings(d)
	if err != nil {
		return config.Client{}, fmt.Errorf("decode client %s: %w", rec.ID, err)
	}
	return cl, nil
}

// clientDocument maps the settings field by field to the stored document.
func clientDocument(cl config.Client) storage.ClientDocument {
	d := storage.ClientDocument{
		ID: cl.ID, Name: cl.Name, Purpose: cl.Purpose,
		SecretHash: cl.SecretHash, AuthMethod: cl.AuthMethod, AuthMethods: cl.AuthMethods,
		JWKS: cl.JWKS, JWKSURL: cl.JWKSURL,
		GrantTypes: cl.GrantTypes, Roles: cl.Roles,
		BackchannelMode: cl.BackchannelDeliveryMode, BackchannelEndpoint: cl.BackchannelNotificationEndpoint,
		ClientURI: cl.ClientURI, RedirectURIs: cl.RedirectURIs, PostLogout: cl.PostLogoutRedirectURIs,
		Countries: cl.Countries, EIDs: cl.EIDs, Scopes: cl.Scopes,
		SubjectType: cl.SubjectType, Sector: cl.Sector, IDTokenAlg: cl.IDTokenAlg, AccessFormat: cl.AccessTokenFormat,
		Consent: cl.Consent, LoginHintPush: cl.LoginHintPush, LoginHintEmail: cl.LoginHintEmail,
		DetailsTypes:  cl.AuthorizationDetailsTypes,
		DPoPBound:     cl.DPoPBoundAccessTokens,
		IDTokenEncAlg: cl.IDTokenEncryptionAlg, IDTokenEncEnc: cl.IDTokenEncryptionEnc,
		UserinfoEncAlg: cl.UserinfoEncryptionAlg, UserinfoEncEnc: cl.UserinfoEncryptionEnc,
		// The theme converts as a whole: the types differ only in their tags, and a
		// field renamed in one but not the other stops the conversion compiling.
		Theme:               storage.ClientTheme(cl.Theme),
		Profile:             cl.Profile,
		RequirePAR:          cl.RequirePushedAuthorizationRequests,
		RequireSigned:       cl.RequireSignedRequestObject,
		RequestAlg:          cl.RequestObjectSigningAlg,
		IDTokenLifetime:     storedDuration(cl.IDTokenLifetime),
		AccessTokenLifetime: storedDuration(cl.AccessTokenLifetime),
		Disabled:            cl.Disabled,
	}
	if cl.CIBA != (config.CIBA{}) {
		d.CIBA = (*storage.ClientCIBA)(&cl.CIBA)
	}
	if cl.MinLoA != connectors.LoANone {
		d.MinLoA = cl.MinLoA.String()
	}
	if cl.ResourceServer != nil {
		d.ResourceServer = (*storage.ClientResourceServer)(cl.ResourceServer)
	}
	return d
}

// clientSettings maps a stored document back, the inverse of clientDocument.
func clientSettings(d storage.ClientDocument) (config.Client, error) {
	cl := config.Client{
		ID: d.ID, Name: d.Name, Purpose: d.Purpose,
		SecretHash: d.SecretHash, AuthMethod: d.AuthMethod, AuthMethods: d.AuthMethods,
		JWKS: d.JWKS, JWKSURL: d.JWKSURL,
		GrantTypes: d.GrantTypes, Roles: d.Roles,
		BackchannelDeliveryMode: d.BackchannelMode, BackchannelNotificationEndpoint: d.BackchannelEndpoint,
		ClientURI: d.ClientURI, RedirectURIs: d.RedirectURIs, PostLogoutRedirectURIs: d.PostLogout,
		Countries: d.Countries, EIDs: d.EIDs, Scopes: d.Scopes,
		SubjectType: d.SubjectType, Sector: d.Sector, IDTokenAlg: d.IDTokenAlg, AccessTokenFormat: d.AccessFormat,
		Consent: d.Consent, LoginHintPush: d.LoginHintPush, LoginHintEmail: d.LoginHintEmail,
		AuthorizationDetailsTypes: d.DetailsTypes,
		DPoPBoundAccessTokens:     d.DPoPBound,
		IDTokenEncryptionAlg:      d.IDTokenEncAlg, IDTokenEncryptionEnc: d.IDTokenEncEnc,
		UserinfoEncryptionAlg: d.UserinfoEncAlg, UserinfoEncryptionEnc: d.UserinfoEncEnc,
		Theme:    config.Theme(d.Theme),
		Disabled: d.Disabled,
		Profile:  d.Profile, RequirePushedAuthorizationRequests: d.RequirePAR,
		RequireSignedRequestObject: d.RequireSigned, RequestObjectSigningAlg: d.RequestAlg,
	}
	if d.ResourceServer != nil {
		cl.ResourceServer = (*config.ResourceServer)(d.ResourceServer)
	}
	if d.CIBA != nil {
		cl.CIBA = config.CIBA(*d.CIBA)
	}
	if err := cl.MinLoA.UnmarshalText([]byte(d.MinLoA)); err != nil {
		return config.Client{}, fmt.Errorf("min_loa: %w", err)
	}
	for _, lt := range []struct {
		name   string
		stored string
		into   *config.Duration
	}{
		{"id_token_lifetime", d.IDTokenLifetime, &cl.IDTokenLifetime},
		{"access_token_lifetime", d.AccessTokenLifetime, &cl.AccessTokenLifetime},
	} {
		if lt.stored == "" {
			continue
		}
		if err := lt.into.UnmarshalText([]byte(lt.stored)); err != nil {
			return config.Client{}, fmt.Errorf("%s: %w", lt.name, err)
		}
	}
	return cl, nil
}

// storedDuration is a lifetime as the stored document writes it: a Go duration
// string, or nothing for the broker-wide default.
func storedDuration(d config.Duration) string {
	if d == 0 {
		return ""
	}
	return d.D().String()
}
