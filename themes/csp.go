package themes

import "strings"

// ContentSecurityPolicy is the policy the pages are written for. formActions
// are the extra origins a form may post to (the client's redirect origin for
// response_mode=form_post); a value that could break out of the directive
// (spaces, ';', ',', quotes) is dropped. connect-src 'self' is what lets
// static/order.js poll the order status.
func ContentSecurityPolicy(formActions ...string) string {
	formAction := []string{"'self'"}
	for _, origin := range formActions {
		if origin == "" || strings.ContainsAny(origin, " \t\r\n;,'\"") {
			continue
		}
		formAction = append(formAction, origin)
	}
	return strings.Join([]string{
		"default-src 'none'",
		"img-src 'self' data:",
		"style-src 'self'",
		"script-src 'self'",
		"connect-src 'self'",
		"form-action " + strings.Join(formAction, " "),
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
}
