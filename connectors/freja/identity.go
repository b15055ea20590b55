package freja

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/nationalid"
)

// LevelLoA maps a registration level to the eIDAS level it reaches: PLUS
// (identity proofed in person as well, the level that meets the Swedish trust
// framework's level 3) is substantial; EXTENDED (an identity document checked
// remotely) and BASIC are low; anything else is none.
func LevelLoA(level string) connectors.LoA {
	switch level {
	case LevelPlus:
		return connectors.LoASubstantial
	case LevelExtended, LevelBasic:
		return connectors.LoALow
	}
	return connectors.LoANone
}

// levelRank orders the registration levels; 0 for an unknown one.
func levelRank(level string) int {
	return slices.Index([]string{LevelBasic, LevelExtended, LevelPlus}, level) + 1
}

// idTypeOf is the national id type of a personal number from country.
func idTypeOf(country string) string {
	switch country {
	case "SE":
		return nationalid.SEPersonnummer
	case "NO":
		return nationalid.NOFodselsnummer
	case "DK":
		return nationalid.DKCPR
	case "FI":
		return nationalid.FIHETU
	}
	return ""
}

// detailsVerifier checks the details JWS against Freja's certificates.
type detailsVerifier struct{ certs []*x509.Certificate }

// verify returns the payload of a details JWS signed under one of the
// certificates.
func (v *detailsVerifier) verify(jws string) (Details, error) {
	var d Details
	sig, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256})
	if err != nil {
		return d, fmt.Errorf("parse details: %w", err)
	}
	for _, cert := range v.certs {
		payload, err := sig.Verify(cert.PublicKey)
		if err != nil {
			continue
		}
		if err := json.Unmarshal(payload, &d); err != nil {
			return d, fmt.Errorf("decode details: %w", err)
		}
		return d, nil
	}
	return d, fmt.Errorf("details not signed by a trusted Freja key")
}

// evidence is the proof kept with a Freja login: the signed details.
type evidence struct {
	Ref     string `json:"ref"`
	Details string `json:"details"`
}

// approved builds the Identity from an APPROVED result, trusting only the
// signed details: they must be for this transaction, name a valid person of a
// configured country (the one the transaction was pushed to, if any) and
// reach the registration level asked for.
func (c *Connector) approved(order *connectors.Order, result *Result, state orderState) (*connectors.Identity, error) {
	if result.Details == "" {
		return nil, fmt.Errorf("freja poll: approved without details: %w", connectors.ErrInvalidResponse)
	}
	d, err := c.verifier.verify(result.Details)
	if err != nil {
		return nil, fmt.Errorf("freja poll: %w: %w", connectors.ErrInvalidResponse, err)
	}
	ref := d.AuthRef
	if state.Kind == kindSign {
		ref = d.SignRef
	}
	if ref != order.Ref || d.Status != StatusApproved {
		return nil, fmt.Errorf("freja poll: details are for %q (%s), not this transaction: %w", truncate(ref, 64), truncate(d.Status, 32), connectors.ErrInvalidResponse)
	}
	attrs := d.RequestedAttributes
	if attrs == nil || attrs.SSN == nil {
		return nil, fmt.Errorf("freja poll: details without a personal number: %w", connectors.ErrInvalidResponse)
	}
	country, ssn := strings.ToUpper(attrs.SSN.Country), attrs.SSN.SSN
	typ := idTypeOf(country)
	if !slices.Contains(c.countries, country) || !nationalid.Valid(typ, ssn) {
		return nil, fmt.Errorf("freja poll: personal number %s of %q is not valid in a configured country: %w", nationalid.Mask(ssn), truncate(country, 8), connectors.ErrInvalidResponse)
	}
	if state.SSN != "" && (ssn != state.SSN || country != state.Country) {
		return nil, fmt.Errorf("freja poll: approved by %s, pushed to %s: %w", nationalid.Mask(ssn), nationalid.Mask(state.SSN), connectors.ErrInvalidResponse)
	}
	level := attrs.RegistrationLevel
	if levelRank(level) < levelRank(state.Level) || levelRank(level) < levelRank(LevelExtended) {
		return nil, fmt.Errorf("freja poll: registration level %q, asked for %s: %w", truncate(level, 16), state.Level, connectors.ErrLoANotSupported)
	}
	birthdate, err := nationalid.Birthdate(typ, ssn)
	if err != nil {
		return nil, fmt.Errorf("freja poll: %w: %w", connectors.ErrInvalidResponse, err)
	}
	proof, err := json.Marshal(evidence{Ref: order.Ref, Details: result.Details})
	if err != nil {
		return nil, fmt.Errorf("freja poll: encode evidence: %w", err)
	}
	var given, family string
	if attrs.BasicUserInfo != nil {
		given, family = attrs.BasicUserInfo.Name, attrs.BasicUserInfo.Surname
	}
	method := MethodOtherDeviceURN
	if state.Method == MethodSameDevice {
		method = MethodSameDeviceURN
	}
	var signature *connectors.Signature
	if state.Kind == kindSign {
		if signature, err = c.signature(order.Ref, result.Details, state, country, ssn); err != nil {
			return nil, err
		}
	}
	return &connectors.Identity{
		Signature:      signature,
		Connector:      c.id,
		Country:        country,
		NationalID:     ssn,
		NationalIDType: typ,
		GivenName:      given,
		FamilyName:     family,
		Name:           strings.TrimSpace(given + " " + family),
		Birthdate:      birthdate.Format(time.DateOnly),
		LoA:            LevelLoA(level),
		Method:         method,
		UpstreamACR:    level,
		AMR:            []string{"freja"},
		Evidence:       proof,
	}, nil
}
