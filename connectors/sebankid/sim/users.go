package sim

// TestUser is a synthetic BankID holder. The personal numbers have valid check
// digits but the names make plain that nobody real is meant.
type TestUser struct {
	PersonalNumber string
	GivenName      string
	Surname        string
}

// Name is the full name as BankID reports it.
func (u TestUser) Name() string { return u.GivenName + " " + u.Surname }

// TestUsers returns the simulator's test users; the first is the default. The last
// has a samordningsnummer (day of birth + 60).
func TestUsers() []TestUser {
	return []TestUser{
		{PersonalNumber: "198507232398", GivenName: "Alva", Surname: "Simulantsson"},
		{PersonalNumber: "195203142392", GivenName: "Greta", Surname: "Testberg"},
		{PersonalNumber: "196811022398", GivenName: "Olle", Surname: "Exempelsson"},
		{PersonalNumber: "199901302399", GivenName: "Nils", Surname: "Provmark"},
		{PersonalNumber: "200409092392", GivenName: "Saga", Surname: "Låtsasdotter"},
		{PersonalNumber: "197704652390", GivenName: "Kim", Surname: "Samordnad"},
	}
}

// userFor finds the test user with the personal number, or makes one up for a
// number the tester typed.
func userFor(personalNumber string) TestUser {
	for _, u := range TestUsers() {
		if u.PersonalNumber == personalNumber {
			return u
		}
	}
	return TestUser{PersonalNumber: personalNumber, GivenName: "Testperson", Surname: "Simulerad"}
}
