// Package admin owns the administration of the broker: one Service with every
// admin operation (clients, secrets, consents, the console roles granted to
// persons, the audit trail), each checking the acting principal's role and
// writing an audit record for every change; the JSON API under /admin/api/v1
// (with its OpenAPI document), and the admin web page under /admin/ that drives
// that API. A person signs in to the page with an eID (package console); the
// API then takes the page's session, with the person's roles read on every
// request and the session's CSRF token on every change, besides the client
// credentials tokens of automation. The API's client document (ClientSettings)
// is its own type, mapped to config.Client for the validation it shares with the
// configuration file. The `portvakt clients|consents|roles|audit`
// commands call the same Service.
package admin
