package admin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/devmode"
)

// An admin puts a client under the FAPI 2.0 profile: a registration that
// could not meet it is refused with what is missing, and one that can shows
// the settings back.
func TestFAPI2ProfileThroughAdminAPI(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	var bad struct {
		Problems []string `json:"problems"`
	}
	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": "weak-bank", "redirect_uris": []string{b.issuer + "/cb/weak"}, "profile": "fapi2",
	}, &bad, http.StatusBadRequest)
	problems := strings.Join(bad.Problems, "\n")
	for _, want := range []string{"the fapi2 profile needs private_key_jwt", "id_token_signed_response_alg: the fapi2 profile needs one of"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems %v; want %q", bad.Problems, want)
		}
	}

	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": "bank", "redirect_uris": []string{b.issuer + "/cb/bank"}, "profile": "fapi2",
		"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://bank.example/jwks",
		"id_token_signed_response_alg": "PS256", "require_signed_request_object": true,
	}, nil, http.StatusCreated)
	var shown struct {
		Profile       string `json:"profile"`
		RequireSigned bool   `json:"require_signed_request_object"`
	}
	b.mustCall(t, token, "GET", "/clients/bank", nil, &shown, http.StatusOK)
	if shown.Profile != "fapi2" || !shown.RequireSigned {
		t.Errorf("registration shows %+v; want profile fapi2 and require_signed_request_object", shown)
	}
}
