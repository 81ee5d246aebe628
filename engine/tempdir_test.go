package engine

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// checkpointTempDirs lists the temporary checkpoint directories jobs left in os.TempDir().
func checkpointTempDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), checkpointTempPrefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// Jobs that are not given a checkpoint directory make a temporary one and remove it when they end, however
// they end (finished, failed, canceled, refused at the start), with heap and Pebble state; they leave no
// goroutine behind. A savepoint written into such a directory is kept, and so is a directory the
// configuration gave.
func TestJobsRemoveTheirTemporaryCheckpointDirectory(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // other test processes may run jobs in the shared temporary folder
	before := checkpointTempDirs(t)
	goroutines := runtime.NumGoroutine()
	numbers := func(n int) []any {
		vs := make([]any, n)
		for i := range vs {
			vs[i] = i
		}
		return vs
	}
	sum := func(a, b any) any { return a.(int) + b.(int) }
	for _, backend := range []StateBackendKind{HeapState, PebbleState} {
		// Finished, with periodic checkpoints and a final one.
		env := NewEnvironment(Config{Parallelism: 2, StateBackend: backend, Checkpointing: CheckpointConfig{Interval: time.Millisecond}})
		env.FromSlice(numbers(2000)).KeyBy(func(v any) any { return v.(int) % 5 }).Reduce(sum).SinkTo("Out", func(any, int64) error { return nil })
		if _, err := env.Execute("finished"); err != nil {
			t.Fatal(err)
		}
		// Failed.
		env = NewEnvironment(Config{Parallelism: 2, StateBackend: backend})
		env.FromSlice(numbers(10)).KeyBy(func(v any) any { return v }).Reduce(sum).SinkTo("Out", func(any, int64) error { return errSinkDown })
		if _, err := env.Execute("failed"); !errors.Is(err, errSinkDown) {
			t.Fatalf("got %v", err)
		}
		// Canceled.
		env = NewEnvironment(Config{Parallelism: 2, StateBackend: backend})
		env.FromSource(GeneratorSource{Gen: func(i int64) SourceElement { return SourceElement{Value: int(i), Timestamp: i} }}, nil, "forever").
			KeyBy(func(v any) any { return v.(int) % 3 }).Reduce(sum).SinkTo("Out", func(any, int64) error { return nil })
		j, err := env.ExecuteAsync("canceled")
		if err != nil {
			t.Fatal(err)
		}
		j.Cancel()
		if err := j.Wait(); !errors.Is(err, ErrCanceled) {
			t.Fatalf("got %v", err)
		}
		// Refused at the start: the checkpoint to restore from does not exist.
		env = NewEnvironment(Config{Checkpointing: CheckpointConfig{RestoreFrom: filepath.Join(t.TempDir(), "nothing")}})
		env.FromElements(1).SinkTo("Out", func(any, int64) error { return nil })
		if _, err := env.ExecuteAsync("refused"); err == nil {
			t.Fatal("a job restoring from a missing checkpoint started")
		}
	}
	if after := checkpointTempDirs(t); len(after) != len(before) {
		t.Errorf("temporary checkpoint directories: %d before the jobs, %d after: %v", len(before), len(after), after)
	}
	if n, ok := goroutinesSettle(goroutines, 5*time.Second); !ok {
		t.Errorf("%d goroutines after the jobs ended, %d before", n, goroutines)
	}

	// A given directory is kept, with its checkpoints; a savepoint in a job's own directory outlives it.
	dir := filepath.Join(t.TempDir(), "ckpt")
	env := NewEnvironment(Config{Parallelism: 1, Checkpointing: CheckpointConfig{Dir: dir}})
	env.FromElements(1, 2, 3).KeyBy(func(v any) any { return v }).Reduce(sum).SinkTo("Out", func(any, int64) error { return nil })
	if _, err := env.Execute("given dir"); err != nil {
		t.Fatal(err)
	}
	if _, err := LatestCheckpoint(dir); err != nil {
		t.Errorf("the given checkpoint directory lost its final checkpoint: %v", err)
	}
	env = NewEnvironment(Config{Parallelism: 1})
	env.FromSource(GeneratorSource{Gen: func(i int64) SourceElement { return SourceElement{Value: int(i), Timestamp: i} }}, nil, "forever").
		KeyBy(func(v any) any { return v.(int) % 3 }).Reduce(sum).SinkTo("Out", func(any, int64) error { return nil })
	j, err := env.ExecuteAsync("savepoint")
	if err != nil {
		t.Fatal(err)
	}
	id, err := j.TriggerSavepoint("")
	for errors.Is(err, ErrCheckpointDeclined) { // until the first attempt has started
		time.Sleep(time.Millisecond)
		id, err = j.TriggerSavepoint("")
	}
	if err != nil {
		t.Fatal(err)
	}
	for !savepointDone(j, id) {
		if j.Status().Terminal() {
			t.Fatalf("the job ended: %v", j.Err())
		}
		time.Sleep(time.Millisecond)
	}
	j.Cancel()
	j.Wait()
	sp := filepath.Join(j.CheckpointDir(), "chk-1")
	if _, err := readMetadata(sp); err != nil {
		t.Errorf("the savepoint in the job's own directory was removed: %v", err)
	}
	if entries, _ := os.ReadDir(j.CheckpointDir()); len(entries) != 1 {
		t.Errorf("the job's own directory holds %d entries, want only the savepoint", len(entries))
	}
	os.RemoveAll(j.CheckpointDir())
}
