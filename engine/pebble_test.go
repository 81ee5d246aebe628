package engine

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPebbleGivesTheHeapsResults runs the chaos job (keyed state, an event-time window, a two-input keyed
// operator with timers, the transactional sink) crash-free on the Pebble backend at parallelism 1 and 4:
// its committed output must equal the heap backend's. Flink's contract is that the state backend changes
// where state lives, never what a job computes.
func TestPebbleGivesTheHeapsResults(t *testing.T) {
	want := chaosOracle(t)
	for _, p := range []int{1, 4} {
		out := t.TempDir()
		cfg := chaosConfig(t.TempDir())
		cfg.Parallelism, cfg.StateBackend = p, PebbleState
		env := NewEnvironment(cfg)
		buildChaosJob(env, chaosEvents, out, nil)
		job, err := env.Execute("chaos on pebble")
		if err != nil {
			t.Fatal(err)
		}
		if got := committedSorted(t, out); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("parallelism %d: pebble output differs from heap: %v", p, diff(got, want))
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
// recovery from incremental Pebble checkpoints, output equal to a crash-free run.
func TestChaosOnPebble(t *testing.T) {
	want := chaosOracle(t)
	chaosBackend = PebbleState
	defer func() { chaosBackend = HeapState }()
	for seed := 1; seed <= max(3, *chaosSeeds/2); seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			got, _ := chaosInProcess(t, rand.New(rand.NewPCG(uint64(seed), 11)))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("committed output differs from the crash-free run: %v", diff(got, want))
			}
		})
	}
}
