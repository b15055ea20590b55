package browser

import (
	"testing"

	dksim "github.com/portvakt/portvakt/connectors/dkmitid/sim"
	fisim "github.com/portvakt/portvakt/connectors/fiftn/sim"
	nosim "github.com/portvakt/portvakt/connectors/nobankid/sim"
	"github.com/portvakt/portvakt/connectors/simcore"
)

// TestRedirectEIDLogin logs in from the demo app with each eID the broker
// reaches by redirect: the demo's button goes through the broker to the
// simulator's page, where the person picks a test user (not the preselected one)
// and approves; the demo app then shows that person's verified claims.
func TestRedirectEIDLogin(t *testing.T) {
	cases := []struct {
		name, button, simulator string
		person                  simcore.User
		country, acr            string
	}{
		{"NorwegianBankID", "BankID (Norway)", "no-bankid", nosim.TestUsers()[1], "NO", "http://eidas.europa.eu/LoA/high"},
		{"FTN", "Finnish bank ID (FTN)", "fi-ftn", fisim.TestUsers()[1], "FI", "http://eidas.europa.eu/LoA/substantial"},
		{"MitID", "MitID (Denmark)", "dk-mitid", dksim.TestUsers()[1], "DK", "http://eidas.europa.eu/LoA/substantial"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := openTab(t)
			env := startDev(t)

			b.navigate(env.Issuer + "/demo")
			b.screenshot("01-demo")
			b.clickText("a", c.button)

			b.waitForPage("/sim/"+c.simulator+"/authorize", `form[action$="/authorize/decide"]`)
			b.click(`input[name="user"][value="` + c.person.NationalID + `"]`)
			b.screenshot("02-simulator")
			b.click(`button[name="action"][value="approve"]`)

			b.waitForPage("/demo", ".demo-table")
			b.screenshot("03-claims")
			wantClaims(t, shownClaims(b), map[string]string{
				"name": c.person.Name, "national_id": c.person.NationalID, "country": c.country, "acr": c.acr, "idp": c.simulator,
			})
		})
	}
}
