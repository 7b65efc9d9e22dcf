package gnv

import (
	"encoding/json"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// APIError is an error answer of the GNV network API.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the contract's machine code ("unauthorized", "invalid_request",
	// "plates_taken", …); empty when the body was not the contract's JSON.
	Code string
	// Message is the network's explanation or a snippet of the body.
	Message string
	// RequestID is the X-Request-Id answer header, for support.
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	return apiclient.ErrorText("gnv", e.Status, e.Code, e.Message, e.RequestID)
}

// Retryable reports whether trying again later may succeed (429, 5xx but 501).
func (e *APIError) Retryable() bool { return apiclient.RetryableStatus(e.Status) }

// ErrorBody is the contract's error JSON, exported for gnvtest.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func parseAPIError(resp *apiclient.Response) error {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var body ErrorBody
	if json.Unmarshal(resp.Body, &body) == nil && body.Error.Code != "" {
		e.Code, e.Message = body.Error.Code, body.Error.Message
	} else {
		e.Message = apiclient.BodyMessage(resp)
	}
	return e
}
