package themes

// LanguageLinks builds the language switcher. urlFor returns the current
// page's URL with the language set (typically ?lang=<code>).
func LanguageLinks(current string, urlFor func(lang string) string) []LanguageLink {
	links := make([]LanguageLink, 0, len(Languages()))
	for _, code := range Languages() {
		links = append(links, LanguageLink{Code: code, Name: LanguageName(code), URL: urlFor(code), Current: code == current})
	}
	return links
}

// NewPage fills the Page every page embeds: the translator for lang, the
// language switcher, and the title translated from titleID with args.
func (t *Themes) NewPage(lang string, theme Theme, csrfToken string, urlFor func(lang string) string, titleID string, args ...any) Page {
	translate := t.Translator(lang)
	return Page{
		Lang:      lang,
		T:         translate,
		Languages: LanguageLinks(lang, urlFor),
		Theme:     theme,
		Title:     translate(titleID, args...),
		CSRFToken: csrfToken,
	}
}
