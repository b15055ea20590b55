package themes

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

// loadThemes loads the built-in theme with stand-ins for the logos the four
// built-in connectors carry, as the broker passes them.
func loadThemes(t *testing.T) *Themes {
	t.Helper()
	logos := map[string][]byte{}
	for _, id := range []string{"se-bankid", "no-bankid", "fi-ftn", "dk-mitid"} {
		logos[id] = []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><title>` + id + `</title><rect width="48" height="48"/></svg>`)
	}
	th, err := Load(Options{EIDLogos: logos})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return th
}

func englishKeys(t *testing.T) []string {
	t.Helper()
	keys := make([]string, 0, 128)
	for k := range readLocale(t, "en") {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func readLocale(t *testing.T, lang string) map[string]string {
	t.Helper()
	buf, err := fs.ReadFile(embedded, "locales/"+lang+".yaml")
	if err != nil {
		t.Fatalf("read locale %s: %v", lang, err)
	}
	messages := map[string]string{}
	if err := yaml.Unmarshal(buf, &messages); err != nil {
		t.Fatalf("parse locale %s: %v", lang, err)
	}
	return messages
}

func TestRenderEveryPageInEveryLanguage(t *testing.T) {
	th := loadThemes(t)
	keys := englishKeys(t)
	for _, lang := range Languages() {
		cases := samplePages(th, lang)
		for name, data := range sampleVariants(th, lang) {
			cases[name] = data
		}
		for name, data := range cases {
			t.Run(describe(name, lang), func(t *testing.T) {
				template, _, _ := strings.Cut(name, " ")
				var out bytes.Buffer
				if err := th.Render(&out, template, data); err != nil {
					t.Fatalf("Render: %v", err)
				}
				html := out.String()
				if !strings.Contains(html, `<html lang="`+lang+`">`) {
					t.Errorf("page does not declare lang=%q", lang)
				}
				for _, bad := range []string{"<no value>", "&lt;no value&gt;", "ZgotmplZ", "%!"} {
					if strings.Contains(html, bad) {
						t.Errorf("page contains %q", bad)
					}
				}
				for _, key := range keys {
					if strings.Contains(html, key) {
						t.Errorf("page shows the untranslated key %q", key)
					}
				}
				if strings.Count(html, "<h1") != 1 {
					t.Errorf("page has %d <h1> elements, want 1", strings.Count(html, "<h1"))
				}
			})
		}
	}
}

func TestRequiredTemplatesHaveSamples(t *testing.T) {
	th := loadThemes(t)
	samples := samplePages(th, "en")
	for _, name := range requiredTemplates {
		if _, ok := samples[name]; !ok {
			t.Errorf("no sample data for required template %s", name)
		}
	}
}

func TestPagesCarryTheirMarkup(t *testing.T) {
	th := loadThemes(t)
	samples := samplePages(th, "sv")
	variants := sampleVariants(th, "sv")
	tests := []struct {
		name string
		data any
		want []string
	}{
		{"login.html", samples["login.html"], []string{
			`<h1 class="pv-title">Logga in på Acme Bank</h1>`,
			`name="option" value="se-bankid:same-device"`,
			`<input type="hidden" name="csrf_token" value="csrf-token-123">`,
			`role="alert"`,
			`aria-current="true">Svenska</a>`,
			`<link rel="stylesheet" href="/theme/acme.css">`,
			`href="/login/cancel?id=abc">Avbryt och gå tillbaka till Acme Bank</a>`,
			`/static/eids/se-bankid.svg?v=`,
			`Sverige`,
			"På en annan enhet (QR\u2011kod)",
		}},
		{"order.html", samples["order.html"], []string{
			`aria-live="polite"`,
			`<script src="/static/order.js?v=`,
			`src="data:image/png;base64,`,
			`data-status-url="/login/order/status?id=abc"`,
			`<noscript>`,
			`href="/login/order?id=abc">Kontrollera status</a>`,
			`action="/login/order/cancel?id=abc"`,
		}},
		{"order.html", variants["order.html same-device"], []string{
			`href="bankid:///?autostarttoken=46f6aa68-0000-4000-8000-000000000000&amp;redirect=null"`,
			`Öppna BankID</a>`,
		}},
		{"login.html", variants["login.html signing"], []string{
			`<h1 class="pv-title">Signera för Acme Bank</h1>`,
			`<h3>Loan</h3>`,
			`<strong>250 000 SEK</strong>`,
			`<li>Rate: <em>4.1 %</em></li>`,
			`Loan agreement.pdf`,
			`Fingeravtryck (SHA-256) <code>8a1f2b4e`,
			`Välj hur du vill signera`,
		}},
		{"order.html", variants["order.html signing"], []string{
			`Signera med BankID`,
			`Väntar på att du signerar`,
		}},
		{"form_post.html", samples["form_post.html"], []string{
			`action="https://acme.example/callback"`,
			`<input type="hidden" name="state" value="s&#34;&lt;tate&gt;">`,
			`<script src="/static/formpost.js?v=`,
			`<button class="pv-button pv-button-primary pv-button-block" type="submit">Fortsätt</button>`,
		}},
		{"consent.html", samples["consent.html"], []string{
			`name="consent" value="allow"`,
			`name="remember" value="1"`,
			`<dd>19900101-****</dd>`,
		}},
		{"error.html", samples["error.html"], []string{`<code>req-7f3a9c</code>`, `href="https://acme.example/"`}},
		{"demo.html", samples["demo.html"], []string{`<pre class="demo-code" tabindex="0">{`, `&#34;sub&#34;: &#34;Zk3nH0cM&#34;`, `href="/demo/logout"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := th.Render(&out, tt.name, tt.data); err != nil {
				t.Fatalf("Render: %v", err)
			}
			for _, want := range tt.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %s", want)
				}
			}
		})
	}
}

func TestRenderEscapesClientData(t *testing.T) {
	th := loadThemes(t)
	page := samplePages(th, "en")["login.html"].(LoginPage)
	page.Theme.DisplayName = `<script>alert(1)</script>`
	page.Theme.LogoURL = "javascript:alert(1)"
	page.Groups[0].Options[0].LogoURL = "data:text/html;base64,PHNjcmlwdD4="
	var out bytes.Buffer
	if err := th.Render(&out, "login.html", page); err != nil {
		t.Fatalf("Render: %v", err)
	}
	html := out.String()
	for _, bad := range []string{"<script>alert", "javascript:", "data:text/html"} {
		if strings.Contains(html, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	if !strings.Contains(html, "Log in to &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("display name not escaped in heading")
	}
}

func TestRenderFailureWritesNothing(t *testing.T) {
	th := loadThemes(t)
	var out bytes.Buffer
	// A page whose data lacks the fields the template reads fails midway.
	err := th.Render(&out, "order.html", LoggedOutPage{Page: Page{Lang: "en"}})
	if err == nil {
		t.Fatal("Render succeeded with the wrong page data")
	}
	if out.Len() != 0 {
		t.Errorf("a failed render wrote %d bytes", out.Len())
	}
	if err := th.Render(&out, "nope.html", nil); err == nil {
		t.Error("Render of an unknown template succeeded")
	}
}

func TestTemplatesUseOnlyKnownKeys(t *testing.T) {
	english := readLocale(t, "en")
	use := regexp.MustCompile(`\bt "([^"]+)"`)
	err := fs.WalkDir(embedded, "templates", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		buf, err := fs.ReadFile(embedded, name)
		if err != nil {
			return err
		}
		for _, m := range use.FindAllStringSubmatch(string(buf), -1) {
			if _, ok := english[m[1]]; !ok {
				t.Errorf("%s uses key %q that locales/en.yaml lacks", name, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLocalesHaveIdenticalKeysAndPlaceholders(t *testing.T) {
	english := readLocale(t, "en")
	placeholder := regexp.MustCompile(`\{\{[^}]*\}\}`)
	for _, lang := range Languages() {
		messages := readLocale(t, lang)
		for key, text := range english {
			translated, ok := messages[key]
			if !ok {
				t.Errorf("%s lacks %q", lang, key)
				continue
			}
			if strings.TrimSpace(translated) == "" {
				t.Errorf("%s: %q is empty", lang, key)
			}
			want := placeholder.FindAllString(text, -1)
			got := placeholder.FindAllString(translated, -1)
			sort.Strings(want)
			sort.Strings(got)
			if strings.Join(want, " ") != strings.Join(got, " ") {
				t.Errorf("%s: %q has placeholders %v, English has %v", lang, key, got, want)
			}
		}
		for key := range messages {
			if _, ok := english[key]; !ok {
				t.Errorf("%s has %q that English lacks", lang, key)
			}
		}
	}
}

func TestTemplatesHaveNoInlineStylesOrScripts(t *testing.T) {
	forbidden := []struct {
		what string
		re   *regexp.Regexp
	}{
		{"style attribute", regexp.MustCompile(`(?i)\sstyle\s*=`)},
		{"style element", regexp.MustCompile(`(?i)<style`)},
		{"inline script", regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]`)},
		{"event handler attribute", regexp.MustCompile(`(?i)\son[a-z]+\s*=`)},
		{"javascript: URL", regexp.MustCompile(`(?i)javascript:`)},
		{"external asset", regexp.MustCompile(`(?i)(src|href)="(https?:)?//`)},
	}
	err := fs.WalkDir(embedded, "templates", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		buf, err := fs.ReadFile(embedded, name)
		if err != nil {
			return err
		}
		for _, tag := range regexp.MustCompile(`(?i)<script[^>]*>`).FindAll(buf, -1) {
			if !strings.Contains(string(tag), " src=") {
				t.Errorf("%s: script without src: %s", name, tag)
			}
		}
		for _, f := range forbidden {
			if loc := f.re.FindIndex(buf); loc != nil {
				t.Errorf("%s: %s at %q", name, f.what, buf[loc[0]:min(loc[1]+20, len(buf))])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestScriptTagsAllHaveSrc(t *testing.T) {
	th := loadThemes(t)
	scriptTag := regexp.MustCompile(`<script[^>]*>`)
	for name, data := range samplePages(th, "en") {
		var out bytes.Buffer
		if err := th.Render(&out, name, data); err != nil {
			t.Fatalf("Render %s: %v", name, err)
		}
		for _, tag := range scriptTag.FindAllString(out.String(), -1) {
			if !strings.Contains(tag, ` src="/static/`) {
				t.Errorf("%s: script tag without a static src: %s", name, tag)
			}
		}
	}
}

func TestLoadWithOverrideDirReplacesFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("templates/error.html", `{{template "layout" .}}{{define "main"}}<h1>Operator error page: {{t "error.title"}}</h1>{{end}}`)
	write("static/portvakt.css", "body { color: black; }")

	embeddedThemes := loadThemes(t)
	th, err := Load(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var out bytes.Buffer
	if err := th.Render(&out, "error.html", ErrorPage{Page: Page{Lang: "fi"}}); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !strings.Contains(out.String(), "<h1>Operator error page: Jokin meni vikaan</h1>") {
		t.Errorf("override template not used:\n%s", out.String())
	}
	if th.StaticPath("portvakt.css") == embeddedThemes.StaticPath("portvakt.css") {
		t.Error("overridden stylesheet kept the embedded content hash")
	}
	if err := th.Render(&out, "login.html", samplePages(th, "en")["login.html"]); err != nil {
		t.Errorf("templates not overridden are gone: %v", err)
	}
	if _, err := Load(Options{Dir: filepath.Join(dir, "missing")}); err == nil {
		t.Error("Load accepted a missing override directory")
	}
}

// embeddedCopy is the embedded tree as a MapFS, minus some files.
func embeddedCopy(t *testing.T, without ...string) fstest.MapFS {
	t.Helper()
	files, err := readTree(embedded)
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	for name, content := range files {
		m[name] = &fstest.MapFile{Data: content}
	}
	for _, name := range without {
		delete(m, name)
	}
	return m
}

func TestLoadFails(t *testing.T) {
	brokenLocale := embeddedCopy(t)
	brokenLocale["locales/da.yaml"] = &fstest.MapFile{Data: []byte(`"login.title": "Log ind"` + "\n")}
	brokenTemplate := embeddedCopy(t)
	brokenTemplate["templates/consent.html"] = &fstest.MapFile{Data: []byte(`{{template "layout" .}}{{define "main"}}{{if}}{{end}}`)}
	unknownFunction := embeddedCopy(t)
	unknownFunction["templates/logged_out.html"] = &fstest.MapFile{Data: []byte(`{{nosuchfunc .}}`)}

	tests := []struct {
		name  string
		files fs.FS
		want  []string
	}{
		{"missing templates", embeddedCopy(t, "templates/login.html", "templates/demo.html"), []string{"missing template(s): demo.html, login.html"}},
		{"missing locale", embeddedCopy(t, "locales/nb.yaml"), []string{"locales/nb.yaml"}},
		{"locale lacks keys", brokenLocale, []string{"locales/da.yaml lacks", "login.heading"}},
		{"template does not parse", brokenTemplate, []string{"templates/consent.html"}},
		{"template calls unknown function", unknownFunction, []string{"templates/logged_out.html", "nosuchfunc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.files, nil, nil)
			if err == nil {
				t.Fatal("load succeeded")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestTranslator(t *testing.T) {
	th := loadThemes(t)
	tests := []struct {
		lang string
		id   string
		args []any
		want string
	}{
		{"en", "login.heading", []any{"Client", "Acme"}, "Log in to Acme"},
		{"sv", "login.heading", []any{"Client", "Acme"}, "Logga in på Acme"},
		{"nb", "error.upstream", []any{"EID", "BankID"}, "BankID svarer ikke akkurat nå. Prøv igjen om litt."},
		{"fi", "country.SE", nil, "Ruotsi"},
		{"da", "level.substantial", nil, "Betydeligt"},
		{"de", "login.title", nil, "Log in"},
		{"en", "no.such.key", nil, "no.such.key"},
		{"en", "login.heading", []any{"Client"}, "Log in to <no value>"},
	}
	for _, tt := range tests {
		if got := th.Translator(tt.lang)(tt.id, tt.args...); got != tt.want {
			t.Errorf("Translator(%q)(%q, %v) = %q, want %q", tt.lang, tt.id, tt.args, got, tt.want)
		}
	}
	if got := CountryName(th.Translator("da"), "fi"); got != "Finland" {
		t.Errorf("CountryName(da, fi) = %q", got)
	}
	if got := CountryName(th.Translator("en"), "XX"); got != "XX" {
		t.Errorf("CountryName(en, XX) = %q", got)
	}
}

func TestLanguageNames(t *testing.T) {
	want := map[string]string{"sv": "Svenska", "nb": "Norsk bokmål", "fi": "Suomi", "da": "Dansk", "en": "English"}
	for _, lang := range Languages() {
		if got := LanguageName(lang); got != want[lang] {
			t.Errorf("LanguageName(%q) = %q, want %q", lang, got, want[lang])
		}
	}
}

func TestMatchLanguage(t *testing.T) {
	th := loadThemes(t)
	tests := []struct {
		name           string
		uiLocales      []string
		acceptLanguage string
		explicit       string
		want           string
	}{
		{"nothing", nil, "", "", "en"},
		{"accept-language", nil, "sv-SE,sv;q=0.9,en;q=0.8", "", "sv"},
		{"accept-language by q", nil, "de;q=0.9, fi;q=0.95, en;q=0.1", "", "fi"},
		{"accept-language skips unsupported", nil, "de-DE, da;q=0.5", "", "da"},
		{"accept-language wildcard", nil, "*", "", "en"},
		{"accept-language malformed", nil, ";;;,,", "", "en"},
		{"ui_locales beat accept-language", []string{"da"}, "sv", "", "da"},
		{"first supported ui_locale", []string{"de", "fr-CA", "fi-FI", "sv"}, "", "", "fi"},
		{"unsupported ui_locales fall through", []string{"de"}, "nb", "", "nb"},
		{"explicit beats all", []string{"da"}, "sv", "fi", "fi"},
		{"unsupported explicit ignored", []string{"da"}, "", "de", "da"},
		{"garbage explicit ignored", nil, "sv", "<script>", "sv"},
		{"no is bokmål", []string{"no"}, "", "", "nb"},
		{"nn is bokmål", nil, "nn-NO", "", "nb"},
		{"nb-NO", nil, "nb-NO,nb;q=0.9", "", "nb"},
		{"explicit no", nil, "", "no", "nb"},
		{"sv-FI is Swedish", []string{"sv-FI"}, "", "", "sv"},
		{"en-GB", nil, "en-GB", "", "en"},
		{"unknown", []string{"zz"}, "xx-YY", "", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := th.MatchLanguage(tt.uiLocales, tt.acceptLanguage, tt.explicit); got != tt.want {
				t.Errorf("MatchLanguage(%v, %q, %q) = %q, want %q", tt.uiLocales, tt.acceptLanguage, tt.explicit, got, tt.want)
			}
		})
	}
}

func TestRenderTakesPointersAndPicksTheLanguage(t *testing.T) {
	th := loadThemes(t)
	page := samplePages(th, "nb")["logged_out.html"].(LoggedOutPage)
	var out bytes.Buffer
	if err := th.Render(&out, "logged_out.html", &page); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !strings.Contains(out.String(), "Du er nå logget ut.") {
		t.Errorf("pointer data not rendered in Norwegian:\n%s", out.String())
	}
	page.Lang = "xx"
	out.Reset()
	if err := th.Render(&out, "logged_out.html", page); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !strings.Contains(out.String(), "You have been logged out.") {
		t.Error("unsupported language did not fall back to English")
	}
}
