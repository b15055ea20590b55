package themes

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// defaultLanguage is used when nothing the browser or the client asks for is
// supported, and as the fallback for a message a translation lacks.
const defaultLanguage = "en"

// Translator returns the message with the given id in one language. args are
// key/value pairs for the message's template data:
//
//	t("login.heading", "Client", "Acme Bank")
//
// An unknown id comes back as the id itself, so a mistake is visible rather
// than silently blank.
type Translator func(id string, args ...any) string

// Languages returns the supported language codes in the order the language
// switcher shows them.
func Languages() []string { return []string{"sv", "nb", "fi", "da", "en"} }

// LanguageName returns a language's name in that language ("Svenska"), or
// the code itself for a language that is not supported.
func LanguageName(lang string) string {
	switch lang {
	case "sv":
		return "Svenska"
	case "nb":
		return "Norsk bokmål"
	case "fi":
		return "Suomi"
	case "da":
		return "Dansk"
	case "en":
		return "English"
	}
	return lang
}

// catalog holds the parsed translations: the go-i18n bundle for rendering,
// and each language's key set for the completeness check at load.
type catalog struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
}

// loadCatalog parses locales/<lang>.yaml for every supported language and
// fails when a file is missing or lacks a key that English has.
func loadCatalog(files map[string][]byte) (*catalog, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)

	keys := map[string]map[string]bool{}
	var problems []string
	for _, lang := range Languages() {
		path := "locales/" + lang + ".yaml"
		buf, ok := files[path]
		if !ok {
			problems = append(problems, "missing locale file "+path)
			continue
		}
		flat := map[string]any{}
		if err := yaml.Unmarshal(buf, &flat); err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		keys[lang] = map[string]bool{}
		for k, v := range flat {
			if _, isString := v.(string); !isString {
				problems = append(problems, fmt.Sprintf("%s: key %q is not a plain string", path, k))
			}
			keys[lang][k] = true
		}
		if _, err := bundle.ParseMessageFileBytes(buf, path); err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
	}
	if english, ok := keys[defaultLanguage]; ok {
		for _, lang := range Languages() {
			if keys[lang] == nil || lang == defaultLanguage {
				continue
			}
			if missing := missingKeys(english, keys[lang]); len(missing) > 0 {
				problems = append(problems, fmt.Sprintf("locales/%s.yaml lacks %s", lang, strings.Join(missing, ", ")))
			}
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("locales: " + strings.Join(problems, "; "))
	}

	c := &catalog{bundle: bundle, localizers: map[string]*i18n.Localizer{}}
	for _, lang := range Languages() {
		c.localizers[lang] = i18n.NewLocalizer(bundle, lang, defaultLanguage)
	}
	return c, nil
}

func missingKeys(want, have map[string]bool) []string {
	var missing []string
	for k := range want {
		if !have[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	return missing
}

// translator binds a localizer; an unsupported language gets English.
func (c *catalog) translator(lang string) Translator {
	localizer, ok := c.localizers[lang]
	if !ok {
		localizer = c.localizers[defaultLanguage]
	}
	return func(id string, args ...any) string {
		var data map[string]any
		if len(args) > 0 {
			data = make(map[string]any, len(args)/2)
			for i := 0; i+1 < len(args); i += 2 {
				data[fmt.Sprint(args[i])] = args[i+1]
			}
		}
		msg, err := localizer.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
		if err != nil || msg == "" {
			return id
		}
		return msg
	}
}

// Translator returns the translator for lang (English when lang is not supported).
func (t *Themes) Translator(lang string) Translator { return t.catalog.translator(lang) }

// MatchLanguage picks the page language. The language switcher (explicit,
// from ?lang=) wins, then the OIDC ui_locales in the client's order of
// preference, then the browser's Accept-Language; English otherwise.
// Every form of Norwegian ("no", "nb", "nn") is served in Bokmål.
func (t *Themes) MatchLanguage(uiLocales []string, acceptLanguage string, explicit string) string {
	if lang, ok := supportedLanguage(explicit); ok {
		return lang
	}
	for _, candidate := range uiLocales {
		if lang, ok := supportedLanguage(candidate); ok {
			return lang
		}
	}
	// ParseAcceptLanguage sorts by q-value; a malformed header still yields
	// the tags it could read before the error.
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	for _, tag := range tags {
		if lang, ok := supportedLanguage(tag.String()); ok {
			return lang
		}
	}
	return defaultLanguage
}

// supportedLanguage reduces a BCP 47 tag such as "sv-FI" or "nn-NO" to one
// of the supported language codes.
func supportedLanguage(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", false
	}
	tag, err := language.Parse(raw)
	if err != nil {
		return "", false
	}
	// Base guesses a language for "und" and "*"; only an explicit one counts.
	base, confidence := tag.Base()
	if confidence != language.Exact {
		return "", false
	}
	code := base.String()
	switch code {
	case "no", "nn", "nb":
		code = "nb"
	}
	if slices.Contains(Languages(), code) {
		return code, true
	}
	return "", false
}
