package engine

import (
	"errors"

	"github.com/de4e/weir/engine/internal/harnessbridge"
)

// The public operator test harness (package enginetest) reaches the engine's harness through
// internal/harnessbridge, so that package engine exports nothing for it.
func init() {
	harnessbridge.New = func(c harnessbridge.Config) (harnessbridge.Driver, error) {
		env, ok := c.Env.(*Environment)
		out, ok2 := c.Out.(*DataStream)
		if !ok || !ok2 || env == nil || out == nil {
			return nil, errors.New("engine: a harness needs the Environment and the DataStream its pipeline was built with")
		}
		if out.env != env {
			return nil, errors.New("engine: the harness's pipeline returned a stream of another Environment")
		}
		return newOpHarness(env, out, c.Subtask, c.Restore)
	}
}
