// Package dkmitid is the connector for Danish MitID through a MitID broker's
// OpenID provider (modelled on the Signaturgruppen broker).
//
// Profile: authorization code flow with PKCE S256, scopes "openid mitid" and, when
// the config's request_cpr is set, "ssn" for the CPR number (whether a relying
// party gets it is the broker's decision, not the connector's). The request names
// the IdP with idp_values=mitid and passes idp_params
// {"mitid":{"loa_value":...,"reference_text":base64(≤130 characters)}}; the
// reference text is the request's ReferenceText or else the client's name.
//
// Levels are NSIS URIs, accepted in both spellings
// (https://data.gov.dk/concept/core/nsis/Substantial and
// https://data.gov.dk/concept/core/nsis/loa/Substantial) and mapped name for
// name to low, substantial and high. The default method asks for substantial;
// "high" asks for high. A returned loa below the one asked is refused with
// connectors.ErrLoANotSupported. The person's data comes from userinfo: the
// MitID uuid (mitid.uuid) is the stable id, dk.cpr the national id,
// mitid.identity_name the name (MitID gives no given/family split) and
// mitid.date_of_birth the birth date. A cancel in MitID
// (error=access_denied, mitid_user_aborted) is connectors.ErrCancelled.
//
// The simulator of this upstream is in the sim subpackage.
package dkmitid
