package connectors

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// SnakeCase spells a camelCase config key the way every key is spelled now:
// clientID → client_id, pkcs12File → pkcs12_file, sendCPRHint → send_cpr_hint.
func SnakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if !unicode.IsUpper(r) {
			b.WriteRune(r)
			continue
		}
		if i > 0 {
			prev := rs[i-1]
			endsAcronym := unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || endsAcronym {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// renamedKey is a deprecated key found in a connector's config.
type renamedKey struct{ old, new string }

// renameOldKeys rewrites the camelCase top-level keys of a connector config
// (their spelling before every key became snake_case) to snake_case, so both
// spellings decode alike. Setting a key in both spellings is an error, as one
// of them would be silently ignored.
func renameOldKeys(raw json.RawMessage) (json.RawMessage, []renamedKey, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return raw, nil, nil //nolint:nilerr // not an object: the decoder that follows reports it
	}
	var renamed []renamedKey
	for k, v := range m {
		s := SnakeCase(k)
		if s == k {
			continue
		}
		if _, both := m[s]; both {
			return nil, nil, fmt.Errorf("both %q and its old spelling %q are set; keep %q", s, k, s)
		}
		m[s] = v
		delete(m, k)
		renamed = append(renamed, renamedKey{old: k, new: s})
	}
	if len(renamed) == 0 {
		return raw, nil, nil
	}
	sort.Slice(renamed, func(i, j int) bool { return renamed[i].old < renamed[j].old })
	out, err := json.Marshal(m)
	return out, renamed, err
}
