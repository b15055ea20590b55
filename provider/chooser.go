package provider

import (
	"net/http"
	"slices"
	"strings"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/themes"
)

// chooserGroups arranges the eIDs of the login page by country, the person's own
// country first (ui_locales, then the browser's languages); an eID of several
// countries is in the group of each country the login accepts its people from. Within a country the
// order is the connector's, except that on a phone the app on this device comes
// before the QR code for another device.
func chooserGroups(t themes.Translator, lang string, r *http.Request, uiLocales []string, st *loginState, options []Option) []themes.CountryGroup {
	if connectors.MobileUserAgent(r.UserAgent()) {
		options = slices.Clone(options)
		slices.SortStableFunc(options, func(a, b Option) int { return deviceRank(a) - deviceRank(b) })
	}
	countries := themes.PreferredCountries(uiLocales, r.Header.Get("Accept-Language"))
	for _, o := range options {
		for _, c := range o.Info.Countries {
			if !slices.Contains(countries, c) {
				countries = append(countries, c)
			}
		}
	}
	var groups []themes.CountryGroup
	for _, country := range countries {
		g := themes.CountryGroup{Country: country, Name: themes.CountryName(t, country), Flag: "/static/flags/" + lower(country) + ".svg"}
		for _, o := range options {
			if st.offersIn(o, country) {
				g.Options = append(g.Options, chooserOption(t, lang, o))
			}
		}
		if len(g.Options) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

// deviceRank sorts the app on this device before the other methods.
func deviceRank(o Option) int {
	if o.Method.LaunchesApp {
		return 0
	}
	return 1
}

// chooserOption says what a person understands: the eID, how it is used (the
// app on this device, a QR code, a code device, biometrics) and, for an eID
// that sends the person on to a bank, the banks. Levels of assurance are for
// the developer documentation, not for the page.
func chooserOption(t themes.Translator, lang string, o Option) themes.LoginOption {
	return themes.LoginOption{
		Value: o.Value(), Connector: o.Info.ID, Name: themes.EIDName(t, lang, o.Info),
		Method: methodLabel(t, lang, o), Description: strings.Join(o.Info.Providers, ", "),
		LogoURL: "/static/eids/" + o.Info.ID + ".svg",
	}
}

// methodLabel says how the eID is used: the method when the eID has more than
// one, else the eID's own description, if it has one.
func methodLabel(t themes.Translator, lang string, o Option) string {
	if len(o.Info.Methods) > 1 && o.Method.ID != "" {
		return t("method." + underscore(o.Method.ID))
	}
	id := "eid." + o.Info.ID + ".description"
	if text := t(id); text != id {
		return text
	}
	return o.Info.Descriptions[lang]
}
