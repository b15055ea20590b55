package broker

import (
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/dkmitid"
	"github.com/portvakt/portvakt/connectors/fiftn"
	"github.com/portvakt/portvakt/connectors/nobankid"
	"github.com/portvakt/portvakt/connectors/sebankid"
)

// ConnectorTypes is every connector type the binary knows, by config type name.
func ConnectorTypes() connectors.Registry {
	return connectors.Registry{
		"sebankid": func() connectors.Config { return new(sebankid.Config) },
		"nobankid": func() connectors.Config { return new(nobankid.Config) },
		"fiftn":    func() connectors.Config { return new(fiftn.Config) },
		"dkmitid":  func() connectors.Config { return new(dkmitid.Config) },
	}
}
