package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// batchInput is keyed events "key:value" with event timestamps, out of key order, with watermarks in the
// source (which Batch mode must not pass on).
func batchInput() SliceSource { return batchElements(true) }

// batchElements is batchInput, with or without its watermarks.
func batchElements(watermarks bool) SliceSource {
	var s SliceSource
	for _, e := range []struct {
		k  string
		v  int
		ts int64
	}{{"b", 1, 5}, {"a", 2, 12}, {"c", 3, 1}, {"a", 4, 3}, {"b", 5, 25}, {"a", 6, 14}, {"c", 7, 40}} {
		s = append(s, SourceElement{Value: fmt.Sprintf("%s:%d", e.k, e.v), Timestamp: e.ts})
		if watermarks {
			s = append(s, SourceElement{Value: Watermark{e.ts - 1}})
		}
	}
	return s
}

func keyOf(v any) any { return strings.Split(v.(string), ":")[0] }

func valueOf(v any) int {
	var n int
	fmt.Sscan(strings.Split(v.(string), ":")[1], &n)
	return n
}

func runBatchJob(t *testing.T, mode RuntimeMode, par int, build func(env *Environment) *Collected) (*Job, []string) {
	t.Helper()
	env := NewEnvironment(Config{Parallelism: par, Clock: NewVirtualClock(0), RuntimeMode: mode})
	out := build(env)
	job, err := env.Execute("batch test")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range out.Values() { // arrival order
		got = append(got, fmt.Sprint(v))
	}
	return job, got
}

// Flink ("Execution Mode (Batch/Streaming)", Order of processing; SortingInputsTest): in BATCH mode a keyed
// operator sees its input grouped by key and, within a key, ordered by timestamp; its watermark is -inf
// while it processes records, and every event-time timer of a key fires (watermark +inf) when the key is
// done, before the next key's records (BatchExecutionInternalTimeService; BatchExecutionKeyedStateBackendTest).
func TestBatchSortedKeysAndTimersPerKey(t *testing.T) {
	process := ProcessFunction{
		ProcessElement: func(ctx *Context, v any, out Collector) {
			out.Collect(fmt.Sprintf("%v@%d wm=%s", v, ctx.Timestamp(), fmtTime(ctx.CurrentWatermark())))
			ctx.RegisterEventTimeTimer(ctx.Timestamp() + 100)
		},
		OnTimer: func(ctx *Context, ts int64, out Collector) {
			out.Collect(fmt.Sprintf("timer %v@%d wm=%s", ctx.CurrentKey(), ts, fmtTime(ctx.CurrentWatermark())))
		},
	}
	build := func(env *Environment) *Collected {
		return env.FromSource(batchInput(), nil, "in").KeyBy(keyOf).Process(process).Collect()
	}
	job, got := runBatchJob(t, Batch, 1, build)
	if job.RuntimeMode() != Batch {
		t.Fatalf("mode %v", job.RuntimeMode())
	}
	want := []string{
		"a:4@3 wm=-inf", "a:2@12 wm=-inf", "a:6@14 wm=-inf",
		"timer a@103 wm=+inf", "timer a@112 wm=+inf", "timer a@114 wm=+inf",
		"b:1@5 wm=-inf", "b:5@25 wm=-inf", "timer b@105 wm=+inf", "timer b@125 wm=+inf",
		"c:3@1 wm=-inf", "c:7@40 wm=-inf", "timer c@101 wm=+inf", "timer c@140 wm=+inf",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("batch order\n got %q\nwant %q", got, want)
	}
	// Streaming mode processes in arrival order, with the source's watermarks.
	_, got = runBatchJob(t, Streaming, 1, build)
	if got[0] != "b:1@5 wm=-inf" || got[1] != "a:2@12 wm=4" {
		t.Fatalf("streaming order: %q", got)
	}
}

// Flink (Execution Mode, Event Time / Watermarks): in BATCH mode windows fire at the end of input, each key's
// windows when the key is done, and give the results streaming mode gives in the end.
func TestBatchWindowsFireAtEndOfInput(t *testing.T) {
	build := func(env *Environment) *Collected {
		return env.FromSource(batchInput(), nil, "in").KeyBy(keyOf).
			Window(TumblingEventTimeWindows(10 * time.Millisecond)).
			Process(func(ctx *WindowContext, key any, elems []any, out Collector) {
				out.Collect(fmt.Sprintf("%v %v n=%d wm=%s", key, ctx.Window(), len(elems), fmtTime(ctx.CurrentWatermark())))
			}).Collect()
	}
	_, got := runBatchJob(t, Batch, 1, build)
	want := []string{"a [0, 10) n=1 wm=+inf", "a [10, 20) n=2 wm=+inf", "b [0, 10) n=1 wm=+inf",
		"b [20, 30) n=1 wm=+inf", "c [0, 10) n=1 wm=+inf", "c [40, 50) n=1 wm=+inf"}
	if !slices.Equal(got, want) {
		t.Fatalf("batch windows\n got %q\nwant %q", got, want)
	}
}

