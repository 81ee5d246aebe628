package engine

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// Keeping "no timestamp" in a flag must not grow the record that every operator copies.
func TestRecordStaysSmall(t *testing.T) {
	if n := unsafe.Sizeof(record{}); n > 48 {
		t.Fatalf("record is %d bytes, want at most 48", n)
	}
}

// tsProbe is a process function that reports whether each record has a timestamp, and which.
func tsProbe(tag string) ProcessFunction {
	return ProcessFunction{ProcessElement: func(ctx *Context, v any, out Collector) {
		out.Collect(fmt.Sprintf("%s %v has=%v ts=%s", tag, v, ctx.HasTimestamp(), fmtTime(ctx.Timestamp())))
	}}
}

func describe(c *Collected) []string {
	var out []string
	for _, r := range c.Records() {
		out = append(out, fmt.Sprintf("%v | %v %s", r.Value, r.HasTimestamp(), fmtTime(r.Timestamp)))
	}
	return sortedLines(out)
}

// Flink's StreamRecord keeps hasTimestamp apart from the timestamp: a source element without one
// (TimestampAssigner.NO_TIMESTAMP at the source boundary) has none, and map, filter, flatMap, keyBy and the
// network keep it so (StreamMap/StreamFilter reuse the element, StreamFlatMap's TimestampedCollector
// setTimestamp(element) erases it); a timestamp assigner's result is a timestamp even when it is
// Long.MIN_VALUE (TimestampsAndWatermarksOperator#processElement sets it unconditionally).
func TestHasTimestampIsCarriedThrough(t *testing.T) {
	for _, p := range []int{1, 2} {
		env := NewEnvironment(Config{Parallelism: p, Clock: NewVirtualClock(0), BufferSize: 2})
		src := env.FromSource(SliceSource([]SourceElement{
			{Value: int64(1), Timestamp: NoTimestamp},
			{Value: int64(2), Timestamp: 20},
			{Value: int64(3), Timestamp: math.MinInt64 + 1},
		}), nil, "src")
		piped := src.Map(func(v any) any { return v }).Rebalance().
			Filter(func(any) bool { return true }).
			FlatMap(func(v any, out Collector) { out.Collect(v) }).
			KeyBy(func(v any) any { return v.(int64) % 2 }).
			Process(tsProbe("keyed"))
		plain := piped.Collect()
		// An assigner that answers math.MinInt64 gives a timestamp all the same.
		minTs := src.AssignTimestampsAndWatermarks(NoWatermarks().WithTimestampAssigner(
			func(any, int64) int64 { return math.MinInt64 })).Process(tsProbe("assigned")).Collect()
		// Without an assigner, a strategy keeps the source's timestamps and their absence.
		kept := src.AssignTimestampsAndWatermarks(ForMonotonousTimestamps()).Process(tsProbe("kept")).Collect()
		if _, err := env.Execute("timestamps"); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(append(append(describe(plain), describe(minTs)...), describe(kept)...), "\n")
		want := strings.Join([]string{
			"keyed 1 has=false ts=-inf | false -inf",
			"keyed 2 has=true ts=20 | true 20",
			"keyed 3 has=true ts=-9223372036854775807 | true -9223372036854775807",
			"assigned 1 has=true ts=-inf | true -inf",
			"assigned 2 has=true ts=-inf | true -inf",
			"assigned 3 has=true ts=-inf | true -inf",
			"kept 1 has=false ts=-inf | false -inf",
			"kept 2 has=true ts=20 | true 20",
			"kept 3 has=true ts=-9223372036854775807 | true -9223372036854775807",
		}, "\n")
		if got != want {
			t.Fatalf("parallelism %d:\n%s\nwant\n%s", p, got, want)
		}
	}
}

// A source's own timestamp assigner (FromSource with a strategy) stamps every record, even with
// math.MinInt64 (Flink's SourceOutputWithWatermarks#collect replaces the record with the assigned timestamp).
func TestSourceAssignerStampsMinInt64(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1, Clock: NewVirtualClock(0)})
	s := NoWatermarks().WithTimestampAssigner(func(v any, _ int64) int64 { return math.MinInt64 })
	c := env.FromSource(SliceSource([]SourceElement{{Value: "x", Timestamp: NoTimestamp}}), &s, "src").Collect()
	if _, err := env.Execute("min"); err != nil {
		t.Fatal(err)
	}
	if got := describe(c); fmt.Sprint(got) != "[x | true -inf]" {
		t.Fatalf("got %v", got)
	}
}

