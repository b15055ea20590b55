package sebankid

// descriptions say in a line, by page language, who the eID is for or how it
// is used; a theme's eid.<id>.description wins.
func descriptions() map[string]string {
	return map[string]string{
		"sv": "För dig med svenskt personnummer",
		"nb": "For deg med svensk personnummer",
		"fi": "Henkilöille, joilla on ruotsalainen henkilötunnus",
		"da": "Til dig med svensk personnummer",
		"en": "For people with a Swedish personal identity number",
	}
}
