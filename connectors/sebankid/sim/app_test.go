package sim_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/connectors/sebankid/sim"
)

// TestAppPageSaysWhatIsAsked reads the app pages as a Swedish browser sees them:
// the waiting orders and the order page say in words what the service asks
// (identify, or sign this text, only for this person), in Swedish, and nothing
// of the RP API (statuses, hint codes, collects) shows.
func TestAppPageSaysWhatIsAsked(t *testing.T) {
	f := newFixture(t, sim.Options{AppBasePath: "/sim/se-bankid/"})
	app := httptest.NewServer(f.sim.AppHandler())
	t.Cleanup(app.Close)
	pnr := sim.TestUsers()[1].PersonalNumber
	_, auth := f.post(t, "auth", `{"endUserIp":"192.0.2.1","requirement":{"personalNumber":"`+pnr+`"}}`)
	text := base64.StdEncoding.EncodeToString([]byte("Lån på 10 000 kr"))
	_, sign := f.post(t, "sign", `{"endUserIp":"192.0.2.1","userVisibleData":"`+text+`"}`)

	swedish := func(path string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, app.URL+path, nil)
		req.Header.Set("Accept-Language", "sv-SE,sv;q=0.9,en;q=0.5")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	started := f.now.Now().Format("15:04:05")
	pages := []struct {
		name, path string
		want       []string
	}{
		{"home", "/sim/se-bankid/", []string{`lang="sv"`, "Väntar på dig", "Legitimering", "Underskrift", "Startad " + started, "Bara för " + pnr}},
		{"identify", "/sim/se-bankid/order?ref=" + auth["orderRef"].(string), []string{"Legitimera dig", "Bara för " + pnr, ">Legitimera</button>"}},
		{"sign", "/sim/se-bankid/order?ref=" + sign["orderRef"].(string), []string{"En tjänst ber dig skriva under med BankID.", "Lån på 10 000 kr", ">Skriv under</button>"}},
	}
	for _, p := range pages {
		body := swedish(p.path)
		for _, w := range p.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s page lacks %q", p.name, w)
			}
		}
		for _, jargon := range []string{"outstandingTransaction", "userSign", "pending", "collect", "bankid."} {
			if strings.Contains(strings.ReplaceAll(body, `placeholder="bankid.…"`, ""), jargon) {
				t.Errorf("%s page shows %q", p.name, jargon)
			}
		}
	}
}

// TestAppPageShowsPhoneOrders: a phone order waits on the app page saying who
// phoned whom and with the service's text, and is approved there as the
// person it was started for.
func TestAppPageShowsPhoneOrders(t *testing.T) {
	f := newFixture(t, sim.Options{AppBasePath: "/sim/se-bankid/"})
	app := httptest.NewServer(f.sim.AppHandler())
	t.Cleanup(app.Close)
	pnr := sim.TestUsers()[2].PersonalNumber
	text := base64.StdEncoding.EncodeToString([]byte("Ärende 4711"))
	_, byRP := f.post(t, "phone/auth", `{"personalNumber":"`+pnr+`","callInitiator":"RP","userVisibleData":"`+text+`"}`)
	get := func(path string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, app.URL+path, nil)
		req.Header.Set("Accept-Language", "en")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for name, body := range map[string]string{"home": get("/sim/se-bankid/"), "order": get("/sim/se-bankid/order?ref=" + byRP["orderRef"].(string))} {
		for _, want := range []string{"The service phoned you", "Ärende 4711", pnr} {
			if !strings.Contains(body, want) {
				t.Errorf("%s page lacks %q", name, want)
			}
		}
	}
	if _, err := f.sim.Approve(byRP["orderRef"].(string), ""); err != nil {
		t.Fatal(err)
	}
	other := sim.TestUsers()[3].PersonalNumber
	_, byUser := f.post(t, "phone/auth", `{"personalNumber":"`+other+`","callInitiator":"user"}`)
	if body := get("/sim/se-bankid/order?ref=" + byUser["orderRef"].(string)); !strings.Contains(body, "You phoned the service") {
		t.Errorf("an order of a person who phoned does not say so")
	}
}
