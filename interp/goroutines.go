package interp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
)

// ErrGoroutinesLeft is why a kernel process restarts when goroutines an interrupted cell started are still
// running after the interrupt (see Execution.Goroutines): Go cannot stop a goroutine from outside, so only
// the end of the process ends them. Runner.Died returns it, wrapped, as the reason.
var ErrGoroutinesLeft = errors.New("the cell's goroutines did not stop")

// runLabel is the profiler label (runtime/pprof) that the goroutine running a cell carries, with the run's
// number as its value. Every goroutine started under it inherits it: those of the cell's code (the
// interpreter runs an interpreted go statement as a Go goroutine), of the jobs the cell started and of
// whatever those started in turn.
const runLabel = "weir-cell-run"

// runNumbers numbers the runs of cells of every kernel of the process, for runLabel.
var runNumbers atomic.Int64

// labelRun makes the calling goroutine, and every goroutine it starts from now on, carry the run's label.
func (ex *Execution) labelRun() {
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(runLabel, strconv.FormatInt(ex.number, 10))))
}

// Goroutines returns how many goroutines the run has started and are still alive, its own included while
// it runs: the goroutines of the cell's code, of its jobs and of what they started. After an interrupt the
// interpreter stops the cell's goroutines at their next loop iteration or call, and the cell's jobs are
// canceled; a goroutine blocked for good (select {}, a channel nobody sends to, time.Sleep of an hour, a
// mutex, a user function that never returns) is still counted, and only the end of the process ends it,
// which a kernel process does (package github.com/de4e/weir/kernel). It reads the process's goroutine
// profile: it stops the world for a moment, so it is for after an interrupt, not for a loop.
func (ex *Execution) Goroutines() int {
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		return 0 // writing into a buffer does not fail
	}
	return countLabeled(&b, `"`+runLabel+`":"`+strconv.FormatInt(ex.number, 10)+`"`)
}

// countLabeled counts the goroutines of a goroutine profile in its text form (debug=1) whose labels hold
// label (`"key":"value"`). The form is a header, then one record a stack: "N @ pc pc ...", a line
// "# labels: {...}" when the goroutines have labels, and the frames.
func countLabeled(profile *bytes.Buffer, label string) int {
	n, count := 0, 0
	sc := bufio.NewScanner(profile)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# labels: "); ok {
			if strings.Contains(rest, label) {
				n += count
			}
			continue
		}
		if num, _, ok := strings.Cut(line, " @ "); ok {
			count, _ = strconv.Atoi(num)
		}
	}
	return n
}
