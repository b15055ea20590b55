package themes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strings"
)

// funcMap is shared by every template. "t" is replaced per language after
// parsing; the one given here only lets the templates parse.
func (t *Themes) funcMap(translate Translator) template.FuncMap {
	return template.FuncMap{
		"t":          translate,
		"static":     t.static.url,
		"json":       toJSON,
		"indentJSON": indentJSON,
		"lower":      strings.ToLower,
		"imageURL":   imageURL,
		"appURL":     appURL,
		"langName":   LanguageName,
	}
}

func toJSON(v any) (string, error) {
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", fmt.Errorf("json: %w", err)
	}
	return string(out), nil
}

// indentJSON pretty-prints a JSON document for a <pre>; text that is not
// JSON is shown as it is.
func indentJSON(raw string) string {
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(raw), "", "  "); err != nil {
		return raw
	}
	return out.String()
}

// safeImageTypes are the data: URL media types an <img> may show. html/template
// rejects every data: URL, so QR codes and inline logos pass through here.
var safeImageTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}

// imageURL admits an image source: a same-origin path, an https URL, or a
// base64 data:image URL of a known type. Anything else becomes "" so the
// template can leave the image out.
func imageURL(raw string) template.URL {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return ""
	case strings.HasPrefix(raw, "data:"):
		header, payload, ok := strings.Cut(strings.TrimPrefix(raw, "data:"), ",")
		mediaType, isBase64 := strings.CutSuffix(header, ";base64")
		if !ok || !isBase64 || !isBase64Text(payload) {
			return ""
		}
		for _, allowed := range safeImageTypes {
			if mediaType == allowed {
				return template.URL(raw) //nolint:gosec // G203: a data: URL of an allowed image type with base64 text only
			}
		}
		return ""
	case strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//"):
		return template.URL(raw) //nolint:gosec // G203: a path on this host, so no scheme at all
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme == "https" && u.Host != "" {
		return template.URL(raw) //nolint:gosec // G203: an absolute https URL, checked above
	}
	return ""
}

func isBase64Text(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}

// appURL admits a link that launches an eID app: the app's own scheme
// (bankid:, frejaeid:) or http(s). html/template would otherwise neutralise the
// custom scheme.
func appURL(raw string) template.URL {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "bankid", "frejaeid", "https", "http":
		return template.URL(raw) //nolint:gosec // G203: only the app schemes and http(s) pass, never javascript:
	}
	return ""
}
