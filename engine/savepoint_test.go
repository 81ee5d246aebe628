package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// pausedSource emits its first n records, then waits (ErrNoData) until resume is closed, then emits the rest.
type pausedSource struct {
	total, pauseAt int64
	resume         chan struct{}
	value          func(n int64) any // the n-th record (from 1); nil: rec{"k<n%20>", 1}
}

func (s *pausedSource) MaxParallelism() int { return 1 }
func (s *pausedSource) Reader(SourceContext) (SourceReader, error) {
	return &pausedReader{s: s}, nil
}

type pausedReader struct {
	s    *pausedSource
	next int64
}

func (r *pausedReader) Read() (SourceElement, error) {
	if r.next >= r.s.total {
		return SourceElement{}, ErrEndOfInput
	}
	if r.next >= r.s.pauseAt {
		select {
		case <-r.s.resume:
		default:
			return SourceElement{}, ErrNoData
		}
	}
	r.next++
	if r.s.value != nil {
		return SourceElement{Value: r.s.value(r.next), Timestamp: r.next}, nil
	}
	return SourceElement{Value: rec{fmt.Sprint("k", r.next%20), 1}, Timestamp: r.next}, nil
}
func (r *pausedReader) Close() error            { return nil }
func (r *pausedReader) Offset() ([]byte, error) { return []byte(fmt.Sprint(r.next)), nil }
func (r *pausedReader) Seek(b []byte) error     { _, err := fmt.Sscan(string(b), &r.next); return err }

// countJob counts records per key (keyed ValueState) and emits the final count of each key when the input
// ends (an event-time timer at the end of time).
func countJob(env *Environment, src Source, out string) {
	env.FromSource(src, nil, "numbers").
		KeyBy(func(v any) any { return v.(rec).Key }).
		Process(ProcessFunction{
			ProcessElement: func(ctx *Context, v any, _ Collector) {
				st := ctx.ValueState(State("n"))
				n, _ := st.Value().(int64)
				st.Update(n + 1)
				ctx.RegisterEventTimeTimer(MaxWatermark - 1)
			},
			OnTimer: func(ctx *Context, _ int64, out Collector) {
				out.Collect(fmt.Sprintf("%v=%v", ctx.CurrentKey(), ctx.ValueState(State("n")).Value()))
			},
		}).SinkToFiles(out)
}

// Flink rule (savepoints and rescaling): a savepoint taken at parallelism 2 restores into a job with
// parallelism 3, keyed state redistributed by key group, and the job finishes with the same result as if it
// had never stopped.
func TestSavepointRestoresWithOtherParallelism(t *testing.T) {
	out := t.TempDir() // both runs write here: the savepoint's sink transactions live in it
	src := &pausedSource{total: 2000, pauseAt: 1200, resume: make(chan struct{})}
	env := NewEnvironment(Config{Parallelism: 2, Checkpointing: CheckpointConfig{Dir: t.TempDir()}})
	countJob(env, src, out)
	job, err := env.ExecuteAsync("before")
	if err != nil {
		t.Fatal(err)
	}
	for {
		s := job.Snapshot()
		if s.Vertices[1].Operators[0].RecordsIn == 1200 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	sp := cancelWithSavepoint(t, job)

	src2 := &pausedSource{total: 2000, pauseAt: 2000, resume: make(chan struct{})}
	env2 := NewEnvironment(Config{Parallelism: 3, Checkpointing: CheckpointConfig{Dir: t.TempDir(), RestoreFrom: sp}})
	// The source keeps parallelism 1 (its reader's position is restored); the keyed operator goes 2 -> 3.
	countJob(env2, src2, out)
	if _, err := env2.Execute("after"); err != nil {
		t.Fatal(err)
	}
	lines, _ := ReadCommitted(out)
	sort.Strings(lines)
	for _, l := range lines {
		if !strings.HasSuffix(l, "=100") {
			t.Fatalf("after the restore: %v (every key should count 100)", lines)
		}
	}
	if len(lines) != 20 {
		t.Fatalf("%d keys, want 20: %v", len(lines), lines)
	}
}

// cancelWithSavepoint takes a savepoint of job into a new temporary directory, waits (at most a minute) for
// it to complete, cancels the job and returns the savepoint's directory, Flink's stop-with-savepoint.
func cancelWithSavepoint(t *testing.T, job *Job) string {
	t.Helper()
	sp := filepath.Join(t.TempDir(), "savepoint")
	id, err := job.TriggerSavepoint(sp)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for !savepointDone(job, id) {
		if time.Now().After(deadline) {
			t.Fatalf("savepoint %d did not complete", id)
		}
		time.Sleep(time.Millisecond)
	}
	job.Cancel()
	job.Wait()
	return sp
}

func savepointDone(j *Job, id int64) bool {
	for _, c := range j.Checkpoints() {
		if c.ID == id && c.Status == CheckpointCompleted {
			return true
		}
	}
	return false
}

// Acceptance (issue 3): a checkpoint whose metadata is damaged is detected, and recovery falls back to the
// previous good checkpoint, with an event saying so.
func TestRecoveryFallsBackFromCorruptCheckpoint(t *testing.T) {
	src := &pausedSource{total: 4000, pauseAt: 3000, resume: make(chan struct{})}
	dir := t.TempDir()
	env := NewEnvironment(Config{Parallelism: 2, Checkpointing: CheckpointConfig{Dir: dir, Retained: 3},
		Restart: RestartStrategy{Attempts: 2, Delay: time.Millisecond}})
	out := t.TempDir()
	countJob(env, src, out)
	job, err := env.ExecuteAsync("fallback")
	if err != nil {
		t.Fatal(err)
	}
	for job.Snapshot().Vertices[1].Operators[0].RecordsIn < 3000 {
		time.Sleep(time.Millisecond)
	}
	var ids []int64
	for range 2 {
		id, err := job.TriggerCheckpoint()
		if err != nil {
			t.Fatal(err)
		}
		for !savepointDone(job, id) {
			time.Sleep(time.Millisecond)
		}
		ids = append(ids, id)
	}
	newest := filepath.Join(dir, fmt.Sprintf("chk-%d", ids[1]), metadataFile)
	b, _ := os.ReadFile(newest)
	os.WriteFile(newest, b[:len(b)/2], 0o644) // truncate the newest checkpoint's metadata
	job.KillTaskManager(1)
	for job.Restarts() == 0 || job.Status() != JobRunning {
		time.Sleep(time.Millisecond)
	}
	close(src.resume)
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	var fellBack bool
	for _, e := range job.Events(0) {
		if e.Kind == EventCheckpointRestored && e.Count == ids[0] {
			fellBack = true
		}
		if e.Kind == EventCheckpointFallback && !strings.Contains(e.Detail, "corrupt") {
			t.Errorf("fallback event without the cause: %s", e.Detail)
		}
	}
	if !fellBack {
		t.Fatalf("did not restore checkpoint %d: %v", ids[0], job.Events(0))
	}
	lines, _ := ReadCommitted(out)
	if len(lines) != 20 {
		t.Fatalf("%d result lines, want 20: %v", len(lines), lines)
	}
	for _, l := range lines {
		if !strings.HasSuffix(l, "=200") {
			t.Fatalf("results after the fallback: %v", lines)
		}
	}
}
