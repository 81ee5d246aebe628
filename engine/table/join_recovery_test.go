package table

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/enginetest"
)

// A regular join's output written by an exactly-once sink through a crash: the job fails after a
// checkpoint taken while the join holds both sides' rows in MapState, restarts from it, and the committed
// output holds every joined row exactly once.
func TestJoinExactlyOnceThroughCrash(t *testing.T) {
	var words []string
	for i := 0; i < 40; i++ {
		words = append(words, fmt.Sprintf("w%d", i%5))
	}
	var want []string
	for i, w := range words {
		want = append(want, fmt.Sprintf("+I[%s, %d, label of %s]", w, i, w))
	}
	sort.Strings(want)
	for _, backend := range []engine.StateBackendKind{engine.HeapState, engine.PebbleState} {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%v/p%d", backend, p), func(t *testing.T) {
				out := t.TempDir()
				env := engine.NewEnvironment(engine.Config{Parallelism: p, StateBackend: backend,
					Checkpointing: engine.CheckpointConfig{Dir: t.TempDir()}, Restart: engine.RestartStrategy{Attempts: 1}})
				faults := &enginetest.Faults{}
				enginetest.InjectFaults(env, faults)
				release := make(chan struct{})
				tenv := NewEnvironment(env)
				left := env.FromSource(gatedSource{words: words, open: 17, release: release}, nil, "words").SetParallelism(1)
				right := env.FromSource(engine.GeneratorSource{Count: 5, Gen: func(i int64) engine.SourceElement {
					w := fmt.Sprintf("w%d", i)
					return engine.SourceElement{Value: map[string]any{"word": w, "label": "label of " + w}, Timestamp: engine.NoTimestamp}
				}}, nil, "labels").SetParallelism(1)
				lt, err := tenv.FromDataStream(left, Schema{Columns: []SchemaColumn{{Name: "word", Type: "STRING"}, {Name: "n", Type: "BIGINT"}}})
				if err != nil {
					t.Fatal(err)
				}
				rt, err := tenv.FromDataStream(right, Schema{Columns: []SchemaColumn{{Name: "word", Type: "STRING"}, {Name: "label", Type: "STRING"}}})
				if err != nil {
					t.Fatal(err)
				}
				if err := tenv.CreateTemporaryView("words", lt); err != nil {
					t.Fatal(err)
				}
				if err := tenv.CreateTemporaryView("labels", rt); err != nil {
					t.Fatal(err)
				}
				joined, err := tenv.SQLQuery("SELECT w.word, w.n, l.label FROM words AS w JOIN labels AS l ON w.word = l.word")
				if err != nil {
					t.Fatal(err)
				}
				changes, err := tenv.ToChangelogStream(joined)
				if err != nil {
					t.Fatal(err)
				}
				changes.SinkToFiles(out)
				job, err := env.ExecuteAsync("joined words")
				if err != nil {
					t.Fatal(err)
				}
				defer func() { job.Cancel(); _ = job.Wait() }()
				deadline := time.Now().Add(30 * time.Second)
				join := -1
				for i, v := range job.Plan().Vertices {
					if strings.Contains(v.Name, "Join(") {
						join = i
					}
				}
				for job.Snapshot().Vertices[join].Operators[0].RecordsIn < 17+5 {
					if time.Now().After(deadline) {
						t.Fatalf("the join received %d rows, want 22", job.Snapshot().Vertices[join].Operators[0].RecordsIn)
					}
					time.Sleep(time.Millisecond)
				}
				id, err := job.TriggerCheckpoint()
				if err != nil {
					job.Cancel()
					t.Fatal(err, job.Wait())
				}
				for !checkpointCompleted(job, id) {
					if time.Now().After(deadline) {
						t.Fatalf("checkpoint %d did not complete: %+v", id, job.Checkpoints())
					}
					time.Sleep(time.Millisecond)
				}
				faults.Arm(enginetest.FailProcess, 1)
				close(release)
				if err := job.Wait(); err != nil {
					t.Fatal(err)
				}
				if job.Restarts() != 1 {
					t.Fatalf("%d restarts, want 1", job.Restarts())
				}
				got, err := engine.ReadCommitted(out)
				if err != nil {
					t.Fatal(err)
				}
				sort.Strings(got)
				equalLines(t, "committed joined rows", got, want)
			})
		}
	}
}
