package engine

import (
	"maps"
	"sync"
	"time"
)

// The progress of an iteration, observable while it runs: IterateBulk and IterateDelta block their caller
// until the iteration ends, so the workbench follows an iteration from another goroutine through the jobs of
// its supersteps. Every superstep's job is reported to the Environment's Observer as it starts, and
// Job.Iteration leads from it to the iteration's IterationProgress, whose Snapshot says which superstep runs
// and what every finished superstep did (Flink's web UI shows the same per superstep through the iteration
// head's metrics).

// IterationKind says whether an iteration is a bulk or a delta iteration.
type IterationKind uint8

const (
	// IterationBulk is a bulk iteration (Environment.IterateBulk).
	IterationBulk IterationKind = iota
	// IterationDelta is a delta iteration (Environment.IterateDelta).
	IterationDelta
)

func (k IterationKind) String() string { return [...]string{"bulk", "delta"}[k] }

// IterationState says whether an iteration runs, has ended, or has failed.
type IterationState uint8

const (
	// IterationRunning: a superstep runs, or the next one is being built.
	IterationRunning IterationState = iota
	// IterationFinished: the iteration ended (IterationSnapshot.Ended says why).
	IterationFinished
	// IterationFailed: a superstep failed (IterationSnapshot.Err says how).
	IterationFailed
)

func (s IterationState) String() string { return [...]string{"running", "finished", "failed"}[s] }

// IterationSnapshot is an iteration's progress at one moment.
type IterationSnapshot struct {
	// Name is the iteration's name.
	Name string
	// Kind is bulk or delta.
	Kind IterationKind
	// MaxIterations is the most supersteps the iteration runs.
	MaxIterations int
	// Superstep is the superstep running, or the last one run once the iteration is no longer running; 0
	// before the first.
	Superstep int
	// Input is the size of the running superstep's input: the partial solution of a bulk iteration, the
	// workset of a delta iteration (once the iteration has ended, the size of what the last superstep read).
	Input int
	// Running is how long the running superstep has run so far (0 once the iteration has ended).
	Running time.Duration
	// State is running, finished or failed.
	State IterationState
	// Ended says why the iteration ended, when State is IterationFinished.
	Ended IterationEnd
	// Err is the error that failed the iteration, when State is IterationFailed.
	Err string
	// Aggregators are the names of the iteration's aggregators, sorted.
	Aggregators []string
	// Convergence names the aggregator the convergence criterion checks; "" without one.
	Convergence string
	// Termination says that a bulk iteration has a termination criterion (SuperstepInfo.Criterion counts it).
	Termination bool
	// Supersteps describes every superstep that has ended, in order.
	Supersteps []SuperstepInfo
}

// IterationProgress follows one iteration while it runs; it is safe for concurrent use. Job.Iteration
// returns it from any of the iteration's superstep jobs.
type IterationProgress struct {
	mu    sync.Mutex
	snap  IterationSnapshot
	start time.Time // when the running superstep started
}

func newIterationProgress(name string, kind IterationKind, maxIter int, aggs *iterationAggregators) *IterationProgress {
	return &IterationProgress{snap: IterationSnapshot{Name: name, Kind: kind, MaxIterations: maxIter,
		Aggregators: aggs.names, Convergence: aggs.convName}}
}

// Snapshot returns the iteration's progress now.
func (p *IterationProgress) Snapshot() IterationSnapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.snap
	s.Supersteps = append([]SuperstepInfo(nil), p.snap.Supersteps...)
	if s.State == IterationRunning && !p.start.IsZero() {
		s.Running = time.Since(p.start)
	}
	return s
}

// begin records that superstep step starts with an input of size input.
func (p *IterationProgress) begin(step, input int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.snap.Superstep, p.snap.Input, p.start = step, input, time.Now()
}

// done sets the duration of a superstep that has ended and records it.
func (p *IterationProgress) done(info *SuperstepInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	info.Duration = time.Since(p.start)
	kept := *info
	kept.Aggregates = maps.Clone(info.Aggregates) // the OnSuperstep callback gets info's map
	p.snap.Supersteps = append(p.snap.Supersteps, kept)
}

// finish records the end of the iteration: why it ended, or the error that failed it.
func (p *IterationProgress) finish(ended IterationEnd, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start = time.Time{}
	if err != nil {
		p.snap.State, p.snap.Err = IterationFailed, err.Error()
		return
	}
	p.snap.State, p.snap.Ended = IterationFinished, ended
}

// Iteration returns the progress of the iteration whose superstep j runs, or nil when j is not a superstep's
// job.
func (j *Job) Iteration() *IterationProgress { return j.iteration }
