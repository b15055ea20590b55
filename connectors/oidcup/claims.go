package oidcup

// ClaimString returns claim key as a string, or "" when absent or not a string.
func ClaimString(claims map[string]any, key string) string {
	s, _ := claims[key].(string)
	return s
}

// ClaimStrings returns a claim that may be a string or an array of strings.
func ClaimStrings(claims map[string]any, key string) []string {
	switch v := claims[key].(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Merge returns the claims of first overlaid with those of later maps; later
// values win. Used to combine ID token and userinfo claims.
func Merge(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
