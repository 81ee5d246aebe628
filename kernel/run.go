package kernel

import (
	"strings"
	"sync"
	"time"

	"github.com/de4e/weir/interp"
)

// run is a cell run in the kernel process, as its events tell it: an interp.CellRun.
type run struct {
	id      int64
	cell    string
	started time.Time
	done    chan struct{}

	mu      sync.Mutex
	out     strings.Builder
	value   string
	results []*interp.Result
	jobs    []interp.JobState
	err     error
	ended   time.Duration // the kernel's duration, once done
}

func newRun(id int64, cell string) *run {
	return &run{id: id, cell: cell, started: time.Now(), done: make(chan struct{})}
}

func (r *run) CellID() string        { return r.cell }
func (r *run) Done() <-chan struct{} { return r.done }

func (r *run) Running() bool {
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

func (r *run) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *run) Output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

func (r *run) Value() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.value
}

func (r *run) Results() []*interp.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*interp.Result(nil), r.results...)
}

func (r *run) JobStates() []interp.JobState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]interp.JobState(nil), r.jobs...)
}

func (r *run) Duration() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Running() {
		return time.Since(r.started)
	}
	return r.ended
}

// update takes a running cell's news.
func (r *run) update(ev event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out.WriteString(ev.Output)
	r.value = ev.Value
	r.jobs = ev.Jobs
	for i, d := range ev.Results {
		switch {
		case i >= len(r.results):
			r.results = append(r.results, &interp.Result{Name: d.Name, Drawn: d.Drawn})
		case d.Drawn != nil: // a new drawing; nil: unchanged
			r.results[i] = &interp.Result{Name: d.Name, Drawn: d.Drawn}
		}
	}
}

// finish ends the run with err (nil: it succeeded), once; it reports whether it did.
func (r *run) finish(err error, d time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.done:
		return false
	default:
	}
	r.err, r.ended = err, d
	if d == 0 {
		r.ended = time.Since(r.started)
	}
	close(r.done)
	return true
}
