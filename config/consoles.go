package config

import "slices"

// AgentConsole configures the agent console at /agent/.
type AgentConsole struct {
	// Reasons are the look-up reasons an agent may pick; the agent may also
	// write one. Each is at most 200 characters.
	Reasons []string `yaml:"reasons"`
}

// ReservedClientPrefix starts the ids of the clients the broker registers for
// its own consoles; no other client may take one.
const ReservedClientPrefix = "portvakt-"

// GrantSupported reports whether clients may be given the grant type.
func GrantSupported(grant string) bool { return slices.Contains(supportedGrants, grant) }

func (a AgentConsole) validate(p *Problems) {
	for i, r := range a.Reasons {
		if err := validateText(r, 200, false); err != nil || r == "" {
			p.Add("agent_console.reasons[%d]: a reason is plain text of 1 to 200 characters", i)
		}
	}
}
