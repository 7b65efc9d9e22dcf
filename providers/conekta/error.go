package conekta

import (
	"encoding/json"
	"fmt"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// APIError is an error answer of the Conekta API.
type APIError struct {
	// Status is the HTTP status code (401, 402, 404, 422, 5xx…).
	Status int
	// Type is Conekta's error type, e.g. "authentication_error",
	// "parameter_validation_error", "processing_error".
	Type string
	// Code is the first detail's code, e.g. "conekta.errors.authentication.missing_key".
	Code string
	// Param is the first detail's parameter, when Conekta names one.
	Param string
	// Message is the first detail's message (its debug message when empty), or
	// a snippet of a body that was not Conekta's error JSON.
	Message string
	// RequestID is Conekta's log_id, for support.
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	s := fmt.Sprintf("conekta: HTTP %d", e.Status)
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Param != "" {
		s += " param " + e.Param
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " [log_id " + e.RequestID + "]"
	}
	return s
}

// Retryable reports whether the same call may succeed later (429, 5xx but
// 501). For CreatePaymentLink a retryable error still means "look the order up
// by Reference before creating it again": Conekta may have created it.
func (e *APIError) Retryable() bool { return apiclient.RetryableStatus(e.Status) }

// ErrorBody is Conekta's error JSON (exported for conektatest).
type ErrorBody struct {
	Object  string        `json:"object"`
	Type    string        `json:"type"`
	LogID   string        `json:"log_id,omitempty"`
	Details []ErrorDetail `json:"details"`
}

// ErrorDetail is one entry of ErrorBody.Details.
type ErrorDetail struct {
	Code         string  `json:"code"`
	Param        *string `json:"param"`
	Message      string  `json:"message"`
	DebugMessage string  `json:"debug_message,omitempty"`
}

func parseAPIError(resp *apiclient.Response) error {
	e := &APIError{Status: resp.StatusCode}
	var body ErrorBody
	if json.Unmarshal(resp.Body, &body) == nil && (body.Type != "" || len(body.Details) > 0) {
		e.Type, e.RequestID = body.Type, body.LogID
		if len(body.Details) > 0 {
			d := body.Details[0]
			e.Code, e.Message = d.Code, d.Message
			if e.Message == "" {
				e.Message = d.DebugMessage
			}
			if d.Param != nil {
				e.Param = *d.Param
			}
		}
		return e
	}
	e.Message = apiclient.BodyMessage(resp)
	return e
}
