package engine

import (
	"errors"
	"fmt"
)

// ErrDataflow is wrapped by the error ExecuteDataflow returns when build panics.
var ErrDataflow = errors.New("engine: building the dataflow failed")

// ExecuteDataflow builds a dataflow with build on a fresh Environment that has e's Config (without
// Checkpointing.RestoreFrom) and e's Observer's JobStarted, and executes it as one job named name, returning when the job has
// ended. e's own graph is neither run nor changed, so a library can run one bounded job after another on behalf
// of a caller's Environment, each reported to the caller's Observer (the workbench's live view), as
// IterateBulk and IterateDelta run their supersteps. build must not call Execute; a panic in build is returned
// as an error wrapping ErrDataflow and naming the job. Package engine/graph runs each of its operations this
// way.
func (e *Environment) ExecuteDataflow(name string, build func(env *Environment)) (*Job, error) {
	if build == nil {
		panic("engine: ExecuteDataflow needs a build function, got nil")
	}
	cfg := e.cfg
	cfg.Checkpointing.RestoreFrom = ""
	env := &Environment{cfg: cfg, faults: e.faults}
	env.observer.JobStarted = e.observer.JobStarted // as a superstep's: internal Collects are not results
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w: %s: %v", ErrDataflow, name, r)
			}
		}()
		build(env)
	}()
	if err != nil {
		return nil, err
	}
	return env.Execute(name)
}
