// Package batchmem holds a process-wide override of the managed memory each batch operator instance
// (sort-merge and hash joins in Batch mode) takes, for tests and the benchmark suite (through
// engine/membench), and counts what those operators spill. Without an override an operator takes its share
// of its slot's managed memory (Config.ManagedMemorySize). The override is changed between jobs, never while
// one runs.
package batchmem

import (
	"sync/atomic"

	"github.com/de4e/weir/engine/internal/memory"
)

var (
	operatorBudget atomic.Int64 // 0: no override
	pageSize       atomic.Int64
	spills         atomic.Int64
)

// Settings returns the overriding budget of one batch operator instance and its page size, in bytes, or
// ok false when there is no override.
func Settings() (budget int64, page int, ok bool) {
	b := operatorBudget.Load()
	return b, int(pageSize.Load()), b > 0
}

// Set overrides the budget of one batch operator instance and its page size (0: memory.DefaultPageSize) and
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
