package apiclient

import (
	"net/http"
	"strconv"
	"strings"
)

// ErrorText is the message of a provider's error answer in the form the
// provider packages share:
//
//	<provider>: HTTP <status>[ <code>][: <message>][ (request <requestID>)]
//
// Empty parts are left out.
func ErrorText(provider string, status int, code, message, requestID string) string {
	var b strings.Builder
	b.WriteString(provider)
	b.WriteString(": HTTP ")
	b.WriteString(strconv.Itoa(status))
	if code != "" {
		b.WriteString(" ")
		b.WriteString(code)
	}
	if message != "" {
		b.WriteString(": ")
		b.WriteString(message)
	}
	if requestID != "" {
		b.WriteString(" (request ")
		b.WriteString(requestID)
		b.WriteString(")")
	}
	return b.String()
}

// BodyMessage is the message of an error answer whose body is not the
// provider's error JSON: a 200-byte single-line snippet of the body, or the
// status text when the body is empty.
func BodyMessage(resp *Response) string {
	if s := Snippet(resp.Body, 200); s != "" {
		return s
	}
	return http.StatusText(resp.StatusCode)
}
