package evidence_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/portvakt/portvakt/evidence"
)

const sha256Of = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg" // 32 bytes

func TestParseSignDetails(t *testing.T) {
	long := strings.Repeat("a", 201)
	tests := []struct {
		name, raw string
		// want is a part of the error's description, "" for success.
		want string
	}{
		{"plain", `[{"type":"urn:portvakt:sign:v1","text":"I agree"}]`, ""},
		{"markdown with documents", `[{"type":"urn:portvakt:sign:v1","actions":["sign"],"text":"# Loan","text_format":"markdown",
			"document_digests":[{"label":"Loan.pdf","hash_alg":"sha-256","hash":"` + sha256Of + `"}],"non_visible_data":"AQID","call_initiator":"rp"}]`, ""},
		{"empty array asks for nothing", `[]`, ""},
		{"line breaks and tabs", `[{"type":"urn:portvakt:sign:v1","text":"Amount:\t100 SEK\r\nTerm:\t12 months\n👨‍👩‍👧 family"}]`, ""},
		// Size: a request cannot park megabytes in the sealed login state.
		{"too long", `[{"type":"urn:portvakt:sign:v1","text":"` + strings.Repeat("a", evidence.MaxDetailsBytes) + `"}]`, "longer than"},
		{"not an array", `{"type":"urn:portvakt:sign:v1","text":"x"}`, "JSON array"},
		{"null", `null`, "JSON array"},
		{"trailing data", `[]]`, "JSON array"},
		{"trailing value", `[] []`, "JSON array"},
		{"entry not an object", `["x"]`, "not a JSON object"},
		{"no type", `[{"text":"x"}]`, "has no type"},
		{"type not a string", `[{"type":1,"text":"x"}]`, "has no type"},
		{"unknown type", `[{"type":"payment_initiation"}]`, "not supported"},
		// A misspelt field is refused, never silently dropped from what is signed.
		{"unknown field", `[{"type":"urn:portvakt:sign:v1","text":"x","txt":"y"}]`, "unknown field"},
		{"field in another case", `[{"type":"urn:portvakt:sign:v1","text":"x","Text":"y"}]`, "unknown field"},
		{"evidence in a request", `[{"type":"urn:portvakt:sign:v1","text":"x","evidence":{"id":"sev_forged"}}]`, "unknown field"},
		{"two sign entries", `[{"type":"urn:portvakt:sign:v1","text":"x"},{"type":"urn:portvakt:sign:v1","text":"y"}]`, "only one"},
		{"no text", `[{"type":"urn:portvakt:sign:v1"}]`, "text is required"},
		{"text wrong type", `[{"type":"urn:portvakt:sign:v1","text":5}]`, "wrong JSON type"},
		{"NUL in text", `[{"type":"urn:portvakt:sign:v1","text":"a\u0000b"}]`, "NUL"},
		// The text must read as it shows: no reordering, no hidden line ends.
		{"right-to-left override in text", `[{"type":"urn:portvakt:sign:v1","text":"I pay \u202e001 SEK"}]`, "bidirectional"},
		{"lone carriage return in text", `[{"type":"urn:portvakt:sign:v1","text":"I agree\rI do not agree"}]`, "control"},
		{"escape character in text", `[{"type":"urn:portvakt:sign:v1","text":"a\u001bb"}]`, "control"},
		{"bad format", `[{"type":"urn:portvakt:sign:v1","text":"x","text_format":"html"}]`, "text_format"},
		{"bad actions", `[{"type":"urn:portvakt:sign:v1","text":"x","actions":["sign","pay"]}]`, "actions"},
		{"empty actions", `[{"type":"urn:portvakt:sign:v1","text":"x","actions":[]}]`, "actions"},
		{"bad call initiator", `[{"type":"urn:portvakt:sign:v1","text":"x","call_initiator":"bank"}]`, "call_initiator"},
		{"padded non-visible data", `[{"type":"urn:portvakt:sign:v1","text":"x","non_visible_data":"AQ=="}]`, "non_visible_data"},
		{"non-visible data not base64url", `[{"type":"urn:portvakt:sign:v1","text":"x","non_visible_data":"a+b/"}]`, "non_visible_data"},
		{"empty label", `[{"type":"urn:portvakt:sign:v1","text":"x","document_digests":[{"label":"","hash_alg":"sha-256","hash":"` + sha256Of + `"}]}]`, "label"},
		{"long label", `[{"type":"urn:portvakt:sign:v1","text":"x","document_digests":[{"label":"` + long + `","hash_alg":"sha-256","hash":"` + sha256Of + `"}]}]`, "label"},
		// A label with a line break could forge lines of the text shown.
		{"label with newline", `[{"type":"urn:portvakt:sign:v1","text":"x","document_digests":[{"label":"a\nSHA-256 00","hash_alg":"sha-256","hash":"` + sha256Of + `"}]}]`, "printable"},
		{"label with bidi override", `[{"type":"urn:portvakt:sign:v1","text":"x","document_digests":[{"label":"a\u202eb","hash_alg":"sha-256","hash":"` + sha256Of + `"}]}]`, "printable"},
		{"unknown hash", `[{"type":"urn:portvakt:sign:v1","text":"x","document_digests":[{"label":"a","hash_alg":"md5","hash":"` + sha256Of + `"}]}]`, "hash_alg"},
		{"wrong hash length", `[{"type":"urn:portvakt:sign:v1","text":"x","document_digests":[{"label":"a","hash_alg":"sha-512","hash":"` + sha256Of + `"}]}]`, "bytes"},
		{"unknown digest field", `[{"type":"urn:portvakt:sign:v1","text":"x","document_digests":[{"label":"a","hash_alg":"sha-256","hash":"` + sha256Of + `","url":"x"}]}]`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evidence.ParseSignDetails([]byte(tt.raw))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ParseSignDetails = %v", err)
				}
				for _, d := range got {
					if _, err := evidence.Content(d); err != nil {
						t.Errorf("Content of an accepted entry: %v", err)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseSignDetails accepted it: %+v", got)
			}
			if !errors.Is(err, evidence.ErrInvalidDetails) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want ErrInvalidDetails with %q", err, tt.want)
			}
		})
	}
}

// FuzzParseSignDetails: whatever a client sends, parsing ends in an entry that
// Content accepts or in ErrInvalidDetails with a short, valid UTF-8 description.
func FuzzParseSignDetails(f *testing.F) {
	f.Add([]byte(`[{"type":"urn:portvakt:sign:v1","text":"I agree","text_format":"markdown","document_digests":[{"label":"a.pdf","hash_alg":"sha-256","hash":"` + sha256Of + `"}],"non_visible_data":"AQID"}]`))
	f.Add([]byte(`[{"type":"x"}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := evidence.ParseSignDetails(raw)
		if err != nil {
			if !errors.Is(err, evidence.ErrInvalidDetails) || !utf8.ValidString(err.Error()) || len(err.Error()) > 400 {
				t.Fatalf("error %q", err)
			}
			return
		}
		if len(got) > 1 {
			t.Fatalf("%d entries", len(got))
		}
		for _, d := range got {
			if d.Evidence != nil {
				t.Fatal("evidence accepted in a request")
			}
			if _, err := evidence.Content(d); err != nil {
				t.Fatalf("Content: %v", err)
			}
		}
	})
}
