package sim

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/internal/randid"
)

const (
	nsisBase             = "https://data.gov.dk/concept/core/nsis/"
	maxReferenceText     = 130
	cancelledByThePerson = "mitid_user_aborted"
)

// idpParams is the part of idp_params the simulator reads.
type idpParams struct {
	MitID *struct {
		LoAValue      string `json:"loa_value"`
		ReferenceText string `json:"reference_text"`
		CPRHint       string `json:"cpr_hint"`
		UUIDHint      string `json:"uuid_hint"`
	} `json:"mitid"`
}

// profile is a MitID broker's behaviour.
type profile struct {
	issuer     string
	loaSegment bool
	now        func() time.Time
}

func (p profile) Rules() simcore.Rules {
	return simcore.Rules{
		Name:              "MitID",
		EID:               "dk-mitid",
		LanguageParam:     "language",
		ClientAuthMethods: []string{"client_secret_basic", "client_secret_post", "private_key_jwt"},
		CancelDescription: cancelledByThePerson,
		Scopes:            []string{"openid", "mitid", "ssn"},
		ACRValues:         []string{p.levelURI(simcore.LevelLow), p.levelURI(simcore.LevelSubstantial), p.levelURI(simcore.LevelHigh)},
		Metadata:          map[string]any{"ui_locales_supported": []string{"da", "en", "kl"}},
	}
}

func (p profile) levelURI(level string) string {
	name := strings.ToUpper(level[:1]) + level[1:]
	if p.loaSegment {
		return nsisBase + "loa/" + name
	}
	return nsisBase + name
}

func parseIDPParams(req *simcore.AuthRequest) (idpParams, error) {
	var ps idpParams
	raw := req.Params["idp_params"]
	if raw == "" {
		return ps, nil
	}
	if err := json.Unmarshal([]byte(raw), &ps); err != nil {
		return ps, simcore.InvalidRequest("idp_params is not JSON")
	}
	return ps, nil
}

func (profile) CheckAuthorize(req *simcore.AuthRequest) error {
	for _, idp := range strings.Fields(req.Params["idp_values"]) {
		if idp != "mitid" {
			return simcore.InvalidRequest("unknown or disabled idp_values %q", idp)
		}
	}
	ps, err := parseIDPParams(req)
	if err != nil || ps.MitID == nil {
		return err
	}
	switch ps.MitID.LoAValue {
	case "", simcore.LevelLow, simcore.LevelSubstantial, simcore.LevelHigh:
	default:
		return simcore.InvalidRequest("idp_params.mitid.loa_value %q", ps.MitID.LoAValue)
	}
	if ps.MitID.ReferenceText != "" {
		text, err := base64.StdEncoding.DecodeString(ps.MitID.ReferenceText)
		if err != nil || !utf8.Valid(text) {
			return simcore.InvalidRequest("idp_params.mitid.reference_text is not base64 UTF-8")
		}
		if utf8.RuneCount(text) > maxReferenceText {
			return simcore.InvalidRequest("idp_params.mitid.reference_text is longer than %d characters", maxReferenceText)
		}
	}
	if ps.MitID.CPRHint != "" && !nationalid.Valid(nationalid.DKCPR, ps.MitID.CPRHint) {
		return simcore.InvalidRequest("idp_params.mitid.cpr_hint is not a CPR number")
	}
	return nil
}

func (profile) HintedUser(req *simcore.AuthRequest) string {
	ps, err := parseIDPParams(req)
	if err != nil || ps.MitID == nil {
		return ""
	}
	if ps.MitID.CPRHint != "" {
		return ps.MitID.CPRHint
	}
	return ps.MitID.UUIDHint
}

func (profile) Level(req *simcore.AuthRequest) string {
	ps, _ := parseIDPParams(req)
	if ps.MitID != nil && ps.MitID.LoAValue != "" {
		return ps.MitID.LoAValue
	}
	return simcore.LevelSubstantial
}

func (p profile) Subject(req *simcore.AuthRequest, u simcore.User) string {
	return simcore.StableUUID(p.issuer, req.ClientID, u.NationalID)
}

func (p profile) Claims(req *simcore.AuthRequest, u simcore.User, level string) (map[string]any, map[string]any) {
	uri := p.levelURI(level)
	txn := randid.UUID()
	id := map[string]any{
		"idp":             "mitid",
		"idp_environment": "sim",
		"identity_type":   "private",
		"neb_sid":         randid.UUID(),
		"transaction_id":  txn,
		"loa":             uri,
		"ial":             uri,
		"aal":             uri,
		"acr":             uri,
		"amr":             []string{"mitid.code_app"},
	}
	info := map[string]any{
		"mitid.transaction_id": txn,
		"loa":                  uri,
	}
	if req.HasScope("mitid") {
		for k, v := range u.Claims {
			info[k] = v
		}
		info["mitid.has_cpr"] = true
		if born, err := time.Parse(time.DateOnly, u.Claims[ClaimDateOfBirth].(string)); err == nil {
			info["mitid.age"] = age(born, p.now())
		}
	}
	if req.HasScope("ssn") {
		info[ClaimCPR] = u.NationalID
	}
	return id, info
}

func age(born, now time.Time) int {
	years := now.Year() - born.Year()
	if now.YearDay() < born.YearDay() {
		years--
	}
	return years
}
