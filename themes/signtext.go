package themes

import (
	"html"
	"html/template"
	"strings"
)

// SignPreview is what a person is about to sign, shown before any eID starts.
type SignPreview struct {
	// Text is the text rendered (see RenderSignText): safe HTML of a
	// whitelist of tags, everything else escaped.
	Text      template.HTML
	Documents []SignDocument
}

// SignDocument is a document signed by its digest.
type SignDocument struct {
	Label   string
	HashAlg string // "SHA-256"
	Digest  string // hex, as the eID app shows it
}

// RenderSignText renders a text to sign as the eID app shows it. Plain text
// keeps its lines. Markdown is BankID's simpleMarkdownV1: headings (#, ##,
// ###), **bold**, *italic*, lists (* or - items, and 1. items) and a rule
// (---); anything else is text. Every character the person sent is escaped,
// and the only tags emitted are h2-h4, p, br, strong, em, ul, ol, li and hr:
// a hostile client's text cannot add markup, script or links to the page.
func RenderSignText(text string, markdown bool) template.HTML {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var b strings.Builder
	if !markdown {
		b.WriteString("<p>")
		for i, l := range lines {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(html.EscapeString(l))
		}
		b.WriteString("</p>")
		return template.HTML(b.String()) //nolint:gosec // every character is escaped above
	}
	r := mdRenderer{b: &b}
	for _, l := range lines {
		r.line(l)
	}
	r.close()
	return template.HTML(b.String()) //nolint:gosec // mdRenderer escapes every character it copies
}

// mdRenderer renders simpleMarkdownV1 line by line; open is the block
// element it is inside ("p", "ul", "ol" or "").
type mdRenderer struct {
	b    *strings.Builder
	open string
}

func (r *mdRenderer) line(l string) {
	trimmed := strings.TrimSpace(l)
	switch {
	case trimmed == "":
		r.close()
	case trimmed == "---":
		r.close()
		r.b.WriteString("<hr>")
	case strings.HasPrefix(trimmed, "### "):
		r.heading("h4", trimmed[4:])
	case strings.HasPrefix(trimmed, "## "):
		r.heading("h3", trimmed[3:])
	case strings.HasPrefix(trimmed, "# "):
		r.heading("h2", trimmed[2:])
	case strings.HasPrefix(trimmed, "* ") || strings.HasPrefix(trimmed, "- "):
		r.item("ul", trimmed[2:])
	case orderedItem(trimmed) != "":
		r.item("ol", orderedItem(trimmed))
	default:
		if r.open == "p" {
			r.b.WriteString("<br>")
		} else {
			r.close()
			r.b.WriteString("<p>")
			r.open = "p"
		}
		r.b.WriteString(inlineMarkdown(trimmed))
	}
}

func (r *mdRenderer) heading(tag, text string) {
	r.close()
	r.b.WriteString("<" + tag + ">" + inlineMarkdown(strings.TrimSpace(text)) + "</" + tag + ">")
}

func (r *mdRenderer) item(list, text string) {
	if r.open != list {
		r.close()
		r.b.WriteString("<" + list + ">")
		r.open = list
	}
	r.b.WriteString("<li>" + inlineMarkdown(strings.TrimSpace(text)) + "</li>")
}

func (r *mdRenderer) close() {
	if r.open != "" {
		r.b.WriteString("</" + r.open + ">")
		r.open = ""
	}
}

// orderedItem is the text of a "1. item" line, or "".
func orderedItem(l string) string {
	i := 0
	for i < len(l) && i < 4 && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	if i == 0 || !strings.HasPrefix(l[i:], ". ") {
		return ""
	}
	return l[i+2:]
}

// inlineMarkdown renders **bold** and *italic* within a line, escaping the
// rest; an unmatched marker stays as text.
func inlineMarkdown(s string) string {
	var b strings.Builder
	for s != "" {
		if rest, ok := strings.CutPrefix(s, "**"); ok {
			if end := strings.Index(rest, "**"); end > 0 {
				b.WriteString("<strong>" + html.EscapeString(rest[:end]) + "</strong>")
				s = rest[end+2:]
				continue
			}
		} else if rest, ok := strings.CutPrefix(s, "*"); ok {
			if end := strings.IndexByte(rest, '*'); end > 0 {
				b.WriteString("<em>" + html.EscapeString(rest[:end]) + "</em>")
				s = rest[end+1:]
				continue
			}
		}
		next := strings.IndexByte(s[1:], '*') + 1
		if next == 0 {
			next = len(s)
		}
		b.WriteString(html.EscapeString(s[:next]))
		s = s[next:]
	}
	return b.String()
}
