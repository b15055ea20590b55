package themes

// Page is embedded in every page's data. The template reads the language,
// title and theme from it; Render uses Lang to pick the translations.
type Page struct {
	Lang      string         // current language, one of Languages()
	T         Translator     // the same translator the template's "t" function uses
	Languages []LanguageLink // the language switcher
	Theme     Theme
	Title     string // translated page title
	CSRFToken string // sent as the hidden field "csrf_token" in every form
	// SimulatorsURL is set in dev mode: the pages say the eIDs are simulated and
	// link to the simulators, where the person plays the eID app.
	SimulatorsURL string
}

// language lets Render find the page language in any page type that embeds
// Page, whether it is passed by value or by pointer.
func (p Page) language() string { return p.Lang }

// LanguageLink is one entry of the language switcher.
type LanguageLink struct {
	Code    string // "sv"
	Name    string // the language's own name: "Svenska"
	URL     string // the current page with ?lang=<Code>
	Current bool
}

// Theme is what a client shows of itself on the broker's pages.
type Theme struct {
	DisplayName   string // client's display name (what the person is logging in to)
	LogoURL       string // https URL, /static path or data:image URL; optional
	SupportURL    string // optional
	StylesheetURL string // optional per-client stylesheet (see ThemeCSS), served by the broker
}

// LoginPage lists the eIDs a person may choose from. Every option is a
// submit button of one form: name="option" value=LoginOption.Value.
type LoginPage struct {
	Page
	Action    string // form POST target
	Groups    []CountryGroup
	CancelURL string // link "Cancel and return to <client>"; optional
	Error     string // optional translated error shown above the options
	// Sign, when set, makes the page a signature's: what the person is about
	// to sign comes first, then the eIDs that can sign it.
	Sign *SignPreview
}

// CountryGroup holds the options of one country.
type CountryGroup struct {
	Country string // ISO 3166-1 alpha-2: "SE"
	Name    string // translated country name (see CountryName)
	Flag    string // static path of an SVG flag, e.g. the result of FlagPath("SE")
	Options []LoginOption
}

// LoginOption is one selectable eID (and method).
type LoginOption struct {
	Value       string // submitted as "option"
	Connector   string // "se-bankid"
	Name        string // "BankID"
	Method      string // how the eID is used, translated, e.g. "On this device"; may be empty
	Description string // optional; the banks of an eID that sends the person on to one
	LogoURL     string // static path of the eID logo, e.g. the result of LogoPath("se-bankid")
	// Level is no longer filled: people do not read eIDAS levels. It stays so
	// that an operator's own login.html that shows it still renders.
	Level string
}

// OrderPage shows an eID order in progress (Swedish BankID): a QR code to
// scan with another device, or a button that opens the app on this device.
type OrderPage struct {
	Page
	EIDName string
	Method  string // "other-device" | "same-device"
	// LaunchesApp: the method opens the app on this device (a button), else
	// the person scans a QR code with another.
	LaunchesApp bool
	QRImageURL  string // data:image/png URL of the first QR image; order.js replaces it
	LaunchURL   string // same-device: opens the app (bankid:///... or https://app.bankid.com/...)
	Message     string // current status message (translated)
	// AwaitingLaunch: the app is opened on this device and the person has not
	// opened it yet (as far as the page knows). The status line asks them to,
	// until they do; the upstream's "trying to start the app" is not true before.
	AwaitingLaunch bool
	// StatusURL is polled by static/order.js every second. It answers JSON:
	// {"status":"pending|complete|failed","message":"...","qr":"data:image/png;base64,...","redirect":"..."}
	StatusURL          string
	CancelAction       string // form POST target of the Cancel button (with the CSRF token)
	NoScriptRefreshURL string // without JavaScript: "Check status" reloads this page
	// Pushed: the order went straight to the person's app (Freja eID by
	// personal number): no QR code, no button, the app asks them.
	Pushed bool
	// Signing: the order is a signature, and the page says so.
	Signing bool
}

// ErrorPage is shown when the broker cannot send the person back to the
// client with an OIDC error.
type ErrorPage struct {
	Page
	Heading   string // translated; defaults to error.title when empty
	Message   string // translated
	ReturnURL string // optional
	RequestID string // optional, shown small for support
}

// ConsentPage asks the person to release claims to a client. The form posts
// "consent" = "allow" | "deny", and "remember" = "1" when the person ticks
// the box (offered only when Remember is true).
type ConsentPage struct {
	Page
	ClientName string
	Purpose    string // optional, the client's own words
	Claims     []ConsentClaim
	Action     string // form POST target
	Remember   bool   // offer "Remember my choice for this app"
}

// ConsentClaim is one released claim as shown to the person.
type ConsentClaim struct {
	Name  string // translated, e.g. the result of t("consent.claim.birthdate")
	Value string // masked where sensitive
}

// FormPostPage carries an authorization response with response_mode=form_post.
// It auto-submits through static/formpost.js and shows a Continue button
// for browsers without JavaScript.
type FormPostPage struct {
	Page
	RedirectURI string
	Params      [][2]string // name, value pairs in order
}

// LoggedOutPage confirms an RP-initiated logout.
type LoggedOutPage struct {
	Page
	ReturnURL string // optional
}

// LogoutPage asks the person to confirm a logout that came without proof of
// which login it ends. The form posts the Fields back (name, value) with the
// CSRF token.
type LogoutPage struct {
	Page
	Action string
	Fields [][2]string
}

// DemoPage is the demo relying-party app that ships with dev mode.
type DemoPage struct {
	Page
	Options      []DemoOption // one per eID plus "Let me choose"
	Summary      []DemoClaim  // who logged in, with which eID, at which level, when
	Claims       []DemoClaim
	IDTokenJSON  string
	UserinfoJSON string
	Error        string
	LogoutURL    string
	LoggedIn     bool
	// SignURL starts a signature of the sample agreement; "" when the demo
	// client may not request signatures.
	SignURL string
	// Signed is the signature just made and its evidence, checked offline.
	Signed *DemoSigned
}

// DemoSigned is a signature's evidence as the demo checked it.
type DemoSigned struct {
	Verified bool
	// Failure names the check that failed when not Verified.
	Failure string
	// Rows say who signed, with which eID, when, and the evidence id.
	Rows []DemoClaim
	// Checks are the offline checks passed.
	Checks []string
	// Text is what was shown and signed, as sent to the eID.
	Text        string
	PackageJSON string
	DownloadURL string
}

// DemoOption is one login button of the demo app.
type DemoOption struct {
	Label string // "Log in with BankID (Sweden)"
	URL   string
}

// DemoClaim is one row of the demo app's claims table.
type DemoClaim struct {
	Name  string
	Value string
}

// AgentPage is the agent console: signed out, signed in without the agent
// role, or the verification form (the result is filled in by its script).
type AgentPage struct {
	Page
	SignedIn  bool
	Allowed   bool
	AgentName string
	SignInURL string
	// LogoutURL takes a POST with the CSRF token.
	LogoutURL string
	// Reasons are the configured reasons to pick from.
	Reasons        []string
	Countries      []AgentCountry
	DefaultCountry string
	Error          string
}

// AgentCountry is one country the agent can pick for the caller's number.
type AgentCountry struct {
	Code, Name string
	Selected   bool
}
