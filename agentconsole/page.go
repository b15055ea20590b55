package agentconsole

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/portvakt/portvakt/console"
	"github.com/portvakt/portvakt/themes"
)

// countryOfLanguage is the country whose numbers an agent working in a
// language most likely types.
var countryOfLanguage = map[string]string{"sv": "SE", "nb": "NO", "fi": "FI", "da": "DK", "en": "SE"}

func (c *Console) page(w http.ResponseWriter, r *http.Request) {
	lang := c.o.Themes.MatchLanguage(nil, r.Header.Get("Accept-Language"), r.URL.Query().Get("lang"))
	page := themes.AgentPage{
		Page:      c.o.Themes.NewPage(lang, themes.Theme{}, "", func(code string) string { return Path + "/?lang=" + code }, "agent.title"),
		SignInURL: Path + "/login?" + url.Values{"lang": {lang}}.Encode(), LogoutURL: Path + "/logout",
		Reasons: c.o.Reasons,
	}
	page.SimulatorsURL = c.o.SimulatorsURL
	if e := r.URL.Query().Get("error"); e != "" {
		page.Error = page.T("agent.signin_failed")
	}
	for _, cc := range countries {
		page.Countries = append(page.Countries, themes.AgentCountry{Code: cc.code, Name: themes.CountryName(page.T, cc.code), Selected: cc.code == countryOfLanguage[lang]})
	}
	status := http.StatusOK
	p, err := c.o.SignIn.Current(r)
	switch {
	case errors.Is(err, console.ErrSignedOut):
	case err != nil:
		c.o.Logger.ErrorContext(r.Context(), "agent console: session", "error", err)
		http.Error(w, "the console is not available right now; try again", http.StatusServiceUnavailable)
		return
	default:
		page.SignedIn, page.AgentName, page.CSRFToken = true, p.Name, p.CSRF
		page.Allowed = slices.Contains(p.Roles, RoleAgent)
		if !page.Allowed {
			status = http.StatusForbidden
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.o.Themes.Render(w, "agent.html", page); err != nil {
		c.o.Logger.ErrorContext(r.Context(), "render the agent console", "error", err)
	}
}
