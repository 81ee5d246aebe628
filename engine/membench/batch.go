package membench

import "github.com/de4e/weir/engine/internal/batchmem"

// SetBatchOperatorMemory overrides the managed memory each batch operator instance (a join in Batch mode)
// takes, in pages of pageSize bytes (0 means 32 KiB), for the jobs started after it, and returns a function
// that restores the previous setting. Without it an operator takes its share of its slot's managed memory
// (Config.ManagedMemorySize).
func SetBatchOperatorMemory(budgetBytes int64, pageSize int) (restore func()) {
	return batchmem.Set(budgetBytes, pageSize)
}

// BatchSpills returns how many sorted runs and hash partitions the batch operators of this process have
// spilled.
func BatchSpills() int64 { return batchmem.Spills() }
