package engine

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// pebbleEvictingMemory is a managed memory (Config.ManagedMemorySize, in pages of 256 bytes) so small that
// the Pebble backend's write-back cache of each keyed subtask holds a handful of entries.
const pebbleEvictingMemory = 4 << 10

// TestPebbleGivesTheHeapsResults runs the chaos job (keyed state, an event-time window, a two-input keyed
// operator with timers, the transactional sink) crash-free on the Pebble backend at parallelism 1 and 4:
// its committed output must equal the heap backend's. Flink's contract is that the state backend changes
// where state lives, never what a job computes.
//
// It runs with the default managed memory, whose share holds all of the Pebble backend's state in its
// write-back cache, and with a tiny one (pebbleEvictingMemory), with which the cache evicts all the time.
func TestPebbleGivesTheHeapsResults(t *testing.T) {
	want := chaosOracle(t)
	for _, c := range []struct {
		p       int
		managed int64
	}{{1, 0}, {4, 0}, {1, pebbleEvictingMemory}, {4, pebbleEvictingMemory}} {
		p := c.p
		out := t.TempDir()
		cfg := chaosConfig(t.TempDir())
		cfg.Parallelism, cfg.StateBackend = p, PebbleState
		if c.managed > 0 {
			cfg.ManagedMemorySize, cfg.MemorySegmentSize = c.managed, 256
		}
		env := NewEnvironment(cfg)
		buildChaosJob(env, chaosEvents, out, nil)
		job, err := env.Execute("chaos on pebble")
		if err != nil {
			t.Fatal(err)
		}
		if got := committedSorted(t, out); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("parallelism %d, managed memory %d: pebble output differs from heap: %v", p, c.managed, diff(got, want))
		}
		backends := map[string]bool{}
		for _, v := range job.Snapshot().Vertices {
			for _, st := range v.Subtasks {
				for _, s := range st.State {
					backends[s.Backend] = true
				}
			}
		}
		if len(backends) > 0 && !backends["pebble"] {
			t.Errorf("state reported on %v, want pebble", backends)
		}
	}
}

// TestChaosOnPebble is the exactly-once chaos test with state in Pebble: seeded crashes at every failpoint,
// recovery from incremental Pebble checkpoints, output equal to a crash-free run. Half the seeds run with a write-back cache that holds all the state, half with one that evicts all the
// time.
func TestChaosOnPebble(t *testing.T) {
	want := chaosOracle(t)
	chaosBackend = PebbleState
	defer func() { chaosBackend, chaosManagedMemory = HeapState, 0 }()
	for seed := 1; seed <= max(4, *chaosSeeds/2); seed++ {
		cache := "whole"
		chaosManagedMemory = 0
		if seed%2 == 0 {
			chaosManagedMemory, cache = pebbleEvictingMemory, "evicting"
		}
		t.Run(fmt.Sprintf("seed=%d/cache=%s", seed, cache), func(t *testing.T) {
			got, _ := chaosInProcess(t, rand.New(rand.NewPCG(uint64(seed), 11)))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("committed output differs from the crash-free run: %v", diff(got, want))
			}
		})
	}
}
