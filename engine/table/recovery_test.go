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

// gatedSource replays words[i] for i < open at once, and the rest once release is closed; its position
// is checkpointed (it reads through a GeneratorSource's replayable reader).
type gatedSource struct {
	words   []string
	open    int64
	release chan struct{}
}

func (g gatedSource) Boundedness() engine.Boundedness { return engine.BoundedInput }

func (g gatedSource) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	inner, err := engine.GeneratorSource{Count: int64(len(g.words)), Gen: func(i int64) engine.SourceElement {
		return engine.SourceElement{Value: map[string]any{"word": g.words[i], "n": i}, Timestamp: engine.NoTimestamp}
	}}.Reader(ctx)
	if err != nil {
		return nil, err
	}
	return &gatedReader{ReplayableReader: inner.(engine.ReplayableReader), g: g}, nil
}

type gatedReader struct {
	engine.ReplayableReader
	g    gatedSource
	read int64
}

func (r *gatedReader) Read() (engine.SourceElement, error) {
	if r.read >= r.g.open {
		select {
		case <-r.g.release:
		default:
			return engine.SourceElement{}, engine.ErrNoData
		}
	}
	e, err := r.ReplayableReader.Read()
	if err == nil {
		r.read++
	}
	return e, err
}

func (r *gatedReader) Seek(offset []byte) error {
	r.read = 0 // after a restore the gate is judged by what this attempt read
	return r.ReplayableReader.Seek(offset)
}

// A GROUP BY's changelog written by an exactly-once sink through a crash: the job fails after a
// checkpoint, restarts from it (the aggregation's state and the source's position restored) and the
// committed output holds every change exactly once, the same changes as a run without a crash.
func TestGroupByExactlyOnceThroughCrash(t *testing.T) {
	var words []string
	for i := 0; i < 40; i++ {
		words = append(words, fmt.Sprintf("w%d", i%5))
	}
	var want []string
	counts := map[string]int{}
	for _, w := range words {
		counts[w]++
		if counts[w] == 1 {
			want = append(want, fmt.Sprintf("+I[%s, 1]", w))
		} else {
			want = append(want, fmt.Sprintf("-U[%s, %d]", w, counts[w]-1), fmt.Sprintf("+U[%s, %d]", w, counts[w]))
		}
	}
	sort.Strings(want)
	for _, backend := range []engine.StateBackendKind{engine.HeapState, engine.PebbleState} {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%v/p%d", backend, p), func(t *testing.T) {
				got := throughCrash(t, backend, p, words, Schema{Columns: []SchemaColumn{{Name: "word", Type: "STRING"}, {Name: "n", Type: "BIGINT"}}},
					"SELECT word, COUNT(*) AS cnt FROM words GROUP BY word", "GroupAggregate")
				equalLines(t, "committed changelog", got, want)
			})
		}
	}
}

// throughCrash runs query over the table words (the rows of words through schema, 17 of them at first)
// and the tables the statements ddl create, with an exactly-once file sink of its changelog, checkpoints once the operator named op has received
// those 17 rows, lets the rest through, fails the job once and returns the committed output, sorted.
func throughCrash(t *testing.T, backend engine.StateBackendKind, p int, words []string, schema Schema, query, op string, ddl ...string) []string {
	t.Helper()
	out := t.TempDir()
	crashJob(t, backend, p, words, schema, op, func(tenv *Environment) (*engine.Job, error) {
		for _, st := range ddl {
			if _, err := tenv.ExecuteSQL(st); err != nil {
				return nil, err
			}
		}
		result, err := tenv.SQLQuery(query)
		if err != nil {
			return nil, err
		}
		changes, err := tenv.ToChangelogStream(result)
		if err != nil {
			return nil, err
		}
		changes.SinkToFiles(out)
		return tenv.env.ExecuteAsync("through a crash")
	})
	return readCommitted(t, out)
}

