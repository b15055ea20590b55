package nobankid

// descriptions say in a line, by page language, who the eID is for or how it
// is used; a theme's eid.<id>.description wins.
func descriptions() map[string]string {
	return map[string]string{
		"sv": "För dig med norskt personnummer",
		"nb": "For deg med norsk fødselsnummer eller d-nummer",
		"fi": "Henkilöille, joilla on norjalainen henkilötunnus",
		"da": "Til dig med norsk personnummer",
		"en": "For people with a Norwegian national identity number",
	}
}
