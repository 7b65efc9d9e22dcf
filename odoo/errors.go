package odoo

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an Odoo failure so callers can branch on it without parsing
// messages. Values are append-only: never reorder or remove them.
type Kind uint8

// Kinds of failure. The zero value KindOther is an Odoo error the client could
// not classify more precisely.
const (
	KindOther            Kind = iota // unclassified error reported by Odoo
	KindAccessDenied                 // bad login, password or API key (odoo.exceptions.AccessDenied, HTTP 401)
	KindAccessError                  // authenticated but not allowed (odoo.exceptions.AccessError)
	KindMissingError                 // record does not exist or was deleted (odoo.exceptions.MissingError)
	KindValidationError              // constraint or required field violated (odoo.exceptions.ValidationError)
	KindUserError                    // business rule refused the operation (odoo.exceptions.UserError)
	KindUnknownModel                 // the model does not exist on the server
	KindUnknownMethod                // the method does not exist on the model
	KindUnknownField                 // a field named in a domain or field list does not exist
	KindServerError                  // any other server-side exception (builtins.ValueError, TypeError…)
	KindProtocol                     // the response is not a well-formed Odoo answer (HTML page, truncated body)
	KindTransport                    // the request did not complete (connection, timeout, gateway 5xx)
	KindConcurrentUpdate             // a concurrent transaction conflicted (serialization failure)
	KindDecode                       // the answer was well formed but does not fit the destination type
)

var kindNames = [...]string{
	KindOther:            "Other",
	KindAccessDenied:     "AccessDenied",
	KindAccessError:      "AccessError",
	KindMissingError:     "MissingError",
	KindValidationError:  "ValidationError",
	KindUserError:        "UserError",
	KindUnknownModel:     "UnknownModel",
	KindUnknownMethod:    "UnknownMethod",
	KindUnknownField:     "UnknownField",
	KindServerError:      "ServerError",
	KindProtocol:         "Protocol",
	KindTransport:        "Transport",
	KindConcurrentUpdate: "ConcurrentUpdate",
	KindDecode:           "Decode",
}

// String returns the kind's name, e.g. "AccessDenied".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MarshalText encodes the kind as its name, so JSON output reads "AccessDenied".
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// kindError is the type of the kind sentinels.
type kindError Kind

func (k kindError) Error() string { return "odoo: " + Kind(k).String() }

// Sentinels usable with errors.Is: errors.Is(err, odoo.ErrAccessDenied) is
// true when err is (or wraps) an *Error of that kind.
var (
	ErrAccessDenied     error = kindError(KindAccessDenied)
	ErrAccessError      error = kindError(KindAccessError)
	ErrMissingError     error = kindError(KindMissingError)
	ErrValidationError  error = kindError(KindValidationError)
	ErrUserError        error = kindError(KindUserError)
	ErrUnknownModel     error = kindError(KindUnknownModel)
	ErrUnknownMethod    error = kindError(KindUnknownMethod)
	ErrUnknownField     error = kindError(KindUnknownField)
	ErrServerError      error = kindError(KindServerError)
	ErrProtocol         error = kindError(KindProtocol)
	ErrTransport        error = kindError(KindTransport)
	ErrConcurrentUpdate error = kindError(KindConcurrentUpdate)
)

// ErrNotFound is returned (wrapped) only by Get when the requested id does not
// exist or is not visible. An empty search is an empty slice, never ErrNotFound.
var ErrNotFound = errors.New("odoo: record not found")

// Error is every failure reported by Odoo or met on the way to it, whatever
// the protocol. Use errors.As to read its fields and errors.Is with the
// sentinels (ErrAccessDenied, ErrValidationError, …) to branch on Kind.
type Error struct {
	Op      string // client operation: "call", "login", "version"
	Model   string // Odoo model, if any
	Method  string // Odoo method, if any
	Kind    Kind   // classification, stable across protocols
	Code    int    // XML-RPC faultCode or JSON-RPC error.code, as received (informational)
	Name    string // Odoo exception name, e.g. "odoo.exceptions.ValidationError" (inferred from the fault code and message on XML-RPC)
	Message string // human message sent by Odoo
	Debug   string // server traceback when Odoo sent one
	Status  int    // HTTP status of the answer, 0 when none was received
	Err     error  // underlying cause (network error, decode error), if any
}

