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

// A hybrid hash join of n/2 build keys with n/2 probe keys through the engine's HashJoin with a budget 1/16
// of the serialised build side, against a hand-written loop joining through a Go map. Build key i is a hash
// of i mod K, scattered over [0, K) with each key 4 times (K = n/8); probe key i is a hash of i mod 2K, so about
// half of the probe keys match, 4 times each. Both check the number of pairs and the sum of their keys
// against what the probe side alone implies.
func init() {
	Register(Case{Name: "hash-join/map", About: "hand-written loop: n/2 build keys into a map of counts, n/2 probe keys looked up",
		Run: func(n int64) (int64, error) {
			nb, np, k := joinSizes(n)
			counts := make(map[int64]int64, k)
			for i := range nb {
				counts[joinBuildKey(i, k)]++
			}
			c := joinCheck{}
			for i := range np {
				p := joinProbeKey(i, k)
				c.expect(p, k)
				for range counts[p] {
					c.pair(p, p)
				}
			}
			return nb + np, c.done()
		}})
	Register(Case{Name: "hash-join/managed", Baseline: "hash-join/map",
		About: fmt.Sprintf("n/2 build keys and n/2 probe keys through the hybrid hash join, budget 1/%d of the serialised build side", sortInputPerBudget),
		Note:  hashJoinNote,
		Run: func(n int64) (int64, error) {
			nb, np, k := joinSizes(n)
			// A build record is a key frame and a record frame of 10 bytes each. Pages are 32 KiB unless
			// that leaves fewer than 64 of them (small runs); then the largest power of two that does.
			budget := nb * 20 / sortInputPerBudget
			pageSize := 32 << 10
			for pageSize > 64 && budget/int64(pageSize) < 64 {
				pageSize /= 2
			}
			budget = max(budget, int64(64*pageSize))
			lastJoinPage = pageSize
			joinStartRSS = currentRSS()
			c := joinCheck{}
			st, err := membench.HashJoinInt64(nb, np, func(i int64) int64 { return joinBuildKey(i, k) },
				func(i int64) int64 { p := joinProbeKey(i, k); c.expect(p, k); return p },
				budget, pageSize, os.TempDir(), func(b, p int64) error {
					if b != p {
						return fmt.Errorf("hash join paired build key %d with probe key %d", b, p)
					}
					c.pair(b, p)
					return nil
				})
			lastJoin, lastJoinInput = st, nb*20
			if err != nil {
				return 0, err
			}
			if st.SpilledPartitions == 0 {
				return 0, fmt.Errorf("hash join of %d build keys in %d bytes did not spill", nb, st.BudgetBytes)
			}
			return nb + np, c.done()
		}})
}

var (
	lastJoin      membench.JoinStats
	lastJoinInput int64
	joinStartRSS  int64
	lastJoinPage  int
)

func hashJoinNote() string {
	s := lastJoin
	peak := peakRSS()
	grew := peak - joinStartRSS
	return fmt.Sprintf("budget %.1f MiB in %d-byte pages, build side %.1f MiB serialised (%.0fx), %d partitions spilled, %.1f MiB spilled, recursion depth %d; peak RSS %.1f MiB, %.1f MiB above the case's start = %.1fx budget",
		mibf(s.BudgetBytes), lastJoinPage, mibf(lastJoinInput), float64(lastJoinInput)/float64(s.BudgetBytes), s.SpilledPartitions,
		mibf(s.SpilledBytes), s.Depth, mibf(peak), mibf(grew), float64(grew)/float64(s.BudgetBytes))
}

// joinSizes returns the build and probe sizes and the key range K for n events.
func joinSizes(n int64) (nb, np, k int64) {
	k = max(n/8, 1)
	return 4 * k, n - 4*k, k
}

// joinBuildKey is build key i: i mod K shifted by a hash of the round i/K, so that each round of K keys is a
// rotation of [0, K) and every key appears once per round, 4 times in all.
func joinBuildKey(i, k int64) int64 { return (i%k + int64(splitmix(uint64(i/k))%uint64(k))) % k }
func joinProbeKey(i, k int64) int64 { return int64(splitmix(uint64(i)^0x5bd1e995) % uint64(2*k)) }

// joinCheck compares a join's pairs with what its probe keys imply: a probe key below K meets its 4 build
// records.
type joinCheck struct {
	wantPairs, wantSum, pairs, sum int64
}

func (c *joinCheck) expect(p, k int64) {
	if p < k {
		c.wantPairs += 4
		c.wantSum += 4 * 2 * p
	}
}

func (c *joinCheck) pair(b, p int64) { c.pairs, c.sum = c.pairs+1, c.sum+b+p }

func (c *joinCheck) done() error {
	if c.pairs != c.wantPairs || c.sum != c.wantSum {
		return fmt.Errorf("join produced %d pairs with key sum %d, want %d with sum %d", c.pairs, c.sum, c.wantPairs, c.wantSum)
	}
	return nil
}
