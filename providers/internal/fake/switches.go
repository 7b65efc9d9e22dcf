package fake

import (
	"net/http"
	"time"
)

// Switches is the fault and recording API that the hase, kiban, mifact, mifiel
// and sv fakes export by embedding it: its methods act on a Core and answer
// injected failures with the provider's error body for the status.
type Switches struct {
	core    *Core
	errBody func(status int) []byte
}

// NewSwitches returns the Switches of core; errBody(status) is the body of an
// injected failure answering status.
func NewSwitches(core *Core, errBody func(status int) []byte) Switches {
	return Switches{core: core, errBody: errBody}
}

// FailNext makes the next n requests answer status with the provider's error
// body.
func (s Switches) FailNext(n, status int) {
	s.core.FailNext(n, Fault{Status: status, Body: s.errBody(status)})
}

// RateLimitNext makes the next n requests answer 429 with Retry-After (whole
// seconds of retryAfter) and the provider's error body.
func (s Switches) RateLimitNext(n int, retryAfter time.Duration) {
	s.core.FailNext(n, Fault{Status: http.StatusTooManyRequests, Header: RetryAfter(retryAfter), Body: s.errBody(http.StatusTooManyRequests)})
}

// SetDown makes the server drop every connection without answering while down
// is true; queued failures wait until it is up again.
func (s Switches) SetDown(down bool) { s.core.SetDown(down) }

// SetDelay delays every answer by d (a request whose context ends first gets
// nothing).
func (s Switches) SetDelay(d time.Duration) { s.core.SetDelay(d) }

// Requests returns the requests received so far, in order, recorded before any
// fault applied.
func (s Switches) Requests() []Request { return s.core.Received() }

// ResetRequests forgets the recorded requests and queued faults.
func (s Switches) ResetRequests() { s.core.Reset() }
