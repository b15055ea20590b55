package provider

import (
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

type infoOnly struct{ info connectors.Info }

func (c infoOnly) Info() connectors.Info { return c.info }

func testOptions() []Option {
	return availableOptions([]connectors.Connector{
		infoOnly{connectors.Info{ID: "se-bankid", Countries: []string{"SE"}, Methods: []connectors.Method{
			{ID: "other-device", URN: "urn:portvakt:eid:se:bankid:other-device", LoA: connectors.LoASubstantial},
			{ID: "same-device", URN: "urn:portvakt:eid:se:bankid:same-device", LoA: connectors.LoASubstantial},
		}, ACRAliases: map[string]string{"urn:grn:authn:se:bankid:another-device:qr": "urn:portvakt:eid:se:bankid:other-device"}}},
		infoOnly{connectors.Info{ID: "no-bankid", Countries: []string{"NO"}, Methods: []connectors.Method{
			{ID: "high", URN: "urn:portvakt:eid:no:bankid", LoA: connectors.LoAHigh},
			{ID: "substantial", URN: "urn:portvakt:eid:no:bankid:substantial", LoA: connectors.LoASubstantial},
		}}},
		infoOnly{connectors.Info{ID: "dk-mitid", Countries: []string{"DK"}, Methods: []connectors.Method{
			{ID: "", URN: "urn:portvakt:eid:dk:mitid", LoA: connectors.LoAHigh, MinLoA: connectors.LoALow},
		}}},
	})
}

func TestSelectOptions(t *testing.T) {
	all := &Client{}
	seAndDK := &Client{}
	seAndDK.Countries = []string{"SE", "DK"}
	highOnly := &Client{}
	highOnly.MinLoA = connectors.LoAHigh
	for _, tc := range []struct {
		name   string
		client *Client
		acr    []string
		want   []string
	}{
		{"everything", all, nil, []string{"se-bankid/other-device", "se-bankid/same-device", "no-bankid/high", "no-bankid/substantial", "dk-mitid/"}},
		{"a connector: all its methods", all, []string{"urn:portvakt:eid:se:bankid"}, []string{"se-bankid/other-device", "se-bankid/same-device"}},
		{"a method", all, []string{"urn:portvakt:eid:se:bankid:same-device"}, []string{"se-bankid/same-device"}},
		{"a connector URN that is a method's", all, []string{"urn:portvakt:eid:no:bankid"}, []string{"no-bankid/high"}},
		{"a level suffix", all, []string{"urn:portvakt:eid:dk:mitid:high"}, []string{"dk-mitid/"}},
		{"a level suffix no method reaches", all, []string{"urn:portvakt:eid:se:bankid:high"}, nil},
		{"a country", all, []string{"urn:portvakt:country:no"}, []string{"no-bankid/high", "no-bankid/substantial"}},
		{"a level", all, []string{"http://eidas.europa.eu/LoA/high"}, []string{"no-bankid/high", "dk-mitid/"}},
		{"the lowest of several levels", all, []string{"http://eidas.europa.eu/LoA/high", "http://eidas.europa.eu/LoA/substantial"}, []string{"se-bankid/other-device", "se-bankid/same-device", "no-bankid/high", "no-bankid/substantial", "dk-mitid/"}},
		{"grn alias", all, []string{"urn:grn:authn:se:bankid:another-device:qr"}, []string{"se-bankid/other-device"}},
		{"unknown values are ignored", all, []string{"1", "2"}, []string{"se-bankid/other-device", "se-bankid/same-device", "no-bankid/high", "no-bankid/substantial", "dk-mitid/"}},
		{"the client's countries", seAndDK, nil, []string{"se-bankid/other-device", "se-bankid/same-device", "dk-mitid/"}},
		{"a country the client does not allow", seAndDK, []string{"urn:portvakt:eid:no:bankid"}, nil},
		{"the client's minimum level", highOnly, nil, []string{"no-bankid/high", "dk-mitid/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := parseACRValues(tc.acr, testOptions())
			req.MinLoA = max(req.MinLoA, tc.client.MinLoA)
			var got []string
			for _, o := range selectOptions(testOptions(), tc.client, req) {
				got = append(got, o.Value())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}
