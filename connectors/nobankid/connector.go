package nobankid

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/oidcup"
	"github.com/portvakt/portvakt/internal/nationalid"
)

var (
	_ connectors.RedirectConnector = (*Connector)(nil)
	_ connectors.KeyPublisher      = (*Connector)(nil)
)

// Method ids.
const (
	MethodHigh        = "high"
	MethodSubstantial = "substantial"
)

// BankID's acr values.
const (
	acrBID = "urn:bankid:bid"
	acrBIS = "urn:bankid:bis"
)

// Connector logs people in with Norwegian BankID.
type Connector struct {
	id     string
	client *oidcup.Client
	log    *slog.Logger
}

// Info describes Norwegian BankID.
func (c *Connector) Info() connectors.Info {
	return connectors.Info{
		ID:           c.id,
		Descriptions: descriptions(),
		Logo:         connectors.Logo{FS: logoFile, Path: "logo.svg"},
		Countries:    []string{"NO"},
		Name:         "BankID",
		Methods: []connectors.Method{
			{ID: MethodHigh, URN: "urn:portvakt:eid:no:bankid", LoA: connectors.LoAHigh, MinLoA: connectors.LoAHigh},
			{ID: MethodSubstantial, URN: "urn:portvakt:eid:no:bankid:substantial", LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial},
		},
		ACRAliases: map[string]string{
			"urn:grn:authn:no:bankid":             "urn:portvakt:eid:no:bankid",
			"urn:grn:authn:no:bankid:substantial": "urn:portvakt:eid:no:bankid:substantial",
			"urn:grn:authn:no:bankid:biometric":   "urn:portvakt:eid:no:bankid:substantial",
		},
	}
}

// PublicJWKS is the connector's public keys, to be served at a stable URL when
// the upstream client is registered with private_key_jwt or request objects.
func (c *Connector) PublicJWKS() jose.JSONWebKeySet { return c.client.PublicJWKS() }

func (c *Connector) method(id string) (connectors.Method, error) {
	if id == "" {
		id = MethodHigh
	}
	for _, m := range c.Info().Methods {
		if m.ID == id {
			return m, nil
		}
	}
	return connectors.Method{}, fmt.Errorf("nobankid: unknown method %q", id)
}

// Begin builds the BankID authorization request.
func (c *Connector) Begin(ctx context.Context, req connectors.Request) (string, []byte, error) {
	m, err := c.method(req.Method)
	if err != nil {
		return "", nil, err
	}
	if req.MinLoA > m.LoA {
		return "", nil, fmt.Errorf("%w: method %q reaches %s, %s asked", connectors.ErrLoANotSupported, m.ID, m.LoA, req.MinLoA)
	}
	acr, idp := acrBID, "BID"
	if m.ID == MethodSubstantial {
		acr, idp = acrBIS, "BIS"
	}
	p := oidcup.AuthParams{State: req.ID, RedirectURI: req.CallbackURL, ACRValues: acr, UILocales: uiLocale(req.UILocale)}
	if nationalid.Valid(nationalid.NOFodselsnummer, req.NationalID) {
		p.LoginHint = idp + ":" + req.NationalID
	}
	if req.ForceLogin {
		p.Prompt = "login"
	}
	authURL, st, err := c.client.AuthURL(ctx, p)
	if err != nil {
		return "", nil, fmt.Errorf("nobankid: %w", err)
	}
	state, err := oidcup.LoginState{State: st, Method: m.ID, Asked: m.LoA, MinLoA: req.MinLoA}.Encode()
	if err != nil {
		return "", nil, err
	}
	return authURL, state, nil
}

// Finish verifies BankID's answer and returns the identity.
func (c *Connector) Finish(ctx context.Context, state []byte, r *http.Request) (connectors.Identity, error) {
	st, err := oidcup.DecodeLoginState(state)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("nobankid: %w", err)
	}
	m, err := c.method(st.Method)
	if err != nil {
		return connectors.Identity{}, err
	}
	res, err := c.client.Exchange(ctx, st.State, r)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("nobankid: %w", err)
	}
	acr := oidcup.ClaimString(res.Claims, "acr")
	got := levelOf(acr)
	if err := st.CheckLevel(got, acr); err != nil {
		return connectors.Identity{}, fmt.Errorf("nobankid: %w", err)
	}
	info, err := c.client.Userinfo(ctx, res)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("nobankid: userinfo: %w", err)
	}
	claims := oidcup.Merge(info, res.Claims)
	id := connectors.Identity{
		Connector:   c.id,
		Country:     "NO",
		GivenName:   oidcup.ClaimString(claims, "given_name"),
		FamilyName:  oidcup.ClaimString(claims, "family_name"),
		Name:        oidcup.ClaimString(claims, "name"),
		Birthdate:   oidcup.ClaimString(claims, "birthdate"),
		LoA:         got,
		Method:      m.URN,
		UpstreamACR: acr,
		AMR:         oidcup.ClaimStrings(res.Claims, "amr"),
		StableID:    oidcup.ClaimString(claims, "bankid_altsub"),
	}
	if nnin := oidcup.ClaimString(claims, "nnin_altsub"); nnin != "" {
		if !nationalid.Valid(nationalid.NOFodselsnummer, nnin) {
			return connectors.Identity{}, fmt.Errorf("nobankid: %w: nnin_altsub is not a fødselsnummer", connectors.ErrInvalidResponse)
		}
		id.NationalID, id.NationalIDType = nnin, connectors.IDTypeNOFodselsnummer
	}
	if id.PersonKey() == "" {
		return connectors.Identity{}, fmt.Errorf("nobankid: %w: neither nnin_altsub nor bankid_altsub", connectors.ErrInvalidResponse)
	}
	id.Evidence, _ = json.Marshal(map[string]string{"id_token": res.RawIDToken}) // a string map always marshals
	c.log.InfoContext(ctx, "bankid login", "connector", c.id, "acr", acr, "nnin", nationalid.Mask(id.NationalID))
	return id, nil
}

// acrPattern reads BankID's acr: urn:bankid:<idp>;LOA=<n>.
var acrPattern = regexp.MustCompile(`^urn:bankid:[a-z]+;LOA=(\d)$`)

// levelOf maps BankID's LOA to the eIDAS scale: 4 is high, 3 substantial.
func levelOf(acr string) connectors.LoA {
	m := acrPattern.FindStringSubmatch(acr)
	if m == nil {
		return connectors.LoANone
	}
	switch n, _ := strconv.Atoi(m[1]); {
	case n >= 4:
		return connectors.LoAHigh
	case n == 3:
		return connectors.LoASubstantial
	case n == 2:
		return connectors.LoALow
	}
	return connectors.LoANone
}

func uiLocale(lang string) string {
	if lang == "nb" {
		return "nb"
	}
	return "en"
}
