//go:build unix

package loadtest

import (
	"syscall"
	"testing"
)

// ensureFDs makes sure the process may hold need open file descriptors,
// raising the soft RLIMIT_NOFILE up to the hard limit (restored at cleanup);
// it skips the test, saying why, when the hard limit is too low.
func ensureFDs(tb testing.TB, need uint64) {
	tb.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		tb.Skipf("cannot read RLIMIT_NOFILE (%v); this measurement needs %d file descriptors", err, need)
	}
	if lim.Cur >= need {
		return
	}
	if lim.Max < need {
		tb.Skipf("needs %d file descriptors but the hard limit is %d: raise it (ulimit -Hn) or use fewer clients", need, lim.Max)
	}
	old := lim
	lim.Cur = need
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		tb.Skipf("needs %d file descriptors; raising the soft limit from %d failed: %v", need, old.Cur, err)
	}
	tb.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}

// smallReceiveBuffer is a net.Dialer Control function that shrinks the
// socket's receive buffer, so that a client that never reads makes the
// server's writes block after a few kilobytes.
func smallReceiveBuffer(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
	})
	if err != nil {
		return err
	}
	return serr
}
