package dkmitid

// descriptions say in a line, by page language, who the eID is for or how it
// is used; a theme's eid.<id>.description wins.
func descriptions() map[string]string {
	return map[string]string{
		"sv": "Med MitID-appen eller kodvisare",
		"nb": "Med MitID-appen eller kodeviser",
		"fi": "MitID-sovelluksella tai koodinäytöllä",
		"da": "Med MitID-appen eller kodeviser",
		"en": "With the MitID app or code display",
	}
}
