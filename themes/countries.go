package themes

import "strings"

// Countries are the countries whose eIDs the broker offers, in display order.
func Countries() []string { return []string{"SE", "NO", "FI", "DK"} }

// CountryName translates an ISO 3166-1 alpha-2 code ("SE") with t. A code
// without a translation comes back as given.
func CountryName(t Translator, code string) string {
	code = strings.ToUpper(code)
	id := "country." + code
	if name := t(id); name != id {
		return name
	}
	return code
}

// FlagPath is the cache-busting static URL of a country's flag, or "" when
// there is none.
func (t *Themes) FlagPath(country string) string {
	return t.StaticPath("flags/" + strings.ToLower(country) + ".svg")
}

// LogoPath is the cache-busting static URL of a connector's logo
// ("se-bankid", "no-bankid", "fi-ftn", "dk-mitid"), or "" when there is none.
func (t *Themes) LogoPath(connector string) string {
	return t.StaticPath("eids/" + connector + ".svg")
}
