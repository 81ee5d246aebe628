package interp

import (
	"context"
	"testing"
)

// runCheck runs a check cell (Cell.Check) and waits for it.
func runCheck(k *Kernel, id, src string) *Execution {
	return k.Run(context.Background(), Cell{ID: id, Source: src, Check: true})
}

// Running a check cell again replaces its earlier results: after a fix the checks say "1 passed", not the
// sum of every run ("1 passed, 1 failed").
func TestCheckResultsOfARerunReplaceTheEarlierOnes(t *testing.T) {
	k := New(Options{})
	defer k.Restart()
	mustRun(t, k, "answer", "answer := 41")
	runCheck(k, "check", `check.Equal("the answer", answer, 42)`)
	runCheck(k, "other", `check.True("another cell's check", true, "")`)
	mustRun(t, k, "answer", "answer = 42")
	runCheck(k, "check", `check.Equal("the answer", answer, 42)`)
	got := k.Checks()
	if len(got) != 2 || !got[0].OK || got[0].Cell != "other" || !got[1].OK || got[1].Cell != "check" {
		t.Errorf("checks after the rerun: %+v; want the other cell's and the rerun's, both passing", got)
	}
}
