package sim

import (
	"regexp"
	"strings"

	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/internal/randid"
)

// acr values the provider knows.
const (
	acrBID = "urn:bankid:bid"
	acrBIS = "urn:bankid:bis"
)

// loginHintPattern is BankID's login_hint: an optional IDP prefix and an optional
// :<11-digit nnin>.
var loginHintPattern = regexp.MustCompile(`^(BID|BIS)?(:\d{11})?$`)

// profile is Norwegian BankID's behaviour.
type profile struct{}

func (profile) Rules() simcore.Rules {
	return simcore.Rules{
		Name:              "BankID (Norway)",
		EID:               "no-bankid",
		RequirePKCE:       true,
		ClientAuthMethods: []string{"client_secret_basic", "client_secret_post", "private_key_jwt"},
		UserinfoJWT:       true,
		CancelDescription: "The user cancelled the login",
		Scopes:            []string{"openid", "profile", "nnin_altsub"},
		ACRValues:         []string{acrBID, acrBIS},
		Metadata:          map[string]any{"ui_locales_supported": []string{"nb", "nn", "en"}},
	}
}

func (profile) CheckAuthorize(req *simcore.AuthRequest) error {
	for _, acr := range req.ACRValues {
		if acr != acrBID && acr != acrBIS {
			return simcore.InvalidRequest("unsupported acr_values %q", acr)
		}
	}
	if req.LoginHint != "" && !loginHintPattern.MatchString(req.LoginHint) {
		return simcore.InvalidRequest("login_hint is not BID:<nnin>")
	}
	return nil
}

func (profile) HintedUser(req *simcore.AuthRequest) string {
	_, nnin, _ := strings.Cut(req.LoginHint, ":")
	return nnin
}

func (profile) Level(req *simcore.AuthRequest) string {
	if len(req.ACRValues) > 0 && req.ACRValues[0] == acrBIS {
		return simcore.LevelSubstantial
	}
	return simcore.LevelHigh
}

// Subject is new at every login: BankID's sub is not stable, bankid_altsub is.
func (profile) Subject(*simcore.AuthRequest, simcore.User) string {
	return randid.UUID()
}

func (profile) Claims(req *simcore.AuthRequest, u simcore.User, level string) (map[string]any, map[string]any) {
	acr, amr := acrBIS+";LOA=2", []string{"bis"}
	switch level {
	case simcore.LevelHigh:
		acr, amr = acrBID+";LOA=4", []string{"bid", "bid-app"}
	case simcore.LevelSubstantial:
		acr, amr = acrBIS+";LOA=3", []string{"bis"}
	}
	id := map[string]any{
		"typ":           "ID",
		"acr":           acr,
		"amr":           amr,
		"bankid_altsub": u.Claims["bankid_altsub"],
		"sid":           randid.UUID(),
		"tid":           randid.UUID(),
	}
	info := map[string]any{"bankid_altsub": u.Claims["bankid_altsub"]}
	if req.HasScope("profile") {
		for _, k := range []string{"name", "given_name", "family_name", "birthdate"} {
			id[k] = u.Claims[k]
			info[k] = u.Claims[k]
		}
	}
	if req.HasScope("nnin_altsub") {
		id["nnin_altsub"] = u.NationalID
		info["nnin_altsub"] = u.NationalID
	}
	return id, info
}
