package engine

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/de4e/weir/engine/internal/batchmem"
	"github.com/de4e/weir/engine/internal/memory"
)

// The managed memory of the batch operators (batch_join.go, batch_group.go): each operator instance that
// sorts or hash-joins in Batch mode takes its pages from a memory.Manager and spills beyond them into a
// directory of the job's own, as Flink's batch operators take their pages from the slot's MemoryManager.

// batchMemory returns the memory manager the batch operator b takes its pages from: for now one of its
// own, of batchmem's budget (batchmem.DefaultOperatorBudget, 16 MiB, in pages of memory.DefaultPageSize),
// all taken when the operator opens (as Flink's drivers take their memory). It is the one place to point at
// the slot's manager when Config has managed memory.
func batchMemory(b *opBase) (*memory.Manager, error) {
	budget, page := batchmem.Settings()
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
