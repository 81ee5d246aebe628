package engine

import (
	"errors"
	"fmt"
	"sync"

	"github.com/de4e/weir/engine/internal/memory"
)

// Managed memory, after Flink's MemoryManager: each TaskManager has Config.ManagedMemorySize bytes of it,
// divided evenly among its slots, and each slot's share is one memory.Manager that hands out pages of
// Config.MemorySegmentSize to the operators running in the slot (every subtask of the slot shares it, as
// Flink's slot sharing does). Operators reach their slot's manager through opBase.managedMemory, name what
// they hold with opBase.managedOwner, and their pages are returned when the subtask ends, however it ends.

const (
	// defaultManagedMemorySize is Config.ManagedMemorySize's default: 128 MiB, Flink's managed memory for
	// local execution (TaskExecutorResourceUtils).
	defaultManagedMemorySize = 128 << 20
	// defaultManagedMemoryFraction is Config.ManagedMemoryFraction's default, Flink's
	// taskmanager.memory.managed.fraction.
	defaultManagedMemoryFraction = 0.4
	// defaultMemorySegmentSize is Config.MemorySegmentSize's default, Flink's taskmanager.memory.segment-size.
	defaultMemorySegmentSize = memory.DefaultPageSize
	// minMemorySegmentSize is the smallest page the memory manager takes.
	minMemorySegmentSize = 64
)

// ErrInvalidConfig is wrapped by the error Execute returns for a Config field with a value it cannot run
// with; the message names the field.
var ErrInvalidConfig = errors.New("engine: invalid configuration")

// checkManagedMemory refuses managed-memory settings the runtime cannot use. c has its defaults applied;
// slotsPerTM is the number of slots of each TaskManager, among which the managed memory is divided.
func (c Config) checkManagedMemory(slotsPerTM int) error {
	switch {
	case c.TaskManagerMemory < 0:
		return fmt.Errorf("%w: Config.TaskManagerMemory is %d bytes; want 0 (not stated) or more", ErrInvalidConfig, c.TaskManagerMemory)
	case c.ManagedMemoryFraction <= 0 || c.ManagedMemoryFraction >= 1:
		return fmt.Errorf("%w: Config.ManagedMemoryFraction is %g; want a fraction in (0, 1)", ErrInvalidConfig, c.ManagedMemoryFraction)
	case c.MemorySegmentSize < minMemorySegmentSize:
		return fmt.Errorf("%w: Config.MemorySegmentSize is %d bytes; want at least %d", ErrInvalidConfig, c.MemorySegmentSize, minMemorySegmentSize)
	case c.ManagedMemorySize <= 0:
		return fmt.Errorf("%w: Config.ManagedMemorySize is %d bytes; want more than 0", ErrInvalidConfig, c.ManagedMemorySize)
	}
	if slot := c.ManagedMemorySize / int64(max(slotsPerTM, 1)); slot < int64(c.MemorySegmentSize) {
		return fmt.Errorf("%w: Config.ManagedMemorySize of %d bytes gives each of a TaskManager's %d slots %d bytes, less than one page of Config.MemorySegmentSize (%d bytes)",
			ErrInvalidConfig, c.ManagedMemorySize, slotsPerTM, slot, c.MemorySegmentSize)
	}
	return nil
}

// slotMemory holds the managed memory of a job's slots, made on first use (a job that runs no batch
// operator allocates nothing: a manager hands out pages only when asked).
type slotMemory struct {
	mu       sync.Mutex
	managers []*memory.Manager // by slot
	spills   []spillFigures    // by slot: what the slot's finished sorts spilled
	live     []liveSort        // sorts in progress, whose spills Snapshot adds
}

// liveSort is a sort in progress in a slot.
type liveSort struct {
	slot   int
	sorter *memory.Sorter
}

// started records a sort in progress, until finished is called with it.
func (m *slotMemory) started(slot int, s *memory.Sorter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live = append(m.live, liveSort{slot, s})
}

// finished moves a sort's spills from the sorts in progress to its slot's figures.
func (m *slotMemory) finished(slot int, s *memory.Sorter) {
	st := s.Stats()
	m.mu.Lock()
	for i, l := range m.live {
		if l.sorter == s {
			m.live = append(m.live[:i], m.live[i+1:]...)
			break
		}
	}
	m.mu.Unlock()
	m.addSpills(slot, st.Spills, st.SpilledBytes)
}

// spillFigures counts sorted runs written to disk and their bytes.
type spillFigures struct{ runs, bytes int64 }

