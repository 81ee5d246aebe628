package interp

import (
	"context"
	"testing"
)

// Running a check cell again replaces its earlier results: after a fix the checks say "1 passed", not the
// sum of every run ("1 passed, 1 failed").
func TestCheckResultsOfARerunReplaceTheEarlierOnes(t *testing.T) {
	k := New(Options{})
	defer k.Restart()
	mustRun(t, k, "answer", "answer := 41")
	k.Run(context.Background(), Cell{ID: "check", Source: `check.Equal("the answer", answer, 42)`})
	mustRun(t, k, "other", `check.True("another cell's check", true, "")`)
	mustRun(t, k, "answer", "answer = 42")
	k.Run(context.Background(), Cell{ID: "check", Source: `check.Equal("the answer", answer, 42)`})
	got := k.Checks()
	if len(got) != 2 || !got[0].OK || got[0].Cell != "other" || !got[1].OK || got[1].Cell != "check" {
		t.Errorf("checks after the rerun: %+v; want the other cell's and the rerun's, both passing", got)
	}
}
