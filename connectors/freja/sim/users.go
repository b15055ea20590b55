package sim

import (
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/internal/nationalid"
)

// TestUser is a synthetic Freja eID holder. The personal numbers have valid
// check digits but the names make plain that nobody real is meant.
type TestUser struct {
	Country   string
	SSN       string
	GivenName string
	Surname   string
	Email     string
	// Level is the registration level: PLUS only in Sweden.
	Level string
}

// Name is the full name as Freja reports it.
func (u TestUser) Name() string { return u.GivenName + " " + u.Surname }

// TestUsers returns the simulator's test users, one or more per country; the
// first is the default.
func TestUsers() []TestUser {
	return []TestUser{
		{Country: "SE", SSN: "199104172383", GivenName: "Elin", Surname: "Frejasdotter", Email: "elin.frejasdotter@example.test", Level: freja.LevelPlus},
		{Country: "SE", SSN: "196311309154", GivenName: "Bertil", Surname: "Provsson", Email: "bertil.provsson@example.test", Level: freja.LevelExtended},
		{Country: "NO", SSN: "21889112015", GivenName: "Ingrid", Surname: "Prøvedatter", Email: "ingrid.provedatter@example.test", Level: freja.LevelExtended},
		{Country: "DK", SSN: "1210930127", GivenName: "Astrid", Surname: "Simulantsen", Email: "astrid.simulantsen@example.test", Level: freja.LevelExtended},
		{Country: "FI", SSN: "210788-923N", GivenName: "Veera", Surname: "Testinen", Email: "veera.testinen@example.test", Level: freja.LevelExtended},
	}
}

// UserByEmail finds the test user with an e-mail address.
func UserByEmail(email string) (TestUser, bool) {
	for _, u := range TestUsers() {
		if u.Email == email {
			return u, true
		}
	}
	return TestUser{}, false
}

// UserBySSN finds the test user with a personal number, or makes up an
// EXTENDED one for a valid number the tester typed; false for a number valid
// in none of the four countries.
func UserBySSN(ssn string) (TestUser, bool) {
	for _, u := range TestUsers() {
		if u.SSN == ssn {
			return u, true
		}
	}
	for _, c := range []struct{ country, typ string }{
		{"SE", nationalid.SEPersonnummer}, {"NO", nationalid.NOFodselsnummer},
		{"DK", nationalid.DKCPR}, {"FI", nationalid.FIHETU},
	} {
		if nationalid.Valid(c.typ, ssn) {
			return TestUser{Country: c.country, SSN: ssn, GivenName: "Testperson", Surname: "Simulerad", Level: freja.LevelExtended}, true
		}
	}
	return TestUser{}, false
}

// knownUser finds a test user by personal number and country; made-up people
// are not known to Freja's API.
func knownUser(country, ssn string) (TestUser, bool) {
	for _, u := range TestUsers() {
		if u.SSN == ssn && u.Country == country {
			return u, true
		}
	}
	return TestUser{}, false
}

// birthdate is the date of birth in the person's number, YYYY-MM-DD.
func birthdate(u TestUser) (string, bool) {
	typ := map[string]string{"SE": nationalid.SEPersonnummer, "NO": nationalid.NOFodselsnummer, "DK": nationalid.DKCPR, "FI": nationalid.FIHETU}[u.Country]
	d, err := nationalid.Birthdate(typ, u.SSN)
	if err != nil {
		return "", false
	}
	return d.Format("2006-01-02"), true
}