// addSpills adds runs spilled runs of bytes bytes to slot's figures.
func (m *slotMemory) addSpills(slot int, runs, bytes int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.spills) <= slot {
		m.spills = append(m.spills, spillFigures{})
	}
	m.spills[slot].runs += runs
	m.spills[slot].bytes += bytes
}

// ManagedMemoryPerSlot returns the managed memory of each of the job's slots in bytes: its TaskManager's
// Config.ManagedMemorySize divided evenly among the TaskManager's slots, rounded down to whole pages of
// Config.MemorySegmentSize.
func (j *Job) ManagedMemoryPerSlot() int64 {
	per := 1
	if len(j.tms) > 0 {
		per = j.tms[0].Slots
	}
	slot := j.cfg.ManagedMemorySize / int64(max(per, 1))
	ps := int64(max(j.cfg.MemorySegmentSize, minMemorySegmentSize))
	return max(slot/ps, 1) * ps
}

// managedMemory returns slot's memory manager, making it on first use.
func (j *Job) managedMemory(slot int) *memory.Manager {
	j.mem.mu.Lock()
	defer j.mem.mu.Unlock()
	for len(j.mem.managers) <= slot {
		j.mem.managers = append(j.mem.managers, nil)
	}
	if j.mem.managers[slot] == nil {
		m, err := memory.NewManager(j.ManagedMemoryPerSlot(), max(j.cfg.MemorySegmentSize, minMemorySegmentSize))
		if err != nil { // checkManagedMemory refused every configuration that gets here
			panic(fmt.Sprintf("engine: managed memory of slot %d: %v", slot, err))
		}
		j.mem.managers[slot] = m
	}
	return j.mem.managers[slot]
}

// slotManagers returns the managers made so far, by slot (nil for a slot that has used none).
func (j *Job) slotManagers() []*memory.Manager {
	j.mem.mu.Lock()
	defer j.mem.mu.Unlock()
	return append([]*memory.Manager(nil), j.mem.managers...)
}

// opMemory is what one operator instance holds of its slot's managed memory.
type opMemory struct {
	owners  []string // the owners it named, released when its subtask ends
	closers []func() // what it left open (sorters, joins), closed when its subtask ends
}

// managedMemory returns the memory manager of the slot this operator instance runs in (shared with the
// other operators of the slot). Operators take pages under names from managedOwner, so that what they hold
// is returned when the subtask ends even if they fail half-way.
func (b *opBase) managedMemory() *memory.Manager {
	return b.task.job.managedMemory(b.task.slot)
}

// managedOwner returns a name for pages this operator instance takes from managedMemory, unique in the slot
// (what names the use, such as "sort"), and remembers it so that the pages are released when the subtask
// ends.
func (b *opBase) managedOwner(what string) string {
	if b.mem == nil {
		b.mem = &opMemory{}
	}
	idx := 0
	if b.task != nil {
		idx = b.task.index
	}
	o := fmt.Sprintf("%s #%d/%s (subtask %d)", b.name, b.nodeID(), what, idx+1)
	b.mem.owners = append(b.mem.owners, o)
	return o
}

// onSubtaskEnd registers f to run when the subtask ends (finished, failed or canceled): an operator closes
// there what holds managed memory or spill files, in case its own code did not get to.
func (b *opBase) onSubtaskEnd(f func()) {
	if b.mem == nil {
		b.mem = &opMemory{}
	}
	b.mem.closers = append(b.mem.closers, f)
}

func (b *opBase) nodeID() int {
	if b.node == nil {
		return 0
	}
	return b.node.id
}

// managedPagesShare returns how many pages of the slot's managed memory one consumer gets when the slot's
// consumers share it evenly: consumers is how many operators of the slot ask for memory at the same time.
func (b *opBase) managedPagesShare(consumers int) int {
	f := b.managedMemory().Figures()
	return int(f.BudgetBytes/int64(f.PageSize)) / max(consumers, 1)
}

// releaseManagedMemory closes what the subtask's operators left open and returns every page they hold to
// the slot's manager; the subtask calls it when it ends.
func (t *subtask) releaseManagedMemory() {
	for _, op := range t.ops {
		b := op.base()
		if b.mem == nil {
			continue
		}
		for _, f := range b.mem.closers {
			f()
		}
		if len(b.mem.owners) > 0 {
			m := b.managedMemory()
			for _, o := range b.mem.owners {
				m.Release(o)
			}
		}
		b.mem = nil
	}
}
