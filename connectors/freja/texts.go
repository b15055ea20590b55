package freja

// descriptions say in a line, by page language, who the eID is for; a theme's
// eid.<id>.description wins.
func descriptions() map[string]string {
	return map[string]string{
		"sv": "Appen för dig med personnummer i Sverige, Norge, Danmark eller Finland",
		"nb": "Appen for deg med personnummer i Sverige, Norge, Danmark eller Finland",
		"fi": "Sovellus, jos sinulla on henkilötunnus Ruotsissa, Norjassa, Tanskassa tai Suomessa",
		"da": "Appen til dig med personnummer i Sverige, Norge, Danmark eller Finland",
		"en": "The app for people with a personal number in Sweden, Norway, Denmark or Finland",
	}
}
