package themes

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// all: because the shared templates' names start with an underscore.
//
//go:embed all:templates static locales
var embedded embed.FS

// requiredTemplates are the pages the broker renders; Load fails without them.
var requiredTemplates = []string{
	"login.html",
	"order.html",
	"error.html",
	"consent.html",
	"form_post.html",
	"logged_out.html",
	"logout.html",
	"demo.html",
	"agent.html",
}

// Options configures Load.
type Options struct {
	// Dir is an optional operator directory with the same layout as the
	// embedded files (templates/, static/, locales/). A file there replaces
	// the embedded file with the same path; other embedded files stay.
	Dir string
	// EIDLogos are the logos connectors carry, SVG by connector id, served as
	// static/eids/<id>.svg where the theme has no logo of that name.
	EIDLogos map[string][]byte
}

// Themes holds the parsed templates, translations and static files. It is
// immutable after Load and safe for concurrent use.
type Themes struct {
	catalog *catalog
	static  *staticFiles
	// pages[lang][name] is a page template whose "t" function is bound to
	// lang, so rendering never has to clone or re-escape a template.
	pages map[string]map[string]*template.Template
}

// Load reads the embedded files (and the override directory, if any),
// parses every template and locale once, and fails at start when a
// required template is missing or broken or a locale lacks a key.
func Load(opts Options) (*Themes, error) {
	var override fs.FS
	if opts.Dir != "" {
		info, err := os.Stat(opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("themes: override directory: %w", err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("themes: override directory %s is not a directory", opts.Dir)
		}
		override = os.DirFS(opts.Dir)
	}
	return load(embedded, override, opts.EIDLogos)
}

// load builds Themes from a base file tree and an optional override tree. The
// connectors' own logos are below both: a theme's logo of the same name wins.
func load(base, override fs.FS, eidLogos map[string][]byte) (*Themes, error) {
	files, err := readTree(base)
	if err != nil {
		return nil, fmt.Errorf("themes: read embedded files: %w", err)
	}
	for id, svg := range eidLogos {
		if name := "static/eids/" + id + ".svg"; files[name] == nil {
			files[name] = svg
		}
	}
	if override != nil {
		replacements, err := readTree(override)
		if err != nil {
			return nil, fmt.Errorf("themes: read override directory: %w", err)
		}
		for name, content := range replacements {
			files[name] = content
		}
	}

	catalog, err := loadCatalog(files)
	if err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	t := &Themes{catalog: catalog, static: newStaticFiles(files)}
	if err := t.parseTemplates(files); err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	return t, nil
}

// readTree reads every regular file under the three top-level folders.
// A folder that does not exist is skipped, so an override may hold only
// what it replaces.
func readTree(fsys fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, root := range []string{"templates", "static", "locales"} {
		err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				if name == root && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipDir
				}
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			content, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			files[name] = content
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// parseTemplates parses the shared files (names starting with "_": the
// layout and partials) once, then every page on a clone of them, then binds
// each page to every language.
func (t *Themes) parseTemplates(files map[string][]byte) error {
	var shared, pages []string
	for name := range files {
		dir, file := path.Split(name)
		if dir != "templates/" || !strings.HasSuffix(file, ".html") {
			continue
		}
		if strings.HasPrefix(file, "_") {
			shared = append(shared, name)
		} else {
			pages = append(pages, name)
		}
	}
	sort.Strings(shared)
	sort.Strings(pages)

	var missing []string
	for _, required := range requiredTemplates {
		if _, ok := files["templates/"+required]; !ok {
			missing = append(missing, required)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("missing template(s): %s", strings.Join(missing, ", "))
	}

	base := template.New("").Funcs(t.funcMap(t.catalog.translator(defaultLanguage)))
	for _, name := range shared {
		if _, err := base.New(path.Base(name)).Parse(string(files[name])); err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
	}

	t.pages = map[string]map[string]*template.Template{}
	for _, lang := range Languages() {
		t.pages[lang] = map[string]*template.Template{}
	}
	for _, name := range pages {
		page, err := base.Clone()
		if err != nil {
			return fmt.Errorf("clone layout for %s: %w", name, err)
		}
		short := path.Base(name)
		page, err = page.New(short).Parse(string(files[name]))
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		for _, lang := range Languages() {
			bound, err := page.Clone()
			if err != nil {
				return fmt.Errorf("clone %s: %w", name, err)
			}
			t.pages[lang][short] = bound.Funcs(template.FuncMap{"t": t.catalog.translator(lang)})
		}
	}
	return nil
}

// Render executes the page template name ("login.html") with data. The page
// is rendered into a buffer first, so a failing template never writes half
// a page. The language comes from the Page embedded in data.
func (t *Themes) Render(w io.Writer, name string, data any) error {
	lang := defaultLanguage
	if page, ok := data.(interface{ language() string }); ok {
		if _, supported := t.pages[page.language()]; supported {
			lang = page.language()
		}
	}
	tmpl, ok := t.pages[lang][name]
	if !ok {
		return fmt.Errorf("themes: render %s: no such template", name)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return fmt.Errorf("themes: render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}
