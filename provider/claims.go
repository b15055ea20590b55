package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"

	"github.com/portvakt/portvakt/connectors"
)

// Scopes with a meaning here. Others (email, phone, address) are ignored.
const (
	scopeOpenID     = "openid"
	scopeProfile    = "profile"
	scopeNationalID = "national_id"
	scopeEvidence   = "evidence"
)

// requestedClaims is the part of the OIDC claims parameter the broker acts on: the
// names of claims asked for, and an acr demanded as a claim.
type requestedClaims struct {
	UserInfo map[string]*claimRequest `json:"userinfo,omitempty"`
	IDToken  map[string]*claimRequest `json:"id_token,omitempty"`
}

type claimRequest struct {
	Essential bool     `json:"essential,omitempty"`
	Value     string   `json:"value,omitempty"`
	Values    []string `json:"values,omitempty"`
}

func (rc *requestedClaims) asks(name string) bool {
	if rc == nil {
		return false
	}
	_, a := rc.UserInfo[name]
	_, b := rc.IDToken[name]
	return a || b
}

// acrValues returns the acr values demanded through the claims parameter.
func (rc *requestedClaims) acrValues() []string {
	if rc == nil {
		return nil
	}
	var out []string
	for _, m := range []map[string]*claimRequest{rc.IDToken, rc.UserInfo} {
		if r := m["acr"]; r != nil {
			if r.Value != "" {
				out = append(out, r.Value)
			}
			out = append(out, r.Values...)
		}
	}
	return out
}

// identityClaims are the claims about the person that the client may receive for
// these scopes, shared by the ID token, userinfo and introspection.
func identityClaims(id *connectors.Identity, scopes []string, client *Client, asked *requestedClaims) map[string]any {
	out := map[string]any{
		"idp": id.Connector,
	}
	if id.UpstreamACR != "" {
		out["idp_acr"] = id.UpstreamACR
	}
	profile := slices.Contains(scopes, scopeProfile)
	set := func(name, value string) {
		if value != "" && (profile || asked.asks(name)) {
			out[name] = value
		}
	}
	set("name", id.Name)
	set("given_name", id.GivenName)
	set("family_name", id.FamilyName)
	set("birthdate", id.Birthdate)
	if slices.Contains(scopes, scopeNationalID) && client.MayReceive(scopeNationalID) && id.NationalID != "" {
		out["national_id"] = id.NationalID
		out["country"] = id.Country
	}
	if slices.Contains(scopes, scopeEvidence) && client.MayReceive(scopeEvidence) && len(id.Evidence) > 0 {
		out["evidence"] = json.RawMessage(id.Evidence)
	}
	return out
}

// trimForState drops from an identity what no later step of its login reads,
// before the login state stores it: the upstream's proof, unless the client
// asked for scope evidence and may have it, and a signature's artefacts, which
// the evidence store keeps from then on. The state is sealed and written at
// every later step, and BankID's proof alone is several kilobytes.
func trimForState(id *connectors.Identity, client *Client, scopes []string) {
	if !slices.Contains(scopes, scopeEvidence) || !client.MayReceive(scopeEvidence) {
		id.Evidence = nil
	}
	id.Signature = nil
}

// grantedScopes keeps the scopes the broker knows and the client may have, in the
// order asked. Unknown and unpermitted scopes are dropped, never an error.
func grantedScopes(asked []string, client *Client) []string {
	var out []string
	for _, s := range asked {
		switch s {
		case scopeOpenID, scopeProfile:
		case scopeNationalID, scopeEvidence:
			if !client.MayReceive(s) {
				continue
			}
		default:
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// pairwiseSubject derives sub from the person and the client's sector under a server
// secret: stable for one person and sector, unlinkable across sectors, and never the
// national id itself.
func pairwiseSubject(secret []byte, sector, personKey string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(sector))
	mac.Write([]byte{0})
	mac.Write([]byte(personKey))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// subjectFor picks the sector for the client's subject type.
func subjectFor(secret []byte, client *Client, id *connectors.Identity) string {
	sector := "public"
	if client.SubjectType != "public" {
		sector = "pairwise:" + client.ID
		if client.Sector != "" {
			sector = "pairwise:" + client.Sector
		}
	}
	return pairwiseSubject(secret, sector, id.PersonKey())
}

// claimScope names the restricted scope a claim is released under, or "" for
// a claim any client may receive.
func claimScope(name string) string {
	switch name {
	case "national_id", "country":
		return scopeNationalID
	case "evidence":
		return scopeEvidence
	}
	return ""
}

// releasableClaims drops, in place, the claims the client may not receive
// itself: what a token says about a person is shown to no one who could not
// have asked for it.
func releasableClaims(claims map[string]any, client *Client) map[string]any {
	for name := range claims {
		if scope := claimScope(name); scope != "" && !client.MayReceive(scope) {
			delete(claims, name)
		}
	}
	return claims
}