// Error formats the error as "odoo: <op> <model>.<method>: <Kind> (<name>): <message>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("odoo: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteByte(' ')
	}
	if e.Model != "" || e.Method != "" {
		b.WriteString(e.Model)
		if e.Method != "" {
			if e.Model != "" {
				b.WriteByte('.')
			}
			b.WriteString(e.Method)
		}
		b.WriteByte(' ')
	}
	b.WriteString(e.Kind.String())
	if e.Name != "" {
		b.WriteString(" (")
		b.WriteString(e.Name)
		b.WriteByte(')')
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's Kind. As on Odoo, where
// ValidationError subclasses UserError, a KindValidationError error is also
// ErrUserError (over XML-RPC the two cannot always be told apart).
func (e *Error) Is(target error) bool {
	k, ok := target.(kindError)
	if !ok {
		return false
	}
	return Kind(k) == e.Kind || Kind(k) == KindUserError && e.Kind == KindValidationError
}

// DecodeError reports a value that does not fit its destination, e.g. a
// string where an integer field was declared. Odoo's false for an empty field
// never causes it.
type DecodeError struct {
	Model string // model being decoded, if known
	Field string // field (struct member name on the wire) or path
	Want  string // destination Go type
	Got   string // wire value kind ("string", "int", "array"…)
}

// Error describes the mismatch.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("odoo: cannot decode ")
	b.WriteString(e.Got)
	b.WriteString(" into ")
	b.WriteString(e.Want)
	if e.Model != "" || e.Field != "" {
		b.WriteString(" (")
		b.WriteString(e.Model)
		if e.Field != "" {
			if e.Model != "" {
				b.WriteByte('.')
			}
			b.WriteString(e.Field)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Exception names Odoo reports.
const (
	nameAccessDenied    = "odoo.exceptions.AccessDenied"
	nameAccessError     = "odoo.exceptions.AccessError"
	nameMissingError    = "odoo.exceptions.MissingError"
	nameValidationError = "odoo.exceptions.ValidationError"
	nameUserError       = "odoo.exceptions.UserError"
)

// classify derives the Kind from an Odoo exception name and its message, the
// way JSON-RPC (error.data.name) and JSON-2 (body name) report them.
func classify(name, message string) Kind {
	switch name {
	case nameAccessDenied, "werkzeug.exceptions.Unauthorized":
		return KindAccessDenied
	case nameAccessError:
		return KindAccessError
	case nameMissingError:
		return KindMissingError
	case nameValidationError:
		return KindValidationError
	case nameUserError, "odoo.exceptions.RedirectWarning", "odoo.exceptions.except_orm", "odoo.exceptions.Warning":
		if isUnknownModelMessage(message) {
			return KindUnknownModel
		}
		return KindUserError
	case "werkzeug.exceptions.NotFound":
		// JSON-2: "the model 'x' does not exist", "The method 'm.x' does not exist".
		lm := strings.ToLower(message)
		switch {
		case strings.HasPrefix(lm, "the method"):
			return KindUnknownMethod
		case strings.HasPrefix(lm, "the model"):
			return KindUnknownModel
		}
		// Any other 404 (a database that does not exist, a route the server lacks)
		// is not a deleted record: a MissingError arrives under its own name,
		// odoo.exceptions.MissingError. Callers that skip missing records must
		// not skip a configuration error.
		return KindOther
	case "odoo.exceptions.ConcurrencyError", "psycopg2.errors.SerializationFailure", "psycopg2.extensions.TransactionRollbackError":
		return KindConcurrentUpdate
	case "builtins.AttributeError":
		if strings.Contains(message, "does not exist") || strings.Contains(message, "has no attribute") {
			return KindUnknownMethod
		}
	case "builtins.ValueError", "builtins.KeyError":
		if strings.HasPrefix(message, "Invalid field") {
			return KindUnknownField
		}
	}
	if name == "" {
		return KindOther
	}
	return KindServerError
}

func isUnknownModelMessage(m string) bool {
	return strings.HasPrefix(m, "Object ") && strings.HasSuffix(strings.TrimSpace(m), "doesn't exist")
}

// classifyFault maps an XML-RPC fault to (kind, inferred exception name,
// message, debug). Odoo's codes: 3 AccessDenied, 4 AccessError, 2 UserError
// and its subclasses (told apart by message), 1 any other exception, whose
// faultString is the whole traceback with the exception on its last line.
func classifyFault(code int, s string) (Kind, string, string, string) {
	switch code {
	case 3:
		return KindAccessDenied, nameAccessDenied, s, ""
	case 4:
		return KindAccessError, nameAccessError, s, ""
	case 2:
		switch {
		case isUnknownModelMessage(s):
			return KindUnknownModel, nameUserError, s, ""
		case isMissingMessage(s):
			return KindMissingError, nameMissingError, s, ""
		case isValidationMessage(s):
			return KindValidationError, nameValidationError, s, ""
		}
		return KindUserError, nameUserError, s, ""
	}
	name, msg := lastException(s)
	if name == "" {
		return KindServerError, "", s, s
	}
	return classify(name, msg), name, msg, s
}

func isMissingMessage(s string) bool {
	return strings.HasPrefix(s, "Record does not exist or has been deleted") ||
		strings.HasPrefix(s, "Missing Record") || strings.Contains(s, "does not exist or has been deleted")
}

// isValidationMessage recognises the ValidationError messages Odoo's ORM
// itself raises (SQL constraint and required-field translation, recursion
// checks). Constraint messages written by modules are free text: over
// XML-RPC those read as KindUserError, the class they share the fault code with.
func isValidationMessage(s string) bool {
	return strings.HasPrefix(s, "The operation cannot be completed") ||
		strings.Contains(s, "recursive") || strings.HasPrefix(s, "Recursion Detected") ||
		strings.Contains(s, "Missing required value")
}

// lastException finds "pkg.Exception: message" on the last traceback line
// that is not indented; names without a dot are Python builtins.
func lastException(tb string) (name, msg string) {
	lines := strings.Split(strings.TrimRight(tb, "\n "), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if l == "" || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		head, rest, found := strings.Cut(l, ":")
		if strings.ContainsAny(head, " ()'\"") {
			continue
		}
		if !found {
			rest = ""
		}
		name = head
		if !strings.Contains(name, ".") {
			name = "builtins." + name
		}
		// The message may span several lines before the end of the traceback.
		msg = strings.TrimSpace(rest)
		if i+1 < len(lines) {
			msg = strings.TrimSpace(rest + "\n" + strings.Join(lines[i+1:], "\n"))
		}
		return name, msg
	}
	return "", ""
}
