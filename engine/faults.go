package engine

import "github.com/de4e/weir/engine/internal/faultinject"

// Fault injection is for tests only and is no part of this package's API: the failpoints live in
// engine/internal/faultinject, tests outside the engine arm them through package enginetest, and an
// Environment carries the ones armed for its jobs.
func init() {
	faultinject.Install = func(env any, f *faultinject.Faults) { env.(*Environment).faults = f }
}
