package bench

import (
	"net/http"
	"net/url"
	"time"
)

// cookieJar is one simulated browser's cookies: by host, then name. It ignores
// paths and the Secure flag, which is enough against one broker, and costs far
// less than net/http/cookiejar. A jar serves one login, from one goroutine.
type cookieJar map[string]map[string]*http.Cookie

var _ http.CookieJar = cookieJar(nil)

func (j cookieJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	host := j[u.Host]
	if host == nil {
		host = map[string]*http.Cookie{}
		j[u.Host] = host
	}
	now := time.Now()
	for _, c := range cookies {
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(now)) {
			delete(host, c.Name)
			continue
		}
		host[c.Name] = &http.Cookie{Name: c.Name, Value: c.Value} //nolint:gosec // G124: a client's jar sends name and value only
	}
}

func (j cookieJar) Cookies(u *url.URL) []*http.Cookie {
	host := j[u.Host]
	out := make([]*http.Cookie, 0, len(host))
	for _, c := range host {
		out = append(out, c)
	}
	return out
}
