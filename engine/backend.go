package engine

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// StateBackendKind selects where keyed state lives.
type StateBackendKind uint8

// The state backends.
const (
	// DefaultState is the zero value: heap state, unless the job is started from a place that chooses
	// another default (the workbench runs cells on Pebble, so that state size and checkpoints are real bytes
	// on disk).
	DefaultState StateBackendKind = iota
	// HeapState keeps keyed state as Go values in memory: fastest; snapshots are written at checkpoints.
	HeapState
	// PebbleState keeps keyed state on disk in Pebble, one database per stateful subtask.
	PebbleState
)

func (k StateBackendKind) String() string { return [...]string{"heap", "heap", "pebble"}[k] }

// newBackend creates the state backend of one keyed operator subtask.
func (c Config) newBackend(j *Job, n *node, subtask int, r keygroup.Range) (state.Backend, error) {
	switch c.StateBackend {
	case DefaultState, HeapState:
		return state.NewHeap(r), nil
	case PebbleState:
		if newPebbleBackend == nil {
			return nil, errors.New("the Pebble state backend is not built into this binary")
		}
		dir := filepath.Join(j.coord.workDir, fmt.Sprintf("op-%d-%d", n.id, subtask))
		return newPebbleBackend(dir, r)
	}
	return nil, fmt.Errorf("unknown state backend %d", c.StateBackend)
}

// newPebbleBackend is set by the Pebble backend's registration, so that the engine builds without it.
var newPebbleBackend func(dir string, r keygroup.Range) (state.Backend, error)
