package sim

import (
	"log/slog"
	"time"

	"github.com/portvakt/portvakt/connectors/simcore"
)

// Options configure the simulator.
type Options struct {
	// Issuer is the full issuer URL, with the path prefix the simulator is
	// mounted under (http://127.0.0.1:8080/sim/no-bankid).
	Issuer string
	// AutoApprove completes every login at once as the hinted or first test user.
	AutoApprove bool
	Now         func() time.Time
	Logger      *slog.Logger
}

// Sim is a simulated Norwegian BankID provider. The embedded server gives
// Handler, RegisterClient, TestUsers, SetFaults and Issuer.
type Sim struct {
	*simcore.Server
}

// New starts a simulator; mount Handler at the issuer's path.
func New(opts Options) (*Sim, error) {
	srv, err := simcore.New(simcore.Options{
		Issuer: opts.Issuer, AutoApprove: opts.AutoApprove, Now: opts.Now, Logger: opts.Logger,
	}, profile{}, TestUsers())
	if err != nil {
		return nil, err
	}
	return &Sim{Server: srv}, nil
}

// TestUsers are the simulator's fictional people. The fødselsnummer are in the
// synthetic series (month + 80), so they can never belong to anyone.
func TestUsers() []simcore.User {
	return []simcore.User{
		user("14838512470", "Kari", "Testmann", "1985-03-14", "9578-5999-4-1765512"),
		user("02917224210", "Ola", "Prøvesen", "1972-11-02", "9578-5999-4-2200417"),
		user("30860151290", "Siri", "Simulert", "2001-06-30", "9578-5999-4-3314023"),
	}
}

func user(fnr, given, family, birthdate, altsub string) simcore.User {
	return simcore.User{
		NationalID: fnr,
		Name:       given + " " + family,
		Claims: map[string]any{
			"given_name":    given,
			"family_name":   family,
			"name":          given + " " + family,
			"birthdate":     birthdate,
			"bankid_altsub": altsub,
		},
	}
}
