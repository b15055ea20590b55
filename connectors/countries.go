package connectors

// Countries are the countries whose eIDs the broker can offer (ISO 3166-1
// alpha-2), in the order the login page shows them. Client configuration, the
// admin API and the login page all take the list from here, so a new country is
// added once.
func Countries() []string { return []string{"SE", "NO", "FI", "DK"} }
