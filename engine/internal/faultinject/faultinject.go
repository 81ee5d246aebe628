// Package faultinject holds the engine's failpoints: named places in the runtime where a test can make a
// job fail, to check that checkpoints and restarts keep their promises. The engine reads it; tests reach it
// through the exported aliases of package enginetest (or directly, inside package engine). It is not part of
// the API that notebook cells see.
package faultinject

import (
	"errors"
	"fmt"
	"sync"
)

// Point names a place where a fault can be injected.
type Point string

// The failpoints of the engine.
const (
	SourceEmit           Point = "source-emit"            // a source, before handing on a record
	Process              Point = "process"                // an operator subtask, before a record
	Alignment            Point = "alignment"              // during barrier alignment
	BeforeSnapshot       Point = "before-snapshot"        // at a barrier, before the state snapshot
	AfterSnapshot        Point = "after-snapshot"         // after the synchronous snapshot
	BeforeMetadataRename Point = "before-metadata-rename" // the checkpoint is not complete yet
	AfterMetadataRename  Point = "after-metadata-rename"  // complete, but sinks have not committed
	BeforeSinkCommit     Point = "before-sink-commit"     // a sink about to commit a transaction
	Restore              Point = "restore"                // while restoring state
)

// Points lists every failpoint.
var Points = []Point{SourceEmit, Process, Alignment, BeforeSnapshot, AfterSnapshot,
	BeforeMetadataRename, AfterMetadataRename, BeforeSinkCommit, Restore}

// ErrInjected is wrapped by the failure a failpoint causes.
var ErrInjected = errors.New("engine: injected fault")

// Faults arms failpoints: each armed failpoint fails the job the n-th time it is reached. A Faults value is
// safe for concurrent use and is shared by every attempt of a job, so a fault fires once. A nil *Faults
// arms nothing.
type Faults struct {
	mu    sync.Mutex
	armed map[Point]int
	// Exit, if set, is called instead of failing the job (a test can make it kill the process).
	Exit func(Point)
	// Trace, if set, is called at every passage through every failpoint, armed or not, before Hit decides
	// (the chaos test uses it to know in which phase of a job a kill lands). It must be quick and safe for
	// concurrent use.
	Trace func(Point)
}

// Arm makes p fail the job the n-th time it is reached (n >= 1).
func (f *Faults) Arm(p Point, n int) {
	if n < 1 {
		panic(fmt.Sprintf("faultinject: Arm(%s, %d): n must be at least 1", p, n))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.armed == nil {
		f.armed = map[Point]int{}
	}
	f.armed[p] = n
}

// Hit reports whether p fires now; it counts one passage through p.
func (f *Faults) Hit(p Point) bool {
	if f == nil {
		return false
	}
	if f.Trace != nil {
		f.Trace(p)
	}
	f.mu.Lock()
	n, ok := f.armed[p]
	if ok {
		n--
		if n <= 0 {
			delete(f.armed, p)
		} else {
			f.armed[p] = n
		}
	}
	exit := f.Exit
	f.mu.Unlock()
	fires := ok && n <= 0
	if fires && exit != nil {
		exit(p)
	}
	return fires
}

// Pending reports whether a failpoint is armed and has not fired yet.
func (f *Faults) Pending() bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.armed) > 0
}

// Check returns the injected failure if p fires now, else nil.
func (f *Faults) Check(p Point) error {
	if f.Hit(p) {
		return fmt.Errorf("%w at %s", ErrInjected, p)
	}
	return nil
}

// Install attaches f to an engine Environment (its jobs then consult f at every failpoint). Package engine
// sets it when it is initialised, since this package cannot import the engine.
var Install func(env any, f *Faults)
