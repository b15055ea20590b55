package connectors

// Code below spells out every combination of capabilities because Go cannot
// add methods to a value at run time. Keep it in step with Parts.

// Assemble is a connector with exactly the capabilities p holds: a check for a
// capability on it answers as it would on the connector p was taken from. A
// connector is one login flow: with Order, Redirect is left out; Sign and
// Backchannel count only with Order (their orders are polled by it).
func Assemble(p Parts) Connector {
	type (
		info        = Connector
		redirect    = RedirectFlow
		order       = OrderFlow
		sign        = SignFlow
		backchannel = BackchannelFlow
		keys        = KeyPublisher
		messages    = Messages
	)
	switch p.mask() {
	case 0:
		return struct {
			info
		}{p.Info}
	case hasKeys:
		return struct {
			info
			keys
		}{p.Info, p.Keys}
	case hasMessages:
		return struct {
			info
			messages
		}{p.Info, p.Messages}
	case hasKeys | hasMessages:
		return struct {
			info
			keys
			messages
		}{p.Info, p.Keys, p.Messages}
	case hasRedirect:
		return struct {
			info
			redirect
		}{p.Info, p.Redirect}
	case hasRedirect | hasKeys:
		return struct {
			info
			redirect
			keys
		}{p.Info, p.Redirect, p.Keys}
	case hasRedirect | hasMessages:
		return struct {
			info
			redirect
			messages
		}{p.Info, p.Redirect, p.Messages}
	case hasRedirect | hasKeys | hasMessages:
		return struct {
			info
			redirect
			keys
			messages
		}{p.Info, p.Redirect, p.Keys, p.Messages}
	case hasOrder:
		return struct {
			info
			order
		}{p.Info, p.Order}
	case hasOrder | hasSign:
		return struct {
			info
			order
			sign
		}{p.Info, p.Order, p.Sign}
	case hasOrder | hasBackchannel:
		return struct {
			info
			order
			backchannel
		}{p.Info, p.Order, p.Backchannel}
	case hasOrder | hasSign | hasBackchannel:
		return struct {
			info
			order
			sign
			backchannel
		}{p.Info, p.Order, p.Sign, p.Backchannel}
	case hasOrder | hasKeys:
		return struct {
			info
			order
			keys
		}{p.Info, p.Order, p.Keys}
	case hasOrder | hasSign | hasKeys:
		return struct {
			info
			order
			sign
			keys
		}{p.Info, p.Order, p.Sign, p.Keys}
	case hasOrder | hasBackchannel | hasKeys:
		return struct {
			info
			order
			backchannel
			keys
		}{p.Info, p.Order, p.Backchannel, p.Keys}
	case hasOrder | hasSign | hasBackchannel | hasKeys:
		return struct {
			info
			order
			sign
			backchannel
			keys
		}{p.Info, p.Order, p.Sign, p.Backchannel, p.Keys}
	case hasOrder | hasMessages:
		return struct {
			info
			order
			messages
		}{p.Info, p.Order, p.Messages}
	case hasOrder | hasSign | hasMessages:
		return struct {
			info
			order
			sign
			messages
		}{p.Info, p.Order, p.Sign, p.Messages}
	case hasOrder | hasBackchannel | hasMessages:
		return struct {
			info
			order
			backchannel
			messages
		}{p.Info, p.Order, p.Backchannel, p.Messages}
	case hasOrder | hasSign | hasBackchannel | hasMessages:
		return struct {
			info
			order
			sign
			backchannel
			messages
		}{p.Info, p.Order, p.Sign, p.Backchannel, p.Messages}
	case hasOrder | hasKeys | hasMessages:
		return struct {
			info
			order
			keys
			messages
		}{p.Info, p.Order, p.Keys, p.Messages}
	case hasOrder | hasSign | hasKeys | hasMessages:
		return struct {
			info
			order
			sign
			keys
			messages
		}{p.Info, p.Order, p.Sign, p.Keys, p.Messages}
	case hasOrder | hasBackchannel | hasKeys | hasMessages:
		return struct {
			info
			order
			backchannel
			keys
			messages
		}{p.Info, p.Order, p.Backchannel, p.Keys, p.Messages}
	case hasOrder | hasSign | hasBackchannel | hasKeys | hasMessages:
		return struct {
			info
			order
			sign
			backchannel
			keys
			messages
		}{p.Info, p.Order, p.Sign, p.Backchannel, p.Keys, p.Messages}
	}
	// mask yields only the combinations above.
	panic("connectors: Assemble: a combination of parts is missing")
}
