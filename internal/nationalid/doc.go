// Package nationalid is the one place that knows the Nordic national identity
// numbers: Swedish personnummer and samordningsnummer, Norwegian fødselsnummer
// (with D-, H- and synthetic test numbers), Finnish HETU and Danish CPR. It
// validates them (form, birth date and check digits), normalises them to the form
// the broker stores and releases, and masks them for logs and the audit trail.
// Connectors, the logger, the audit trail, the simulators and the tests all use it,
// so an id accepted in one place is accepted everywhere and masked the same way.
package nationalid
