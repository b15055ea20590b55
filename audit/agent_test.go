package audit_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/internal/testid"
)

// TestExportByAgent: "every look-up by this agent" selects the records whose
// actor is that agent, named by the client's own agent id or, for the agent
// console, by the agent's national id, in a period; nobody else's look-ups and
// no national id in clear come with them. (The caller verification records are
// written by the CIBA core; this writes records with the same actor.)
func TestExportByAgent(t *testing.T) {
	f := newFixture(t)
	agentID := testid.Personnummer(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 11)
	consoleAgent := audit.AgentActor(audit.ConsoleAgent(f.trail.PersonKeyOf(agentID)))
	for i, actor := range []string{consoleAgent, audit.AgentActor("crm-42"), consoleAgent, audit.AgentActor("crm-4"), "client:admin"} {
		f.clock = f.clock.Add(time.Minute)
		if err := f.trail.RecordAdmin(t.Context(), audit.AdminEvent{Actor: actor, Action: "lookup", ClientID: "bank",
			NationalIDMasked: "**********" + string(rune('0'+i)) + "8"}); err != nil {
			t.Fatal(err)
		}
	}
	start := f.clock.Add(-10 * time.Minute)
	for _, tc := range []struct {
		name string
		q    audit.Query
		want int
	}{
		{"console agent by national id", audit.Query{AgentNationalID: agentID}, 2},
		{"console agent in a period", audit.Query{AgentNationalID: agentID, From: start.Add(7 * time.Minute)}, 1},
		{"client's own agent id, exactly", audit.Query{Agent: "crm-4"}, 1},
		{"an admin's actor is no agent", audit.Query{Agent: "client:admin"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := f.trail.Export(t.Context(), &buf, tc.q)
			if err != nil || n != tc.want {
				t.Fatalf("Export: %d records, %v; want %d", n, err, tc.want)
			}
			if strings.Contains(buf.String(), agentID) {
				t.Error("the export holds the agent's national id in clear")
			}
		})
	}
}
