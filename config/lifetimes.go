package config

import "time"

// Caps on how long what the broker hands out stays usable: a leaked or outlived
// credential is worth at most this long, and a client that is ended loses nothing
// it could not have lost by waiting. Access tokens include client_credentials
// tokens (the admin API's), which use the same lifetime.
const (
	MaxAccessTokenLifetime = time.Hour
	MaxIDTokenLifetime     = 24 * time.Hour
	// MaxCodeLifetime is RFC 6749's "maximum of 10 minutes".
	MaxCodeLifetime = 10 * time.Minute
	// MaxLoginLifetime bounds a login in progress (its state and eID order).
	MaxLoginLifetime = time.Hour
	// MaxSessionLifetime bounds single sign-on without a new eID login.
	MaxSessionLifetime = 24 * time.Hour
)

// lifetime is one configured lifetime and its cap.
type lifetime struct {
	field string
	value Duration
	max   time.Duration
}

// checkLifetimes refuses negative values and values past their cap; 0 means the
// default (or, for a session, off) and passes.
func checkLifetimes(p *Problems, lifetimes ...lifetime) {
	for _, l := range lifetimes {
		switch d := l.value.D(); {
		case d < 0:
			p.Add("%s: %s must not be negative", l.field, d)
		case d > l.max:
			p.Add("%s: %s is longer than the cap of %s", l.field, d, l.max)
		}
	}
}
