package engine

import (
	"sync"
	"testing"

	"github.com/de4e/weir/engine/internal/memory"
)

// testOperatorMemory gives a batch strategy every page of m, under names prefixed with name.
func testOperatorMemory(m *memory.Manager, name string) batchOperatorMemory {
	return batchOperatorMemory{manager: m, pages: freePages(m), owner: func(what string) string { return name + ": " + what }}
}

// A running Batch join holds its pages in its slot's managed memory: JobSnapshot.Memory shows them as
// managed use while the join emits, no more than the join's share of the slot (the slot's pages divided
// among its keyed Batch operators), and none once the job has ended. Flink: the TaskManager metric
// Status.Flink.Memory.Managed.Used counts the pages the batch drivers took from the MemoryManager.
func TestBatchJoinCountsItsPagesInTheSlot(t *testing.T) {
	left, right := joinSpillInputs(500)
	for _, hint := range []JoinHint{JoinHintRepartitionSortMerge, JoinHintRepartitionHashFirst, JoinHintBroadcastHashFirst} {
		t.Run(hint.String(), func(t *testing.T) {
			const budget, page = 64 << 10, 512
			env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Batch, ManagedMemorySize: budget, MemorySegmentSize: page})
			running, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			t.Cleanup(func() { once.Do(func() { close(running) }) })
			env.FromElements(left...).JoinBounded(env.FromElements(right...), InnerJoin).
				Where(KeyByField("K")).EqualTo(KeyByField("K")).WithHint(hint).
				Apply(func(l, r any) any {
					once.Do(func() { close(running); <-release })
					return 0
				}).SinkTo("discard", func(any, int64) error { return nil })
			job, err := env.ExecuteAsync("join in the slot's memory")
			if err != nil {
				t.Fatal(err)
			}
			<-running
			var used, budgetSeen int64
			for _, m := range job.Snapshot().Memory {
				used += m.ManagedUsed
				budgetSeen += m.ManagedBudget
			}
			close(release)
			if err := job.Wait(); err != nil {
				t.Fatal(err)
			}
			// One slot of 128 pages; the keyed Batch operators of the plan share it.
			share := int64(budget/page/job.batchKeyedOperators()) * page
			if budgetSeen != budget || used <= 0 || used > share {
				t.Errorf("while joining: %d bytes managed used of %d; want some, at most the join's share of %d", used, budgetSeen, share)
			}
			for _, m := range job.Snapshot().Memory {
				if m.ManagedUsed != 0 {
					t.Errorf("after the job: TaskManager %d holds %d bytes of managed memory", m.TaskManager, m.ManagedUsed)
				}
			}
		})
	}
}

// batchKeyedOperators is how many keyed operators of the plan share slot 0's managed memory.
func (j *Job) batchKeyedOperators() int {
	return (&subtask{job: j}).batchSortsInSlot()
}
