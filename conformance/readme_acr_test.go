package conformance_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

// readmeSection is the README's text from start up to end.
func readmeSection(t *testing.T, start, end string) string {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(raw), start)
	section, _, found := strings.Cut(rest, end)
	if !ok || !found {
		t.Fatalf("README.md has no section from %q to %q", start, end)
	}
	return section
}

var readmeACRPattern = regexp.MustCompile("`((?:http://eidas\\.europa\\.eu/LoA/|urn:portvakt:)[^`]+)`")

// The README's list of acr values and discovery's acr_values_supported come from
// the same place: the connectors' methods and levels (provider/acr.go builds
// discovery's; this test keeps the README's equal to it).
func TestREADMEACRValuesMatchDiscovery(t *testing.T) {
	d := dev(t)
	var meta struct {
		ACRValues []string `json:"acr_values_supported"`
	}
	getJSON(t, d.issuer+"/.well-known/openid-configuration", "", &meta)
	var documented []string
	for _, m := range readmeACRPattern.FindAllStringSubmatch(readmeSection(t, "Choose eIDs and levels with `acr_values`", "`login_hint=sub:"), -1) {
		documented = append(documented, m[1])
	}
	for _, v := range meta.ACRValues {
		if !slices.Contains(documented, v) {
			t.Errorf("discovery advertises %s; the README's acr list does not", v)
		}
	}
	for _, v := range documented {
		if !slices.Contains(meta.ACRValues, v) {
			t.Errorf("the README documents %s; discovery's acr_values_supported does not", v)
		}
	}
	if t.Failed() {
		t.Logf("discovery's acr_values_supported: %s", strings.Join(meta.ACRValues, " "))
	}
}

// Every acr value discovery advertises logs in, with the eID, country and
// level it names.
func TestEveryAdvertisedACRValueLogsIn(t *testing.T) {
	d := dev(t)
	r := newRP(t, d, "")
	var advertised []string
	for _, v := range r.meta["acr_values_supported"].([]any) {
		advertised = append(advertised, v.(string))
	}
	for _, value := range advertised {
		t.Run(value, func(t *testing.T) {
			req := r.newRequest()
			req.params.Set("acr_values", value)
			if hint := personOfCountry(d, value); hint != "" {
				req.params.Set("login_hint", "sub:"+hint)
			}
			l := r.login(t, newBrowser(t), req)
			idp, _ := l.claims["idp"].(string)
			acr, _ := l.claims["acr"].(string)
			got, err := connectors.ParseLoA(acr)
			if err != nil {
				t.Fatalf("acr %q: %v", acr, err)
			}
			want := connectors.LoALow
			if loa, err := connectors.ParseLoA(value); err == nil {
				want = loa
			} else if loa, err := connectors.ParseLoA(value[strings.LastIndex(value, ":")+1:]); err == nil {
				want = loa
			}
			if got < want {
				t.Errorf("acr %s is below the %s asked for", acr, want)
			}
			if eid, ok := strings.CutPrefix(value, "urn:portvakt:eid:"); ok {
				// An eID of one country is <country>-<name> (se-bankid); one of
				// several is its name alone (freja), with or without a country.
				parts := append(strings.SplitN(eid, ":", 3), "")
				if idp != parts[0]+"-"+parts[1] && idp != parts[0] && idp != parts[1] {
					t.Errorf("idp %q is not the eID %s names", idp, value)
				}
			}
			if country, ok := strings.CutPrefix(value, "urn:portvakt:country:"); ok && !strings.HasPrefix(idp, country+"-") {
				t.Errorf("idp %q is not of country %s", idp, country)
			}
		})
	}
}

// personOfCountry is a test person to hint for a per-country acr value of an
// eID of several countries (urn:portvakt:eid:no:freja): the simulator approves
// as the hinted person, and only a person of that country may log in.
func personOfCountry(d *devEnv, value string) string {
	eid, ok := strings.CutPrefix(value, "urn:portvakt:eid:")
	parts := strings.Split(eid, ":")
	if !ok || len(parts) < 2 {
		return ""
	}
	for _, p := range d.env.Simulators.People(parts[1]) {
		if strings.EqualFold(p.Country, parts[0]) {
			return p.NationalID
		}
	}
	return ""
}
