package fiftn

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/oidcup"
	"github.com/portvakt/portvakt/internal/nationalid"
)

var (
	_ connectors.RedirectConnector = (*Connector)(nil)
	_ connectors.KeyPublisher      = (*Connector)(nil)
)

// FTN acr values.
const (
	ACRLoA2     = "http://ftn.ficora.fi/2017/loa2"
	ACRLoATest2 = "http://ftn.ficora.fi/2017/loatest2"
	ACRLoA3     = "http://ftn.ficora.fi/2017/loa3"
)

// OID claim names.
const (
	claimHETU        = "urn:oid:1.2.246.21"
	claimSurname     = "urn:oid:2.5.4.4"
	claimGivenNames  = "urn:oid:1.2.246.575.1.14"
	claimDisplayName = "urn:oid:2.16.840.1.113730.3.1.241"
	claimDateOfBirth = "urn:oid:1.3.6.1.5.5.7.9.1"
	claimEIDASPerson = "http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier"
)

// Connector logs people in through an FTN broker.
type Connector struct {
	id     string
	cfg    Config
	client *oidcup.Client
	log    *slog.Logger
}

// Info describes FTN: one method, substantial (loa2) or high (loa3).
func (c *Connector) Info() connectors.Info {
	return connectors.Info{
		ID:           c.id,
		Names:        names(),
		Descriptions: descriptions(),
		Logo:         connectors.Logo{FS: logoFile, Path: "logo.svg"},
		Countries:    []string{"FI"},
		Name:         "Finnish Trust Network",
		// Identity data from FTN is passed on only signed and encrypted.
		EncryptedTokensOnly: !c.cfg.AllowUnencryptedIDTokens,
		// Its names say it is Finnish ("Finnish bank ID (FTN)"), or need not (in
		// Finnish): a label adds no country.
		NameSaysCountry: true,
		Methods: []connectors.Method{{
			ID: "", URN: "urn:portvakt:eid:fi:ftn", LoA: connectors.LoAHigh, MinLoA: connectors.LoASubstantial,
		}},
		ACRAliases: map[string]string{
			"urn:grn:authn:fi:all":       "urn:portvakt:eid:fi:ftn",
			"urn:grn:authn:fi:bank-id":   "urn:portvakt:eid:fi:ftn",
			"urn:grn:authn:fi:mobile-id": "urn:portvakt:eid:fi:ftn",
			"urn:grn:authn:fi:ftn":       "urn:portvakt:eid:fi:ftn",
		},
		Providers: Banks(),
	}
}

// Banks are the FTN identity providers a person picks from at the FTN broker:
// the banks and the mobile certificate, by their own names.
func Banks() []string {
	return []string{"OP", "Nordea", "Danske Bank", "Handelsbanken", "Ålandsbanken", "S-Pankki", "Aktia",
		"POP Pankki", "Säästöpankki", "Oma Säästöpankki", "Mobiilivarmenne"}
}

// PublicJWKS is the connector's signing and encryption keys, to be served at a
// stable URL and registered with the FTN broker.
func (c *Connector) PublicJWKS() jose.JSONWebKeySet { return c.client.PublicJWKS() }

// Begin builds the signed request object.
func (c *Connector) Begin(ctx context.Context, req connectors.Request) (string, []byte, error) {
	if req.Method != "" {
		return "", nil, fmt.Errorf("fiftn: unknown method %q", req.Method)
	}
	acr, asked := ACRLoA2, connectors.LoASubstantial
	if c.cfg.TestEnvironment {
		acr = ACRLoATest2
	}
	if req.MinLoA >= connectors.LoAHigh {
		acr, asked = ACRLoA3, connectors.LoAHigh
	}
	p := oidcup.AuthParams{
		State:       req.ID,
		RedirectURI: req.CallbackURL,
		ACRValues:   acr,
		UILocales:   uiLocale(req.UILocale),
		Extra:       map[string]string{"ftn_spname": c.cfg.SPName},
	}
	if c.cfg.SendLoginHint && nationalid.Valid(nationalid.FIHETU, req.NationalID) {
		p.LoginHint = req.NationalID
	}
	if req.ForceLogin {
		p.Prompt = "login"
	}
	authURL, st, err := c.client.AuthURL(ctx, p)
	if err != nil {
		return "", nil, fmt.Errorf("fiftn: %w", err)
	}
	state, err := oidcup.LoginState{State: st, Asked: asked, MinLoA: req.MinLoA}.Encode()
	if err != nil {
		return "", nil, err
	}
	return authURL, state, nil
}

// Finish decrypts and verifies the ID token and returns the identity.
func (c *Connector) Finish(ctx context.Context, state []byte, r *http.Request) (connectors.Identity, error) {
	st, err := oidcup.DecodeLoginState(state)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("fiftn: %w", err)
	}
	res, err := c.client.Exchange(ctx, st.State, r)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("fiftn: %w", err)
	}
	claims := res.Claims
	acr := oidcup.ClaimString(claims, "acr")
	got := levelOf(acr)
	if err := st.CheckLevel(got, acr); err != nil {
		return connectors.Identity{}, fmt.Errorf("fiftn: %w", err)
	}
	id := connectors.Identity{
		Connector:   c.id,
		Country:     "FI",
		GivenName:   oidcup.ClaimString(claims, claimGivenNames),
		FamilyName:  oidcup.ClaimString(claims, claimSurname),
		Name:        oidcup.ClaimString(claims, claimDisplayName),
		Birthdate:   oidcup.ClaimString(claims, claimDateOfBirth),
		LoA:         got,
		Method:      "urn:portvakt:eid:fi:ftn",
		UpstreamACR: acr,
		AMR:         oidcup.ClaimStrings(claims, "amr"),
		// Non-Finnish people (eIDAS logins) have no HETU, only this identifier.
		StableID: oidcup.ClaimString(claims, claimEIDASPerson),
	}
	if id.Name == "" {
		id.Name = strings.TrimSpace(id.GivenName + " " + id.FamilyName)
	}
	if hetu := oidcup.ClaimString(claims, claimHETU); hetu != "" {
		if !nationalid.Valid(nationalid.FIHETU, hetu) {
			return connectors.Identity{}, fmt.Errorf("fiftn: %w: the HETU claim is not a valid HETU", connectors.ErrInvalidResponse)
		}
		id.NationalID, id.NationalIDType = hetu, connectors.IDTypeFIHETU
		if birth, err := nationalid.Birthdate(nationalid.FIHETU, hetu); id.Birthdate == "" && err == nil {
			id.Birthdate = birth.Format(time.DateOnly)
		}
	}
	if id.PersonKey() == "" {
		return connectors.Identity{}, fmt.Errorf("fiftn: %w: neither a HETU nor an eIDAS person identifier", connectors.ErrInvalidResponse)
	}
	id.Evidence, _ = json.Marshal(map[string]string{"id_token": res.RawIDToken}) // a string map always marshals
	c.log.InfoContext(ctx, "ftn login", "connector", c.id, "acr", acr, "hetu", nationalid.Mask(id.NationalID))
	return id, nil
}

// levelOf maps FTN's acr to the eIDAS scale.
func levelOf(acr string) connectors.LoA {
	switch acr {
	case ACRLoA3:
		return connectors.LoAHigh
	case ACRLoA2, ACRLoATest2:
		return connectors.LoASubstantial
	}
	return connectors.LoANone
}

func uiLocale(lang string) string {
	switch lang {
	case "fi", "sv":
		return lang
	}
	return "en"
}
