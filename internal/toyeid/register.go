package toyeid

import "github.com/portvakt/portvakt/connectors"

// Type is the toy eID's registration, the one line a new eID adds.
func Type() connectors.Type {
	return connectors.Type{Name: "toyeid", DevID: "xx-toy", NewConfig: func() connectors.Config { return new(Config) }, Simulator: StartSim}
}
