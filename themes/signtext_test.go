package themes

import (
	"regexp"
	"strings"
	"testing"
)

func TestRenderSignText(t *testing.T) {
	tests := []struct {
		name, text string
		markdown   bool
		want       string
	}{
		{"plain keeps lines", "a\nb", false, "<p>a<br>b</p>"},
		{"plain is not markdown", "**a**", false, "<p>**a**</p>"},
		{"headings", "# A\n## B\n### C", true, "<h2>A</h2><h3>B</h3><h4>C</h4>"},
		{"bold and italic", "Pay **250 SEK** *now*", true, "<p>Pay <strong>250 SEK</strong> <em>now</em></p>"},
		{"unmatched marker", "2 * 3", true, "<p>2 * 3</p>"},
		{"lists", "* a\n- b\n\n1. c\n2. d", true, "<ul><li>a</li><li>b</li></ul><ol><li>c</li><li>d</li></ol>"},
		{"rule and paragraphs", "a\nb\n\n---\nc", true, "<p>a<br>b</p><hr><p>c</p>"},
		// A hostile client's text: markup is shown as text, never rendered.
		{"script escaped", "<script>alert(1)</script>", true, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"markup in bold escaped", `**<img src=x onerror="alert(1)">**`, true, `<p><strong>&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</strong></p>`},
		{"markup in plain escaped", `<a href="javascript:x">`, false, `<p>&lt;a href=&#34;javascript:x&#34;&gt;</p>`},
		{"link syntax is text", "[x](javascript:alert(1))", true, "<p>[x](javascript:alert(1))</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(RenderSignText(tt.text, tt.markdown)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// FuzzRenderSignText: whatever the text, the output holds only the
// whitelisted tags and no raw angle bracket or quote from the input.
func FuzzRenderSignText(f *testing.F) {
	f.Add("# a\n**b** *c*\n* d\n1. e\n---\n<script>", true)
	tag := regexp.MustCompile(`</?(h2|h3|h4|p|br|strong|em|ul|ol|li|hr)>`)
	f.Fuzz(func(t *testing.T, text string, markdown bool) {
		out := tag.ReplaceAllString(string(RenderSignText(text, markdown)), "")
		if strings.ContainsAny(out, `<>"'`) {
			t.Fatalf("unescaped markup in %q", out)
		}
	})
}
