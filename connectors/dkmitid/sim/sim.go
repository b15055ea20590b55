package sim

import (
	"log/slog"
	"time"

	"github.com/portvakt/portvakt/connectors/simcore"
)

// Options configure the simulator.
type Options struct {
	// Issuer is the full issuer URL, with the path prefix the simulator is
	// mounted under (http://127.0.0.1:8080/sim/dk-mitid).
	Issuer string
	// AutoApprove completes every login at once as the hinted or first test user.
	AutoApprove bool
	// LoASegment writes levels as https://data.gov.dk/concept/core/nsis/loa/High
	// (the NemLog-in spelling) instead of the broker's .../nsis/High.
	LoASegment bool
	Now        func() time.Time
	Logger     *slog.Logger
}

// Sim is a simulated MitID broker. The embedded server gives Handler,
// RegisterClient, TestUsers, SetFaults and Issuer.
type Sim struct {
	*simcore.Server
}

// New starts a simulator; mount Handler at the issuer's path.
func New(opts Options) (*Sim, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	srv, err := simcore.New(simcore.Options{
		Issuer: opts.Issuer, AutoApprove: opts.AutoApprove, Now: now, Logger: opts.Logger,
	}, profile{issuer: opts.Issuer, loaSegment: opts.LoASegment, now: now}, TestUsers())
	if err != nil {
		return nil, err
	}
	return &Sim{Server: srv}, nil
}

// MitID claim names.
const (
	ClaimUUID         = "mitid.uuid"
	ClaimIdentityName = "mitid.identity_name"
	ClaimDateOfBirth  = "mitid.date_of_birth"
	ClaimCPR          = "dk.cpr"
)

// TestUsers are the simulator's fictional people; a hint may name them by CPR or
// by MitID uuid.
func TestUsers() []simcore.User {
	return []simcore.User{
		user("1705904321", "Karen Prøvebruger", "1990-05-17"),
		user("0101680987", "Jens Testesen", "1968-01-01"),
		user("2208044567", "Mette Simulationsen", "2004-08-22"),
	}
}

func user(cpr, name, birthdate string) simcore.User {
	uuid := simcore.StableUUID("mitid-sim", cpr)
	return simcore.User{
		NationalID: cpr,
		Name:       name,
		Aliases:    []string{uuid},
		Claims: map[string]any{
			ClaimUUID:         uuid,
			ClaimIdentityName: name,
			ClaimDateOfBirth:  birthdate,
		},
	}
}
