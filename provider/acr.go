package provider

import (
	"slices"
	"strings"

	"github.com/portvakt/portvakt/connectors"
)

// Option is one eID method a person may choose for a login.
type Option struct {
	Connector connectors.Connector
	Info      connectors.Info
	Method    connectors.Method
}

// Value identifies the option in forms and state: "se-bankid/other-device".
func (o Option) Value() string { return o.Info.ID + "/" + o.Method.ID }

// requirement is what a request's acr_values (and the client) ask of the login.
type requirement struct {
	MinLoA    connectors.LoA
	eids      map[string]bool // connector ids, any method
	methods   map[string]bool // option values
	countries map[string]bool
	// eidCountries are eIDs asked for the people of some of their countries
	// only (urn:portvakt:eid:no:freja): connector id -> countries.
	eidCountries map[string]map[string]bool
	// sign is the signature the request asks for, nil for a login.
	sign *signState
}

func (r requirement) restrictsEIDs() bool {
	return len(r.eids)+len(r.methods)+len(r.countries)+len(r.eidCountries) > 0
}

const (
	eidURNPrefix     = "urn:portvakt:eid:"
	countryURNPrefix = "urn:portvakt:country:"
)

// ConnectorURN is the acr value that selects any method of a connector:
// se-bankid -> urn:portvakt:eid:se:bankid, freja -> urn:portvakt:eid:freja.
func ConnectorURN(id string) string { return eidURNPrefix + strings.Replace(id, "-", ":", 1) }

// CountryURN is the acr value that selects an eID of several countries for the
// people of one of them: urn:portvakt:eid:<country>:<eID>, the eID named by its
// id without a country prefix (freja -> urn:portvakt:eid:no:freja). For an eID
// of one country it is the same as ConnectorURN.
func CountryURN(info connectors.Info, country string) string {
	name := info.ID
	for _, c := range info.Countries {
		if rest, ok := strings.CutPrefix(name, strings.ToLower(c)+"-"); ok {
			name = rest
			break
		}
	}
	return eidURNPrefix + strings.ToLower(country) + ":" + name
}

// countrySelection is an eID for the people of one country.
type countrySelection struct{ id, country string }

// countryURNs maps the per-country acr values of the eIDs of several countries
// to what they select. A connector's own URN wins over a per-country one that
// spells the same.
func countryURNs(available []Option, byConnectorURN map[string]string) map[string]countrySelection {
	out := map[string]countrySelection{}
	for _, o := range available {
		if len(o.Info.Countries) < 2 {
			continue
		}
		for _, c := range o.Info.Countries {
			if urn := CountryURN(o.Info, c); byConnectorURN[urn] == "" {
				out[urn] = countrySelection{o.Info.ID, c}
			}
		}
	}
	return out
}

