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
	// PebbleState keeps keyed state on disk in Pebble, one database per stateful subtask, behind a write-back
	// cache of hot entries bounded by the operator's share of its slot's managed memory
	// (Config.ManagedMemorySize; off in Batch mode).
	PebbleState
)

func (k StateBackendKind) String() string { return [...]string{"heap", "heap", "pebble"}[k] }

// newBackend creates the state backend of keyed operator instance b (whose task and node are set).
func (c Config) newBackend(b *opBase, r keygroup.Range) (state.Backend, error) {
	switch c.StateBackend {
	case DefaultState, HeapState:
		return state.NewHeap(r), nil
	case PebbleState:
		if newPebbleBackend == nil {
			return nil, errors.New("the Pebble state backend is not built into this binary")
		}
		t := b.task
		dir := filepath.Join(t.job.coord.workDir, fmt.Sprintf("op-%d-%d", b.node.id, t.index))
		be, err := newPebbleBackend(dir, r)
		if err != nil {
			return nil, err
		}
		if p, ok := be.(cachedBackend); ok && c.RuntimeMode != Batch {
			p.SetCacheBudget(stateCacheBudget(b))
		}
		return be, nil
	}
	return nil, fmt.Errorf("unknown state backend %d", c.StateBackend)
}

// cachedBackend is a state backend with a write-back cache bounded in bytes (the Pebble backend).
type cachedBackend interface{ SetCacheBudget(bytes int64) }

// stateCacheBudget reserves the managed memory of keyed operator instance b's state cache, as Flink's
// RocksDB backend takes its block cache and write buffers out of managed memory: an even share of its
// slot's managed memory among the keyed operators of the slot (Config.ManagedMemorySize; 64 MiB with the
// defaults at parallelism 2 and one keyed operator), or what is free when less. The reservation is
// returned when the subtask ends. In Batch mode the keyed operators sort in that memory instead, and the
// cache is off.
func stateCacheBudget(b *opBase) int64 {
	m := b.managedMemory()
	pages := min(b.managedPagesShare(b.task.batchSortsInSlot()), freePages(m))
	if pages <= 0 || m.Reserve(b.managedOwner("state cache"), pages) != nil {
		return 0
	}
	return int64(pages) * int64(m.PageSize())
}

// newPebbleBackend is set by the Pebble backend's registration, so that the engine builds without it.
var newPebbleBackend func(dir string, r keygroup.Range) (state.Backend, error)