// Flink (Execution Mode, "Rolling operations such as reduce() or sum() emit an incremental update for every
// new record in STREAMING mode. In BATCH mode, these operations are not rolling. They emit only the final
// result."; BatchGroupedReduceOperator emits it at timestamp Long.MAX_VALUE).
func TestBatchRollingReduceEmitsFinalValues(t *testing.T) {
	build := func(env *Environment) *Collected {
		return env.FromSource(batchInput(), nil, "in").KeyBy(keyOf).
			Reduce(func(a, b any) any { return fmt.Sprintf("%v:%d", keyOf(a), valueOf(a)+valueOf(b)) }).Collect()
	}
	_, got := runBatchJob(t, Streaming, 1, build)
	if want := []string{"b:1", "a:2", "c:3", "a:6", "b:6", "a:12", "c:10"}; !slices.Equal(got, want) {
		t.Fatalf("streaming rolling reduce\n got %q\nwant %q", got, want)
	}
	env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Batch})
	out := env.FromSource(batchInput(), nil, "in").KeyBy(keyOf).
		Reduce(func(a, b any) any { return fmt.Sprintf("%v:%d", keyOf(a), valueOf(a)+valueOf(b)) }).Collect()
	if _, err := env.Execute("batch reduce"); err != nil {
		t.Fatal(err)
	}
	var recs []string
	for _, r := range out.Records() {
		recs = append(recs, fmt.Sprintf("%v@%s", r.Value, fmtTime(r.Timestamp)))
	}
	if want := []string{"a:12@+inf", "b:6@+inf", "c:10@+inf"}; !slices.Equal(recs, want) {
		t.Fatalf("batch rolling reduce\n got %q\nwant %q", recs, want)
	}
}

// Batch results equal streaming mode's final results at every parallelism: window counts, and each key's
// last rolling value. The input has no watermarks but the final one, so streaming mode has no late records
// either (in Batch mode nothing is ever late: the streaming run of batchInput drops a:4 and c:3 as late).
func TestBatchEqualsStreamingFinalResults(t *testing.T) {
	windows := func(env *Environment) *Collected {
		return env.FromSource(batchElements(false), nil, "in").KeyBy(keyOf).
			Window(TumblingEventTimeWindows(10*time.Millisecond)).
			Aggregate(Count(), WithKeyAndWindow).Map(func(v any) any { return fmt.Sprint(v) }).Collect()
	}
	rolling := func(env *Environment) *Collected {
		return env.FromSource(batchInput(), nil, "in").KeyBy(keyOf).
			Reduce(func(a, b any) any { return fmt.Sprintf("%v:%d", keyOf(a), valueOf(a)+valueOf(b)) }).Collect()
	}
	lastPerKey := func(vs []string) []string {
		last := map[any]string{}
		for _, v := range vs {
			last[keyOf(v)] = v
		}
		var out []string
		for _, v := range last {
			out = append(out, v)
		}
		slices.Sort(out)
		return out
	}
	_, wantWin := runBatchJob(t, Streaming, 1, windows)
	slices.Sort(wantWin)
	_, r := runBatchJob(t, Streaming, 1, rolling)
	wantRoll := lastPerKey(r)
	if !slices.Equal(wantRoll, []string{"a:12", "b:6", "c:10"}) {
		t.Fatalf("streaming final rolling values %q", wantRoll)
	}
	for _, p := range []int{1, 2, 4} {
		_, got := runBatchJob(t, Batch, p, windows)
		slices.Sort(got)
		if !slices.Equal(got, wantWin) {
			t.Fatalf("p=%d batch windows %q, streaming %q", p, got, wantWin)
		}
		_, got = runBatchJob(t, Batch, p, rolling)
		slices.Sort(got)
		if !slices.Equal(got, wantRoll) {
			t.Fatalf("p=%d batch rolling %q, want %q", p, got, wantRoll)
		}
	}
}

