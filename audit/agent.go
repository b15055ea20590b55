package audit

import "strings"

// ConsoleAgentPrefix starts the agent of a caller verification made in the
// broker's own agent console: "portvakt:" and the agent's person key. Only the
// console's client may send an agent with it.
const ConsoleAgentPrefix = "portvakt:"

// AgentActor is the Actor of a caller verification's record: "agent:" and the
// agent the client named, so one agent's look-ups are selected by the indexed
// actor column and never mistaken for an admin ("client:", "cli:", "person:").
func AgentActor(agent string) string { return "agent:" + agent }

// ConsoleAgent is the agent the agent console names for a signed-in person.
func ConsoleAgent(personKey string) string { return ConsoleAgentPrefix + personKey }

// IsConsoleAgent reports an agent value reserved to the agent console.
func IsConsoleAgent(agent string) bool { return strings.HasPrefix(agent, ConsoleAgentPrefix) }

// agentActorOf is a verification's actor: the agent, or "" when the client
// named none.
func agentActorOf(agent string) string {
	if agent == "" {
		return ""
	}
	return AgentActor(agent)
}
