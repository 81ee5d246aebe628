package kernel

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"

	"github.com/de4e/weir/interp"
)

// place is where in the cells a panic happened.
type place struct {
	cell      string
	line, col int
}

// deathReason explains why a kernel process ended, from how it ended (err from Wait), the end of its stderr
// and the innermost frame of the last panic it reported (nil if none): the goroutines of an interrupted cell
// that did not stop (wrapping interp.ErrGoroutinesLeft), a panic with its message and cell line, a stack
// overflow, the memory limit, a signal or an exit status.
func deathReason(err error, stderr string, at *place) error {
	var ee *exec.ExitError
	exited := errors.As(err, &ee)
	if exited && ee.ExitCode() == ExitGoroutinesLeft {
		for _, l := range strings.Split(stderr, "\n") {
			if _, rest, ok := strings.Cut(l, interp.ErrGoroutinesLeft.Error()); ok {
				return fmt.Errorf("%w%s", interp.ErrGoroutinesLeft, strings.TrimRight(rest, " \r"))
			}
		}
	}
	return errors.New(crashReason(err, ee, stderr, at))
}

// crashReason is deathReason's words for a process that crashed; ee is err as an *exec.ExitError, or nil.
func crashReason(err error, ee *exec.ExitError, stderr string, at *place) string {
	lines := strings.Split(stderr, "\n")
	find := func(prefix string) (string, bool) {
		for _, l := range lines {
			if i := strings.Index(l, prefix); i >= 0 {
				return strings.TrimSpace(l[i:]), true
			}
		}
		return "", false
	}
	if l, ok := find(memLimitMsg); ok {
		return l
	}
	if _, ok := find("fatal error: stack overflow"); ok {
		return "stack overflow: a recursion that never ends?"
	}
	if l, ok := find("fatal error: "); ok {
		return strings.TrimPrefix(l, "fatal error: ")
	}
	if l, ok := find("panic: "); ok {
		l = strings.TrimSuffix(strings.TrimSuffix(l, " [recovered]"), " [recovered, repanicked]")
		if at != nil && at.cell != "" {
			l += fmt.Sprintf(" (cell %s, line %d:%d)", at.cell, at.line, at.col)
		}
		return l
	}
	if ee != nil {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by signal " + ws.Signal().String()
		}
		reason := ee.ProcessState.String()
		for i := len(lines) - 1; i >= 0; i-- {
			if l := strings.TrimSpace(lines[i]); l != "" {
				return reason + ": " + l
			}
		}
		return reason
	}
	if err != nil {
		return err.Error()
	}
	return "the kernel process ended"
}

// tail keeps the last bytes written to it: the end of a kernel's stderr.
type tail struct {
	buf []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}
