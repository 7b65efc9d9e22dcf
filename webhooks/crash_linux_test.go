package webhooks_test

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the crash node die with the test process, so that a test
// killed by its timeout leaves no server behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
