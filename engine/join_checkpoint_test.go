package engine

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// joinInput is a replayable parallel source of n records rec{key, i} at timestamp i (each reader's records
// in timestamp order, so that none is ever late), pausing now and then so that checkpoints fall mid-stream.
func joinInput(n int64, keys int64, tag string) GeneratorSource {
	return GeneratorSource{Count: n, Gen: func(i int64) SourceElement {
		if i%20 == 0 {
			time.Sleep(300 * time.Microsecond)
		}
		return SourceElement{Value: rec{Key: fmt.Sprintf("%s%d", tag, i%keys), V: i}, Timestamp: i}
	}}
}

// Both joins keep their records in keyed state (the window operator's contents, the interval join's buffers
// and cleanup timers), so a job that crashes and restarts from its last checkpoint must commit exactly what a
// crash-free run computes. The oracle is a plain loop over all pairs; the job runs on the heap and on Pebble.
func TestJoinsRestoreFromCheckpoint(t *testing.T) {
	const n, keys = 1500, 7
	// The two inputs share keys "k0".."k6"; the right input's records are offset by 3 ms.
	pairs := func(join func(l, r int64) bool) []string {
		var want []string
		for l := range int64(n) {
			for r := range int64(n) {
				if l%keys == r%keys && join(l, r+3) {
					want = append(want, fmt.Sprintf("%d|%d", l, r))
				}
			}
		}
		sort.Strings(want)
		return want
	}
	cases := []struct {
		name  string
		build func(left, right *DataStream) *DataStream
		want  []string
	}{
		{"window join", func(left, right *DataStream) *DataStream {
			return left.Join(right).Where(recKey).EqualTo(recKey).Window(TumblingEventTimeWindows(10 * time.Millisecond)).
				Apply(func(l, r any) any { return fmt.Sprintf("%d|%d", l.(rec).V, r.(rec).V) })
		}, pairs(func(l, r int64) bool { return l/10 == r/10 })},
		{"interval join", func(left, right *DataStream) *DataStream {
			return left.KeyBy(recKey).IntervalJoin(right.KeyBy(recKey)).Between(-4*time.Millisecond, 6*time.Millisecond).
				Process(ProcessJoinFunction{ProcessElement: func(_ *JoinContext, l, r any, out Collector) {
					out.Collect(fmt.Sprintf("%d|%d", l.(rec).V, r.(rec).V))
				}})
		}, pairs(func(l, r int64) bool { return r >= l-4 && r <= l+6 })},
	}
	for _, c := range cases {
		for _, backend := range []StateBackendKind{HeapState, PebbleState} {
			t.Run(c.name+"/"+backend.String(), func(t *testing.T) {
				f := &Faults{}
				f.Arm(FailProcess, 1800)
				out := t.TempDir()
				env := NewEnvironment(Config{Parallelism: 2, Faults: f, StateBackend: backend,
					Checkpointing: CheckpointConfig{Interval: 4 * time.Millisecond, Dir: t.TempDir()},
					Restart:       RestartStrategy{Attempts: 3, Delay: time.Millisecond}})
				wm := ForMonotonousTimestamps()
				left := env.FromSource(joinInput(n, keys, "k"), &wm, "left")
				right := env.FromSource(GeneratorSource{Count: n, Gen: func(i int64) SourceElement {
					e := joinInput(n, keys, "k").Gen(i)
					e.Timestamp += 3
					return e
				}}, &wm, "right")
				c.build(left, right).SinkToFiles(out)
				job, err := env.Execute(c.name)
				if err != nil {
					t.Fatal(err)
				}
				restored := false
				for _, e := range job.Events(0) {
					restored = restored || e.Kind == EventCheckpointRestored
				}
				if job.Restarts() == 0 || !restored {
					t.Fatalf("%d restarts, restored from a checkpoint: %v; want a restore", job.Restarts(), restored)
				}
				got := committedSorted(t, out)
				if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
					t.Fatalf("committed %d pairs, the oracle %d; first differences: %v", len(got), len(c.want), diff(got, c.want))
				}
			})
		}
	}
}
