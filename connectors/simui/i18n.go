package simui

import (
	"embed"
	"fmt"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/portvakt/portvakt/themes"
)

//go:embed locales/*.yaml
var localeFiles embed.FS

// Translator returns a message in the page's language, filled in from data's
// fields when the message has any ({{.PersonalNumber}}). An unknown id comes
// back as the id, so a mistake shows rather than a blank.
type Translator func(id string, data ...any) string

// catalog is parsed once: it never changes after start, and a broken locale
// file is a build mistake the tests catch.
var catalog = mustLoadCatalog()

type translations struct {
	localizers map[string]*i18n.Localizer
	// english are the English messages, for the test that no page in another
	// language shows one.
	messages map[string]map[string]string
}

func mustLoadCatalog() translations {
	c, err := loadCatalog()
	if err != nil {
		panic(err)
	}
	return c
}

// loadCatalog reads every language's file and refuses one that lacks a key
// English has.
func loadCatalog() (translations, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := translations{localizers: map[string]*i18n.Localizer{}, messages: map[string]map[string]string{}}
	for _, lang := range themes.Languages() {
		path := "locales/" + lang + ".yaml"
		buf, err := localeFiles.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("simui: %w", err)
		}
		flat := map[string]string{}
		if err := yaml.Unmarshal(buf, &flat); err != nil {
			return c, fmt.Errorf("simui: parse %s: %w", path, err)
		}
		if _, err := bundle.ParseMessageFileBytes(buf, path); err != nil {
			return c, fmt.Errorf("simui: parse %s: %w", path, err)
		}
		c.messages[lang] = flat
		c.localizers[lang] = i18n.NewLocalizer(bundle, lang)
	}
	for _, lang := range themes.Languages() {
		var missing []string
		for k := range c.messages["en"] {
			if _, ok := c.messages[lang][k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return c, fmt.Errorf("simui: locales/%s.yaml lacks %s", lang, strings.Join(missing, ", "))
		}
	}
	return c, nil
}

// Translate returns the translator for lang (English for any other).
func Translate(lang string) Translator {
	localizer, ok := catalog.localizers[lang]
	if !ok {
		localizer = catalog.localizers["en"]
	}
	return func(id string, data ...any) string {
		cfg := &i18n.LocalizeConfig{MessageID: id}
		if len(data) > 0 {
			cfg.TemplateData = data[0]
		}
		msg, err := localizer.Localize(cfg)
		if err != nil || msg == "" {
			return id
		}
		return msg
	}
}

// Messages are lang's messages by id, as written in its locale file (template
// fields unfilled): for tests that look for untranslated text on a page.
func Messages(lang string) map[string]string {
	out := make(map[string]string, len(catalog.messages[lang]))
	for k, v := range catalog.messages[lang] {
		out[k] = v
	}
	return out
}
