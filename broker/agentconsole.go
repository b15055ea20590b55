package broker

// AgentConsoleClient is the agent console's client of this broker: it signs
// its agents in (authorization code) and verifies callers (CIBA) with this id
// and secret, over the broker's own endpoints.
func (a *Broker) AgentConsoleClient() (id, secret string) {
	return AgentConsoleClientID, a.consoleSecret(AgentConsoleClientID)
}
