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
}

func (r requirement) restrictsEIDs() bool {
	return len(r.eids)+len(r.methods)+len(r.countries) > 0
}

const (
	eidURNPrefix     = "urn:portvakt:eid:"
	countryURNPrefix = "urn:portvakt:country:"
)

// ConnectorURN is the acr value that selects any method of a connector:
// se-bankid -> urn:portvakt:eid:se:bankid.
func ConnectorURN(id string) string { return eidURNPrefix + strings.Replace(id, "-", ":", 1) }

// parseACRValues reads acr_values. Values it does not know are ignored, as OIDC
// makes acr_values a voluntary request. A method's own URN selects that method; a
// connector's URN that is no method's selects all its methods; a connector URN
// with a level suffix (urn:portvakt:eid:dk:mitid:high) selects the connector at
// that level or above.
func parseACRValues(values []string, available []Option) requirement {
	req := requirement{eids: map[string]bool{}, methods: map[string]bool{}, countries: map[string]bool{}}
	byMethodURN := map[string][]string{}
	byConnectorURN := map[string]string{}
	for _, o := range available {
		byMethodURN[o.Method.URN] = append(byMethodURN[o.Method.URN], o.Value())
		byConnectorURN[ConnectorURN(o.Info.ID)] = o.Info.ID
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
		if i := strings.LastIndex(v, ":"); i > 0 {
			if id, ok := byConnectorURN[v[:i]]; ok {
				if loa, err := connectors.ParseLoA(v[i+1:]); err == nil {
					req.eids[id] = true
					levels = append(levels, loa)
				}
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
// narrowed by the request, at or above the required level.
func selectOptions(available []Option, client *Client, req requirement) []Option {
	var out []Option
	for _, o := range available {
		if !client.AllowsEID(o.Info) || o.Method.LoA < req.MinLoA {
			continue
		}
		if req.restrictsEIDs() && !req.eids[o.Info.ID] && !req.methods[o.Value()] && !servesAny(o.Info, req.countries) {
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
// method URN, each eID at the levels above its lowest that one of its methods
// spans (urn:portvakt:eid:dk:mitid:high), then the countries. The README's list
// is checked against it.
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
