package dkmitid

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/oidcup"
	"github.com/portvakt/portvakt/internal/nationalid"
)

var (
	_ connectors.RedirectConnector = (*Connector)(nil)
	_ connectors.KeyPublisher      = (*Connector)(nil)
)

// MitID has one method; the level it asks of MitID follows the request.
const (
	urn     = "urn:portvakt:eid:dk:mitid"
	urnHigh = "urn:portvakt:eid:dk:mitid:high"
)

// maxReferenceText is MitID's limit on the text shown in the app.
const maxReferenceText = 130

// Connector logs people in with MitID.
type Connector struct {
	id     string
	cfg    Config
	client *oidcup.Client
	log    *slog.Logger
}

// Info describes MitID: one method that asks MitID for substantial by default and
// for high when the login needs it (urn:portvakt:eid:dk:mitid:high selects MitID
// at level high). People do not choose a level; the relying party does.
func (c *Connector) Info() connectors.Info {
	return connectors.Info{
		ID:           c.id,
		Descriptions: descriptions(),
		Logo:         connectors.Logo{FS: logoFile, Path: "logo.svg"},
		Countries:    []string{"DK"},
		Name:         "MitID",
		Methods:      []connectors.Method{{ID: "", URN: urn, LoA: connectors.LoAHigh, MinLoA: connectors.LoASubstantial}},
		ACRAliases: map[string]string{
			"urn:grn:authn:dk:mitid":             urn,
			"urn:grn:authn:dk:mitid:low":         urn,
			"urn:grn:authn:dk:mitid:substantial": urn,
			"urn:grn:authn:dk:mitid:high":        urnHigh,
		},
	}
}

// asked is the level to ask MitID for (its loa_value) and the method URN that
// names it.
func asked(min connectors.LoA) (connectors.LoA, string) {
	if min >= connectors.LoAHigh {
		return connectors.LoAHigh, urnHigh
	}
	return connectors.LoASubstantial, urn
}

// PublicJWKS is the connector's public keys, to be served at a stable URL when
// the upstream client is registered with private_key_jwt or request objects.
func (c *Connector) PublicJWKS() jose.JSONWebKeySet { return c.client.PublicJWKS() }

type idpParams struct {
	MitID mitidParams `json:"mitid"`
}

type mitidParams struct {
	LoAValue      string `json:"loa_value"`
	ReferenceText string `json:"reference_text,omitempty"`
	CPRHint       string `json:"cpr_hint,omitempty"`
}

// Begin builds the MitID broker's authorization request.
func (c *Connector) Begin(ctx context.Context, req connectors.Request) (string, []byte, error) {
	if req.Method != "" {
		return "", nil, fmt.Errorf("dkmitid: unknown method %q", req.Method)
	}
	level, _ := asked(req.MinLoA)
	params := mitidParams{LoAValue: level.String(), ReferenceText: referenceText(req)}
	if c.cfg.SendCPRHint && nationalid.Valid(nationalid.DKCPR, req.NationalID) {
		params.CPRHint = req.NationalID
	}
	idp, err := json.Marshal(idpParams{MitID: params})
	if err != nil {
		return "", nil, fmt.Errorf("dkmitid: idp_params: %w", err)
	}
	p := oidcup.AuthParams{
		State:       req.ID,
		RedirectURI: req.CallbackURL,
		Extra: map[string]string{
			"idp_values": "mitid",
			"idp_params": string(idp),
			"language":   language(req.UILocale),
		},
	}
	if req.ForceLogin {
		p.Prompt = "login"
	}
	authURL, st, err := c.client.AuthURL(ctx, p)
	if err != nil {
		return "", nil, fmt.Errorf("dkmitid: %w", err)
	}
	state, err := oidcup.LoginState{State: st, Asked: level, MinLoA: req.MinLoA}.Encode()
	if err != nil {
		return "", nil, err
	}
	return authURL, state, nil
}

// referenceText is the text for the MitID app, base64 as the broker wants it.
func referenceText(req connectors.Request) string {
	text := req.ReferenceText
	if text == "" {
		text = req.ClientName
	}
	if r := []rune(text); len(r) > maxReferenceText {
		text = string(r[:maxReferenceText])
	}
	if text == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(text))
}

// Finish verifies the broker's answer and returns the identity.
func (c *Connector) Finish(ctx context.Context, state []byte, r *http.Request) (connectors.Identity, error) {
	st, err := oidcup.DecodeLoginState(state)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("dkmitid: %w", err)
	}
	_, methodURN := asked(st.Asked)
	res, err := c.client.Exchange(ctx, st.State, r)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("dkmitid: %w", err)
	}
	loa := oidcup.ClaimString(res.Claims, "loa")
	if loa == "" {
		loa = oidcup.ClaimString(res.Claims, "acr")
	}
	got := ParseNSIS(loa)
	if err := st.CheckLevel(got, loa); err != nil {
		return connectors.Identity{}, fmt.Errorf("dkmitid: %w", err)
	}
	info, err := c.client.Userinfo(ctx, res)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("dkmitid: userinfo: %w", err)
	}
	claims := oidcup.Merge(info, res.Claims)
	acr := oidcup.ClaimString(res.Claims, "acr")
	if acr == "" {
		acr = loa
	}
	id := connectors.Identity{
		Connector:   c.id,
		Country:     "DK",
		Name:        oidcup.ClaimString(claims, "mitid.identity_name"),
		Birthdate:   oidcup.ClaimString(claims, "mitid.date_of_birth"),
		LoA:         got,
		Method:      methodURN,
		UpstreamACR: acr,
		AMR:         oidcup.ClaimStrings(res.Claims, "amr"),
		StableID:    oidcup.ClaimString(claims, "mitid.uuid"),
	}
	if id.StableID == "" {
		return connectors.Identity{}, fmt.Errorf("dkmitid: %w: no mitid.uuid (is scope mitid granted?)", connectors.ErrInvalidResponse)
	}
	if cpr := oidcup.ClaimString(claims, "dk.cpr"); cpr != "" {
		if !nationalid.Valid(nationalid.DKCPR, cpr) {
			return connectors.Identity{}, fmt.Errorf("dkmitid: %w: dk.cpr is not a CPR number", connectors.ErrInvalidResponse)
		}
		id.NationalID, id.NationalIDType = cpr, connectors.IDTypeDKCPR
	}
	id.Evidence, _ = json.Marshal(map[string]string{"id_token": res.RawIDToken}) // a string map always marshals
	c.log.InfoContext(ctx, "mitid login", "connector", c.id, "loa", loa, "cpr", nationalid.Mask(id.NationalID))
	return id, nil
}

func language(lang string) string {
	if lang == "da" {
		return "da"
	}
	return "en"
}
