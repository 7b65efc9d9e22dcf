package apiclient

import (
	"encoding/json"
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

// JSONText renders a JSON value of an error body as text: a string as is, a
// list of strings joined with "; ", a number as written, null or nothing as "",
// and anything else as a single-line snippet of at most max bytes.
func JSONText(m json.RawMessage, max int) string {
	if len(m) == 0 || string(m) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(m, &list) == nil {
		return strings.Join(list, "; ")
	}
	var n json.Number
	if json.Unmarshal(m, &n) == nil {
		return n.String()
	}
	return Snippet(m, max)
}
