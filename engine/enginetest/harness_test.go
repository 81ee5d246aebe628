package enginetest_test

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/enginetest"
)

func identity(v any) any { return v }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// lines formats everything h emitted, one Emitted a line.
func lines(h *enginetest.Harness) []string {
	var out []string
	for _, e := range h.Output() {
		out = append(out, e.String())
	}
	return out
}

func expect(t *testing.T, h *enginetest.Harness, want ...string) {
	t.Helper()
	if got := lines(h); !reflect.DeepEqual(got, want) {
		t.Fatalf("output:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func newKeyed(t *testing.T, fn engine.ProcessFunction, opts ...enginetest.Options) *enginetest.Harness {
	t.Helper()
	h, err := enginetest.ForKeyedProcessFunction(fn, identity, opts...)
	must(t, err)
	t.Cleanup(func() { must(t, h.Close()) })
	return h
}

func ts(c *engine.Context) string {
	if c.Timestamp() == engine.NoTimestamp {
		return "null"
	}
	return fmt.Sprint(c.Timestamp())
}

// querying is Flink's QueryingFlatMapFunction: it reports the watermark or processing time it sees.
func querying(domain engine.TimeDomain) engine.ProcessFunction {
	return engine.ProcessFunction{ProcessElement: func(c *engine.Context, v any, out engine.Collector) {
		now := c.CurrentWatermark()
		if domain == engine.ProcessingTime {
			now = c.CurrentProcessingTime()
		}
		out.Collect(fmt.Sprintf("%vTIME:%d TS:%s", v, now, ts(c)))
	}}
}

// Flink: KeyedProcessOperatorTest#testTimestampAndWatermarkQuerying.
func TestTimestampAndWatermarkQuerying(t *testing.T) {
	h := newKeyed(t, querying(engine.EventTime))
	must(t, h.ProcessWatermark(17))
	must(t, h.ProcessElement(5, 12))
	must(t, h.ProcessWatermark(42))
	must(t, h.ProcessElement(6, 13))
	expect(t, h, "watermark 17", "record 5TIME:17 TS:12 @12", "watermark 42", "record 6TIME:42 TS:13 @13")
}

// Flink: KeyedProcessOperatorTest#testTimestampAndProcessingTimeQuerying.
func TestTimestampAndProcessingTimeQuerying(t *testing.T) {
	h := newKeyed(t, querying(engine.ProcessingTime))
	must(t, h.SetProcessingTime(17))
	must(t, h.ProcessElement(5, engine.NoTimestamp))
	must(t, h.SetProcessingTime(42))
	must(t, h.ProcessElement(6, engine.NoTimestamp))
	expect(t, h, "record 5TIME:17 TS:null", "record 6TIME:42 TS:null")
}

// triggering is Flink's TriggeringFlatMapFunction: it forwards each element and sets a timer 5 ms on, which
// emits 1777.
func triggering(t *testing.T, domain engine.TimeDomain) engine.ProcessFunction {
	return engine.ProcessFunction{
		ProcessElement: func(c *engine.Context, v any, out engine.Collector) {
			out.Collect(v)
			if domain == engine.EventTime {
				c.RegisterEventTimeTimer(c.CurrentWatermark() + 5)
			} else {
				c.RegisterProcessingTimeTimer(c.CurrentProcessingTime() + 5)
			}
		},
		OnTimer: func(c *engine.Context, _ int64, out engine.Collector) {
			if c.TimeDomain() != domain {
				t.Errorf("timer of %v fired in %v", domain, c.TimeDomain())
			}
			out.Collect(1777)
		},
	}
}

// Flink: KeyedProcessOperatorTest#testEventTimeTimers.
func TestEventTimeTimers(t *testing.T) {
	h := newKeyed(t, triggering(t, engine.EventTime))
	must(t, h.ProcessWatermark(0))
	must(t, h.ProcessElement(17, 42))
	if n := h.NumEventTimeTimers(); n != 1 {
		t.Fatalf("NumEventTimeTimers = %d, want 1", n)
	}
	must(t, h.ProcessWatermark(5))
	expect(t, h, "watermark 0", "record 17 @42", "record 1777 @5", "watermark 5")
	if n := h.NumEventTimeTimers(); n != 0 {
		t.Fatalf("NumEventTimeTimers after firing = %d, want 0", n)
	}
}

// Flink: KeyedProcessOperatorTest#testProcessingTimeTimers. Flink's current KeyedProcessOperator erases the
// timestamp of what a processing-time timer emits (the old test expected @5), and so does the engine.
func TestProcessingTimeTimers(t *testing.T) {
	h := newKeyed(t, triggering(t, engine.ProcessingTime))
	must(t, h.ProcessElement(17, engine.NoTimestamp))
	if n := h.NumProcessingTimeTimers(); n != 1 {
		t.Fatalf("NumProcessingTimeTimers = %d, want 1", n)
	}
	must(t, h.SetProcessingTime(5))
	expect(t, h, "record 17", "record 1777")
	if n := h.NumProcessingTimeTimers(); n != 0 {
		t.Fatalf("NumProcessingTimeTimers after firing = %d, want 0", n)
	}
}

// statefulTriggering is Flink's TriggeringStatefulFlatMapFunction: it keeps the element in keyed state and
// emits that state from a timer 5 ms on.
func statefulTriggering(domain engine.TimeDomain) engine.ProcessFunction {
	seen := engine.State("seen-element")
	return engine.ProcessFunction{
		ProcessElement: func(c *engine.Context, v any, out engine.Collector) {
			out.Collect(fmt.Sprintf("INPUT:%v", v))
			c.ValueState(seen).Update(v)
			if domain == engine.EventTime {
				c.RegisterEventTimeTimer(c.CurrentWatermark() + 5)
			} else {
				c.RegisterProcessingTimeTimer(c.CurrentProcessingTime() + 5)
			}
		},
		OnTimer: func(c *engine.Context, _ int64, out engine.Collector) {
			v, _ := c.ValueState(seen).Get()
			out.Collect(fmt.Sprintf("STATE:%v", v))
		},
	}
}

// Flink: KeyedProcessOperatorTest#testEventTimeTimerWithState (no leakage between keys).
func TestEventTimeTimerWithState(t *testing.T) {
	h := newKeyed(t, statefulTriggering(engine.EventTime))
	must(t, h.ProcessWatermark(1))
	must(t, h.ProcessElement(17, 0)) // timer at 6
	must(t, h.ProcessWatermark(2))
	must(t, h.ProcessElement(42, 1)) // timer at 7
	if n := h.NumKeyedStateEntries(); n != 2 {
		t.Fatalf("NumKeyedStateEntries = %d, want 2 (one per key)", n)
	}
	must(t, h.ProcessWatermark(6))
	must(t, h.ProcessWatermark(7))
	expect(t, h, "watermark 1", "record INPUT:17 @0", "watermark 2", "record INPUT:42 @1",
		"record STATE:17 @6", "watermark 6", "record STATE:42 @7", "watermark 7")
}

// Flink: KeyedProcessOperatorTest#testProcessingTimeTimerWithState.
func TestProcessingTimeTimerWithState(t *testing.T) {
	h := newKeyed(t, statefulTriggering(engine.ProcessingTime))
	must(t, h.SetProcessingTime(1))
	must(t, h.ProcessElement(17, engine.NoTimestamp)) // timer at 6
	must(t, h.SetProcessingTime(2))
	must(t, h.ProcessElement(42, engine.NoTimestamp)) // timer at 7
	must(t, h.SetProcessingTime(6))
	must(t, h.SetProcessingTime(7))
	expect(t, h, "record INPUT:17", "record INPUT:42", "record STATE:17", "record STATE:42")
}

// bothTriggering is Flink's BothTriggeringFlatMapFunction: a processing-time timer at 5 and an event-time
// timer at 6 for every element.
var bothTriggering = engine.ProcessFunction{
	ProcessElement: func(c *engine.Context, _ any, _ engine.Collector) {
		c.RegisterProcessingTimeTimer(5)
		c.RegisterEventTimeTimer(6)
	},
	OnTimer: func(c *engine.Context, _ int64, out engine.Collector) {
		if c.TimeDomain() == engine.EventTime {
			out.Collect("EVENT:1777")
		} else {
			out.Collect("PROC:1777")
		}
	},
}

// Flink: KeyedProcessOperatorTest#testSnapshotAndRestore: timers survive a snapshot and restore into a new
// harness, on both state backends.
func TestSnapshotAndRestore(t *testing.T) {
	for _, backend := range []engine.StateBackendKind{engine.HeapState, engine.PebbleState} {
		t.Run(backend.String(), func(t *testing.T) {
			h := newKeyed(t, bothTriggering, enginetest.Options{StateBackend: backend})
			must(t, h.ProcessElement(5, 12))
			snap, err := h.Snapshot()
			must(t, err)
			must(t, h.Close())

			r := newKeyed(t, bothTriggering, enginetest.Options{StateBackend: backend, Restore: []*enginetest.Snapshot{snap}})
			if e, p := r.NumEventTimeTimers(), r.NumProcessingTimeTimers(); e != 1 || p != 1 {
				t.Fatalf("restored timers: %d event time, %d processing time; want 1 and 1", e, p)
			}
			must(t, r.SetProcessingTime(5))
			must(t, r.ProcessWatermark(6))
			expect(t, r, "record PROC:1777", "record EVENT:1777 @6", "watermark 6")
		})
	}
}

// Keyed state restored from one subtask's snapshot into two subtasks of a rescaled operator, and back from
// the two into one: each subtask keeps the keys of its key groups (Flink:
// AbstractStreamOperatorTestHarness.repartitionOperatorState and repackageState, KeyGroupRangeAssignment).
func TestRestoreRescaled(t *testing.T) {
	for _, backend := range []engine.StateBackendKind{engine.HeapState, engine.PebbleState} {
		t.Run(backend.String(), func(t *testing.T) { testRestoreRescaled(t, backend) })
	}
}

func testRestoreRescaled(t *testing.T, backend engine.StateBackendKind) {
	count := engine.State("count")
	fn := engine.ProcessFunction{ProcessElement: func(c *engine.Context, v any, out engine.Collector) {
		n, _ := c.ValueState(count).Get()
		sum, _ := n.(int)
		c.ValueState(count).Update(sum + 1)
		out.Collect(fmt.Sprintf("%v:%d", v, sum+1))
	}}
	keys := []any{"a", "b", "c", "d", "e", "f", "g", "h"}
	h := newKeyed(t, fn, enginetest.Options{StateBackend: backend})
	for _, k := range keys {
		must(t, h.ProcessElement(k, 1))
	}
	snap, err := h.Snapshot()
	must(t, err)
	total := 0
	var halves []*enginetest.Snapshot
	for i := 0; i < 2; i++ {
		r := newKeyed(t, fn, enginetest.Options{StateBackend: backend, Parallelism: 2, Subtask: i, Restore: []*enginetest.Snapshot{snap}})
		n := r.NumKeyedStateEntries()
		if n == 0 || n == len(keys) {
			t.Fatalf("subtask %d restored %d of %d keys: want a share", i, n, len(keys))
		}
		total += n
		owned := 0
		for _, k := range keys {
			switch err := r.ProcessElement(k, 2); {
			case err == nil:
				owned++
				if got := r.ExtractOutputValues(); got[len(got)-1] != fmt.Sprintf("%v:2", k) {
					t.Fatalf("subtask %d: key %v restarted its count: %v", i, k, got)
				}
			case !strings.Contains(err.Error(), "does not own"):
				t.Fatalf("subtask %d: unexpected error: %v", i, err)
			}
		}
		if owned != n {
			t.Fatalf("subtask %d accepts %d keys but restored %d", i, owned, n)
		}
		half, err := r.Snapshot()
		must(t, err)
		if idx, par := half.Subtask(); idx != i || par != 2 {
			t.Fatalf("snapshot of subtask %d/2 says %d/%d", i, idx, par)
		}
		halves = append(halves, half)
	}
	if total != len(keys) {
		t.Fatalf("the subtasks restored %d keys in all, want %d", total, len(keys))
	}
	one := newKeyed(t, fn, enginetest.Options{StateBackend: backend, Restore: halves})
	if n := one.NumKeyedStateEntries(); n != len(keys) {
		t.Fatalf("scaled back to one subtask: %d keys, want %d", n, len(keys))
	}
	for _, k := range keys {
		must(t, one.ProcessElement(k, 3))
	}
	for i, v := range one.ExtractOutputValues() {
		if want := fmt.Sprintf("%v:3", keys[i]); v != want {
			t.Fatalf("after scaling back: %v, want %v", v, want)
		}
	}
}

// A window's contents and timers survive a snapshot: the restored harness fires the same windows (Flink:
// WindowOperatorTest#testTumblingEventTimeWindowsReduce, which snapshots and restores midway).
func TestWindowSnapshotAndRestore(t *testing.T) {
	sum := func(a, b any) any { return a.(int) + b.(int) }
	build := func(k *engine.KeyedStream) *engine.DataStream {
		return k.Window(engine.TumblingEventTimeWindows(3*time.Millisecond)).Reduce(sum, engine.WithKeyAndWindow)
	}
	key := func(v any) any { return v.(int) % 2 }
	for _, backend := range []engine.StateBackendKind{engine.HeapState, engine.PebbleState} {
		t.Run(backend.String(), func(t *testing.T) {
			h, err := enginetest.ForKeyedOperator(key, build, enginetest.Options{StateBackend: backend})
			must(t, err)
			defer h.Close()
			for _, e := range [][2]int64{{1, 0}, {3, 1}, {2, 2}, {5, 3}, {4, 4}} {
				must(t, h.ProcessElement(int(e[0]), e[1]))
			}
			must(t, h.ProcessWatermark(2))
			snap, err := h.Snapshot()
			must(t, err)
			must(t, h.Close())
			r, err := enginetest.ForKeyedOperator(key, build, enginetest.Options{StateBackend: backend, Restore: []*enginetest.Snapshot{snap}})
			must(t, err)
			defer r.Close()
			if n, tm := r.NumKeyedStateEntries(), r.NumEventTimeTimers(); n != 2 || tm != 2 {
				t.Fatalf("restored %d windows and %d timers, want 2 and 2", n, tm)
			}
			must(t, r.ProcessElement(7, 5))
			must(t, r.ProcessWatermark(5))
			// Timers of equal time fire in no defined order (as in Flink), so the records are compared sorted.
			got := lines(r)
			if len(got) != 3 {
				t.Fatalf("after restore: %q, want two windows and a watermark", got)
			}
			sort.Strings(got[:2])
			if want := []string{"record {0 3 6 4} @5", "record {1 3 6 12} @5", "watermark 5"}; !reflect.DeepEqual(got, want) {
				t.Fatalf("after restore: %q, want %q", got, want)
			}
		})
	}
}

// Flink: ProcessFunctionTestHarnessesTest#testHarnessForProcessFunction.
func TestHarnessForProcessFunction(t *testing.T) {
	h, err := enginetest.ForProcessFunction(engine.ProcessFunction{
		ProcessElement: func(_ *engine.Context, v any, out engine.Collector) { out.Collect(v) },
	})
	must(t, err)
	defer h.Close()
	must(t, h.ProcessElement(1, 10))
	if got := h.Records(); !reflect.DeepEqual(got, []engine.TimestampedValue{{Value: 1, Timestamp: 10}}) {
		t.Fatalf("records %v, want [{1 10}]", got)
	}
	if n := h.NumKeyedStateEntries(); n != 0 {
		t.Fatalf("a non-keyed function has %d keyed state entries", n)
	}
}

// Flink: ProcessFunctionTestHarnessesTest#testHarnessForKeyedProcessFunction.
func TestHarnessForKeyedProcessFunction(t *testing.T) {
	h := newKeyed(t, engine.ProcessFunction{
		ProcessElement: func(_ *engine.Context, v any, out engine.Collector) { out.Collect(v) },
	})
	must(t, h.ProcessElement(1, 10))
	if got := h.ExtractOutputValues(); !reflect.DeepEqual(got, []any{1}) {
		t.Fatalf("values %v, want [1]", got)
	}
}

// Flink: ProcessFunctionTestHarnessesTest#testHarnessForCoProcessFunction.
func TestHarnessForCoProcessFunction(t *testing.T) {
	h, err := enginetest.ForCoProcessFunction(engine.CoProcessFunction{
		ProcessElement1: func(_ *engine.Context, v any, out engine.Collector) { out.Collect(v) },
		ProcessElement2: func(_ *engine.Context, v any, out engine.Collector) {
			var n int
			fmt.Sscan(v.(string), &n)
			out.Collect(n)
		},
	})
	must(t, err)
	defer h.Close()
	must(t, h.ProcessElement2("0", 1))
	must(t, h.ProcessElement1(1, 10))
	if got := h.ExtractOutputValues(); !reflect.DeepEqual(got, []any{0, 1}) {
		t.Fatalf("values %v, want [0 1]", got)
	}
}

// Flink: ProcessFunctionTestHarnessesTest#testHarnessForKeyedCoProcessFunction, and the two inputs' shared
// keyed state and combined watermark (the lower of the two, as Flink's TwoInputStreamOperator).
func TestHarnessForKeyedCoProcessFunction(t *testing.T) {
	last := engine.State("last")
	h, err := enginetest.ForKeyedCoProcessFunction(engine.CoProcessFunction{
		ProcessElement1: func(c *engine.Context, v any, out engine.Collector) {
			c.ValueState(last).Update(v)
			out.Collect(v)
		},
		ProcessElement2: func(c *engine.Context, v any, out engine.Collector) {
			prev, ok := c.ValueState(last).Get()
			out.Collect(fmt.Sprintf("%v after %v %v", v, prev, ok))
			c.RegisterEventTimeTimer(100)
		},
		OnTimer: func(c *engine.Context, ts int64, out engine.Collector) {
			out.Collect(fmt.Sprint("timer ", c.CurrentKey()))
		},
	}, identity, identity)
	must(t, err)
	defer h.Close()
	must(t, h.ProcessElement1(0, 1))
	must(t, h.ProcessElement2(0, 10))
	must(t, h.ProcessElement2(1, 10))
	must(t, h.ProcessWatermark1(200))
	if h.CurrentWatermark() != engine.MinWatermark || h.NumEventTimeTimers() != 2 {
		t.Fatalf("one input's watermark moved the operator to %d with %d timers left", h.CurrentWatermark(), h.NumEventTimeTimers())
	}
	must(t, h.ProcessWatermark2(150))
	expect(t, h, "record 0 @1", "record 0 after 0 true @10", "record 1 after <nil> false @10",
		"record timer 0 @100", "record timer 1 @100", "watermark 150")
}

// A window operator in the harness: window contents and timers are keyed state the harness counts, late
// records go to the side output, and everything is gone once the window is purged (Flink:
// WindowOperatorTest#testCleanupTimerWithEmptyReduceStateForTumblingWindows checks the same counts).
func TestWindowOperator(t *testing.T) {
	late := engine.NewOutputTag("late")
	sum := func(a, b any) any { return a.(int) + b.(int) }
	h, err := enginetest.ForKeyedOperator(func(v any) any { return v.(int) % 2 }, func(k *engine.KeyedStream) *engine.DataStream {
		return k.Window(engine.TumblingEventTimeWindows(10 * time.Millisecond)).
			AllowedLateness(5 * time.Millisecond).
			SideOutputLateData(late).
			Reduce(sum).
			Map(func(v any) any { return fmt.Sprint("sum=", v) })
	})
	must(t, err)
	defer h.Close()
	for _, e := range [][2]int64{{1, 1}, {3, 2}, {2, 5}, {4, 12}} {
		must(t, h.ProcessElement(int(e[0]), e[1]))
	}
	// Each window has a timer at its end and, with allowed lateness, a cleanup timer at end + lateness.
	if n, tm := h.NumKeyedStateEntries(), h.NumEventTimeTimers(); n != 3 || tm != 6 {
		t.Fatalf("before firing: %d state entries and %d timers, want 3 windows and 6 timers", n, tm)
	}
	must(t, h.ProcessWatermark(9))
	must(t, h.ProcessElement(5, 3)) // late but within the allowed lateness: a late firing
	must(t, h.ProcessWatermark(15))
	must(t, h.ProcessElement(7, 4)) // behind the window's cleanup time: the side output
	expect(t, h, "record sum=4 @9", "record sum=2 @9", "watermark 9", "record sum=9 @9", "watermark 15",
		"side output late 7 @4")
	if got := h.SideOutput(late); !reflect.DeepEqual(got, []engine.TimestampedValue{{Value: 7, Timestamp: 4}}) {
		t.Fatalf("side output %v", got)
	}
	if n, tm := h.NumKeyedStateEntries(), h.NumEventTimeTimers(); n != 1 || tm != 2 {
		t.Fatalf("after the first windows' cleanup: %d state entries and %d timers, want 1 and 2 (window [10,20))", n, tm)
	}
	must(t, h.ProcessWatermark(engine.MaxWatermark))
	if n, tm := h.NumKeyedStateEntries(), h.NumEventTimeTimers(); n != 0 || tm != 0 {
		t.Fatalf("after the final watermark: %d state entries and %d timers, want 0", n, tm)
	}
}

// NumKeyedStateEntries and NumEventTimeTimers tell a function that never clears its state or deletes its
// timer from one that does.
func TestStateLeakDetection(t *testing.T) {
	pending := engine.State("pending")
	// A session of "open" and "close" per key; a timeout timer 100 ms after "open".
	leaky := engine.ProcessFunction{ProcessElement: func(c *engine.Context, v any, out engine.Collector) {
		if strings.HasSuffix(v.(string), "open") {
			c.ValueState(pending).Update(c.Timestamp())
			c.RegisterEventTimeTimer(c.Timestamp() + 100)
			return
		}
		out.Collect(v) // forgets both the state and the timer
	}}
	tidy := engine.ProcessFunction{ProcessElement: func(c *engine.Context, v any, out engine.Collector) {
		if strings.HasSuffix(v.(string), "open") {
			c.ValueState(pending).Update(c.Timestamp())
			c.RegisterEventTimeTimer(c.Timestamp() + 100)
			return
		}
		if at, ok := c.ValueState(pending).Get(); ok {
			c.DeleteEventTimeTimer(at.(int64) + 100)
		}
		c.ValueState(pending).Clear()
		out.Collect(v)
	}}
	key := func(v any) any { return strings.Fields(v.(string))[0] }
	run := func(fn engine.ProcessFunction) (state, timers int) {
		h, err := enginetest.ForKeyedProcessFunction(fn, key)
		must(t, err)
		defer h.Close()
		for i := 0; i < 10; i++ {
			must(t, h.ProcessElement(fmt.Sprintf("k%d open", i), int64(i)))
			must(t, h.ProcessElement(fmt.Sprintf("k%d close", i), int64(i+10)))
		}
		must(t, h.ProcessWatermark(50))
		if got := len(h.ExtractOutputValues()); got != 10 {
			t.Fatalf("%d outputs, want 10", got)
		}
		return h.NumKeyedStateEntries(), h.NumEventTimeTimers()
	}
	if s, tm := run(leaky); s != 10 || tm != 10 {
		t.Fatalf("leaky function: %d state entries and %d timers, want 10 and 10", s, tm)
	}
	if s, tm := run(tidy); s != 0 || tm != 0 {
		t.Fatalf("tidy function: %d state entries and %d timers, want 0 and 0", s, tm)
	}
}

// A panic in the function under test comes back as an *engine.TaskError naming the operator and the element,
// and the harness goes on.
func TestPanicIsAnError(t *testing.T) {
	h := newKeyed(t, engine.ProcessFunction{ProcessElement: func(_ *engine.Context, v any, out engine.Collector) {
		if v.(int) == 13 {
			panic("unlucky")
		}
		out.Collect(v)
	}})
	err := h.ProcessElement(13, 1)
	var te *engine.TaskError
	if !errors.As(err, &te) || te.Operator != "KeyedProcess" || !strings.Contains(err.Error(), "on record 13") ||
		!strings.Contains(err.Error(), "unlucky") {
		t.Fatalf("error %v (%T), want a TaskError of KeyedProcess on record 13", err, err)
	}
	must(t, h.ProcessElement(14, 2))
	if got := h.ExtractOutputValues(); !reflect.DeepEqual(got, []any{14}) {
		t.Fatalf("values %v, want [14]", got)
	}

	timer := newKeyed(t, engine.ProcessFunction{
		ProcessElement: func(c *engine.Context, _ any, _ engine.Collector) { c.RegisterEventTimeTimer(5) },
		OnTimer:        func(*engine.Context, int64, engine.Collector) { panic("timer broke") },
	})
	must(t, timer.ProcessElement(1, 1))
	if err := timer.ProcessWatermark(5); err == nil || !strings.Contains(err.Error(), "timer broke") ||
		!strings.Contains(err.Error(), "while firing a timer") {
		t.Fatalf("timer panic: %v", err)
	}
}

// Misuse gets errors that say what was wrong.
func TestMisuse(t *testing.T) {
	echo := engine.ProcessFunction{ProcessElement: func(_ *engine.Context, v any, out engine.Collector) { out.Collect(v) }}
	h := newKeyed(t, echo)
	if err := h.ProcessElement2(1, 1); !errors.Is(err, enginetest.ErrOneInput) {
		t.Fatalf("ProcessElement2 on one input: %v", err)
	}
	if err := h.ProcessWatermark2(1); !errors.Is(err, enginetest.ErrOneInput) {
		t.Fatalf("ProcessWatermark2 on one input: %v", err)
	}
	must(t, h.EndInput())
	if err := h.ProcessElement(1, 1); !errors.Is(err, enginetest.ErrInputEnded) {
		t.Fatalf("ProcessElement after EndInput: %v", err)
	}
	expect(t, h, "end")
	must(t, h.Close())
	if err := h.ProcessWatermark(1); !errors.Is(err, enginetest.ErrClosed) {
		t.Fatalf("ProcessWatermark after Close: %v", err)
	}

	if _, err := enginetest.ForKeyedProcessFunction(echo, nil); !errors.Is(err, enginetest.ErrOptions) {
		t.Fatalf("no key selector: %v", err)
	}
	if _, err := enginetest.ForKeyedProcessFunction(echo, identity, enginetest.Options{Parallelism: 2, Subtask: 2}); !errors.Is(err, enginetest.ErrOptions) {
		t.Fatalf("subtask out of range: %v", err)
	}
	if _, err := enginetest.ForKeyedProcessFunction(engine.ProcessFunction{}, identity); err == nil ||
		!strings.Contains(err.Error(), "needs ProcessElement") {
		t.Fatalf("a function without ProcessElement: %v", err)
	}
	_, err := enginetest.ForKeyedOperator(identity, func(k *engine.KeyedStream) *engine.DataStream {
		return k.Process(echo).KeyBy(identity).Process(echo)
	})
	if err == nil || !strings.Contains(err.Error(), "one chain") {
		t.Fatalf("a pipeline of two tasks: %v", err)
	}

	heap := newKeyed(t, bothTriggering)
	must(t, heap.ProcessElement(1, 1))
	snap, err := heap.Snapshot()
	must(t, err)
	if _, err := enginetest.ForKeyedProcessFunction(bothTriggering, identity, enginetest.Options{Restore: []*enginetest.Snapshot{snap}, MaxParallelism: 64}); err == nil ||
		!strings.Contains(err.Error(), "max parallelism") {
		t.Fatalf("restore with other max parallelism: %v", err)
	}
	if _, err := enginetest.ForProcessFunction(echo, enginetest.Options{Restore: []*enginetest.Snapshot{snap}}); err == nil ||
		!strings.Contains(err.Error(), "does not match") {
		t.Fatalf("restore into another operator: %v", err)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
