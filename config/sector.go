package config

import "fmt"

// maxSectorLength caps a sector; a host name or URL fits.
const maxSectorLength = 255

// SectorConflicts lists why cl cannot be registered beside others. A pairwise
// subject is an HMAC over the client's sector, and a client without one is its
// own sector under its id: so a sector equal to another client's id would hand
// that client's subjects to an unrelated client. Sectors and client ids are kept
// apart by refusing the overlap in both directions; the subjects that exist stay
// as they are.
func SectorConflicts(cl Client, others []Client) []string {
	var p []string
	for _, o := range others {
		if o.ID == cl.ID {
			continue
		}
		if namesOtherClient(cl, o.ID) {
			p = append(p, fmt.Sprintf("sector: %q is the id of another client; a sector must not name a client, or the two would share subjects", cl.Sector))
		}
		if namesOtherClient(o, cl.ID) {
			p = append(p, fmt.Sprintf("id: %q is the sector of client %q; choose another id, or the two would share subjects", cl.ID, o.ID))
		}
	}
	return p
}

// namesOtherClient reports whether c's sector is id while id is not c's own.
func namesOtherClient(c Client, id string) bool {
	return c.Sector != "" && c.Sector != c.ID && c.Sector == id
}

func validateSector(s string) error { return validateText(s, maxSectorLength, false) }
