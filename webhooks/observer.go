package webhooks

import "time"

// Observer receives the intake's and the processor's events, for metrics. Its
// methods are called synchronously from request and worker goroutines, so they
// must be fast and safe for concurrent use. [Metrics] implements it with
// Prometheus collectors.
type Observer interface {
	// Accepted is called when a new delivery was committed to the inbox.
	Accepted(provider string)
	// Duplicate is called when a delivery was already in the inbox.
	Duplicate(provider string)
	// Refused is called when the verifier refused a delivery.
	Refused(provider string, err error)
	// Processed is called when a delivery was processed and marked done;
	// took is the processing function's duration.
	Processed(provider string, attempts int, took time.Duration)
	// Retried is called when a failed attempt was scheduled for a retry.
	Retried(provider string, attempts int, err error)
	// Dead is called when a delivery was dead-lettered.
	Dead(provider string, attempts int, err error)
}

type nopObserver struct{}

func (nopObserver) Accepted(string)                      {}
func (nopObserver) Duplicate(string)                     {}
func (nopObserver) Refused(string, error)                {}
func (nopObserver) Processed(string, int, time.Duration) {}
func (nopObserver) Retried(string, int, error)           {}
func (nopObserver) Dead(string, int, error)              {}
