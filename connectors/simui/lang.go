package simui

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/portvakt/portvakt/themes"
)

// langCookie remembers the language the person chose on a simulator's page, so
// the next page (after a form or a redirect) keeps it.
const langCookie = "sim_lang"

// Language picks the page's language: the person's choice (?lang=, remembered
// under cookiePath), then hints in order (each a ui_locales list or a single
// code, as the request carried it), then the browser's Accept-Language, then
// English.
func Language(w http.ResponseWriter, r *http.Request, cookiePath string, hints ...string) string {
	if lang, ok := supported(r.URL.Query().Get("lang")); ok {
		http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: Secure follows the connection; dev mode serves the simulators over plain http
			Name: langCookie, Value: lang, Path: cookiePath, MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
		})
		return lang
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if lang, ok := supported(c.Value); ok {
			return lang
		}
	}
	for _, hint := range hints {
		for _, tag := range strings.Fields(hint) {
			if lang, ok := supported(tag); ok {
				return lang
			}
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if lang, ok := match(tags...); ok {
		return lang
	}
	return "en"
}

// supported reduces a BCP 47 tag ("sv-FI", "nn", "no") to one of the five
// languages, Norwegian of any kind to Bokmål.
func supported(raw string) (string, bool) {
	tag, err := language.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", false
	}
	return match(tag)
}

// match is the first of tags (in the caller's order of preference) that names
// one of the five languages.
func match(tags ...language.Tag) (string, bool) {
	for _, tag := range tags {
		base, confidence := tag.Base()
		if confidence != language.Exact {
			continue // "und" or "*": no language named
		}
		code := base.String()
		if code == "no" || code == "nn" {
			code = "nb"
		}
		if slices.Contains(themes.Languages(), code) {
			return code, true
		}
	}
	return "", false
}

// LanguageLinks is the language switch of the page at path with query: the same
// page with lang set.
func LanguageLinks(current, path string, query url.Values) []themes.LanguageLink {
	return themes.LanguageLinks(current, func(lang string) string {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("lang", lang)
		return path + "?" + q.Encode()
	})
}
