package sim

import (
	"log/slog"
	"time"

	"github.com/portvakt/portvakt/connectors/simcore"
)

// Options configure the simulator.
type Options struct {
	// Issuer is the full issuer URL, with the path prefix the simulator is
	// mounted under (http://127.0.0.1:8080/sim/fi-ftn).
	Issuer string
	// AutoApprove completes every login at once as the hinted or first test user.
	AutoApprove bool
	Now         func() time.Time
	Logger      *slog.Logger
}

// Sim is a simulated FTN provider. The embedded server gives Handler,
// RegisterClient, TestUsers, SetFaults and Issuer. RegisterClient refuses a
// client without an encryption key in its JWKS.
type Sim struct {
	*simcore.Server
}

// New starts a simulator; mount Handler at the issuer's path.
func New(opts Options) (*Sim, error) {
	srv, err := simcore.New(simcore.Options{
		Issuer: opts.Issuer, AutoApprove: opts.AutoApprove, Now: opts.Now, Logger: opts.Logger,
	}, profile{issuer: opts.Issuer}, TestUsers())
	if err != nil {
		return nil, err
	}
	return &Sim{Server: srv}, nil
}

// OID claim names used by FTN.
const (
	ClaimHETU        = "urn:oid:1.2.246.21"
	ClaimSurname     = "urn:oid:2.5.4.4"
	ClaimGivenNames  = "urn:oid:1.2.246.575.1.14"
	ClaimDisplayName = "urn:oid:2.16.840.1.113730.3.1.241"
	ClaimDateOfBirth = "urn:oid:1.3.6.1.5.5.7.9.1"
)

// TestUsers are the simulator's fictional people. The last one has no
// dateOfBirth claim, so clients must derive it from the HETU.
func TestUsers() []simcore.User {
	return []simcore.User{
		user("150280-912B", "Sanna Maria", "Simulaatio", "1980-02-15"),
		user("090903A934Y", "Matti", "Testaaja", "2003-09-09"),
		user("241255Y9577", "Aino Kaisa", "Koekäyttäjä", ""),
	}
}

func user(hetu, given, surname, birthdate string) simcore.User {
	claims := map[string]any{
		ClaimHETU:        hetu,
		ClaimSurname:     surname,
		ClaimGivenNames:  given,
		ClaimDisplayName: given + " " + surname,
	}
	if birthdate != "" {
		claims[ClaimDateOfBirth] = birthdate
	}
	return simcore.User{NationalID: hetu, Name: given + " " + surname, Claims: claims}
}
