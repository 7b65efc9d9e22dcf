//go:build !unix

package loadtest

import (
	"syscall"
	"testing"
)

// ensureFDs cannot check descriptor limits on this system; the test runs and
// fails on the first refused socket if the limit is too low.
func ensureFDs(tb testing.TB, need uint64) {}

// smallReceiveBuffer is not available here: slow clients rely on the
// default buffers filling up.
func smallReceiveBuffer(_, _ string, _ syscall.RawConn) error { return nil }