// crashJob registers the table words (the rows of words through schema, 17 of them at first) on an
// Environment with checkpointing and one restart, lets start add the sinks and start the job, checkpoints
// once the operator named op has received 17 rows, lets the rest through, fails the job once and waits
// for it to finish after exactly one restart.
func crashJob(t *testing.T, backend engine.StateBackendKind, p int, words []string, schema Schema, op string, start func(*Environment) (*engine.Job, error)) {
	t.Helper()
	env := engine.NewEnvironment(engine.Config{Parallelism: p, StateBackend: backend,
		Checkpointing: engine.CheckpointConfig{Dir: t.TempDir()}, Restart: engine.RestartStrategy{Attempts: 1}})
	faults := &enginetest.Faults{}
	enginetest.InjectFaults(env, faults)
	release := make(chan struct{})
	src := env.FromSource(gatedSource{words: words, open: 17, release: release}, nil, "words").SetParallelism(1)
	tenv := NewEnvironment(env)
	tab, err := tenv.FromDataStream(src, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := tenv.CreateTemporaryView("words", tab); err != nil {
		t.Fatal(err)
	}
	job, err := start(tenv)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { job.Cancel(); _ = job.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	// Wait until the operator has received the rows let through, then checkpoint.
	vertex, operator := -1, 0
	for i, v := range job.Snapshot().Vertices {
		for j, o := range v.Operators {
			if strings.Contains(o.Name, op) {
				vertex, operator = i, j
			}
		}
	}
	if vertex < 0 {
		t.Fatalf("no operator %s in the job", op)
	}
	for job.Snapshot().Vertices[vertex].Operators[operator].RecordsIn < 17 {
		if time.Now().After(deadline) {
			t.Fatalf("%s received %d rows, want 17", op, job.Snapshot().Vertices[vertex].Operators[operator].RecordsIn)
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
}

// readCommitted returns the committed lines of the exactly-once file sink directory dir, sorted.
func readCommitted(t *testing.T, dir string) []string {
	t.Helper()
	got, err := engine.ReadCommitted(dir)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	return got
}

func checkpointCompleted(job *engine.Job, id int64) bool {
	for _, c := range job.Checkpoints() {
		if c.ID == id && c.Status == engine.CheckpointCompleted {
			return true
		}
	}
	return false
}

// A HOP window aggregation, which keeps its rows in slices (one list per group in ValueState) and fires its
// windows by timers, through a crash: the committed output holds each window's row exactly once, as
// computed here.
func TestHopWindowExactlyOnceThroughCrash(t *testing.T) {
	var words []string
	for i := 0; i < 40; i++ {
		words = append(words, fmt.Sprintf("w%d", i%5))
	}
	var want []string
	for k := 0; k < 5; k++ {
		for start := -10; start <= 30; start += 10 { // windows of 20 ms sliding by 10 ms over ts = n ms
			var ns []int
			for n := start; n < start+20; n++ {
				if n >= 0 && n < len(words) && n%5 == k {
					ns = append(ns, n)
				}
			}
			if len(ns) == 0 {
				continue
			}
			sum := 0
			for _, n := range ns {
				sum += n
			}
			want = append(want, fmt.Sprintf("+I[w%d, %d, %d, %d, %d]", k, len(ns), sum, ns[0], ns[len(ns)-1]))
		}
	}
	want = sorted(want)
	schema := Schema{Columns: []SchemaColumn{{Name: "word", Type: "STRING"}, {Name: "n", Type: "BIGINT"}, {Name: "ts", Type: "TIMESTAMP(3)", Field: "n"}}, Rowtime: "ts"}
	for _, backend := range []engine.StateBackendKind{engine.HeapState, engine.PebbleState} {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%v/p%d", backend, p), func(t *testing.T) {
				got := throughCrash(t, backend, p, words, schema, "SELECT word, COUNT(*), SUM(n), MIN(n), MAX(n) FROM TABLE("+
					"HOP(TABLE words, DESCRIPTOR(ts), INTERVAL '10' MILLISECOND, INTERVAL '20' MILLISECOND)) "+
					"GROUP BY word, window_start, window_end", "WindowAggregate")
				equalLines(t, "committed changelog", got, want)
			})
		}
	}
}
