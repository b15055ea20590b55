package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxDetailsBytes caps an authorization_details parameter. It fits a form
// body (the broker caps those at 64 KiB) with room for the other parameters,
// and holds BankID's longest text.
const MaxDetailsBytes = 48 << 10

// maxLabel bounds a document digest's label, in characters.
const maxLabel = 200

// maxDocuments bounds the documents of one request: each is appended to the
// text shown, which the eID caps anyway.
const maxDocuments = 20

// ErrInvalidDetails is what every error of ParseSignDetails is: the request's
// authorization_details cannot be granted (RFC 9396 §5:
// invalid_authorization_details). The error's message says why, for the
// client's error_description; it quotes nothing the client did not send.
var ErrInvalidDetails = errors.New("invalid authorization_details")

// DetailsError is a refused authorization_details, with a description fit
// for the client.
type DetailsError struct{ Description string }

func (e *DetailsError) Error() string        { return e.Description }
func (e *DetailsError) Is(target error) bool { return target == ErrInvalidDetails }

func invalid(format string, args ...any) error {
	return &DetailsError{Description: fmt.Sprintf(format, args...)}
}

// signFields are the members a SignType entry may have in a request; any
// other member is refused rather than ignored, so a client never believes a
// field it misspelt was signed.
var signFields = []string{"type", "actions", "text", "text_format", "document_digests", "non_visible_data", "call_initiator"}

// ParseSignDetails reads an authorization_details parameter (RFC 9396 §2): a
// JSON array of entries, each with a type. The only type known is SignType, of
// which at most one entry may be sent; an empty array asks for nothing. Every
// entry is checked strictly (see Validate).
func ParseSignDetails(raw []byte) ([]SignDetails, error) {
	if len(raw) > MaxDetailsBytes {
		return nil, invalid("authorization_details is longer than %d bytes", MaxDetailsBytes)
	}
	if !utf8.Valid(raw) {
		return nil, invalid("authorization_details is not UTF-8")
	}
	var entries []json.RawMessage
	if err := strictUnmarshal(raw, &entries); err != nil || entries == nil {
		return nil, invalid("authorization_details must be a JSON array of objects")
	}
	var out []SignDetails
	for i, entry := range entries {
		var members map[string]json.RawMessage
		if err := strictUnmarshal(entry, &members); err != nil || members == nil {
			return nil, invalid("authorization_details entry %d is not a JSON object", i)
		}
		var typ string
		if t, ok := members["type"]; !ok || json.Unmarshal(t, &typ) != nil || typ == "" {
			return nil, invalid("authorization_details entry %d has no type", i)
		}
		if typ != SignType {
			return nil, invalid("authorization_details type %q is not supported", clip(typ))
		}
		for name := range members {
			if !slices.Contains(signFields, name) {
				return nil, invalid("authorization_details entry %d has an unknown field %q", i, clip(name))
			}
		}
		if err := knownDigestFields(members["document_digests"]); err != nil {
			return nil, invalid("authorization_details entry %d: %s", i, err.Error())
		}
		var d SignDetails
		if err := strictUnmarshal(entry, &d); err != nil {
			return nil, invalid("authorization_details entry %d has a field of the wrong JSON type", i)
		}
		if err := Validate(d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if len(out) > 1 {
		return nil, invalid("authorization_details may hold only one %s entry", SignType)
	}
	return out, nil
}

// digestFields are the members of a document digest.
var digestFields = []string{"label", "hash_alg", "hash"}

// knownDigestFields refuses a document digest with a member it does not know
// (encoding/json would match one in another case).
func knownDigestFields(raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var docs []map[string]json.RawMessage
	if json.Unmarshal(raw, &docs) != nil {
		return errors.New("document_digests must be an array of objects")
	}
	for i, doc := range docs {
		for name := range doc {
			if !slices.Contains(digestFields, name) {
				return fmt.Errorf("document_digests[%d] has an unknown field %q", i, clip(name))
			}
		}
	}
	return nil
}

// strictUnmarshal decodes one JSON value and nothing after it.
func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// Validate checks a SignType request entry: what Content needs and the rules
// of the type. Limits of a particular eID (text length, markdown) are the
// broker's to check against the eID.
func Validate(d SignDetails) error {
	switch {
	case d.Type != SignType:
		return invalid("authorization_details type %q is not supported", clip(d.Type))
	case d.Evidence != nil:
		return invalid("evidence is granted by the broker and cannot be requested")
	case d.Actions != nil && !slices.Equal(d.Actions, []string{"sign"}):
		return invalid(`actions must be ["sign"] when present`)
	case d.Text == "":
		return invalid("text is required")
	case !utf8.ValidString(d.Text):
		return invalid("text is not valid UTF-8")
	case strings.ContainsRune(d.Text, 0):
		return invalid("text contains a NUL character")
	case !showable(d.Text):
		return invalid("text contains control or bidirectional formatting characters (only line breaks and tabs are allowed)")
	case d.TextFormat != "" && d.TextFormat != FormatPlain && d.TextFormat != FormatMarkdown:
		return invalid("text_format must be plain or markdown")
	case d.CallInitiator != "" && d.CallInitiator != "user" && d.CallInitiator != "rp":
		return invalid("call_initiator must be user or rp")
	case len(d.DocumentDigests) > maxDocuments:
		return invalid("document_digests may name at most %d documents", maxDocuments)
	}
	if d.NonVisibleData != "" {
		if _, err := base64.RawURLEncoding.Strict().DecodeString(d.NonVisibleData); err != nil {
			return invalid("non_visible_data is not base64url without padding")
		}
	}
	for i, doc := range d.DocumentDigests {
		if err := validDigest(doc); err != nil {
			return invalid("document_digests[%d]: %s", i, err.Error())
		}
	}
	return nil
}

// hashLengths are the digest sizes of the hash algorithms a document may name.
var hashLengths = map[string]int{"sha-256": 32, "sha-384": 48, "sha-512": 64}

func validDigest(doc DocumentDigest) error {
	n := utf8.RuneCountInString(doc.Label)
	switch {
	case n == 0 || n > maxLabel:
		return fmt.Errorf("label must be 1 to %d characters", maxLabel)
	case !printable(doc.Label):
		return errors.New("label must be printable text on one line")
	}
	size, ok := hashLengths[doc.HashAlg]
	if !ok {
		return errors.New("hash_alg must be sha-256, sha-384 or sha-512")
	}
	sum, err := base64.RawURLEncoding.Strict().DecodeString(doc.Hash)
	if err != nil {
		return errors.New("hash is not base64url without padding")
	}
	if len(sum) != size {
		return fmt.Errorf("hash is %d bytes, %s has %d", len(sum), doc.HashAlg, size)
	}
	return nil
}

// printable: valid UTF-8 with no control or formatting characters (a label
// appended to the signed text cannot break its lines or reorder it).
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
		if unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// showable: a text shows as what it is, on the broker's page and in the eID
// app alike: no control characters but line breaks (\n, or \r\n) and tabs,
// and none of the characters that reorder text (bidirectional overrides,
// embeddings, isolates and marks), which could make the signed bytes read
// otherwise than they show.
func showable(s string) bool {
	for i, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r == '\r':
			if i+1 >= len(s) || s[i+1] != '\n' {
				return false
			}
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Bidi_Control, r), r == '\ufeff':
			return false
		}
	}
	return true
}

// clip shortens a value the client sent before it is quoted in a message.
func clip(s string) string {
	const limit = 64
	if !utf8.ValidString(s) {
		return "(not UTF-8)"
	}
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "..."
}
