package themes

import (
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/portvakt/portvakt/connectors"
)

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

// EIDName is the eID's name in the page's language: the theme's eid.<id>.name,
// else the connector's own name for that language ("Finnish Trust Network" is
// not what Finns call it), else its one name.
func EIDName(t Translator, lang string, info connectors.Info) string {
	id := "eid." + info.ID + ".name"
	if name := t(id); name != id {
		return name
	}
	if name := info.Names[lang]; name != "" {
		return name
	}
	return info.Name
}

// EIDLabel is the eID's name with its country, "MitID (Denmark)", or the name
// alone when it says the country itself or the eID serves several.
func EIDLabel(t Translator, lang string, info connectors.Info) string {
	name := EIDName(t, lang, info)
	if info.NameSaysCountry || len(info.Countries) != 1 {
		return name
	}
	return name + " (" + CountryName(t, info.Countries[0]) + ")"
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

// countryOfLanguage is the country whose eIDs a speaker of the language most
// likely holds.
var countryOfLanguage = map[string]string{"sv": "SE", "nb": "NO", "nn": "NO", "no": "NO", "fi": "FI", "da": "DK"}

// PreferredCountries is connectors.Countries with the person's own country first: the first
// of the OIDC ui_locales, then of the browser's Accept-Language, that names one of
// them, by region ("sv-FI" is Finland) or else by language ("da" is Denmark).
func PreferredCountries(uiLocales []string, acceptLanguage string) []string {
	countries := connectors.Countries()
	tags := make([]language.Tag, 0, len(uiLocales)+4)
	for _, raw := range uiLocales {
		if tag, err := language.Parse(strings.TrimSpace(raw)); err == nil {
			tags = append(tags, tag)
		}
	}
	browser, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	for _, tag := range append(tags, browser...) {
		country := ""
		if region, confidence := tag.Region(); confidence == language.Exact {
			country = region.String()
		}
		if !slices.Contains(countries, country) {
			base, _ := tag.Base()
			country = countryOfLanguage[base.String()]
		}
		if i := slices.Index(countries, country); i > 0 {
			return append(append([]string{country}, countries[:i]...), countries[i+1:]...)
		} else if i == 0 {
			return countries
		}
	}
	return countries
}
