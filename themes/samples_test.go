package themes

import "fmt"

// samplePages returns data for every required template in one language,
// filled the way the provider fills it.
func samplePages(th *Themes, lang string) map[string]any {
	tr := th.Translator(lang)
	theme := Theme{DisplayName: "Acme Bank", SupportURL: "https://acme.example/help", StylesheetURL: "/theme/acme.css"}
	urlFor := func(code string) string { return "/login?id=abc&lang=" + code }
	page := func(titleID string, args ...any) Page {
		return th.NewPage(lang, theme, "csrf-token-123", urlFor, titleID, args...)
	}
	option := func(value, connector, name, methodID string) LoginOption {
		o := LoginOption{Value: value, Connector: connector, Name: name, LogoURL: th.LogoPath(connector)}
		if methodID != "" {
			o.Method = tr(methodID)
		}
		return o
	}
	// The connectors carry their names and descriptions; FTN's in English stand in.
	ftn := option("fi-ftn", "fi-ftn", "Finnish bank ID (FTN)", "")
	ftn.Method = "With your online bank credentials or mobile certificate"
	ftn.Description = "OP, Nordea, Danske Bank, Aktia"
	groups := []CountryGroup{
		{Country: "SE", Name: CountryName(tr, "SE"), Flag: th.FlagPath("SE"), Options: []LoginOption{
			option("se-bankid:same-device", "se-bankid", "BankID", "method.same_device"),
			option("se-bankid:other-device", "se-bankid", "BankID", "method.other_device"),
		}},
		{Country: "NO", Name: CountryName(tr, "NO"), Flag: th.FlagPath("NO"), Options: []LoginOption{
			option("no-bankid", "no-bankid", "BankID", "method.high"),
			option("no-bankid:substantial", "no-bankid", "BankID", "method.substantial"),
		}},
		{Country: "FI", Name: CountryName(tr, "FI"), Flag: th.FlagPath("FI"), Options: []LoginOption{ftn}},
		{Country: "DK", Name: CountryName(tr, "DK"), Flag: th.FlagPath("DK"), Options: []LoginOption{
			option("dk-mitid", "dk-mitid", "MitID", ""),
		}},
	}
	// A 1x1 transparent PNG stands in for the QR image.
	const qr = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

	return map[string]any{
		"login.html": LoginPage{
			Page:      page("login.title"),
			Action:    "/login/choose?id=abc",
			Groups:    groups,
			CancelURL: "/login/cancel?id=abc",
			Error:     tr("error.upstream", "EID", "BankID"),
		},
		"order.html": OrderPage{
			Page:               page("order.title", "EID", "BankID"),
			EIDName:            "BankID",
			Method:             "other-device",
			QRImageURL:         qr,
			LaunchURL:          "bankid:///?autostarttoken=46f6aa68-0000-4000-8000-000000000000&redirect=null",
			Message:            tr("order.waiting"),
			StatusURL:          "/login/order/status?id=abc",
			CancelAction:       "/login/order/cancel?id=abc",
			NoScriptRefreshURL: "/login/order?id=abc",
		},
		"error.html": ErrorPage{
			Page:      page("error.title"),
			Heading:   tr("error.title"),
			Message:   tr("error.session"),
			ReturnURL: "https://acme.example/",
			RequestID: "req-7f3a9c",
		},
		"consent.html": ConsentPage{
			Page:       page("consent.title"),
			ClientName: "Acme Bank",
			Purpose:    "To open your savings account.",
			Claims: []ConsentClaim{
				{Name: tr("consent.claim.name"), Value: "Tilda Testsson"},
				{Name: tr("consent.claim.birthdate"), Value: "1990-01-01"},
				{Name: tr("consent.claim.national_id"), Value: "19900101-****"},
				{Name: tr("consent.claim.country"), Value: CountryName(tr, "SE")},
			},
			Action:   "/consent?id=abc",
			Remember: true,
		},
		"form_post.html": FormPostPage{
			Page:        page("formpost.title"),
			RedirectURI: "https://acme.example/callback",
			Params:      [][2]string{{"code", "c0de"}, {"state", `s"<tate>`}, {"iss", "https://login.example"}},
		},
		"logged_out.html": LoggedOutPage{
			Page:      page("logout.title"),
			ReturnURL: "https://acme.example/",
		},
		"logout.html": LogoutPage{
			Page:   page("logout.confirm.title"),
			Action: "/end_session",
			Fields: [][2]string{{"client_id", "acme"}, {"post_logout_redirect_uri", "https://acme.example/bye"}, {"state", `s"<tate>`}},
		},
		"agent.html": AgentPage{
			Page: page("agent.title"), SignedIn: true, Allowed: true, AgentName: "Alva Simulantsson",
			SignInURL: "/agent/login", LogoutURL: "/agent/logout", Reasons: []string{"Card blocked", `Loan "<application>"`},
			Countries: []AgentCountry{{Code: "SE", Name: CountryName(tr, "SE"), Selected: true}, {Code: "NO", Name: CountryName(tr, "NO")}},
		},
		"demo.html": DemoPage{
			Page: page("demo.title"),
			Options: []DemoOption{
				{Label: tr("demo.login_with", "EID", "BankID ("+CountryName(tr, "SE")+")"), URL: "/demo/login?eid=se-bankid"},
				{Label: tr("demo.login_with", "EID", "MitID"), URL: "/demo/login?eid=dk-mitid"},
				{Label: tr("demo.choose"), URL: "/demo/login"},
			},
			Claims: []DemoClaim{
				{Name: "sub", Value: "Zk3nH0cM"},
				{Name: "acr", Value: "http://eidas.europa.eu/LoA/high"},
				{Name: "name", Value: "Tilda Testsson"},
			},
			IDTokenJSON:  `{"iss":"http://127.0.0.1:8080","sub":"Zk3nH0cM","acr":"http://eidas.europa.eu/LoA/high"}`,
			UserinfoJSON: `{"sub":"Zk3nH0cM","name":"Tilda Testsson"}`,
			LogoutURL:    "/demo/logout",
			LoggedIn:     true,
		},
	}
}

