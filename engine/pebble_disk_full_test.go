package engine

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/de4e/weir/engine/internal/state"
)

// A full disk under the Pebble backend used to hang the job in Pebble's write stall, with no error. Now the
// checkpoint that cannot flush fails the task with an error naming the database's directory and "no space
// left on device", the job restarts, and once there is space again it recovers from its last checkpoint and
// writes every result exactly once (Flink: a RocksDB write error fails the task, and the job fails over to
// its latest completed checkpoint).
func TestPebbleFullDiskFailsTheTaskAndRecoversWhenSpaceReturns(t *testing.T) {
	disk, restore := state.UseFullDisk()
	defer restore()
	src := &limitSource{total: 300}
	out := t.TempDir()
	env := NewEnvironment(Config{Parallelism: 1, StateBackend: PebbleState,
		Checkpointing: CheckpointConfig{Dir: t.TempDir()},
		Restart:       RestartStrategy{Attempts: 5, Delay: 20 * time.Millisecond}})
	seen := &atomic.Int64{}
	env.FromSource(src, nil, "numbers").KeyBy(func(v any) any { return v.(int64) % 7 }).
		Process(ProcessFunction{ProcessElement: func(ctx *Context, v any, out Collector) {
			st := ctx.ValueState(State("count"))
			n, _ := st.Value().(int64)
			st.Update(n + 1)
			out.Collect(fmt.Sprintf("%d #%d", v, n+1))
			if x := v.(int64); x > seen.Load() {
				seen.Store(x)
			}
		}}).SinkToFiles(out)
	job, err := env.ExecuteAsync("full disk")
	if err != nil {
		t.Fatal(err)
	}
	l := &lingeringJob{t: t, src: src, job: job, out: out, seen: seen}
	l.feed(100)
	l.checkpoint(100)
	l.feed(200)
	disk.Full.Store(true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.failCheckpoint() // the checkpoint's flush meets the full disk and fails the task
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the job hung on the full disk")
	}
	disk.Full.Store(false)
	var why string
	for _, e := range job.Events(0) {
		if e.Kind == EventJobRestarting && why == "" {
			why = e.Detail
		}
	}
	if !strings.Contains(why, "no space left on device") || !strings.Contains(why, "pebble in ") {
		t.Errorf("the job restarted because of %q; want the full disk named with the database's directory", why)
	}
	src.limit.Store(300)
	if err := job.Wait(); err != nil {
		t.Fatalf("the job did not recover once space returned: %v", err)
	}
	got, err := ReadCommitted(out)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	var want []string
	for i := int64(1); i <= 300; i++ {
		want = append(want, fmt.Sprintf("%d #%d", i, (i-i%7)/7+map[bool]int64{true: 1, false: 0}[i%7 != 0]))
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("committed %d lines, want %d; first differences: %v", len(got), len(want), diff(got, want))
	}
}
