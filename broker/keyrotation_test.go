package broker_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// A key rotated on one process must be in every process's JWKS before any token
// is signed with it: a relying party behind the same load balancer fetches the
// JWKS from whichever process answers.
func TestRotatedKeyIsPublishedByEveryReplicaBeforeItSigns(t *testing.T) {
	t.Parallel()
	front, rs := twoReplicas(t)
	if err := rs[0].broker.Keys.Rotate(t.Context(), "RS256"); err != nil {
		t.Fatal(err)
	}
	req := newAuthRequest(front.url)
	br := newBrowser(t)
	atSim := br.visit(req.url(rs[0].url, "urn:portvakt:eid:dk:mitid"))
	code := req.code(t, br.approveAtSimulator(atSim, front.sims.OIDC["dk-mitid"].TestUsers()[0].NationalID))
	tr := req.exchange(t, rs[0].url, code)
	if tr.status != http.StatusOK {
		t.Fatalf("token exchange: %d %s", tr.status, tr.Error)
	}
	kid := tokenKid(t, tr.IDToken)
	if published := jwksKids(t, rs[1].url); !slices.Contains(published, kid) {
		t.Errorf("the ID token is signed with key %s, which the other process does not publish yet (it publishes %v)", kid, published)
	}
}

func tokenKid(t *testing.T, raw string) string {
	t.Helper()
	header, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(header, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}
