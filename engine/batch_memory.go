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

// batchMemory returns the memory manager the batch operator b takes its pages from: a manager of b's share
// of its slot's managed memory (Config.ManagedMemorySize divided among the slot's TaskManager share and then
// evenly among the keyed Batch operators of the slot, as the keyed sorts share it), in pages of
// Config.MemorySegmentSize, all taken when the operator opens (as Flink's drivers take their memory). Tests
// and the benchmark suite may override the budget for every operator (engine/internal/batchmem). The
// operator's pages are its own manager's: the slot's figures in JobSnapshot.Memory do not include them.
func batchMemory(b *opBase) (*memory.Manager, error) {
	budget, page, override := batchmem.Settings()
	if !override {
		if b.task == nil || b.task.job == nil {
			return nil, fmt.Errorf("managed memory of %s: not in a job", b.name)
		}
		slot := b.managedMemory()
		page = slot.PageSize()
		pages := b.managedPagesShare(b.task.batchSortsInSlot())
		if pages < memory.MinSorterPages {
			f := slot.Figures()
			return nil, fmt.Errorf("engine: %s needs %d pages of managed memory but its share of the slot's %d bytes is %d pages of %d bytes: raise Config.ManagedMemorySize",
				b.name, memory.MinSorterPages, f.BudgetBytes, pages, f.PageSize)
		}
		budget = int64(pages) * int64(page)
	}
	m, err := memory.NewManager(budget, page)
	if err != nil {
		return nil, fmt.Errorf("managed memory of %s: %w", b.name, err)
	}
	return m, nil
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

// batchMode reports whether the operator runs in a Batch job (Config.RuntimeMode).
func batchMode(b *opBase) bool {
	return b.task != nil && b.task.job != nil && b.task.job.cfg.RuntimeMode == Batch
}

// freePages is how many pages m has left.
func freePages(m *memory.Manager) int {
	f := m.Figures()
	return int((f.BudgetBytes - f.UsedBytes) / int64(f.PageSize))
}
