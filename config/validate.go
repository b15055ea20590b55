package config

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/portvakt/portvakt/connectors"
)

// Values the configuration accepts.
var (
	supportedAlgorithms = []string{"RS256", "PS256", "ES256", "EdDSA"}
	supportedScopes     = []string{"national_id", "evidence"}
	supportedAuth       = []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "none"}
	supportedGrants     = []string{"authorization_code", "client_credentials", GrantTypeCIBA}
	supportedRoles      = []string{"admin", "auditor"}
	// supportedDetailsTypes are the authorization_details types a client may
	// be allowed (evidence.SignType; config stays below the evidence package).
	supportedDetailsTypes = []string{"urn:portvakt:sign:v1"}
	colourPattern         = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	// Client ids appear in URLs, logs, file names and the audit trail: the
	// unreserved characters of RFC 3986 only.
	clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,64}$`)
)

// GrantTypeCIBA is the grant of OpenID Connect Client-Initiated Backchannel
// Authentication: verifying a caller by their eID app.
const GrantTypeCIBA = "urn:openid:params:grant-type:ciba"

// Backchannel delivery modes (push is not offered).
var supportedDeliveryModes = []string{"poll", "ping"}

// ApplyDefaults fills what the file left out.
func (c *Config) ApplyDefaults() {
	if c.Listen == "" {
		c.Listen = ":8080"
	}
	if len(c.Keys.Algorithms) == 0 {
		c.Keys.Algorithms = []string{"RS256"}
	} else if !slices.Contains(c.Keys.Algorithms, "RS256") {
		c.Keys.Algorithms = append(c.Keys.Algorithms, "RS256")
	}
	setDefault(&c.Keys.RotationPeriod, 90*24*time.Hour)
	setDefault(&c.Keys.Retention, 48*time.Hour)
	setDefault(&c.Evidence.Retention, 10*365*24*time.Hour)
	setDefault(&c.Tokens.IDToken, time.Hour)
	setDefault(&c.Tokens.AccessToken, 10*time.Minute)
	setDefault(&c.Tokens.Code, time.Minute)
	setDefault(&c.Login.Lifetime, 15*time.Minute)
	setDefault(&c.Login.OrderRateLimit.Window, 10*time.Minute)
	rl := &c.Login.OrderRateLimit
	if rl.PerIP == 0 {
		rl.PerIP = 30
	}
	if rl.PerBrowser == 0 && rl.PerNationalID > 0 {
		rl.PerBrowser = rl.PerNationalID
	}
	if rl.PerBrowser == 0 {
		rl.PerBrowser = 10
	}
	if c.CIBA.PerClient == 0 {
		c.CIBA.PerClient = 600
	}
	if c.CIBA.PerAgent == 0 {
		c.CIBA.PerAgent = 20
	}
	if c.Metrics.Listen == "" {
		c.Metrics.Listen = "127.0.0.1:9090"
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "json"
	}
	for i := range c.Clients {
		c.Clients[i].ApplyDefaults()
	}
}

func setDefault(d *Duration, v time.Duration) {
	if *d == 0 {
		*d = Duration(v)
	}
}

// ApplyDefaults fills a client's unset fields.
func (cl *Client) ApplyDefaults() {
	if cl.AuthMethod == "" {
		switch {
		case len(cl.AuthMethods) > 0:
			cl.AuthMethod = cl.AuthMethods[0]
		case cl.JWKSURL != "" || len(cl.JWKS) > 0:
			cl.AuthMethod = "private_key_jwt"
		case cl.Secret == "" && cl.SecretHash == "":
			cl.AuthMethod = "none"
		default:
			cl.AuthMethod = "client_secret_basic"
		}
	}
	if cl.SubjectType == "" {
		cl.SubjectType = "pairwise"
	}
	if cl.AccessTokenFormat == "" {
		cl.AccessTokenFormat = "opaque"
	}
	if cl.IDTokenAlg == "" {
		cl.IDTokenAlg = "RS256"
	}
	cl.applyEncryptionDefaults()
	if cl.Name == "" {
		cl.Name = cl.ID
	}
	if len(cl.GrantTypes) == 0 {
		cl.GrantTypes = []string{"authorization_code"}
	}
	if cl.HasGrant(GrantTypeCIBA) && cl.BackchannelDeliveryMode == "" {
		cl.BackchannelDeliveryMode = "poll"
	}
}

// HasGrant reports whether the client may use the grant type.
func (cl *Client) HasGrant(grant string) bool { return slices.Contains(cl.GrantTypes, grant) }

// Deprecations lists settings that still work but should change, for the
// operator's log at start.
func (c *Config) Deprecations() []string {
	var out []string
	if c.Login.OrderRateLimit.PerNationalID != 0 {
		out = append(out, "login.order_rate_limit.per_national_id is deprecated and read as per_browser: "+
			"counting the person a login_hint names let anyone lock that person out; orders are limited per_ip and per_browser")
	}
	return out
}

// Validate lists every problem of the configuration.
func (c *Config) Validate() Problems {
	var p Problems
	if err := ValidateIssuer(c.Issuer); err != nil {
		p.Add("issuer: %v", err)
	}
	if c.MasterKey == "" {
		p.Add("master_key: required (32 random bytes, base64 or hex; `portvakt keys master-key` makes one)")
	}
	switch c.Storage.Driver {
	case "sqlite", "mysql":
	case "":
		p.Add("storage.driver: required (sqlite or mysql)")
	default:
		p.Add("storage.driver: %q is not sqlite or mysql", c.Storage.Driver)
	}
	if c.Storage.DSN == "" {
		p.Add("storage.dsn: required")
	}
	for _, alg := range c.Keys.Algorithms {
		if !slices.Contains(supportedAlgorithms, alg) {
			p.Add("keys.algorithms: %q is not one of %v", alg, supportedAlgorithms)
		}
	}
	for _, cidr := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			p.Add("trusted_proxies: %q is not a CIDR", cidr)
		}
	}
	longest := max(c.Tokens.IDToken.D(), c.Tokens.AccessToken.D())
	for _, cl := range c.Clients {
		longest = max(longest, cl.IDTokenLifetime.D(), cl.AccessTokenLifetime.D())
	}
	if c.Evidence.Retention.D() < 24*time.Hour {
		p.Add("evidence.retention: %s is too short: a client must be able to fetch a signature's evidence again after the signature (at least 24h; the default is ten years)", c.Evidence.Retention.D())
	}
	if c.Keys.Retention.D() < longest+time.Minute {
		p.Add("keys.retention: %s is too short: a retired key must stay published longer than the tokens it signed live (%s)", c.Keys.Retention.D(), longest)
	}
	rl := c.Login.OrderRateLimit
	if rl.PerIP < 0 || rl.PerBrowser < 0 || rl.PerNationalID < 0 {
		p.Add("login.order_rate_limit: per_ip and per_browser are counts of orders per window; they cannot be negative")
	}
	if c.CIBA.PerClient < 0 || c.CIBA.PerAgent < 0 {
		p.Add("ciba: per_client_per_minute and per_agent_per_minute are counts per minute; they cannot be negative")
	}
	if rl.Window.D() <= 0 {
		p.Add("login.order_rate_limit.window: must be a positive duration such as 10m")
	}
	checkLifetimes(&p,
		lifetime{"tokens.access_token_lifetime", c.Tokens.AccessToken, MaxAccessTokenLifetime},
		lifetime{"tokens.id_token_lifetime", c.Tokens.IDToken, MaxIDTokenLifetime},
		lifetime{"tokens.code_lifetime", c.Tokens.Code, MaxCodeLifetime},
		lifetime{"login.lifetime", c.Login.Lifetime, MaxLoginLifetime},
		lifetime{"login.session_lifetime", c.Login.SessionLifetime, MaxSessionLifetime})
	c.AuthorizationRequests.validate(&p)
	if c.Metrics.Listen != "off" {
		if _, _, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			p.Add("metrics.listen: %q is not host:port or off", c.Metrics.Listen)
		}
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		p.Add("log.level: %q is not debug, info, warn or error", c.Log.Level)
	}
	if !slices.Contains([]string{"json", "text"}, c.Log.Format) {
		p.Add("log.format: %q is not json or text", c.Log.Format)
	}
	c.AgentConsole.validate(&p)
	connectorIDs := map[string]bool{}
	for i, cn := range c.Connectors {
		where := fmt.Sprintf("connectors[%d]", i)
		if cn.ID == "" {
			p.Add("%s.id: required", where)
		} else if connectorIDs[cn.ID] {
			p.Add("%s.id: %q is used twice", where, cn.ID)
		}
		connectorIDs[cn.ID] = true
		if cn.Type == "" {
			p.Add("%s.type: required", where)
		}
	}
	clientIDs := map[string]bool{}
	for i, cl := range c.Clients {
		where := fmt.Sprintf("clients[%d]", i)
		if cl.ID != "" {
			where = fmt.Sprintf("clients[%s]", cl.ID)
			if strings.HasPrefix(cl.ID, ReservedClientPrefix) {
				p.Add("%s.id: ids starting with %q are the broker's own consoles' clients", where, ReservedClientPrefix)
			}
			if clientIDs[cl.ID] {
				p.Add("%s.id: used twice", where)
			}
			clientIDs[cl.ID] = true
		}
		for _, problem := range cl.Validate(c.Keys.Algorithms, connectorIDs) {
			p.Add("%s.%s", where, problem)
		}
		for _, problem := range SectorConflicts(cl, c.Clients) {
			p.Add("%s.%s", where, problem)
		}
		for _, problem := range cl.ValidateFTN(c.FTNConnectorIDs()) {
			p.Add("%s.%s", where, problem)
		}
	}
	return p
}

// Validate lists the problems of one client. algorithms are the configured signing
// algorithms and eids the known connector ids (nil skips that check).
func (cl *Client) Validate(algorithms []string, eids map[string]bool) Problems {
	var p Problems
	if cl.ID == "" {
		p.Add("id: required")
	} else if err := ValidateClientID(cl.ID); err != nil {
		p.Add("id: %q %v", cl.ID, err)
	}
	for _, f := range []struct {
		name, value string
		max         int
		multiline   bool
	}{{"name", cl.Name, maxNameLength, false}, {"theme.display_name", cl.Theme.DisplayName, maxNameLength, false}, {"purpose", cl.Purpose, maxPurposeLength, true}} {
		if err := validateText(f.value, f.max, f.multiline); err != nil {
			p.Add("%s: %v", f.name, err)
		}
	}
	for _, g := range cl.GrantTypes {
		if !slices.Contains(supportedGrants, g) {
			p.Add("grant_types: %q is not one of %v", g, supportedGrants)
		}
	}
	for _, typ := range cl.AuthorizationDetailsTypes {
		if !slices.Contains(supportedDetailsTypes, typ) {
			p.Add("authorization_details_types: %q is not one of %v", typ, supportedDetailsTypes)
		}
	}
	for _, r := range cl.Roles {
		if !slices.Contains(supportedRoles, r) {
			p.Add("roles: %q is not one of %v", r, supportedRoles)
		}
	}
	if len(cl.Roles) > 0 && !cl.HasGrant("client_credentials") {
		p.Add("roles: only a client with grant type client_credentials can have admin roles")
	}
	if rs := cl.ResourceServer; rs != nil {
		if len(rs.Audiences) == 0 {
			p.Add("resource_server.audiences: at least one is required (the client ids whose access tokens it may introspect)")
		}
		// Access tokens name their client in aud; anything else (the admin API's
		// audience, say) is not for a resource server to introspect.
		for _, aud := range rs.Audiences {
			if aud == "" || strings.ContainsAny(aud, " :/?#") {
				p.Add("resource_server.audiences: %q is not a client id", aud)
			}
		}
		if cl.AuthMethod == "none" {
			p.Add("resource_server: a public client (token_endpoint_auth_method none) cannot introspect tokens")
		}
	}
	cl.validateBackchannel(&p)
	if len(cl.RedirectURIs) == 0 && cl.HasGrant("authorization_code") {
		p.Add("redirect_uris: at least one is required")
	}
	for _, u := range cl.RedirectURIs {
		if err := ValidateRedirectURI(u); err != nil {
			p.Add("redirect_uris: %q: %v", u, err)
		}
	}
	for _, u := range cl.PostLogoutRedirectURIs {
		if err := ValidateRedirectURI(u); err != nil {
			p.Add("post_logout_redirect_uris: %q: %v", u, err)
		}
	}
	if !slices.Contains(supportedAuth, cl.AuthMethod) {
		p.Add("token_endpoint_auth_method: %q is not one of %v", cl.AuthMethod, supportedAuth)
	}
	cl.validateAuthMethods(&p)
	cl.validateRequestRules(&p)
	hasSecret := cl.Secret != "" || cl.SecretHash != ""
	switch cl.AuthMethod {
	case "client_secret_basic", "client_secret_post":
		if !hasSecret {
			p.Add("secret: required for %s (or secret_hash)", cl.AuthMethod)
		}
	case "private_key_jwt":
		if len(cl.JWKS) == 0 && cl.JWKSURL == "" {
			p.Add("jwks: private_key_jwt needs jwks or jwks_uri")
		}
		if hasSecret {
			p.Add("secret: a private_key_jwt client has no secret")
		}
	case "none":
		if cl.HasGrant("client_credentials") {
			p.Add("token_endpoint_auth_method: a client_credentials client must authenticate")
		}
		if hasSecret {
			p.Add("secret: a public client (token_endpoint_auth_method none) has no secret")
		}
	}
	if cl.Secret != "" && len(cl.Secret) < 8 {
		p.Add("secret: too short (use at least 32 random characters)")
	}
	if cl.SecretHash != "" {
		if b, err := hex.DecodeString(cl.SecretHash); err != nil || len(b) != 32 {
			p.Add("secret_hash: must be the hex SHA-256 of the secret (64 hex digits)")
		}
	}
	if cl.JWKSURL != "" {
		if err := ValidateHTTPSURL(cl.JWKSURL); err != nil {
			p.Add("jwks_uri: %q: %v", cl.JWKSURL, err)
		}
	}
	if len(cl.JWKS) > 0 {
		if _, err := cl.ParseJWKS(); err != nil {
			p.Add("jwks: %v", err)
		}
	}
	for _, country := range cl.Countries {
		if known := connectors.Countries(); !slices.Contains(known, country) {
			p.Add("countries: %q is not one of %v", country, known)
		}
	}
	if eids != nil {
		for _, id := range cl.EIDs {
			if !eids[id] {
				p.Add("eids: %q is not a configured connector", id)
			}
		}
	}
	for _, s := range cl.Scopes {
		if !slices.Contains(supportedScopes, s) {
			p.Add("scopes: %q is not one of %v (openid and profile are always allowed)", s, supportedScopes)
		}
	}
	if err := validateSector(cl.Sector); err != nil {
		p.Add("sector: %v", err)
	}
	if cl.SubjectType != "pairwise" && cl.SubjectType != "public" {
		p.Add("subject_type: %q is not pairwise or public", cl.SubjectType)
	}
	if algorithms != nil && !slices.Contains(algorithms, cl.IDTokenAlg) {
		p.Add("id_token_signed_response_alg: %q has no key (keys.algorithms is %v)", cl.IDTokenAlg, algorithms)
	}
	cl.validateEncryption(&p)
	if cl.DPoPBoundAccessTokens && cl.HasGrant("client_credentials") {
		// Its tokens are the admin API's and resource servers', which take bearer tokens.
		p.Add("dpop_bound_access_tokens: client_credentials tokens are bearer tokens; a client that requires DPoP cannot have that grant")
	}
	if cl.AccessTokenFormat != "opaque" && cl.AccessTokenFormat != "jwt" {
		p.Add("access_token_format: %q is not opaque or jwt", cl.AccessTokenFormat)
	}
	checkLifetimes(&p,
		lifetime{"access_token_lifetime", cl.AccessTokenLifetime, MaxAccessTokenLifetime},
		lifetime{"id_token_lifetime", cl.IDTokenLifetime, MaxIDTokenLifetime})
	for name, colour := range map[string]string{"primary_color": cl.Theme.PrimaryColor, "primary_text_color": cl.Theme.PrimaryText, "background_color": cl.Theme.Background} {
		if colour != "" && !colourPattern.MatchString(colour) {
			p.Add("theme.%s: %q is not a #rgb or #rrggbb colour", name, colour)
		}
	}
	if len(cl.Theme.CustomCSS) > 64<<10 {
		p.Add("theme.custom_css: at most 64 KiB")
	}
	if strings.Contains(strings.ToLower(cl.Theme.CustomCSS), "</") {
		p.Add("theme.custom_css: must be a stylesheet, not markup")
	}
	if cl.Theme.LogoURL != "" {
		if err := validateLogoURL(cl.Theme.LogoURL); err != nil {
			p.Add("theme.logo_url: must be https, a data: image or a /static/ path: %v", err)
		}
	}
	if cl.ClientURI != "" {
		if err := ValidateHTTPSURL(cl.ClientURI); err != nil {
			p.Add("client_uri: must be an https URL (http only on loopback): %v", err)
		}
	}
	if cl.Theme.SupportURL != "" {
		if err := validateSupportURL(cl.Theme.SupportURL); err != nil {
			p.Add("theme.support_url: must be https or mailto: %v", err)
		}
	}
	return p
}

// ValidateIssuer checks the issuer is an absolute https URL (http only on loopback)
// without query or fragment.
func ValidateIssuer(s string) error {
	if s == "" {
		return fmt.Errorf("required")
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "/") {
		return fmt.Errorf("%q must have no query, fragment or trailing slash", s)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u)) {
		return fmt.Errorf("%q must be https (http only on 127.0.0.1, ::1 or localhost)", s)
	}
	return nil
}

// ValidateRedirectURI checks a redirect URI can be registered: absolute, https
// (http only for loopback), no fragment, no wildcards, no userinfo. Matching is
// later an exact string comparison, so what is registered is what must be sent.
func ValidateRedirectURI(s string) error {
	if err := ValidateHTTPSURL(s); err != nil {
		return err
	}
	switch {
	case strings.Contains(s, "#"):
		return fmt.Errorf("must not have a fragment")
	case strings.Contains(s, "*"):
		return fmt.Errorf("wildcards are not allowed: redirect URIs match exactly")
	}
	return nil
}

// ValidateClientID checks an id is letters, digits and -._~ only, at most 64 of
// them, and not a path step (. or ..).
func ValidateClientID(id string) error {
	if !clientIDPattern.MatchString(id) || id == "." || id == ".." {
		return fmt.Errorf("must be 1 to 64 letters, digits and - . _ ~ (not . or ..)")
	}
	return nil
}

// validateBackchannel checks the settings of caller verification (CIBA): a
// delivery mode only with the grant, and ping only with an endpoint to ping.
func (cl *Client) validateBackchannel(p *Problems) {
	if !cl.HasGrant(GrantTypeCIBA) {
		if cl.BackchannelDeliveryMode != "" || cl.BackchannelNotificationEndpoint != "" || cl.CIBA != (CIBA{}) {
			p.Add("backchannel_token_delivery_mode: only a client with grant type %s verifies callers", GrantTypeCIBA)
		}
		return
	}
	if cl.AuthMethod == "none" {
		p.Add("grant_types: a public client (token_endpoint_auth_method none) cannot use %s", GrantTypeCIBA)
	}
	if !slices.Contains(supportedDeliveryModes, cl.BackchannelDeliveryMode) {
		p.Add("backchannel_token_delivery_mode: %q is not one of %v", cl.BackchannelDeliveryMode, supportedDeliveryModes)
	}
	switch {
	case cl.BackchannelDeliveryMode == "ping" && cl.BackchannelNotificationEndpoint == "":
		p.Add("backchannel_client_notification_endpoint: required in ping mode")
	case cl.BackchannelNotificationEndpoint != "":
		if err := ValidateHTTPSURL(cl.BackchannelNotificationEndpoint); err != nil {
			p.Add("backchannel_client_notification_endpoint: %q: %v", cl.BackchannelNotificationEndpoint, err)
		}
	}
}
