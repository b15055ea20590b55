package httpauth

import "strings"

// Credentials returns the credentials of an Authorization header value when its
// scheme is the one named (Bearer, DPoP, Basic, ...), in any letter case.
func Credentials(header, scheme string) (string, bool) {
	got, creds, ok := Split(header)
	if !ok || !strings.EqualFold(got, scheme) {
		return "", false
	}
	return creds, true
}

// Split separates an Authorization header value into its scheme and credentials;
// ok is false when either is missing.
func Split(header string) (scheme, credentials string, ok bool) {
	scheme, credentials, _ = strings.Cut(strings.TrimSpace(header), " ")
	credentials = strings.TrimSpace(credentials)
	return scheme, credentials, scheme != "" && credentials != ""
}
