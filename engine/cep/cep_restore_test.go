package cep_test

import (
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
	"github.com/de4e/weir/engine/enginetest"
)

// Reading is an event of the restore tests: a key, a kind and a sequence number.
type Reading struct {
	Key  int
	Kind string
	Seq  int
}

func init() { engine.RegisterType(Reading{}) }

func kindIs(k string) cep.Condition {
	return func(v any, _ *cep.ConditionContext) bool { return v.(Reading).Kind == k }
}

// A keyed event-time CEP job that crashes and restores from a checkpoint emits every match exactly once
// into a two-phase-commit sink: partial matches in the shared buffer and events waiting for the watermark
// survive the restore (Flink: CEPRescalingTest / CEPOperatorTest#testKeyedCEPOperatorCheckpointing
// restore the same state from a snapshot).
func TestCrashAndRestoreExactlyOnce(t *testing.T) {
	t.Run("heap", func(t *testing.T) { crashAndRestore(t, engine.DefaultState, 100) })
	// Pebble decodes and encodes a key's whole MapState per access: a smaller input keeps the test short
	t.Run("pebble", func(t *testing.T) { crashAndRestore(t, engine.PebbleState, 20) })
}

func crashAndRestore(t *testing.T, backend engine.StateBackendKind, rounds int) {
	const keys = 20
	var src engine.SliceSource
	var want []string
	ts := int64(0)
	for r := range rounds {
		for _, kind := range []string{"start", "noise", "middle", "end"} {
			for k := range keys {
				ts++
				src = append(src, engine.SourceElement{Value: Reading{k, kind, r}, Timestamp: ts})
			}
		}
		for k := range keys {
			want = append(want, fmt.Sprintf("%d:%d-%d-%d", k, r, r, r))
		}
	}
	slices.Sort(want)
	var processed atomic.Int64
	faults := &enginetest.Faults{}
	faults.Arm(enginetest.FailSourceEmit, len(src)*5/8)
	out := t.TempDir()
	env := engine.NewEnvironment(engine.Config{Parallelism: 4, StateBackend: backend,
		Checkpointing: engine.CheckpointConfig{Interval: 5 * time.Millisecond, Dir: t.TempDir()},
		Restart:       engine.RestartStrategy{Attempts: 2, Delay: time.Millisecond}})
	enginetest.InjectFaults(env, faults)
	strategy := engine.ForMonotonousTimestamps().WithPerRecordEmission()
	in := env.FromSource(src, &strategy, "readings").Map(func(v any) any {
		if processed.Add(1)%20 == 0 {
			time.Sleep(300 * time.Microsecond) // pacing, so that checkpoints complete while the input is read
		}
		return v
	})
	p := cep.Begin("start", cep.SkipPastLastEvent()).Where(kindIs("start")).
		FollowedBy("middle").Where(kindIs("middle")).FollowedBy("end").Where(kindIs("end")).Within(time.Hour)
	cep.CEP.Pattern(in.KeyBy(func(v any) any { return v.(Reading).Key }), p).Select(func(m map[string][]any) any {
		s, mi, e := m["start"][0].(Reading), m["middle"][0].(Reading), m["end"][0].(Reading)
		return fmt.Sprintf("%d:%d-%d-%d", s.Key, s.Seq, mi.Seq, e.Seq)
	}).SinkToFiles(out)
	job, err := env.Execute("cep crash")
	if err != nil {
		t.Fatal(err)
	}
	got, err := engine.ReadCommitted(out)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if job.Restarts() != 1 {
		t.Fatalf("%d restarts, want 1", job.Restarts())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("committed %d matches, want %d (first got %q)", len(got), len(want), got[:min(5, len(got))])
	}
	t.Logf("%d records processed for %d", processed.Load(), len(src))
	if n := processed.Load(); n >= int64(2*len(src)) {
		t.Fatalf("processed %d records for %d: the restart did not resume from a checkpoint", n, len(src))
	}
}

// A snapshot taken with partial matches and buffered events restores into two subtasks (rescaled by key
// group) that complete the same matches; late events go to the side output (Flink:
// CEPRescalingTest#testCEPFunctionScalingUp, CepOperatorTest#testCEPOperatorSideOutputLateElements).
func TestSnapshotRestoreRescaledAndLateData(t *testing.T) {
	late := engine.NewOutputTag("late")
	build := func(k *engine.KeyedStream) *engine.DataStream {
		p := cep.Begin("start").Where(kindIs("start")).FollowedBy("end").Where(kindIs("end")).Within(10 * time.Second)
		return cep.CEP.Pattern(k, p).SideOutputLateData(late).Select(func(m map[string][]any) any {
			return fmt.Sprintf("%d:%d-%d", m["start"][0].(Reading).Key, m["start"][0].(Reading).Seq, m["end"][0].(Reading).Seq)
		})
	}
	key := func(v any) any { return v.(Reading).Key }
	h, err := enginetest.ForKeyedOperator(key, build)
	must(t, err)
	for k := range 8 {
		must(t, h.ProcessElement(Reading{k, "start", 1}, 100))
	}
	must(t, h.ProcessWatermark(150)) // the starts are in the NFA now
	for k := range 8 {
		must(t, h.ProcessElement(Reading{k, "end", 2}, 200)) // buffered until the watermark passes 200
	}
	snap, err := h.Snapshot()
	must(t, err)
	must(t, h.Close())
	var got []string
	for sub := range 2 {
		r, err := enginetest.ForKeyedOperator(key, build, enginetest.Options{Parallelism: 2, Subtask: sub, Restore: []*enginetest.Snapshot{snap}})
		must(t, err)
		must(t, r.ProcessWatermark(300))
		for _, v := range r.ExtractOutputValues() {
			got = append(got, v.(string))
		}
		if r.NumKeyedStateEntries() != 0 {
			t.Errorf("subtask %d keeps %d state entries after every match completed", sub, r.NumKeyedStateEntries())
		}
		must(t, r.Close())
	}
	slices.Sort(got)
	var want []string
	for k := range 8 {
		want = append(want, fmt.Sprintf("%d:1-2", k))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after the rescaled restore: %q, want %q", got, want)
	}

	h2, err := enginetest.ForKeyedOperator(key, build)
	must(t, err)
	defer h2.Close()
	must(t, h2.ProcessWatermark(500))
	must(t, h2.ProcessElement(Reading{1, "start", 9}, 500)) // at the watermark: late
	must(t, h2.ProcessElement(Reading{1, "start", 10}, 501))
	if lateOut := h2.SideOutput(late); len(lateOut) != 1 || lateOut[0].Value.(Reading).Seq != 9 || lateOut[0].Timestamp != 500 {
		t.Fatalf("late side output %v, want the event at 500", lateOut)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
