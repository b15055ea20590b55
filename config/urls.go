package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// MaxURLLength caps every URL a client registers: a redirect URI longer than
// what /authorize accepts could never be used.
const MaxURLLength = 2048

// maxDataURLLength caps a logo given inline as a data: URL.
const maxDataURLLength = 64 << 10

// ValidateHTTPSURL checks a URL the broker fetches or links to: absolute, https
// (http only on a loopback host, for development), no user information. The
// scheme is checked first: a loopback host makes file:// or gopher:// no safer.
func ValidateHTTPSURL(s string) error {
	if len(s) > MaxURLLength {
		return fmt.Errorf("longer than %d characters", MaxURLLength)
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	switch {
	case u.Scheme == "":
		return errors.New("must be absolute")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u):
	case u.Scheme == "http":
		return errors.New("http is allowed only for loopback addresses; use https")
	default:
		return fmt.Errorf("scheme %q is not allowed; use https", u.Scheme)
	}
	switch {
	case u.Host == "" || u.Opaque != "":
		return errors.New("must be an absolute URL with a host")
	case u.User != nil:
		return errors.New("must not have user information")
	}
	return nil
}

// validateLogoURL: https, a data: image, or one of the broker's /static/ files.
func validateLogoURL(s string) error {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "data:"):
		if len(s) > maxDataURLLength {
			return fmt.Errorf("a data: URL is longer than %d bytes", maxDataURLLength)
		}
		if !strings.HasPrefix(lower, "data:image/") {
			return errors.New("a data: URL must hold an image")
		}
		return nil
	case strings.HasPrefix(s, "/static/") && !strings.Contains(s, ".."):
		return nil
	}
	return ValidateHTTPSURL(s)
}

// validateSupportURL: https, or mailto: an address.
func validateSupportURL(s string) error {
	if u, err := url.Parse(s); err == nil && u.Scheme == "mailto" {
		if u.Opaque == "" || strings.ContainsAny(u.Opaque, "<>\"'") {
			return errors.New("a mailto: URL needs an address")
		}
		return nil
	}
	return ValidateHTTPSURL(s)
}

func isLoopback(u *url.URL) bool {
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
