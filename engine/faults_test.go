package engine

import "github.com/de4e/weir/engine/internal/faultinject"

// The engine's own tests arm failpoints directly (Environment.faults); these names match the ones package
// enginetest gives tests outside the engine.
type (
	Faults    = faultinject.Faults
	Failpoint = faultinject.Point
)

const (
	FailSourceEmit           = faultinject.SourceEmit
	FailProcess              = faultinject.Process
	FailAlignment            = faultinject.Alignment
	FailBeforeSnapshot       = faultinject.BeforeSnapshot
	FailAfterSnapshot        = faultinject.AfterSnapshot
	FailBeforeMetadataRename = faultinject.BeforeMetadataRename
	FailAfterMetadataRename  = faultinject.AfterMetadataRename
	FailBeforeSinkCommit     = faultinject.BeforeSinkCommit
	FailRestore              = faultinject.Restore
)

var (
	Failpoints  = faultinject.Points
	ErrInjected = faultinject.ErrInjected
)

// withFaults arms f for the jobs env starts, as enginetest.InjectFaults does.
func withFaults(env *Environment, f *Faults) *Environment {
	env.faults = f
	return env
}