// Timers: output of a processing-time timer has no timestamp (KeyedProcessOperator#onProcessingTime calls
// collector.eraseTimestamp()), output of an event-time timer has the timer's time
// (setAbsoluteTimestamp(timer.getTimestamp())); inside OnTimer the context's timestamp is the timer's time.
// Window results carry the window's max timestamp, in processing time too (WindowOperator#emitWindowContents).
func TestTimerAndWindowOutputTimestamps(t *testing.T) {
	clock := NewVirtualClock(0)
	h := newHarness(t, clock, func(k *KeyedStream) *DataStream {
		return k.Process(ProcessFunction{
			ProcessElement: func(ctx *Context, v any, out Collector) {
				ctx.RegisterEventTimeTimer(10)
				ctx.RegisterProcessingTimeTimer(5)
			},
			OnTimer: func(ctx *Context, ts int64, out Collector) {
				out.Collect(fmt.Sprintf("%v has=%v", ctx.TimeDomain(), ctx.HasTimestamp()))
			},
		})
	})
	for _, l := range []string{"a:1", "proc 5", "wm 10"} {
		h.feed(t, l)
	}
	if got := strings.Join(h.out, "; "); got != "out processing time has=true; out event time has=true @10; wm 10" {
		t.Fatalf("got %s", got)
	}
	w := newHarness(t, clock, func(k *KeyedStream) *DataStream {
		return k.Window(TumblingProcessingTimeWindows(10*time.Millisecond)).Aggregate(Count(), WithKeyAndWindow)
	})
	for _, l := range []string{"proc 0", "a:1", "proc 10"} { // the record has no timestamp; the result has one
		w.feed(t, l)
	}
	if got := strings.Join(w.out, "; "); got != "out a [0, 10) 1 @9" {
		t.Fatalf("processing-time window result: %s", got)
	}
}

// Event-time windows refuse a record without a timestamp by its flag (Flink's TumblingEventTimeWindows
// throws "Record has Long.MIN_VALUE timestamp (= no timestamp marker)").
func TestEventTimeWindowRefusesUntimedRecord(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1, Clock: NewVirtualClock(0)})
	env.FromSource(SliceSource([]SourceElement{{Value: rec{"a", 1}, Timestamp: NoTimestamp}}), nil, "src").
		KeyBy(func(v any) any { return v.(rec).Key }).
		Window(TumblingEventTimeWindows(time.Second)).Aggregate(Count()).Collect()
	_, err := env.Execute("untimed")
	if err == nil || !strings.Contains(err.Error(), "record has no timestamp") {
		t.Fatalf("got %v, want the job to fail on a record without timestamp", err)
	}
}

// Evictors see whether window elements have a timestamp (Flink's TimestampedValue.hasTimestamp(), which
// TimeEvictor checks); the flag survives the window contents' state.
func TestEvictorSeesHasTimestamp(t *testing.T) {
	var seen []string
	ev := evictorFuncs{before: func(e []TimestampedValue) {
		for _, x := range e {
			seen = append(seen, fmt.Sprintf("%v:%v", x.Value, x.HasTimestamp()))
		}
	}}
	h := newHarness(t, NewVirtualClock(0), func(k *KeyedStream) *DataStream {
		ws := k.CountWindow(2)
		ws.Evictor(ev)
		return ws.Process(func(ctx *WindowContext, key any, elems []any, out Collector) { out.Collect(len(elems)) })
	})
	h.feed(t, "a:1")
	h.feed(t, "a:2@5")
	if fmt.Sprint(seen) != "[a:1:false a:2:true]" {
		t.Fatalf("evictor saw %v", seen)
	}
	if (TimestampedValue{Value: 1, Timestamp: 3}).HasTimestamp() != true {
		t.Fatal("a TimestampedValue literal with a timestamp must have one")
	}
}

type evictorFuncs struct{ before func([]TimestampedValue) }

func (e evictorFuncs) EvictBefore(x []TimestampedValue, _ Window) []TimestampedValue {
	e.before(x)
	return x
}
func (e evictorFuncs) EvictAfter(x []TimestampedValue, _ Window) []TimestampedValue { return x }
func (e evictorFuncs) String() string                                               { return "probe" }