// parseACRValues reads acr_values. Values it does not know are ignored, as OIDC
// makes acr_values a voluntary request. A method's own URN selects that method; a
// connector's URN that is no method's selects all its methods; a connector URN
// with a level suffix (urn:portvakt:eid:dk:mitid:high) selects the connector at
// that level or above. A per-country URN of an eID of several countries
// (urn:portvakt:eid:no:freja) selects it for the people of that country, with a
// level suffix too.
func parseACRValues(values []string, available []Option) requirement {
	req := requirement{eids: map[string]bool{}, methods: map[string]bool{}, countries: map[string]bool{}, eidCountries: map[string]map[string]bool{}}
	byMethodURN := map[string][]string{}
	byConnectorURN := map[string]string{}
	for _, o := range available {
		byMethodURN[o.Method.URN] = append(byMethodURN[o.Method.URN], o.Value())
		byConnectorURN[ConnectorURN(o.Info.ID)] = o.Info.ID
	}
	byCountryURN := countryURNs(available, byConnectorURN)
	selectCountry := func(sel countrySelection) {
		if req.eidCountries[sel.id] == nil {
			req.eidCountries[sel.id] = map[string]bool{}
		}
		req.eidCountries[sel.id][sel.country] = true
	}
	var levels []connectors.LoA
	for _, v := range values {
		if ours, ok := acrAlias(v, available); ok {
			v = ours
		}
		if loa, err := connectors.ParseLoA(v); err == nil && strings.HasPrefix(v, "http") {
			levels = append(levels, loa)
			continue
		}
		if c, ok := strings.CutPrefix(v, countryURNPrefix); ok {
			req.countries[strings.ToUpper(c)] = true
			continue
		}
		if opts, ok := byMethodURN[v]; ok {
			for _, o := range opts {
				req.methods[o] = true
			}
			continue
		}
		if id, ok := byConnectorURN[v]; ok {
			req.eids[id] = true
			continue
		}
		if sel, ok := byCountryURN[v]; ok {
			selectCountry(sel)
			continue
		}
		if i := strings.LastIndex(v, ":"); i > 0 {
			loa, err := connectors.ParseLoA(v[i+1:])
			if err != nil {
				continue
			}
			if id, ok := byConnectorURN[v[:i]]; ok {
				req.eids[id] = true
				levels = append(levels, loa)
			} else if sel, ok := byCountryURN[v[:i]]; ok {
				selectCountry(sel)
				levels = append(levels, loa)
			}
		}
	}
	if len(levels) > 0 {
		req.MinLoA = slices.Min(levels)
	}
	return req
}

// acrAlias is the value of ours that another broker's acr value v means, by
// the connectors' own alias tables.
func acrAlias(v string, available []Option) (string, bool) {
	for _, o := range available {
		if ours, ok := o.Info.ACRAliases[v]; ok {
			return ours, true
		}
	}
	return "", false
}

// selectOptions returns the options the login may offer: what the client allows,
// narrowed by the request, at or above the required level, for the people of
// at least one country.
func selectOptions(available []Option, client *Client, req requirement) []Option {
	var out []Option
	for _, o := range available {
		if !client.AllowsEID(o.Info) || o.Method.LoA < req.MinLoA {
			continue
		}
		if req.restrictsEIDs() && !req.eids[o.Info.ID] && !req.methods[o.Value()] && !servesAny(o.Info, req.countries) && len(req.eidCountries[o.Info.ID]) == 0 {
			continue
		}
		if cs := personCountries(o, client, req); cs != nil && len(cs) == 0 {
			continue
		}
		out = append(out, o)
	}
	return out
}

// servesAny reports whether the eID serves one of the countries.
func servesAny(info connectors.Info, countries map[string]bool) bool {
	return slices.ContainsFunc(info.Countries, func(c string) bool { return countries[c] })
}

// availableOptions flattens connectors into their methods, in configuration order.
func availableOptions(conns []connectors.Connector) []Option {
	var out []Option
	for _, c := range conns {
		info := c.Info()
		for _, m := range info.Methods {
			out = append(out, Option{Connector: c, Info: info, Method: m})
		}
	}
	return out
}

// supportedACRValues is what discovery advertises: the levels, then every eID and
// method URN, an eID of several countries also per country
// (urn:portvakt:eid:no:freja), each eID at the levels above its lowest that one
// of its methods spans (urn:portvakt:eid:dk:mitid:high), then the countries.
// The README's list is checked against it.
func supportedACRValues(available []Option) []string {
	out := []string{connectors.LoALowURI, connectors.LoASubstantialURI, connectors.LoAHighURI}
	seen := map[string]bool{}
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, o := range available {
		add(ConnectorURN(o.Info.ID))
		if len(o.Info.Countries) > 1 {
			for _, c := range o.Info.Countries {
				add(CountryURN(o.Info, c))
			}
		}
		add(o.Method.URN)
		for l := o.Method.MinLoA + 1; l <= o.Method.LoA; l++ {
			add(ConnectorURN(o.Info.ID) + ":" + l.String())
		}
	}
	for _, o := range available {
		for _, c := range o.Info.Countries {
			add(countryURNPrefix + strings.ToLower(c))
		}
	}
	return out
}
