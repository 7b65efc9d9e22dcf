package odootest

import (
	"fmt"
	"net/http"
	"strings"
)

// Python exception names the fake raises, as Odoo reports them in
// JSON-RPC error.data.name and JSON-2 bodies.
const (
	excAccessDenied    = "odoo.exceptions.AccessDenied"
	excAccessError     = "odoo.exceptions.AccessError"
	excMissingError    = "odoo.exceptions.MissingError"
	excUserError       = "odoo.exceptions.UserError"
	excValidationError = "odoo.exceptions.ValidationError"
	excValueError      = "builtins.ValueError"
	excTypeError       = "builtins.TypeError"
	excAttributeError  = "builtins.AttributeError"
	excKeyError        = "builtins.KeyError"
	excNotFound        = "werkzeug.exceptions.NotFound"
	excUnauthorized    = "werkzeug.exceptions.Unauthorized"
	excUnprocessable   = "werkzeug.exceptions.UnprocessableEntity"
	excBadRequest      = "werkzeug.exceptions.BadRequest"
	excSessionExpired  = "odoo.http.SessionExpiredException"
)

// odooError is an exception raised inside the fake, rendered per protocol.
type odooError struct {
	Name      string // Python qualified name, e.g. odoo.exceptions.MissingError
	Message   string
	Arguments []any // defaults to [Message]
	Status    int   // JSON-2 HTTP status; 0 = derived from Name
	// Frame is the source location named in the synthetic traceback.
	Frame string
}

func (e *odooError) Error() string { return e.Name + ": " + e.Message }

func newError(name, format string, args ...any) *odooError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &odooError{Name: name, Message: msg}
}

func errValidation(format string, args ...any) *odooError {
	return newError(excValidationError, format, args...)
}

func errUser(format string, args ...any) *odooError {
	return newError(excUserError, format, args...)
}

func errValue(format string, args ...any) *odooError {
	return newError(excValueError, format, args...)
}

func errType(format string, args ...any) *odooError {
	return newError(excTypeError, format, args...)
}

func errMissing(model string, ids []int64, uid int64) *odooError {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	rec := fmt.Sprintf("%s(%s,)", model, strings.Join(parts, ", "))
	if len(ids) > 1 {
		rec = fmt.Sprintf("%s(%s)", model, strings.Join(parts, ", "))
	}
	return newError(excMissingError,
		"Record does not exist or has been deleted.\n(Record: %s, User: %d)", rec, uid)
}

func errAccessDenied() *odooError {
	return &odooError{Name: excAccessDenied, Message: "Access Denied"}
}

func (e *odooError) args() []any {
	if e.Arguments != nil {
		return e.Arguments
	}
	return []any{e.Message}
}

// shortName is the exception's class name as Python prints it on the last
// line of a traceback ("ValueError", "odoo.exceptions.UserError").
func (e *odooError) shortName() string {
	if strings.HasPrefix(e.Name, "builtins.") {
		return strings.TrimPrefix(e.Name, "builtins.")
	}
	return e.Name
}

// xmlrpcFault maps the exception to Odoo's XML-RPC fault code and string:
// 3 AccessDenied, 4 AccessError, 2 UserError and its subclasses (message
// only), 1 anything else (the whole traceback).
func (e *odooError) xmlrpcFault() (int, string) {
	switch e.Name {
	case excAccessDenied:
		return 3, e.Message
	case excAccessError:
		return 4, e.Message
	case excUserError, excValidationError, excMissingError, "odoo.exceptions.RedirectWarning":
		return 2, e.Message
	}
	return 1, e.traceback("xmlrpc")
}

// traceback synthesises a Python traceback whose last line names the
// exception, as Odoo puts into faultString (code 1) and error.data.debug.
func (e *odooError) traceback(protocol string) string {
	frame := e.Frame
	if frame == "" {
		frame = "odoo/models.py"
	}
	var b strings.Builder
	b.WriteString("Traceback (most recent call last):\n")
	switch protocol {
	case "xmlrpc":
		b.WriteString("  File \"/usr/lib/python3/dist-packages/odoo/addons/base/controllers/rpc.py\", line 1, in xmlrpc_2\n    response = self._xmlrpc(service)\n")
	case "json2":
		b.WriteString("  File \"/usr/lib/python3/dist-packages/odoo/http.py\", line 1, in _serve_db\n    return service_model.retrying(serve_func, env=self.env)\n")
	default:
		b.WriteString("  File \"/usr/lib/python3/dist-packages/odoo/http.py\", line 1, in _serve_db\n    return service_model.retrying(self._serve_ir_http, self.env)\n")
	}
	fmt.Fprintf(&b, "  File \"/usr/lib/python3/dist-packages/%s\", line 1, in odootest\n    raise %s(message)\n", frame, e.shortName()[strings.LastIndex(e.shortName(), ".")+1:])
	b.WriteString(e.shortName())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	b.WriteString("\n")
	return b.String()
}

// jsonrpcData is error.data of a JSON-RPC error, with the key order of the
// given version (17 puts debug second, 19 last).
func (e *odooError) jsonrpcData(version string) *omap {
	debug := e.traceback("jsonrpc")
	if e.Name == excAccessDenied && version != "17.0" {
		// 19 hides the traceback of a failed login.
		debug = "odoo.exceptions.AccessDenied: Access Denied\n"
	}
	o := newOmap().set("name", e.Name)
	if version == "17.0" {
		o.set("debug", debug)
	}
	o.set("message", e.Message).set("arguments", e.args()).set("context", newOmap())
	if version != "17.0" {
		o.set("debug", debug)
	}
	return o
}

// json2Status is the HTTP status of the exception on the JSON-2 API.
func (e *odooError) json2Status() int {
	if e.Status != 0 {
		return e.Status
	}
	switch e.Name {
	case excUnauthorized:
		return http.StatusUnauthorized
	case excNotFound, excMissingError:
		return http.StatusNotFound
	case excAccessDenied, excAccessError, excSessionExpired:
		return http.StatusForbidden
	case excUserError, excValidationError, excUnprocessable, "odoo.exceptions.RedirectWarning":
		return http.StatusUnprocessableEntity
	case excBadRequest:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// json2Body is the JSON-2 error body.
func (e *odooError) json2Body() *omap {
	return newOmap().
		set("name", e.Name).
		set("message", e.Message).
		set("arguments", e.args()).
		set("context", newOmap()).
		set("debug", e.traceback("json2"))
}

// httpError builds a werkzeug HTTP exception as JSON-2 reports it: the
// arguments carry the description and the status code.
func httpError(name string, status int, msg string) *odooError {
	return &odooError{Name: name, Message: msg, Arguments: []any{msg, int64(status)}, Status: status}
}
