package connectors

import (
	"encoding/json"

	"github.com/portvakt/portvakt/internal/nationalid"
)

// National id types, as Identity.NationalIDType: nationalid validates each.
const (
	IDTypeSEPersonnummer  = nationalid.SEPersonnummer
	IDTypeNOFodselsnummer = nationalid.NOFodselsnummer
	IDTypeFIHETU          = nationalid.FIHETU
	IDTypeDKCPR           = nationalid.DKCPR
)

// Identity is what an eID verified about a person. It is the only thing a connector
// hands to the broker after a successful login.
type Identity struct {
	// Connector is the connector id that verified it, e.g. "se-bankid" (the idp claim).
	Connector string `json:"connector"`
	// Country is ISO 3166-1 alpha-2, upper case: SE, NO, FI, DK.
	Country string `json:"country"`
	// NationalID and its type; empty when the upstream did not release one.
	NationalID     string `json:"national_id,omitempty"`
	NationalIDType string `json:"national_id_type,omitempty"`

	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	Name       string `json:"name,omitempty"`
	// Birthdate is YYYY-MM-DD.
	Birthdate string `json:"birthdate,omitempty"`

	// LoA is the level the login achieved, checked against what was asked.
	LoA LoA `json:"loa"`
	// Method is the URN of the method used, e.g. urn:portvakt:eid:se:bankid:other-device.
	Method string `json:"method,omitempty"`
	// UpstreamACR is the upstream's own acr value (the idp_acr claim).
	UpstreamACR string `json:"upstream_acr,omitempty"`
	// AMR values to put in the ID token.
	AMR []string `json:"amr,omitempty"`
	// StableID is a stable upstream identifier where one exists (MitID uuid, NO
	// bankid_altsub). Used as the person key when no national id is released.
	StableID string `json:"stable_id,omitempty"`

	// Evidence is the upstream's proof (BankID signature and OCSP response, the
	// upstream ID token), kept server-side unless the client is allowed scope evidence.
	Evidence json.RawMessage `json:"evidence,omitempty"`
	// Signature is set when the order was a signature: what was signed and the
	// eID's proof of it.
	Signature *Signature `json:"signature,omitempty"`
}

// PersonKey is the stable key of the person behind the identity, from which the
// broker derives the sub claim: country + national id, else connector + stable id.
func (id Identity) PersonKey() string {
	if id.NationalID != "" {
		return id.Country + ":" + id.NationalID
	}
	if id.StableID != "" {
		return id.Connector + ":" + id.StableID
	}
	return ""
}
