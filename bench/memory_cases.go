package bench

import (
	"fmt"
	"os"
	"sort"

	"github.com/de4e/weir/engine/membench"
)

// Managed memory: an external merge sort of n int64 keys through the engine's memory manager and sorter
// (engine/internal/memory, reached through engine/membench) with a budget 16 times smaller than the
// serialised input, against a hand-written loop that sorts the same keys in a slice with sort.Slice. Both
// check that the output is the input's keys in ascending order (count, checksum and order); the note has
// the sorter's spills and the run's peak RSS against the budget.
func init() {
	Register(Case{Name: "external-sort/slice", About: "hand-written loop: n int64 keys into a slice, sort.Slice, check order",
		Run: func(n int64) (int64, error) {
			keys := make([]int64, n)
			var sum int64
			for i := range n {
				keys[i] = sortKey(i)
				sum += keys[i]
			}
			sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
			c := sortCheck{}
			for _, k := range keys {
				if err := c.add(k); err != nil {
					return 0, err
				}
			}
			return n, c.done(n, sum)
		}})
	Register(Case{Name: "external-sort/managed", Baseline: "external-sort/slice",
		About: fmt.Sprintf("n int64 keys through the external sorter, budget 1/%d of the serialised input, 32 KiB pages", sortInputPerBudget),
		Note:  externalSortNote,
		Run: func(n int64) (int64, error) {
			// An int64 is framed in 10 bytes (length, codec tag, 8 bytes); the budget holds at least 3 pages.
			budget := max(n*10/sortInputPerBudget, 3*32<<10)
			sortStartRSS = currentRSS()
			var sum int64
			c := sortCheck{}
			st, err := membench.ExternalSortInt64(n, func(i int64) int64 { k := sortKey(i); sum += k; return k },
				budget, 0, os.TempDir(), c.add)
			lastSort, lastSortInput = st, n*10
			if err != nil {
				return 0, err
			}
			if st.Spills == 0 {
				return 0, fmt.Errorf("external sort of %d keys in %d bytes did not spill", n, st.BudgetBytes)
			}
			return n, c.done(n, sum)
		}})
}

// sortInputPerBudget is how many times the serialised input of external-sort/managed exceeds its budget.
const sortInputPerBudget = 16

var (
	lastSort      membench.SortStats
	lastSortInput int64
	sortStartRSS  int64 // resident memory when external-sort/managed started
)

func externalSortNote() string {
	s := lastSort
	peak := peakRSS()
	grew := peak - sortStartRSS
	return fmt.Sprintf("budget %.1f MiB (peak %.1f MiB handed out), input %.1f MiB serialised (%.0fx), %d spills, %.1f MiB spilled, %d merge passes; peak RSS %.1f MiB, %.1f MiB above the case's start = %.1fx budget",
		mibf(s.BudgetBytes), mibf(s.PeakBytes), mibf(lastSortInput), float64(lastSortInput)/float64(s.BudgetBytes), s.Spills,
		mibf(s.SpilledBytes), s.MergePasses, mibf(peak), mibf(grew), float64(grew)/float64(s.BudgetBytes))
}

func mibf(b int64) float64 { return float64(b) / (1 << 20) }

// sortKey is key i of the sort cases: a hash of i, so the input is in no order.
func sortKey(i int64) int64 { return int64(splitmix(uint64(i))) }

// sortCheck checks a sort's output: ascending, as many keys as the input, with the same sum.
type sortCheck struct {
	n, sum, prev int64
}

func (c *sortCheck) add(k int64) error {
	if c.n > 0 && k < c.prev {
		return fmt.Errorf("sort output out of order at %d: %d after %d", c.n, k, c.prev)
	}
	c.n, c.sum, c.prev = c.n+1, c.sum+k, k
	return nil
}

func (c *sortCheck) done(n, sum int64) error {
	if c.n != n || c.sum != sum {
		return fmt.Errorf("sort output has %d keys summing to %d, want %d summing to %d", c.n, c.sum, n, sum)
	}
	return nil
}

// currentRSS returns the process's resident memory now (Linux), or 0 where unknown.
func currentRSS() int64 { return statusKB("VmRSS:") }
