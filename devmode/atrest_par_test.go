package devmode

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// pushHintedRequest pushes an authorization request naming the person in its
// login_hint and leaves it waiting, so the scan finds it in the database.
func (s *scanEnv) pushHintedRequest(t *testing.T, nationalID string) {
	t.Helper()
	form := url.Values{
		"response_type": {"code"}, "scope": {"openid national_id"}, "redirect_uri": {scanRedirect},
		"login_hint": {"sub:" + nationalID}, "acr_values": {"urn:portvakt:eid:fi:ftn"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"},
	}
	req, _ := http.NewRequest(http.MethodPost, s.issuer+"/oauth/par", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(scanClient, s.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PAR: status %d, want 201", resp.StatusCode)
	}
}