// Flink (Execution Mode, AUTOMATIC: "let the system decide based on the boundedness of the sources";
// StreamGraphGenerator#shouldExecuteInBatchMode): Batch when every source is bounded, else Streaming.
func TestAutomaticRuntimeMode(t *testing.T) {
	gen := func(n int64) GeneratorSource {
		return GeneratorSource{Gen: func(i int64) SourceElement { return SourceElement{Value: i} }, Count: n}
	}
	for _, c := range []struct {
		name    string
		sources []Source
		want    RuntimeMode
	}{
		{"slice", []Source{SliceSource{}}, Batch},
		{"bounded generator", []Source{gen(3)}, Batch},
		{"slice and bounded generator", []Source{SliceSource{}, gen(3)}, Batch},
		{"unbounded generator", []Source{gen(0)}, Streaming},
		{"slice and unbounded generator", []Source{SliceSource{}, gen(0)}, Streaming},
		{"source without boundedness", []Source{&gatedSource{}}, Streaming},
	} {
		env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Automatic})
		for i, s := range c.sources {
			env.FromSource(s, nil, fmt.Sprint("s", i)).Print()
		}
		if got := resolveRuntimeMode(Automatic, env.nodes); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	job, _ := runBatchJob(t, Automatic, 2, func(env *Environment) *Collected {
		return env.FromSource(gen(10), nil, "g").KeyBy(func(v any) any { return v.(int64) % 2 }).
			Reduce(func(a, b any) any { return a.(int64) + b.(int64) }).Map(func(v any) any { return fmt.Sprint(v) }).Collect()
	})
	if job.RuntimeMode() != Batch {
		t.Fatalf("automatic over a bounded generator ran %v", job.RuntimeMode())
	}
}

// Flink (StreamGraphGenerator: "Disabled Checkpointing. Checkpointing is not supported and not needed when
// executing jobs in BATCH mode."): a checkpoint interval is ignored in Batch, with an event saying so.
func TestBatchIgnoresCheckpointInterval(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Batch,
		Checkpointing: CheckpointConfig{Interval: time.Millisecond}})
	env.FromElements(1, 2, 3).Print()
	env.cfg.Stdout = &strings.Builder{}
	job, err := env.Execute("batch with interval")
	if err != nil {
		t.Fatal(err)
	}
	var note string
	for _, e := range job.Events(0) {
		if e.Kind == EventCheckpointingDisabled {
			note = e.Detail
		}
	}
	if !strings.Contains(note, "Config.Checkpointing.Interval") {
		t.Fatalf("no checkpointing-disabled event naming the setting: %+v", job.Events(0))
	}
	if n := len(job.Snapshot().Checkpoints); n != 0 {
		t.Fatalf("%d checkpoints in batch mode", n)
	}
	if _, err := job.TriggerCheckpoint(); !errors.Is(err, ErrBatchCheckpoint) {
		t.Fatalf("TriggerCheckpoint in batch: %v, want ErrBatchCheckpoint", err)
	}
	if _, err := job.TriggerSavepoint(t.TempDir()); !errors.Is(err, ErrBatchCheckpoint) {
		t.Fatalf("TriggerSavepoint in batch: %v, want ErrBatchCheckpoint", err)
	}
}

// Flink (BatchExecutionInternalTimeService#setCurrentKey, BatchExecutionInternalTimeServiceTest): at the end
// of a key its event-time timers fire, then its processing-time timers, all with the watermark at +inf;
// timers registered from those callbacks are ignored (the service is quiesced, so nothing loops) while a
// deletion from them still cancels a pending timer.
func TestBatchKeyEndFiresProcessingTimersAndQuiesces(t *testing.T) {
	process := ProcessFunction{
		ProcessElement: func(ctx *Context, v any, out Collector) {
			ctx.RegisterEventTimeTimer(ctx.Timestamp() + 100)
			ctx.RegisterProcessingTimeTimer(1_000_000)
		},
		OnTimer: func(ctx *Context, ts int64, out Collector) {
			out.Collect(fmt.Sprintf("%v %v@%d", ctx.CurrentKey(), ctx.TimeDomain(), ts))
			ctx.RegisterEventTimeTimer(ts + 1) // ignored: registered while the key's timers fire
			if ctx.TimeDomain() == EventTime {
				ctx.DeleteEventTimeTimer(ts + 11) // cancels a's timer at 114 after the one at 103
			}
		},
	}
	_, got := runBatchJob(t, Batch, 1, func(env *Environment) *Collected {
		return env.FromSource(batchInput(), nil, "in").KeyBy(keyOf).Process(process).Collect()
	})
	want := []string{
		"a event time@103", "a event time@112", "a processing time@1000000",
		"b event time@105", "b event time@125", "b processing time@1000000",
		"c event time@101", "c event time@140", "c processing time@1000000",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("key-end timers\n got %q\nwant %q", got, want)
	}
}

// Config.Merge takes a program's RuntimeMode over the defaults' unless it is Streaming (unset), and
// NewEnvironment refuses a mode that is none of the three.
func TestRuntimeModeMergeAndValidation(t *testing.T) {
	base := Config{RuntimeMode: Batch}
	if got := base.Merge(Config{}).RuntimeMode; got != Batch {
		t.Errorf("merge of an unset mode: %v, want BATCH", got)
	}
	if got := base.Merge(Config{RuntimeMode: Automatic}).RuntimeMode; got != Automatic {
		t.Errorf("merge of Automatic: %v, want AUTOMATIC", got)
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "Config.RuntimeMode 7") {
			t.Errorf("NewEnvironment(RuntimeMode 7) panicked with %v", p)
		}
	}()
	NewEnvironment(Config{RuntimeMode: 7})
}
