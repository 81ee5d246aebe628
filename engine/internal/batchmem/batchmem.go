// Package batchmem holds the managed-memory settings of the engine's batch operators (sort-merge and hash
// joins in Batch mode) until they come from the job's configuration, and counts what those operators
// spill. The engine reads it when a batch operator opens; tests and the benchmark suite (through
// engine/membench) change it between jobs, never while one runs.
package batchmem

import (
	"sync/atomic"

	"github.com/de4e/weir/engine/internal/memory"
)

// DefaultOperatorBudget is the managed memory one batch operator instance takes when it opens: 16 MiB.
const DefaultOperatorBudget = 16 << 20

var (
	operatorBudget atomic.Int64
	pageSize       atomic.Int64
	spills         atomic.Int64
)

func init() {
	operatorBudget.Store(DefaultOperatorBudget)
	pageSize.Store(memory.DefaultPageSize)
}

// Settings returns the budget of one batch operator instance and its page size, in bytes.
func Settings() (budget int64, page int) { return operatorBudget.Load(), int(pageSize.Load()) }

// Set sets the budget of one batch operator instance and its page size (0: memory.DefaultPageSize) and
// returns a function that restores the previous settings.
func Set(budget int64, page int) (restore func()) {
	if page == 0 {
		page = memory.DefaultPageSize
	}
	oldBudget, oldPage := operatorBudget.Swap(budget), pageSize.Swap(int64(page))
	return func() { operatorBudget.Store(oldBudget); pageSize.Store(oldPage) }
}

// AddSpills counts n spills: sorted runs written by a sorter, or hash partitions written by a hash join.
func AddSpills(n int64) { spills.Add(n) }

// Spills returns how many spills batch operators have made in this process.
func Spills() int64 { return spills.Load() }
