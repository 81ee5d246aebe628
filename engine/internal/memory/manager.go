// Package memory is the managed memory of a TaskManager slot, after Flink's MemoryManager: a budget of bytes
// handed out as fixed-size pages to the operators (owners) that sort, hash or buffer records, so that what a
// batch operator holds is bounded by the pages it was given rather than by the Go maps it would otherwise
// grow. Records are serialised into pages with the state codec (package state's AppendValue: scalars
// directly, anything else with gob). Sorter is the external merge sorter built on it (Flink's
// UnilateralSortMerger): it fills its pages, sorts them when they are full, spills sorted runs to files and
// merges them. HashJoin is a hybrid hash join over pages (Flink's MutableHashTable, simplified): partitions
// that do not fit are spilled and joined recursively.
package memory

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// DefaultPageSize is the size of a page when none is given: 32 KiB, Flink's default memory segment size
// (taskmanager.memory.segment-size).
const DefaultPageSize = 32 << 10

// ErrBudgetExhausted is wrapped by Allocate's error when the pages asked for would take the manager above its
// budget.
var ErrBudgetExhausted = errors.New("memory: budget exhausted")

// Manager hands out pages from a budget of bytes to named owners. It is safe for concurrent use; Figures may
// be read while owners allocate and release.
type Manager struct {
	pageSize int
	budget   int // pages

	mu     sync.Mutex
	used   int // pages
	peak   int // pages
	owners map[string]int
	free   [][]byte // released pages kept for reuse (never more than budget-used)
}

// NewManager returns a manager of budgetBytes bytes cut into pages of pageSize bytes (0 means
// DefaultPageSize). The budget is rounded down to whole pages and must hold at least one page.
func NewManager(budgetBytes int64, pageSize int) (*Manager, error) {
	if pageSize == 0 {
		pageSize = DefaultPageSize
	}
	if pageSize < 64 {
		return nil, fmt.Errorf("memory: page size %d bytes is below the minimum of 64", pageSize)
	}
	if budgetBytes < int64(pageSize) {
		return nil, fmt.Errorf("memory: budget of %d bytes holds no page of %d bytes", budgetBytes, pageSize)
	}
	return &Manager{pageSize: pageSize, budget: int(budgetBytes / int64(pageSize)), owners: map[string]int{}}, nil
}

// PageSize returns the size of a page in bytes.
func (m *Manager) PageSize() int { return m.pageSize }

// Allocate gives owner n more pages of PageSize bytes each, or none and an error wrapping ErrBudgetExhausted
// (naming the owner, what it asked for and what is free) when fewer than n pages are free. A page's contents
// are unspecified (it may be a page another owner released).
func (m *Manager) Allocate(owner string, n int) ([][]byte, error) {
	if n <= 0 {
		return nil, fmt.Errorf("memory: %s asked for %d pages; want at least 1", owner, n)
	}
	m.mu.Lock()
	if m.used+n > m.budget {
		free := m.budget - m.used
		m.mu.Unlock()
		return nil, fmt.Errorf("%w: %s asked for %d pages (%d bytes) with %d of %d pages (%d of %d bytes) free",
			ErrBudgetExhausted, owner, n, int64(n)*int64(m.pageSize), free, m.budget,
			int64(free)*int64(m.pageSize), int64(m.budget)*int64(m.pageSize))
	}
	m.used += n
	m.peak = max(m.peak, m.used)
	m.owners[owner] += n
	reuse := min(n, len(m.free))
	pages := make([][]byte, 0, n)
	pages = append(pages, m.free[len(m.free)-reuse:]...)
	m.free = m.free[:len(m.free)-reuse]
	m.mu.Unlock()
	for len(pages) < n {
		pages = append(pages, make([]byte, m.pageSize))
	}
	return pages, nil
}

// Reserve counts n pages against the budget for owner without handing any out (Flink's
// MemoryManager.reserveMemory, which its RocksDB backend takes managed memory with): for an owner that keeps
// its own memory, such as a state backend's cache, bounded by the reservation. Release returns them. It fails
// as Allocate does when fewer than n pages are free.
func (m *Manager) Reserve(owner string, n int) error {
	if n <= 0 {
		return fmt.Errorf("memory: %s reserved %d pages; want at least 1", owner, n)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.used+n > m.budget {
		free := m.budget - m.used
		return fmt.Errorf("%w: %s reserved %d pages (%d bytes) with %d of %d pages free",
			ErrBudgetExhausted, owner, n, int64(n)*int64(m.pageSize), free, m.budget)
	}
	m.used += n
	m.peak = max(m.peak, m.used)
	m.owners[owner] += n
	if extra := len(m.free) + m.used - m.budget; extra > 0 {
		m.free = m.free[:len(m.free)-min(extra, len(m.free))]
	}
	return nil
}

// ReleasePages returns pages that owner got from Allocate to the budget; the owner must not use them again.
// Returning more pages than the owner holds panics, as it means pages were released twice.
func (m *Manager) ReleasePages(owner string, pages [][]byte) {
	if len(pages) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.owners[owner] < len(pages) {
		panic(fmt.Sprintf("memory: %s releases %d pages but holds %d", owner, len(pages), m.owners[owner]))
	}
	m.take(owner, len(pages))
	for _, p := range pages {
		if len(p) == m.pageSize {
			m.free = append(m.free, p)
		}
	}
}

// Release returns every page owner holds to the budget (Flink's releaseAll(owner)); the owner must not use
// any of them again. Releasing an owner that holds nothing does nothing.
func (m *Manager) Release(owner string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := m.owners[owner]; n > 0 {
		m.take(owner, n)
	}
}

func (m *Manager) take(owner string, n int) {
	m.used -= n
	if m.owners[owner] -= n; m.owners[owner] == 0 {
		delete(m.owners, owner)
	}
	// Keep released pages for reuse only while they fit in what is free, so the pages alive (held or kept)
	// never exceed the budget.
	if extra := len(m.free) + m.used - m.budget; extra > 0 {
		m.free = m.free[:len(m.free)-min(extra, len(m.free))]
	}
}

// Figures is a consistent reading of a manager's accounts.
type Figures struct {
	PageSize    int
	BudgetBytes int64
	UsedBytes   int64
	// PeakBytes is the most that was allocated at once since the manager was made.
	PeakBytes int64
	// Owners holds the bytes each owner holds, by name, for owners holding any.
	Owners []OwnerFigures
}

// OwnerFigures is what one owner holds.
type OwnerFigures struct {
	Owner string
	Bytes int64
}

// Figures returns the manager's accounts; owners are sorted by name.
func (m *Manager) Figures() Figures {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := int64(m.pageSize)
	f := Figures{PageSize: m.pageSize, BudgetBytes: int64(m.budget) * ps, UsedBytes: int64(m.used) * ps, PeakBytes: int64(m.peak) * ps}
	for o, n := range m.owners {
		f.Owners = append(f.Owners, OwnerFigures{Owner: o, Bytes: int64(n) * ps})
	}
	sort.Slice(f.Owners, func(i, j int) bool { return f.Owners[i].Owner < f.Owners[j].Owner })
	return f
}
