package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/de4e/weir/engine/internal/memory"
)

// The managed memory of the batch operators (batch_join.go, batch_group.go): each operator instance that
// sorts or hash-joins in Batch mode takes its pages from a memory.Manager and spills beyond them into a
// directory of the job's own, as Flink's batch operators take their pages from the slot's MemoryManager.

// defaultBatchMemoryBytes is the managed memory one batch operator instance takes when it opens, 16 MiB,
// until the memory comes from the slot's budget (Config managed memory).
const defaultBatchMemoryBytes = 16 << 20

// batchMemoryBytes and batchPageSize are the budget and page size batchMemory gives; tests lower them to
// force spilling.
var (
	batchMemoryBytes int64 = defaultBatchMemoryBytes
	batchPageSize          = memory.DefaultPageSize
)

// batchSpills counts what the batch operators spilled, for tests: sorted runs written by their sorters and
// hash partitions written by their hash joins.
var batchSpills atomic.Int64

// batchMemory returns the memory manager the batch operator b takes its pages from: for now one of its
// own, of defaultBatchMemoryBytes in pages of memory.DefaultPageSize, all taken when the operator opens (as
// Flink's drivers take their memory), so the budget is kept small. It is the one place to point at the
// slot's manager.
func batchMemory(b *opBase) (*memory.Manager, error) {
	m, err := memory.NewManager(batchMemoryBytes, batchPageSize)
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
