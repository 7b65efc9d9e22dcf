package odootest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// FaultKind is what an injected fault does to a matching request.
type FaultKind int

// Fault kinds. Append only.
const (
	// Latency delays the answer by Fault.Delay, then serves normally
	// (or gives up when the client's request context ends).
	Latency FaultKind = iota + 1
	// HTTPStatus answers Fault.Status (default 503) with an HTML page, as a
	// proxy in front of Odoo would; RetryAfter sets the Retry-After header.
	HTTPStatus
	// DropConnection closes the connection without answering.
	DropConnection
	// SessionExpired answers Odoo's session-expired error in the request's
	// protocol (JSON-RPC error code 100).
	SessionExpired
	// OdooError raises the exception Fault.ErrorName (default
	// odoo.exceptions.UserError) with Fault.Message, rendered per protocol.
	OdooError
	// Truncated sends half of a valid-looking body and closes.
	Truncated
)

// Fault describes an injected failure. Model and Method select the calls
// it applies to (empty matches any; the common service has model "").
type Fault struct {
	Model  string
	Method string
	Kind   FaultKind
	// Status is the HTTP status for HTTPStatus (default 503).
	Status int
	// RetryAfter, when positive, is sent as Retry-After (whole seconds).
	RetryAfter time.Duration
	// Delay is the added latency for Latency.
	Delay time.Duration
	// Times is how many matching requests the fault affects; 0 means every
	// matching request until ClearFaults.
	Times int
	// ErrorName and Message define the exception for OdooError.
	ErrorName string
	Message   string
}

type faultState struct {
	Fault
	left int // remaining uses; -1 = unlimited
}

// InjectFault adds a fault; faults apply in the order they were added.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left <= 0 {
		left = -1
	}
	s.faults = append(s.faults, &faultState{Fault: f, left: left})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFaults returns the faults matching a call, consuming one use each.
func (s *Server) takeFaults(model, method string) []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Fault
	kept := s.faults[:0]
	for _, f := range s.faults {
		match := (f.Model == "" || f.Model == model) && (f.Method == "" || f.Method == method)
		if match && f.left != 0 {
			out = append(out, f.Fault)
			if f.left > 0 {
				f.left--
			}
		}
		if f.left != 0 {
			kept = append(kept, f)
		}
	}
	s.faults = kept
	return out
}

// applyFaults runs the faults matching a call. handled means the response
// was written (or the connection dropped); a non-nil error is to be
// answered as an Odoo error of the request's protocol.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request, model, method, protocol string) (bool, *odooError) {
	for _, f := range s.takeFaults(model, method) {
		switch f.Kind {
		case Latency:
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return true, nil
			}
		case HTTPStatus:
			s.count(model, method)
			status := f.Status
			if status == 0 {
				status = http.StatusServiceUnavailable
			}
			if f.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
			}
			s.writeHTML(w, status, http.StatusText(status), "The server is temporarily unable to service your request.")
			return true, nil
		case DropConnection:
			s.count(model, method)
			hijackClose(w)
			return true, nil
		case Truncated:
			s.count(model, method)
			ct := "application/json; charset=utf-8"
			body := `{"jsonrpc": "2.0", "id": 1, "result": [{"id": 1, "name": "trunc`
			if protocol == "xmlrpc" {
				ct = "text/xml; charset=utf-8"
				body = "<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><int>1</int></value>\n"
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)*2))
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, body)
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			hijackClose(w)
			return true, nil
		case SessionExpired:
			e := &odooError{Name: excSessionExpired, Message: "Session expired", Status: http.StatusUnauthorized}
			return false, e
		case OdooError:
			name := f.ErrorName
			if name == "" {
				name = excUserError
			}
			return false, &odooError{Name: name, Message: f.Message}
		}
	}
	return false, nil
}
