package engine

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/de4e/weir/engine/internal/batchmem"
	"github.com/de4e/weir/engine/internal/memory"
)

// The managed memory of the batch operators (batch_join.go, batch_group.go): each operator instance that
// sorts or hash-joins in Batch mode takes its share of its slot's managed memory and spills beyond it into a
// directory of the job's own, as Flink's batch operators take their pages from the slot's MemoryManager.

// minBatchOperatorPages is the fewest pages a batch join works with: a hash join's and its probe buffer's
// minimums (a sort-merge join's two sorters need fewer).
const minBatchOperatorPages = memory.MinJoinPages + memory.MinSorterPages

// batchOperatorMemory is the managed memory a batch operator instance holds: pages pages of manager, taken
// under names from owner.
type batchOperatorMemory struct {
	manager *memory.Manager
	pages   int
	owner   func(what string) string
}

// batchMemory returns the managed memory the batch operator b takes its pages from: its share of its slot's
// manager (Config.ManagedMemorySize divided among the slot's TaskManager share and then evenly among the
// keyed Batch operators of the slot, as the keyed sorts share it; no more than the slot has free), in pages
// of Config.MemorySegmentSize, all taken when the operator opens (as Flink's drivers take their memory).
// The pages are taken under the operator's names (opBase.managedOwner), so that the slot's figures in
// JobSnapshot.Memory count them and they are returned when the subtask ends, however it ends. Tests and the
// benchmark suite may override the budget for every operator (engine/internal/batchmem): the operator then
// has a manager of its own, outside the slot's figures.
func batchMemory(b *opBase) (batchOperatorMemory, error) {
	budget, page, override := batchmem.Settings()
	if override {
		m, err := memory.NewManager(budget, page)
		if err != nil {
			return batchOperatorMemory{}, fmt.Errorf("managed memory of %s: %w", b.name, err)
		}
		return batchOperatorMemory{manager: m, pages: freePages(m), owner: func(what string) string { return b.name + ": " + what }}, nil
	}
	if b.task == nil || b.task.job == nil {
		return batchOperatorMemory{}, fmt.Errorf("managed memory of %s: not in a job", b.name)
	}
	slot := b.managedMemory()
	pages := min(b.managedPagesShare(b.task.batchSortsInSlot()), freePages(slot))
	if pages < minBatchOperatorPages {
		f := slot.Figures()
		return batchOperatorMemory{}, fmt.Errorf("engine: %s needs %d pages of managed memory but its share of the slot's %d bytes is %d pages of %d bytes: raise Config.ManagedMemorySize",
			b.name, minBatchOperatorPages, f.BudgetBytes, pages, f.PageSize)
	}
	return batchOperatorMemory{manager: slot, pages: pages, owner: b.managedOwner}, nil
}

// batchSpillDir returns the directory a batch operator's sorters and hash joins make their spill
// directories in: "spill" in the job's working directory, which the job removes when it ends however it
// ends (the operator removes its own spill directory when it closes); os.TempDir() outside a job.
func batchSpillDir(b *opBase) (string, error) {
	if b.task == nil || b.task.job == nil || b.task.job.coord == nil || b.task.job.coord.workDir == "" {
		return "", nil
	}
	dir := filepath.Join(b.task.job.coord.workDir, "spill")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("spill directory of %s: %w", b.name, err)
	}
	return dir, nil
}

// batchResources returns what a batch operator that may spill opens with: its managed memory (batchMemory)
// and the directory for its spill files (batchSpillDir).
func batchResources(b *opBase) (batchOperatorMemory, string, error) {
	m, err := batchMemory(b)
	if err != nil {
		return batchOperatorMemory{}, "", err
	}
	dir, err := batchSpillDir(b)
	if err != nil {
		return batchOperatorMemory{}, "", err
	}
	return m, dir, nil
}

// batchMode reports whether the operator runs in a Batch job (Config.RuntimeMode).
func batchMode(b *opBase) bool {
	return b.task != nil && b.task.job != nil && b.task.job.cfg.RuntimeMode == Batch
}

// freePages is how many pages m has left.
func freePages(m *memory.Manager) int {
	f := m.Figures()
	return int((f.BudgetBytes - f.UsedBytes) / int64(f.PageSize))
}
