package evidence

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gowebpki/jcs"

	"github.com/portvakt/portvakt/connectors"
)

// Content is what the person signs for d: the text shown (with the documents'
// labels and digests appended) and the unseen data (the documents' digests and
// d's non-visible data as RFC 8785 JSON, or the non-visible data alone). The
// broker starts the eID with it, and a verifier recomputes it to check that
// the eID signed exactly what was asked. d must be valid (see Validate).
func Content(d SignDetails) (connectors.SignContent, error) {
	c := connectors.SignContent{Text: d.Text, Markdown: d.TextFormat == FormatMarkdown}
	nonVisible, err := base64.RawURLEncoding.DecodeString(d.NonVisibleData)
	if err != nil {
		return connectors.SignContent{}, fmt.Errorf("non_visible_data is not base64url: %w", err)
	}
	if len(d.DocumentDigests) == 0 {
		if len(nonVisible) > 0 {
			c.NonVisibleData = nonVisible
		}
		return c, nil
	}
	var text strings.Builder
	text.WriteString(d.Text)
	for _, doc := range d.DocumentDigests {
		sum, err := base64.RawURLEncoding.DecodeString(doc.Hash)
		if err != nil {
			return connectors.SignContent{}, fmt.Errorf("document digest %q is not base64url: %w", doc.Label, err)
		}
		fmt.Fprintf(&text, "\n\n%s\n%s %s", doc.Label, strings.ToUpper(doc.HashAlg), hex.EncodeToString(sum))
	}
	c.Text = text.String()
	unseen := struct {
		DocumentDigests []DocumentDigest `json:"document_digests"`
		NonVisibleData  string           `json:"non_visible_data,omitempty"`
	}{d.DocumentDigests, d.NonVisibleData}
	raw, err := json.Marshal(unseen)
	if err != nil {
		return connectors.SignContent{}, err
	}
	if c.NonVisibleData, err = jcs.Transform(raw); err != nil {
		return connectors.SignContent{}, fmt.Errorf("canonical document digests: %w", err)
	}
	return c, nil
}
