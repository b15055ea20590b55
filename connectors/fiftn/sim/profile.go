package sim

import (
	"cmp"
	"unicode/utf8"

	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/internal/randid"
)

// FTN acr values.
const (
	ACRLoA2     = "http://ftn.ficora.fi/2017/loa2"
	ACRLoA3     = "http://ftn.ficora.fi/2017/loa3"
	ACRLoATest2 = "http://ftn.ficora.fi/2017/loatest2"
)

const maxSPNameLength = 40

// Banks are the simulator's fictional banks. FTN hands the person over to the
// bank they pick; the method URI in amr names it, as Telia's oidc.<bank>.1 does.
func Banks() []simcore.Bank {
	return []simcore.Bank{
		{ID: "simbank", Name: "Simupankki"},
		{ID: "koivupankki", Name: "Koivupankki"},
		{ID: "saaristopankki", Name: "Saaristopankki"},
	}
}

// profile is an FTN broker's behaviour.
type profile struct {
	issuer string
}

func (profile) Rules() simcore.Rules {
	return simcore.Rules{
		Name:                 "Finnish Trust Network",
		EID:                  "fi-ftn",
		Banks:                Banks(),
		RequireRequestObject: true,
		ClientAuthMethods:    []string{"private_key_jwt"},
		RequireAssertionKID:  true,
		EncryptTokens:        true,
		Scopes:               []string{"openid"},
		ACRValues:            []string{ACRLoA2, ACRLoA3, ACRLoATest2},
		Metadata:             map[string]any{"ui_locales_supported": []string{"fi", "sv", "en"}},
	}
}

func (profile) CheckAuthorize(req *simcore.AuthRequest) error {
	if len(req.ACRValues) == 0 {
		return simcore.InvalidRequest("acr_values is mandatory")
	}
	for _, acr := range req.ACRValues {
		if acr != ACRLoA2 && acr != ACRLoA3 && acr != ACRLoATest2 {
			return simcore.InvalidRequest("unsupported acr_values %q", acr)
		}
	}
	name := req.Params["ftn_spname"]
	if name == "" {
		return simcore.InvalidRequest("ftn_spname is mandatory")
	}
	if utf8.RuneCountInString(name) > maxSPNameLength {
		return simcore.InvalidRequest("ftn_spname is longer than %d characters", maxSPNameLength)
	}
	switch req.UILocales {
	case "", "fi", "sv", "en":
	default:
		return simcore.InvalidRequest("ui_locales must be fi, sv or en")
	}
	return nil
}

func (profile) HintedUser(req *simcore.AuthRequest) string { return req.LoginHint }

func (profile) Level(req *simcore.AuthRequest) string {
	if req.ACRValues[0] == ACRLoA3 {
		return simcore.LevelHigh
	}
	return simcore.LevelSubstantial
}

func (p profile) Subject(req *simcore.AuthRequest, u simcore.User) string {
	return simcore.StableUUID(p.issuer, req.ClientID, u.NationalID)
}

func (p profile) Claims(req *simcore.AuthRequest, u simcore.User, level string) (map[string]any, map[string]any) {
	acr := ACRLoA2
	switch {
	case level == simcore.LevelHigh:
		acr = ACRLoA3
	case level == simcore.LevelLow:
		acr = "http://ftn.ficora.fi/2017/loa1"
	case req.ACRValues[0] == ACRLoATest2:
		acr = ACRLoATest2
	}
	id := map[string]any{
		"acr":           acr,
		"amr":           []string{p.issuer + "/saml2/names/ac/oidc." + cmp.Or(req.Method, Banks()[0].ID) + ".1"},
		"session_index": randid.UUID(),
	}
	info := map[string]any{}
	for k, v := range u.Claims {
		id[k] = v
		info[k] = v
	}
	return id, info
}
