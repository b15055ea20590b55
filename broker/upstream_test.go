package broker_test

import (
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/internal/testenv"
)

// An eID whose token endpoint never answers: the person is told so within a bound
// (the connector's timeout), and going back gives the relying party
// temporarily_unavailable.
func TestHangingUpstream(t *testing.T) {
	t.Parallel()
	front := startFrontDoor(t, true)
	cfg := front.config(t, testenv.MySQLDatabase(t), newMasterKey(t))
	for i, c := range cfg.Connectors {
		if c.ID == "dk-mitid" {
			cfg.Connectors[i].Config["timeout"] = "300ms"
		}
	}
	r := front.startReplica(t, cfg)
	front.add(r.url)
	front.sims.OIDC["dk-mitid"].SetFaults(simcore.Faults{TokenHang: true})
	notResponding := html.EscapeString(r.broker.Themes.Translator("en")("error.upstream", "EID", "MitID"))

	req := newAuthRequest(front.url)
	br := newBrowser(t)
	// Each request, the callback included, must be answered within this bound.
	br.client.Timeout = 5 * time.Second
	page := br.visit(req.url(front.url, "urn:portvakt:eid:dk:mitid"))
	if page.status != http.StatusOK || !strings.HasPrefix(page.url.Path, "/login/") || !strings.Contains(page.body, notResponding) {
		t.Fatalf("after the eID hung: %d at %s, want the login page saying %q: %.600s", page.status, page.url, notResponding, page.body)
	}

	back := br.cancelFromLoginPage(page)
	if back.rp == nil || back.rp.Get("error") != "temporarily_unavailable" || back.rp.Get("state") != req.state {
		t.Fatalf("going back gave the relying party %v (%d at %s)", back.rp, back.status, back.url)
	}
}
