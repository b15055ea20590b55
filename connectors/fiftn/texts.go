package fiftn

// names are the eID's name by page language; a theme's eid.<id>.name wins.
func names() map[string]string {
	return map[string]string{
		"sv": "Finländska bankkoder (FTN)",
		"nb": "Finsk bank-ID (FTN)",
		"fi": "Pankkitunnistus",
		"da": "Finsk bank-ID (FTN)",
		"en": "Finnish bank ID (FTN)",
	}
}

// descriptions say in a line, by page language, who the eID is for or how it
// is used; a theme's eid.<id>.description wins.
func descriptions() map[string]string {
	return map[string]string{
		"sv": "Med dina nätbankskoder eller mobilcertifikat",
		"nb": "Med nettbankkodene dine eller mobilsertifikat",
		"fi": "Verkkopankkitunnuksilla tai mobiilivarmenteella",
		"da": "Med dine netbankoplysninger eller mobilcertifikat",
		"en": "With your online bank credentials or mobile certificate",
	}
}
