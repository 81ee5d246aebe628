package enginetest

// Fault injection for tests: failpoints are named places in the engine's runtime where a test makes a job
// fail (or its process exit), to check that checkpoints, restarts and transactional sinks keep their
// promises. They are not part of package engine's API, which notebook cells see.

import (
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/internal/faultinject"
)

// Failpoint names a place in the engine where a fault can be injected.
type Failpoint = faultinject.Point

// The failpoints of the engine.
const (
	FailSourceEmit           = faultinject.SourceEmit           // a source, before handing on a record
	FailProcess              = faultinject.Process              // an operator subtask, before a record
	FailAlignment            = faultinject.Alignment            // during barrier alignment
	FailBeforeSnapshot       = faultinject.BeforeSnapshot       // at a barrier, before the state snapshot
	FailAfterSnapshot        = faultinject.AfterSnapshot        // after the synchronous snapshot
	FailBeforeMetadataRename = faultinject.BeforeMetadataRename // the checkpoint is not complete yet
	FailAfterMetadataRename  = faultinject.AfterMetadataRename  // complete, but sinks have not committed
	FailBeforeSinkCommit     = faultinject.BeforeSinkCommit     // a sink about to commit a transaction
	FailRestore              = faultinject.Restore              // while restoring state
)

// Failpoints lists every failpoint.
var Failpoints = faultinject.Points

// ErrInjected is wrapped by the failure a failpoint causes.
var ErrInjected = faultinject.ErrInjected

// Faults arms failpoints: Arm(p, n) makes failpoint p fail the job the n-th time it is reached. A Faults
// value is safe for concurrent use and is shared by every attempt of a job, so a fault fires once. If its
// Exit field is set, it is called instead of failing the job (a test can make it kill the process).
type Faults = faultinject.Faults

// InjectFaults makes every job env starts from now on consult f at each failpoint. A nil f disarms them.
func InjectFaults(env *engine.Environment, f *Faults) { faultinject.Install(env, f) }
