package engine

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// heldInput is a replayable parallel source of n records rec{"k" + i%keys, i} at timestamp i+offset (each
// reader's records in timestamp order, so that none is ever late). Its readers stop before record hold and
// wait (ErrNoData, so that barriers still pass) until release is closed.
type heldInput struct {
	gen     GeneratorSource
	hold    int64
	release chan struct{}
}

func newHeldInput(n, keys, offset int64, release chan struct{}) heldInput {
	return heldInput{gen: GeneratorSource{Count: n, Gen: func(i int64) SourceElement {
		return SourceElement{Value: rec{Key: fmt.Sprintf("k%d", i%keys), V: i}, Timestamp: i + offset}
	}}, hold: n / 2, release: release}
}

func (s heldInput) Reader(ctx SourceContext) (SourceReader, error) {
	r, err := s.gen.Reader(ctx)
	return &heldReader{genReader: r.(*genReader), s: s}, err
}

type heldReader struct {
	*genReader
	s heldInput
}

func (r *heldReader) Read() (SourceElement, error) {
	if r.next >= r.s.hold {
		select {
		case <-r.s.release:
		default:
			return SourceElement{}, ErrNoData
		}
	}
	return r.genReader.Read()
}

// Both joins keep their records in keyed state (the window operator's contents, the interval join's buffers
// and cleanup timers), so a job that crashes and restarts from a checkpoint must commit exactly what a
// crash-free run computes. The job reads half of each input, takes a checkpoint, crashes on the next record
// and restores; the oracle is a plain loop over all pairs. The interval join, whose buffers are laid out by
// this package, also runs on Pebble (the window operator's state is covered by the Pebble tests of windows).
func TestJoinsRestoreFromCheckpoint(t *testing.T) {
	const keys, offset = 7, 3 // the right input's timestamps are 3 ms later
	pairs := func(n int64, join func(l, r int64) bool) []string {
		var want []string
		for l := range n {
			for r := range n {
				if l%keys == r%keys && join(l, r+offset) {
					want = append(want, fmt.Sprintf("%d|%d", l, r))
				}
			}
		}
		sort.Strings(want)
		return want
	}
	cases := []struct {
		name     string
		build    func(left, right *DataStream) *DataStream
		join     func(l, r int64) bool // the oracle's rule
		backends []StateBackendKind
	}{
		{"window join", func(left, right *DataStream) *DataStream {
			return left.Join(right).Where(recKey).EqualTo(recKey).Window(TumblingEventTimeWindows(10 * time.Millisecond)).
				Apply(func(l, r any) any { return fmt.Sprintf("%d|%d", l.(rec).V, r.(rec).V) })
		}, func(l, r int64) bool { return l/10 == r/10 }, []StateBackendKind{HeapState}},
		{"interval join", func(left, right *DataStream) *DataStream {
			return left.KeyBy(recKey).IntervalJoin(right.KeyBy(recKey)).Between(-4*time.Millisecond, 6*time.Millisecond).
				Process(ProcessJoinFunction{ProcessElement: func(_ *JoinContext, l, r any, out Collector) {
					out.Collect(fmt.Sprintf("%d|%d", l.(rec).V, r.(rec).V))
				}})
		}, func(l, r int64) bool { return r >= l-4 && r <= l+6 }, []StateBackendKind{HeapState, PebbleState}},
	}
	for _, c := range cases {
		for _, backend := range c.backends {
			t.Run(c.name+"/"+backend.String(), func(t *testing.T) {
				n := int64(1200)
				if backend == PebbleState {
					n = 400 // every state access encodes or decodes a value: slow under the race detector
				}
				want := pairs(n, c.join)
				f := &Faults{}
				out := t.TempDir()
				env := withFaults(NewEnvironment(Config{Parallelism: 2, StateBackend: backend,
					Checkpointing: CheckpointConfig{Dir: t.TempDir()},
					Restart:       RestartStrategy{Attempts: 1, Delay: time.Millisecond}}), f)
				wm := ForMonotonousTimestamps()
				release := make(chan struct{})
				left := env.FromSource(newHeldInput(n, keys, 0, release), &wm, "left")
				right := env.FromSource(newHeldInput(n, keys, offset, release), &wm, "right")
				c.build(left, right).SinkToFiles(out)
				job, err := env.ExecuteAsync(c.name)
				if err != nil {
					t.Fatal(err)
				}
				// Wait until the join has received the first half of both inputs, checkpoint it, then let the
				// rest through and crash on the first record.
				join := -1
				for i, v := range job.Plan().Vertices {
					if len(v.Inputs) == 2 {
						join = i
					}
				}
				deadline := time.Now().Add(time.Minute)
				for job.Snapshot().Vertices[join].Operators[0].RecordsIn < n {
					if time.Now().After(deadline) {
						t.Fatalf("the join received %d records, want %d", job.Snapshot().Vertices[join].Operators[0].RecordsIn, n)
					}
					time.Sleep(time.Millisecond)
				}
				crashAfterCheckpoint(t, job, f, release, deadline)
				got := committedSorted(t, out)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("committed %d pairs, the oracle %d; first differences: %v", len(got), len(want), diff(got, want))
				}
			})
		}
	}
}

// crashAfterCheckpoint takes a checkpoint of job while its inputs are held back, then releases them with a
// fault armed on the next record, waits for the job, and fails t unless it restarted once, from that
// checkpoint.
func crashAfterCheckpoint(t *testing.T, job *Job, f *Faults, release chan struct{}, deadline time.Time) {
	t.Helper()
	id, err := job.TriggerCheckpoint()
	if err != nil {
		t.Fatal(err)
	}
	for !savepointDone(job, id) {
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %d did not complete: %+v", id, job.Checkpoints())
		}
		time.Sleep(time.Millisecond)
	}
	f.Arm(FailProcess, 1)
	close(release)
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	restored := false
	for _, e := range job.Events(0) {
		restored = restored || (e.Kind == EventCheckpointRestored && e.Count == id)
	}
	if job.Restarts() != 1 || !restored {
		t.Fatalf("%d restarts, restored checkpoint %d: %v; want one restart from it", job.Restarts(), id, restored)
	}
}
