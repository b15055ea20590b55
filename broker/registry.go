package broker

import (
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/dkmitid"
	dksim "github.com/portvakt/portvakt/connectors/dkmitid/sim"
	"github.com/portvakt/portvakt/connectors/fiftn"
	fisim "github.com/portvakt/portvakt/connectors/fiftn/sim"
	"github.com/portvakt/portvakt/connectors/freja"
	frejasim "github.com/portvakt/portvakt/connectors/freja/sim"
	"github.com/portvakt/portvakt/connectors/nobankid"
	nosim "github.com/portvakt/portvakt/connectors/nobankid/sim"
	"github.com/portvakt/portvakt/connectors/sebankid"
	sesim "github.com/portvakt/portvakt/connectors/sebankid/sim"
)

// ConnectorTypes is every connector type the binary knows, in the order dev mode
// offers them. Adding an eID is one line here; dev mode, its demo app, `portvakt
// sim`, `portvakt bench` and the login page derive the rest.
func ConnectorTypes() connectors.Registry {
	return connectors.Registry{
		{Name: "sebankid", DevID: "se-bankid", NewConfig: func() connectors.Config { return new(sebankid.Config) }, Simulator: sesim.Start, Alias: "bankid", Orders: true, UnattendedACR: sebankid.MethodOtherDeviceURN},
		{Name: "nobankid", DevID: "no-bankid", NewConfig: func() connectors.Config { return new(nobankid.Config) }, Simulator: nosim.Start, Alias: "nobankid"},
		{Name: "fiftn", DevID: "fi-ftn", NewConfig: func() connectors.Config { return new(fiftn.Config) }, Simulator: fisim.Start, Alias: "ftn"},
		{Name: "dkmitid", DevID: "dk-mitid", NewConfig: func() connectors.Config { return new(dkmitid.Config) }, Simulator: dksim.Start, Alias: "mitid"},
		{Name: "freja", DevID: "freja", NewConfig: func() connectors.Config { return new(freja.Config) }, Simulator: frejasim.Start, Alias: "freja", Orders: true, UnattendedACR: freja.MethodOtherDeviceURN},
	}
}
