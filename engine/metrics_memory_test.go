package engine

import (
	"sync"
	"testing"
)

// Job.Snapshot shows each TaskManager's memory: the managed budget divided among its slots and what the
// sorts held and spilled, the network buffers (credits) of its subtasks' input channels, and the keyed
// state on the heap or in Pebble. Flink: TaskManager metrics Status.Flink.Memory.Managed.{Used,Total},
// Status.Shuffle.Netty.{Used,Total}MemorySegments.
func TestSnapshotShowsTaskManagerMemory(t *testing.T) {
	// Batch with a tiny budget: 2 TaskManagers of 2 slots, 16 pages of 256 bytes each.
	job, _ := runSpillJob(t, spillInputs["int"], 4, Config{TaskManagers: 2, ManagedMemorySize: 2 * 16 * 256, MemorySegmentSize: 256, TempDir: t.TempDir()})
	s := job.Snapshot()
	if len(s.Memory) != 2 {
		t.Fatalf("memory of %d TaskManagers, want 2", len(s.Memory))
	}
	var spills int64
	for _, m := range s.Memory {
		if m.ManagedBudget != 2*16*256 || m.ManagedUsed != 0 || m.ManagedPeak <= 0 || m.ManagedPeak > m.ManagedBudget {
			t.Errorf("TaskManager %d: managed %d used, %d peak of %d; want 0 used after the job, a peak within the budget of 8 KiB", m.TaskManager, m.ManagedUsed, m.ManagedPeak, m.ManagedBudget)
		}
		if m.Spills == 0 || m.SpilledBytes == 0 {
			t.Errorf("TaskManager %d spilled nothing: %+v", m.TaskManager, m)
		}
		// The one source subtask sends to each of the 4 keyed subtasks (the sink is chained to them): one
		// channel of 4 credits (Config.BuffersPerChannel) each, two subtasks per TaskManager.
		if m.NetworkBuffersTotal != 2*4 {
			t.Errorf("TaskManager %d: %d network buffers, want 8 (2 subtasks x 1 channel x 4 credits)", m.TaskManager, m.NetworkBuffersTotal)
		}
		spills += m.Spills
	}
	var runs int64
	for _, f := range job.mem.spills {
		runs += f.runs
	}
	if spills != runs {
		t.Errorf("snapshot shows %d spills, the slots counted %d", spills, runs)
	}

	// Streaming keyed state on the heap and in Pebble, while the job runs (a finished subtask publishes no
	// state figures): the source stops after 5000 records (full network buffers have reached the keyed
	// subtasks; the rest wait in the source's buffers) until the figures are seen, so the keyed subtasks
	// wait for input and publish them.
	for _, backend := range []StateBackendKind{HeapState, PebbleState} {
		env := NewEnvironment(Config{Parallelism: 2, StateBackend: backend})
		release := make(chan struct{})
		var once sync.Once
		open := func() { once.Do(func() { close(release) }) }
		t.Cleanup(open)
		env.FromSource(GeneratorSource{Count: 5001, Gen: func(i int64) SourceElement {
			if i == 5000 {
				<-release
			}
			return SourceElement{Value: int(i)}
		}}, nil, "numbers").
			KeyBy(func(v any) any { return v.(int) % 50 }).Reduce(func(a, b any) any { return a.(int) + b.(int) }).
			SinkTo("Out", func(any, int64) error { return nil })
		job, err := env.ExecuteAsync("state")
		if err != nil {
			t.Fatal(err)
		}
		sum := func(s JobSnapshot) (heap, pebble int64) {
			for _, m := range s.Memory {
				heap += m.HeapStateBytes
				pebble += m.PebbleStateBytes
			}
			return heap, pebble
		}
		// Pebble's figure is its estimate of the state's disk space, 0 while the state fits in its memtable:
		// wait until its subtasks report entries.
		snap := waitFor(t, job, "state is shown", func(s JobSnapshot) bool {
			if h, _ := sum(s); h > 0 {
				return true
			}
			for _, v := range s.Vertices {
				for _, st := range v.Subtasks {
					for _, ss := range st.State {
						if ss.Backend == "pebble" && ss.Keys > 0 {
							return true
						}
					}
				}
			}
			return false
		})
		open()
		if err := job.Wait(); err != nil {
			t.Fatal(err)
		}
		heap, pebble := sum(snap)
		if backend == HeapState && (heap <= 0 || pebble != 0) {
			t.Errorf("heap backend: heap %d, pebble %d bytes", heap, pebble)
		}
		if backend == PebbleState && (pebble < 0 || heap != 0) {
			t.Errorf("pebble backend: heap %d, pebble %d bytes", heap, pebble)
		}
		// The Pebble backend's write-back cache reserves its share of the slot's managed memory while the
		// job runs: the whole of it, as each slot runs one keyed operator. The heap backend reserves none.
		for _, m := range snap.Memory {
			want := int64(0)
			if backend == PebbleState {
				want = m.ManagedBudget
			}
			if m.ManagedUsed != want {
				t.Errorf("%v backend: TaskManager %d uses %d bytes of managed memory while the job runs, want %d", backend, m.TaskManager, m.ManagedUsed, want)
			}
		}
	}
}
