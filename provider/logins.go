package provider

// logins is the authorization flow: /authorize, the login pages, the eIDs'
// redirects and orders, consent, and the answer to the client.
type logins struct {
	*pages
	browser *browserSessions

	decoded *decodedStates
	options []Option
	polls   pollGroup

	auditor  AuditRecorder
	consents ConsentStore
	// rateSecret keys the counters of the order rate limits.
	rateSecret []byte
}
