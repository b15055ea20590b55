package provider

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

// TestAnEIDOfSeveralCountries: an eID that serves four countries (Freja eID)
// is selected by each country's URN and by a client that allows any one of
// them, is advertised under each, and is offered in each country's group of
// the login page.
func TestAnEIDOfSeveralCountries(t *testing.T) {
	options := availableOptions([]connectors.Connector{
		infoOnly{connectors.Info{ID: "dk-mitid", Countries: []string{"DK"}, Methods: []connectors.Method{
			{URN: "urn:portvakt:eid:dk:mitid", LoA: connectors.LoAHigh, MinLoA: connectors.LoAHigh},
		}}},
		infoOnly{connectors.Info{ID: "se-freja", Countries: []string{"SE", "NO", "FI", "DK"}, Methods: []connectors.Method{
			{URN: "urn:portvakt:eid:se:freja", LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial},
		}}},
	})
	values := func(opts []Option) []string {
		var out []string
		for _, o := range opts {
			out = append(out, o.Value())
		}
		return out
	}
	finnish := &Client{}
	finnish.Countries = []string{"FI"}
	for _, tc := range []struct {
		name   string
		client *Client
		acr    []string
		want   []string
	}{
		{"its second country", &Client{}, []string{"urn:portvakt:country:no"}, []string{"se-freja/"}},
		{"a country it shares", &Client{}, []string{"urn:portvakt:country:dk"}, []string{"dk-mitid/", "se-freja/"}},
		{"a client of one of its countries", finnish, nil, []string{"se-freja/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := values(selectOptions(options, tc.client, parseACRValues(tc.acr, options))); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	advertised := supportedACRValues(options)
	for _, c := range []string{"se", "no", "fi", "dk"} {
		if !slices.Contains(advertised, "urn:portvakt:country:"+c) {
			t.Errorf("acr_values_supported %v lacks country %s", advertised, c)
		}
	}
	translate := func(id string, _ ...any) string { return id }
	var groups []string
	for _, g := range chooserGroups(translate, "en", httptest.NewRequest("GET", "/login", nil), nil, &loginState{}, options) {
		for _, o := range g.Options {
			if o.Connector == "se-freja" {
				groups = append(groups, g.Country)
			}
		}
	}
	if !slices.Equal(groups, []string{"SE", "NO", "FI", "DK"}) {
		t.Errorf("the login page offers it under %v, want each of its countries", groups)
	}
}
