package bench

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/de4e/weir/engine"
)

// Checkpoint cost against state size, and recovery time: a keyed job counts records per key for n distinct
// keys (one ValueState entry each), then waits with its state in place while a checkpoint is taken (and,
// for recovery, a TaskManager is killed and the job restored from it). The figures are reported per key
// (events = keys), plus the checkpoint's own figures and the Go heap the filled state takes.
func init() {
	for _, backend := range []engine.StateBackendKind{engine.HeapState, engine.PebbleState} {
		for _, keys := range []int64{1_000_000, 10_000_000} {
			name := fmt.Sprintf("checkpoint-%dM-keys/%v", keys/1_000_000, backend)
			Register(Case{Name: name, About: fmt.Sprintf("fill %d keys of %v state, then checkpoint them (and report the checkpoint's figures)", keys, backend),
				Scale:      float64(keys) / 2_000_000,
				Checkpoint: func() Checkpoint { return lastCheckpoint },
				Run: func(n int64) (int64, error) {
					ck, err := stateJob(n, backend, false)
					lastCheckpoint = ck
					return n, err
				}})
		}
		Register(Case{Name: fmt.Sprintf("recovery-1M-keys/%v", backend), About: fmt.Sprintf("fill 1,000,000 keys of %v state, checkpoint, kill a TaskManager: the time until the job runs again restored", backend),
			Scale:      0.5,
			Checkpoint: func() Checkpoint { return lastCheckpoint },
			Run: func(n int64) (int64, error) {
				ck, err := stateJob(n, backend, true)
				lastCheckpoint = ck
				return n, err
			}})
	}
}

// lastCheckpoint keeps the latest measurement for the report (weir bench prints it).
var lastCheckpoint Checkpoint

// checkpointFigures converts the engine's statistics of a checkpoint.
func checkpointFigures(st engine.CheckpointStats) Checkpoint {
	return Checkpoint{Millis: millis(st.Duration), SyncMillis: millis(st.SyncMax), AsyncMillis: millis(st.AsyncMax),
		Bytes: st.Bytes, NewBytes: st.NewBytes}
}

// liveHeap returns the Go heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// keySource produces n records with distinct keys, then nothing (it stays open, so state stays in place).
type keySource struct{ n int64 }

func (s keySource) MaxParallelism() int { return 1 }
func (s keySource) Reader(engine.SourceContext) (engine.SourceReader, error) {
	return &keyReader{n: s.n}, nil
}

type keyReader struct{ n, next int64 }

func (r *keyReader) Read() (engine.SourceElement, error) {
	if r.next >= r.n {
		time.Sleep(time.Millisecond)
		return engine.SourceElement{}, engine.ErrNoData
	}
	r.next++
	return engine.SourceElement{Value: r.next, Timestamp: engine.NoTimestamp}, nil
}
func (r *keyReader) Close() error            { return nil }
func (r *keyReader) Offset() ([]byte, error) { return []byte(fmt.Sprint(r.next)), nil }
func (r *keyReader) Seek(b []byte) error     { _, err := fmt.Sscan(string(b), &r.next); return err }

// stateJob fills keyed state with n keys, measures the Go heap they take, checkpoints them, and with recover
// set kills a TaskManager and measures the time until the job runs again from that checkpoint.
func stateJob(n int64, backend engine.StateBackendKind, recover bool) (Checkpoint, error) {
	dir, err := os.MkdirTemp("", "weir-bench-state-")
	if err != nil {
		return Checkpoint{}, err
	}
	defer os.RemoveAll(dir)
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, StateBackend: backend,
		Checkpointing: engine.CheckpointConfig{Dir: dir},
		Restart:       engine.RestartStrategy{Attempts: 1, Delay: time.Millisecond}})
	seen := engine.State("seen")
	env.FromSource(keySource{n}, nil, "keys").
		KeyBy(func(v any) any { return v }).
		Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, _ engine.Collector) {
			ctx.ValueState(seen).Update(int64(1))
		}}).
		SinkTo("discard", discard)
	job, err := env.ExecuteAsync("state")
	if err != nil {
		return Checkpoint{}, err
	}
	// Wait for the job to end before its directory goes: Pebble compacts in the background.
	defer func() { job.Cancel(); <-job.Done() }()
	for processed(job) < n { // wait until every key is in state
		if err := job.Err(); err != nil {
			return Checkpoint{}, err
		}
		time.Sleep(5 * time.Millisecond)
	}
	live := liveHeap()
	id, err := job.TriggerCheckpoint()
	if err != nil {
		return Checkpoint{}, err
	}
	st, err := waitCheckpoint(job, id)
	ck := checkpointFigures(st)
	ck.LiveHeapBytes = live
	if err != nil || !recover {
		return ck, err
	}
	start := time.Now()
	if err := job.KillTaskManager(1); err != nil {
		return ck, err
	}
	for job.Restarts() == 0 || job.Status() != engine.JobRunning {
		if job.Status().Terminal() {
			return ck, fmt.Errorf("the job ended instead of recovering: %v", job.Err())
		}
		time.Sleep(100 * time.Microsecond)
	}
	ck.RecoveryMillis = millis(time.Since(start))
	return ck, nil
}

func processed(job *engine.Job) int64 {
	s := job.Snapshot()
	return s.Vertices[len(s.Vertices)-1].Operators[0].RecordsIn
}

func waitCheckpoint(job *engine.Job, id int64) (engine.CheckpointStats, error) {
	for {
		for _, c := range job.Checkpoints() {
			if c.ID != id {
				continue
			}
			switch c.Status {
			case engine.CheckpointCompleted:
				return c, nil
			case engine.CheckpointAborted:
				return c, fmt.Errorf("checkpoint %d aborted: %s", id, c.Reason)
			}
		}
		time.Sleep(time.Millisecond)
	}
}
