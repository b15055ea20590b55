// Package testid validates and generates synthetic national identity numbers for
// tests and simulators: Swedish personnummer, Norwegian fødselsnummer, Finnish HETU
// and Danish CPR. It checks structure, dates and check digits only; it knows nothing
// of whether a number was ever issued to anyone, so tests must still pick obviously
// fictional names and birth dates.
package testid
