package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
)

// Kind classifies an error for the HTTP status it maps to. Values are
// append-only: do not reorder.
type Kind int

const (
	// KindInternal is an unexpected failure: 500, message hidden from the client.
	KindInternal Kind = iota
	// KindInvalid is a malformed or invalid request: 400.
	KindInvalid
	// KindUnauthorized is a missing or invalid credential: 401.
	KindUnauthorized
	// KindForbidden means the advisor may not act on the resource: 403.
	KindForbidden
	// KindNotFound is a missing resource: 404.
	KindNotFound
	// KindConflict is a state conflict (e.g. a concurrent idempotent request): 409.
	KindConflict
	// KindUnprocessable is a well-formed request that breaks a business rule: 422.
	KindUnprocessable
	// KindTooLarge is a request body over the limit: 413.
	KindTooLarge
	// KindUnavailable means a dependency is not configured or not reachable: 503.
	KindUnavailable
	// KindUnsupportedMediaType is a body that is not JSON: 415.
	KindUnsupportedMediaType
	// KindTimeout means a dependency did not answer in time: 504.
	KindTimeout
	// KindBadGateway means a dependency answered with an error: 502.
	KindBadGateway
)

// Status returns the HTTP status of the kind.
func (k Kind) Status() int {
	switch k {
	case KindInvalid:
		return http.StatusBadRequest
	case KindUnauthorized:
		return http.StatusUnauthorized
	case KindForbidden:
		return http.StatusForbidden
	case KindNotFound:
		return http.StatusNotFound
	case KindConflict:
		return http.StatusConflict
	case KindUnprocessable:
		return http.StatusUnprocessableEntity
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case KindUnavailable:
		return http.StatusServiceUnavailable
	case KindUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case KindTimeout:
		return http.StatusGatewayTimeout
	case KindBadGateway:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// Error is the error type handlers and services return to choose the response.
// Message is Spanish text shown to the PWA as is; Err (optional) is the cause,
// logged but never sent.
type Error struct {
	Kind    Kind
	Message string
	Err     error
}

// NewError returns an *Error of kind with a Spanish message for the client.
func NewError(kind Kind, message string) *Error { return &Error{Kind: kind, Message: message} }

// WrapError returns an *Error of kind with a Spanish message that wraps err.
func WrapError(kind Kind, message string, err error) *Error {
	return &Error{Kind: kind, Message: message, Err: err}
}

// Error returns the message and, when set, the cause.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same kind, so that
// errors.Is(err, &server.Error{Kind: server.KindNotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && (t.Message == "" || t.Message == e.Message)
}

var _ error = (*Error)(nil)

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
}

// statusOf maps any error to a status and a client-safe Spanish message.
func statusOf(err error) (int, string) {
	var e *Error
	switch {
	case errors.As(err, &e):
		msg := e.Message
		if e.Kind == KindInternal || msg == "" {
			msg = "Error interno del servidor"
		}
		return e.Kind.Status(), msg
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "Tiempo de espera agotado"
	case errors.Is(err, context.Canceled):
		return 499, "Solicitud cancelada"
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge, "El cuerpo de la solicitud excede el límite de " + strconv.FormatInt(mbe.Limit, 10) + " bytes"
	}
	return http.StatusInternalServerError, "Error interno del servidor"
}

// writeError is the one place errors become responses. Server errors (5xx) are
// logged with their cause; the client only sees the Spanish message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status >= 500 && s != nil {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("path", r.URL.Path), slog.Int("status", status), slog.String("error", err.Error()))
	}
	if status == http.StatusConflict && errors.Is(err, errIdempotencyInFlight) {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, ErrorBody{StatusCode: status, Message: msg})
}

// writeJSON encodes v with status. Encoding errors after the header is written
// cannot reach the client and are ignored.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"statusCode":500,"message":"Error interno del servidor"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
