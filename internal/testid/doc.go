// Package testid generates synthetic national identity numbers for tests and
// simulators: Swedish personnummer, Norwegian fødselsnummer, Finnish HETU and Danish
// CPR, valid by internal/nationalid (structure, date and check digits). Nothing here
// knows whether a number was ever issued to anyone, so tests must still pick
// obviously fictional names and birth dates.
package testid
