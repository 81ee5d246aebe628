package engine

import (
	"errors"
	"fmt"
	"sync"
)

// Failpoint names a place where a fault can be injected, for tests and for the workbench's demonstrations.
type Failpoint string

// The failpoints of the engine.
const (
	FailSourceEmit           Failpoint = "source-emit"            // a source, before handing on a record
	FailProcess              Failpoint = "process"                // an operator subtask, before a record
	FailAlignment            Failpoint = "alignment"              // during barrier alignment
	FailBeforeSnapshot       Failpoint = "before-snapshot"        // at a barrier, before the state snapshot
	FailAfterSnapshot        Failpoint = "after-snapshot"         // after the synchronous snapshot
	FailBeforeMetadataRename Failpoint = "before-metadata-rename" // the checkpoint is not complete yet
	FailAfterMetadataRename  Failpoint = "after-metadata-rename"  // complete, but sinks have not committed
	FailBeforeSinkCommit     Failpoint = "before-sink-commit"     // a sink about to commit a transaction
	FailRestore              Failpoint = "restore"                // while restoring state
)

// Failpoints lists every failpoint.
var Failpoints = []Failpoint{FailSourceEmit, FailProcess, FailAlignment, FailBeforeSnapshot, FailAfterSnapshot,
	FailBeforeMetadataRename, FailAfterMetadataRename, FailBeforeSinkCommit, FailRestore}

// ErrInjected is wrapped by the failure a failpoint causes.
var ErrInjected = errors.New("engine: injected fault")

// Faults arms failpoints: each armed failpoint fails the job the n-th time it is reached. A Faults value is
// safe for concurrent use and is shared by every attempt of a job, so a fault fires once.
type Faults struct {
	mu    sync.Mutex
	armed map[Failpoint]int
	// Exit, if set, is called instead of failing the job (a test can make it kill the process).
	Exit func(Failpoint)
}

// Arm makes p fail the job the n-th time it is reached (n >= 1).
func (f *Faults) Arm(p Failpoint, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.armed == nil {
		f.armed = map[Failpoint]int{}
	}
	f.armed[p] = n
}

// hit reports whether p fires now.
func (f *Faults) hit(p Failpoint) bool {
	if f == nil {
		return false
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
	f.mu.Unlock()
	if ok && n <= 0 && f.Exit != nil {
		f.Exit(p)
	}
	return ok && n <= 0
}

// inject panics with an injected fault if p fires: called on subtask goroutines, it fails the attempt.
func (f *Faults) inject(p Failpoint) {
	if f.hit(p) {
		panic(fmt.Errorf("%w at %s", ErrInjected, p))
	}
}
