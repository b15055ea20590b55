package provider

import "slices"

// personCountries are the countries whose people an option may identify, when
// they are fewer than its eID serves: an eID of several countries (Freja eID)
// offered to a client that allows some countries only, or asked for by country
// (urn:portvakt:country:no, urn:portvakt:eid:no:freja). nil means every country
// the eID serves. An eID of one country needs no such check: its people are its
// country's.
func personCountries(o Option, client *Client, req requirement) []string {
	if len(o.Info.Countries) < 2 {
		return nil
	}
	allowed := slices.Clone(o.Info.Countries)
	keep := func(ok func(string) bool) {
		allowed = slices.DeleteFunc(allowed, func(c string) bool { return !ok(c) })
	}
	if len(client.Countries) > 0 && !slices.Contains(client.EIDs, o.Info.ID) {
		keep(func(c string) bool { return slices.Contains(client.Countries, c) })
	}
	if req.restrictsEIDs() && !req.eids[o.Info.ID] && !req.methods[o.Value()] {
		keep(func(c string) bool { return req.countries[c] || req.eidCountries[o.Info.ID][c] })
	}
	if len(allowed) == len(o.Info.Countries) {
		return nil
	}
	return allowed
}

// personCountriesOrAll is the countries whose people a client may have an
// option identify, whatever the request asks.
func personCountriesOrAll(o Option, client *Client) []string {
	if cs := personCountries(o, client, requirement{}); cs != nil {
		return cs
	}
	return o.Info.Countries
}

// personCountriesOf is what personCountries decided for each option of a
// login, by option value; nil when no option is narrowed.
func personCountriesOf(options []Option, client *Client, req requirement) map[string][]string {
	var out map[string][]string
	for _, o := range options {
		if cs := personCountries(o, client, req); cs != nil {
			if out == nil {
				out = map[string][]string{}
			}
			out[o.Value()] = cs
		}
	}
	return out
}

// acceptsCountry reports whether a login lets its option identify a person of
// country.
func (st *loginState) acceptsCountry(option, country string) bool {
	allowed, narrowed := st.Countries[option]
	return !narrowed || slices.Contains(allowed, country)
}

// offersIn reports whether the login offers the option in a country's group of
// the login page.
func (st *loginState) offersIn(o Option, country string) bool {
	return o.Info.Serves(country) && st.acceptsCountry(o.Value(), country)
}
