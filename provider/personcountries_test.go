package provider

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

// TestPeopleOfSomeCountries: an eID of several countries is narrowed to the
// people of the countries a request or a client asks for, by the country's
// URN, the eID's per-country URN or the client's countries, and only then;
// the login page offers it in those countries' groups alone.
func TestPeopleOfSomeCountries(t *testing.T) {
	options := availableOptions([]connectors.Connector{
		infoOnly{connectors.Info{ID: "dk-mitid", Countries: []string{"DK"}, Methods: []connectors.Method{
			{URN: "urn:portvakt:eid:dk:mitid", LoA: connectors.LoAHigh, MinLoA: connectors.LoAHigh},
		}}},
		infoOnly{connectors.Info{ID: "freja", Countries: []string{"SE", "NO", "DK", "FI"}, Methods: []connectors.Method{
			{ID: "other-device", URN: "urn:portvakt:eid:freja:other-device", LoA: connectors.LoASubstantial, MinLoA: connectors.LoALow},
		}}},
	})
	finnish := &Client{}
	finnish.Countries = []string{"FI"}
	finnishFreja := &Client{}
	finnishFreja.Countries, finnishFreja.EIDs = []string{"FI"}, []string{"freja"}
	for _, tc := range []struct {
		name    string
		client  *Client
		acr     []string
		want    map[string][]string // option value -> person countries, nil for any
		wantLoA connectors.LoA
	}{
		{"the eID", &Client{}, []string{"urn:portvakt:eid:freja"}, map[string][]string{"freja/other-device": nil}, 0},
		{"no request", &Client{}, nil, map[string][]string{"dk-mitid/": nil, "freja/other-device": nil}, 0},
		{"its Norwegian people", &Client{}, []string{"urn:portvakt:eid:no:freja"}, map[string][]string{"freja/other-device": {"NO"}}, 0},
		{"two of its countries", &Client{}, []string{"urn:portvakt:eid:no:freja", "urn:portvakt:eid:fi:freja"}, map[string][]string{"freja/other-device": {"NO", "FI"}}, 0},
		{"Swedish at substantial", &Client{}, []string{"urn:portvakt:eid:se:freja:substantial"}, map[string][]string{"freja/other-device": {"SE"}}, connectors.LoASubstantial},
		{"a country", &Client{}, []string{"urn:portvakt:country:dk"}, map[string][]string{"dk-mitid/": nil, "freja/other-device": {"DK"}}, 0},
		{"a country and the eID", &Client{}, []string{"urn:portvakt:country:dk", "urn:portvakt:eid:freja"}, map[string][]string{"dk-mitid/": nil, "freja/other-device": nil}, 0},
		{"a method", &Client{}, []string{"urn:portvakt:eid:freja:other-device"}, map[string][]string{"freja/other-device": nil}, 0},
		{"a client of one country", finnish, nil, map[string][]string{"freja/other-device": {"FI"}}, 0},
		{"a client of one country asking for another", finnish, []string{"urn:portvakt:eid:no:freja"}, map[string][]string{}, 0},
		{"a client that names the eID", finnishFreja, nil, map[string][]string{"freja/other-device": nil}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := parseACRValues(tc.acr, options)
			if req.MinLoA != tc.wantLoA {
				t.Errorf("level %s, want %s", req.MinLoA, tc.wantLoA)
			}
			got := map[string][]string{}
			for _, o := range selectOptions(options, tc.client, req) {
				got[o.Value()] = personCountries(o, tc.client, req)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("options %v, want %v", got, tc.want)
			}
			for v, want := range tc.want {
				if g, ok := got[v]; !ok || !slices.Equal(g, want) || (g == nil) != (want == nil) {
					t.Errorf("%s: countries %v, want %v", v, g, want)
				}
			}
		})
	}

	advertised := supportedACRValues(options)
	for _, v := range []string{"urn:portvakt:eid:freja", "urn:portvakt:eid:se:freja", "urn:portvakt:eid:no:freja", "urn:portvakt:eid:dk:freja", "urn:portvakt:eid:fi:freja", "urn:portvakt:eid:freja:substantial"} {
		if !slices.Contains(advertised, v) {
			t.Errorf("acr_values_supported %v lacks %s", advertised, v)
		}
	}

	st := &loginState{Countries: personCountriesOf(options, &Client{}, parseACRValues([]string{"urn:portvakt:eid:no:freja"}, options))}
	translate := func(id string, _ ...any) string { return id }
	var groups []string
	for _, g := range chooserGroups(translate, "en", httptest.NewRequest("GET", "/login", nil), nil, st, options) {
		for _, o := range g.Options {
			if o.Connector == "freja" {
				groups = append(groups, g.Country)
			}
		}
	}
	if !slices.Equal(groups, []string{"NO"}) {
		t.Errorf("the login page offers it under %v, want Norway only", groups)
	}
	if st.acceptsCountry("freja/other-device", "SE") || !st.acceptsCountry("freja/other-device", "NO") || !st.acceptsCountry("dk-mitid/", "DK") {
		t.Errorf("acceptsCountry does not follow %v", st.Countries)
	}
}
