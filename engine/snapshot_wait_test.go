package engine

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// slowSnapshots wraps a state backend so that the asynchronous part of its snapshots waits until the job
// reports itself done (or 300ms pass), and records whether it saw that happen.
type slowSnapshots struct {
	state.Backend
	job      *atomic.Pointer[Job]
	late     *atomic.Bool
	finished chan struct{}
	once     *sync.Once
}

func (b slowSnapshots) SnapshotSync(id int64, dir string) (func() (state.SnapshotStats, error), error) {
	return b.SnapshotSyncWith(id, dir, nil)
}

// SnapshotSyncWith is the backend's, with the slow asynchronous part (the engine snapshots its timers with
// the state through it).
func (b slowSnapshots) SnapshotSyncWith(id int64, dir string, extra []state.ExtraTable) (func() (state.SnapshotStats, error), error) {
	finish, err := b.Backend.SnapshotSyncWith(id, dir, extra)
	if err != nil {
		return nil, err
	}
	return func() (state.SnapshotStats, error) {
		defer b.once.Do(func() { close(b.finished) })
		select {
		case <-b.job.Load().Done():
			b.late.Store(true)
		case <-time.After(300 * time.Millisecond):
		}
		return finish()
	}, nil
}

// lastCheckpointSource triggers a checkpoint of its own job two records before its end.
type lastCheckpointSource struct {
	n   int
	job *atomic.Pointer[Job]
}

func (s lastCheckpointSource) MaxParallelism() int { return 1 }
func (s lastCheckpointSource) Reader(SourceContext) (SourceReader, error) {
	return &lastCheckpointReader{src: s}, nil
}

type lastCheckpointReader struct {
	src lastCheckpointSource
	i   int
}

func (r *lastCheckpointReader) Read() (SourceElement, error) {
	j := r.src.job.Load()
	if j == nil {
		return SourceElement{}, ErrNoData // not started yet: the test has not seen its Job
	}
	if r.i >= r.src.n {
		return SourceElement{}, ErrEndOfInput
	}
	if r.i == r.src.n-2 {
		if _, err := j.TriggerCheckpoint(); err != nil {
			return SourceElement{}, err
		}
	}
	r.i++
	return SourceElement{Value: r.i, Timestamp: NoTimestamp}, nil
}
func (r *lastCheckpointReader) Close() error { return nil }

// A job is done only when nothing of it runs any more: the asynchronous part of a checkpoint taken just before
// the end must finish before the attempt's state backends are closed and Done is closed (Flink's
// SubtaskCheckpointCoordinator waits for its async checkpoint runnables when a task finishes). Before the
// fix, Done closed while the Pebble snapshot below was still running.
func TestJobWaitsForAsynchronousSnapshotsBeforeDone(t *testing.T) {
	var job atomic.Pointer[Job]
	var late atomic.Bool
	finished := make(chan struct{})
	once := &sync.Once{}
	prev := newPebbleBackend
	newPebbleBackend = func(dir string, r keygroup.Range) (state.Backend, error) {
		b, err := prev(dir, r)
		if err != nil {
			return nil, err
		}
		return slowSnapshots{Backend: b, job: &job, late: &late, finished: finished, once: once}, nil
	}
	defer func() { newPebbleBackend = prev }()

	env := NewEnvironment(Config{Parallelism: 1, StateBackend: PebbleState,
		Checkpointing: CheckpointConfig{Dir: t.TempDir()}})
	var sum atomic.Int64
	env.FromSource(lastCheckpointSource{n: 100, job: &job}, nil, "numbers").
		KeyBy(func(v any) any { return v.(int) % 7 }).
		Reduce(func(a, b any) any { return a.(int) + b.(int) }).
		SinkTo("Out", func(v any, _ int64) error { sum.Add(int64(v.(int))); return nil })
	j, err := env.ExecuteAsync("snapshot at the end")
	if err != nil {
		t.Fatal(err)
	}
	job.Store(j)
	if err := j.Wait(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-finished:
	default:
		t.Fatal("the job was done while the asynchronous part of its last checkpoint still ran")
	}
	if late.Load() {
		t.Fatal("the asynchronous snapshot saw the job done before it finished")
	}
	var completed bool
	for _, c := range j.Checkpoints() {
		completed = completed || (c.ID == 1 && c.Status == CheckpointCompleted)
	}
	if !completed {
		t.Errorf("checkpoint 1 did not complete: %+v", j.Checkpoints())
	}
}