// sampleVariants adds the other states of the pages that have them.
func sampleVariants(th *Themes, lang string) map[string]any {
	pages := samplePages(th, lang)
	order := pages["order.html"].(OrderPage)
	order.Method, order.LaunchesApp = "same-device", true
	order.QRImageURL = ""
	order.LaunchURL = "bankid:///?autostarttoken=46f6aa68-0000-4000-8000-000000000000&redirect=null"
	login := pages["login.html"].(LoginPage)
	login.Error = ""
	login.Groups = login.Groups[:1]
	login.Theme.LogoURL = th.StaticPath("demo-icon.svg")
	demo := pages["demo.html"].(DemoPage)
	demo.LoggedIn = false
	demo.Error = "access_denied"
	agentOut := pages["agent.html"].(AgentPage)
	agentOut.SignedIn, agentOut.Allowed, agentOut.Error = false, false, th.Translator(lang)("agent.signin_failed")
	agentOut.SimulatorsURL = "/sim/"
	agentNot := pages["agent.html"].(AgentPage)
	agentNot.Allowed = false
	emptyLogin := login
	emptyLogin.Groups = nil
	emptyLogin.Theme = Theme{}
	signing := login
	signing.Page.Title = th.Translator(lang)("login.sign_title")
	signing.Sign = &SignPreview{
		Text:      RenderSignText("## Loan\nAmount: **250 000 SEK**\n\n* Term: 5 years\n* Rate: *4.1 %*", true),
		Documents: []SignDocument{{Label: "Loan agreement.pdf", HashAlg: "SHA-256", Digest: "8a1f2b4e5c6d7e8f90a1b2c3d4e5f6071829a3b4c5d6e7f890a1b2c3d4e5f607"}},
	}
	signOrder := order
	signOrder.Signing = true
	signOrder.Message = ""
	return map[string]any{
		"login.html signing":     signing,
		"order.html signing":     signOrder,
		"order.html same-device": order,
		"login.html one country": login,
		"login.html no options":  emptyLogin,
		"demo.html logged out":   demo,
		"agent.html signed out":  agentOut,
		"agent.html not agent":   agentNot,
		"error.html bare":        ErrorPage{Page: Page{Lang: lang}},
	}
}

func describe(name, lang string) string { return fmt.Sprintf("%s/%s", name, lang) }
