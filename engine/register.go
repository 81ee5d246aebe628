package engine

import "github.com/de4e/weir/engine/internal/state"

// RegisterType makes the type of v storable in state snapshots under a name that is stable across processes.
// State is written in binary where its type is known (scalars, slices and maps of values, times, the
// engine's own values); values of other types, such as a user's structs, are written with encoding/gob.
// Types met while taking a snapshot are registered automatically, which covers recovery within one process;
// a job restored in a new process (Config.Checkpointing.RestoreFrom after a crash) must register the named
// types its keyed state holds before it starts, as encoding/gob requires.
func RegisterType(v any) { state.Register(v) }

func init() {
	// The engine's own values in state have binary codecs (state_codec.go), which register them with gob
	// too, for snapshots written before; a merging-window set was a map in those.
	RegisterType(map[Window]Window{})
}
