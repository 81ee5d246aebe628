package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The operators of the join scenarios (testdata/scenarios/join.txt, cogroup.txt, interval_join.txt). Records
// are rec{Key, V} on both inputs, keyed by Key.

func recKey(v any) any { return v.(rec).Key }

// joinSpec builds the scripted window join up to its function, and the function: each pair printed as
// left|right (fn=flat: only pairs whose right value is at least the left one).
func joinSpec(s opSpec, in1, in2 *DataStream) (*JoinWithWindow, FlatJoinFunc) {
	if s.has("self") { // Flink: CoGroupJoinITCase#testSelfJoin joins a stream with itself
		in2 = in1
	}
	w := in1.Join(in2).Where(recKey).EqualTo(recKey).Window(s.joinAssigner())
	if s.has("lateness") {
		w.AllowedLateness(s.ms("lateness"))
	}
	if s.has("trigger") { // CountTrigger(N)
		w.Trigger(CountTrigger(s.int("trigger")))
	}
	if s.has("evictor") { // keeps the last N tagged records of either side
		w.Evictor(CountEvictor(int(s.int("evictor"))))
	}
	if s.args["fn"] == "flat" {
		return w, func(l, r any, out Collector) {
			if r.(rec).V >= l.(rec).V {
				out.Collect(fmt.Sprintf("%v|%v", l, r))
			}
		}
	}
	return w, func(l, r any, out Collector) { out.Collect(pairString(l, r)) }
}

func pairString(l, r any) any { return fmt.Sprintf("%v|%v", l, r) }

func cogroupSpec(s opSpec, in1, in2 *DataStream) (*CoGroupWithWindow, CoGroupFunc) {
	w := in1.CoGroup(in2).Where(recKey).EqualTo(recKey).Window(s.joinAssigner())
	if s.has("lateness") {
		w.AllowedLateness(s.ms("lateness"))
	}
	return w, func(left, right []any, out Collector) {
		out.Collect(fmt.Sprintf("F:%s S:%s", fmtValue(left), fmtValue(right)))
	}
}

func init() {
	twoInputOps["join"] = func(s opSpec, in1, in2 *DataStream) *DataStream {
		w, fn := joinSpec(s, in1, in2)
		if s.args["fn"] == "flat" {
			return w.FlatApply(fn)
		}
		return w.Apply(pairString)
	}
	windowJoinSpecs["join"] = func(s opSpec, in1, in2 *DataStream) (twoInputWindow, CoGroupFunc) {
		w, fn := joinSpec(s, in1, in2)
		return w.w, joinPairs(fn)
	}
	twoInputOps["cogroup"] = func(s opSpec, in1, in2 *DataStream) *DataStream {
		w, fn := cogroupSpec(s, in1, in2)
		return w.Apply(fn)
	}
	windowJoinSpecs["cogroup"] = func(s opSpec, in1, in2 *DataStream) (twoInputWindow, CoGroupFunc) {
		w, fn := cogroupSpec(s, in1, in2)
		return w.w, fn
	}
	twoInputOps["interval-join"] = func(s opSpec, in1, in2 *DataStream) *DataStream {
		j := in1.KeyBy(recKey).IntervalJoin(in2.KeyBy(recKey)).Between(s.ms("lower"), s.ms("upper"))
		if s.has("lower-exclusive") {
			j.LowerBoundExclusive()
		}
		if s.has("upper-exclusive") {
			j.UpperBoundExclusive()
		}
		if s.has("late-side") {
			j.SideOutputLeftLateData(leftLateTag).SideOutputRightLateData(rightLateTag)
		}
		// Each pair prints both records with the timestamps the context reports; the output's own timestamp
		// is the result's (Flink: IntervalJoinOperatorTest#testContextCorrectLeftTimestamp,
		// #testContextCorrectRightTimestamp, #testReturnsCorrectTimestamp).
		return j.Process(ProcessJoinFunction{ProcessElement: func(ctx *JoinContext, l, r any, out Collector) {
			if ctx.Timestamp() != max(ctx.LeftTimestamp(), ctx.RightTimestamp()) {
				panic("JoinContext.Timestamp is not the larger of the two timestamps")
			}
			out.Collect(fmt.Sprintf("%v@%d|%v@%d", l, ctx.LeftTimestamp(), r, ctx.RightTimestamp()))
		}})
	}
}

func (s opSpec) joinAssigner() WindowAssigner {
	switch s.args["assigner"] {
	case "tumbling":
		return TumblingEventTimeWindows(s.ms("size"))
	case "sliding":
		return SlidingEventTimeWindows(s.ms("size"), s.ms("slide"))
	case "session":
		return EventTimeSessionWindows(s.ms("gap"))
	}
	panic("unknown assigner " + s.args["assigner"])
}

// mustPanic fails t unless f panics with a message containing want.
func mustPanicWith(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		p := recover()
		if p == nil || !strings.Contains(fmt.Sprint(p), want) {
			t.Fatalf("got panic %v, want one containing %q", p, want)
		}
	}()
	f()
}

// Invalid joins are refused when the program is built. Flink: KeyedStream.IntervalJoined checks
// lowerBound <= upperBound, and between() throws UnsupportedTimeCharacteristicException ("Time-bounded
// stream joins are only supported in event time") for a processing-time join.
func TestJoinBuildersRefuseInvalidArguments(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1})
	a, b := env.FromElements(rec{"a", 1}), env.FromElements(rec{"a", 2})
	ka, kb := a.KeyBy(recKey), b.KeyBy(recKey)
	mustPanicWith(t, "lower bound 2ms must not be greater than the upper bound 1ms", func() {
		ka.IntervalJoin(kb).Between(2*time.Millisecond, time.Millisecond)
	})
	mustPanicWith(t, "only supported in event time", func() {
		ka.IntervalJoin(kb).InProcessingTime().Between(0, time.Millisecond)
	})
	mustPanicWith(t, "needs ProcessElement", func() { ka.IntervalJoin(kb).Between(0, 0).Process(ProcessJoinFunction{}) })
	mustPanicWith(t, "Join.Where needs a key selector", func() { a.Join(b).Where(nil) })
	mustPanicWith(t, "CoGroup.EqualTo needs a key selector", func() { a.CoGroup(b).Where(recKey).EqualTo(nil) })
	mustPanicWith(t, "Join.Window needs a window assigner", func() { a.Join(b).Where(recKey).EqualTo(recKey).Window(nil) })
	w := a.Join(b).Where(recKey).EqualTo(recKey).Window(TumblingEventTimeWindows(time.Second))
	mustPanicWith(t, "needs a JoinFunc", func() { w.Apply(nil) })
	mustPanicWith(t, "needs a FlatJoinFunc", func() { w.FlatApply(nil) })
	mustPanicWith(t, "needs a CoGroupFunc", func() {
		a.CoGroup(b).Where(recKey).EqualTo(recKey).Window(TumblingEventTimeWindows(time.Second)).Apply(nil)
	})
}

// Flink: IntervalJoinOperatorTest#testFailsWithNoTimestampsLeft: the job's error wraps ErrNoTimestamp.
func TestIntervalJoinFailsWithoutTimestamps(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1, Clock: NewVirtualClock(0)})
	a, b := env.FromElements(rec{"a", 1}), env.FromElements(rec{"a", 2})
	a.KeyBy(recKey).IntervalJoin(b.KeyBy(recKey)).Between(0, 0).
		Process(ProcessJoinFunction{ProcessElement: func(_ *JoinContext, l, r any, out Collector) { out.Collect(l) }}).
		Collect()
	if _, err := env.Execute("no timestamps"); !errors.Is(err, ErrNoTimestamp) {
		t.Fatalf("got %v, want an error wrapping ErrNoTimestamp", err)
	}
}

// Late records of an interval join are counted and logged as job events, as the window operator's are. A
// stream joined with itself gets the watermark on both inputs at once, so the record after it is late on
// both.
func TestIntervalJoinLogsLateRecords(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1, Clock: NewVirtualClock(0)})
	s := env.FromSource(SliceSource{{Value: rec{"a", 1}, Timestamp: 10}, {Value: Watermark{20}}, {Value: rec{"a", 2}, Timestamp: 5}}, nil, "script")
	s.KeyBy(recKey).IntervalJoin(s.KeyBy(recKey)).Between(0, 0).SideOutputRightLateData(rightLateTag).
		Process(ProcessJoinFunction{ProcessElement: func(_ *JoinContext, l, r any, out Collector) { out.Collect(l) }}).
		Collect()
	job, err := env.Execute("late")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range job.Events(0) {
		if e.Kind == EventLateRecord {
			got = append(got, fmt.Sprintf("%s key=%v ts=%d wm=%d %s", e.Operator, e.Key, e.Timestamp, e.Watermark, e.Detail))
		}
	}
	want := []string{"Interval Join key=a ts=5 wm=20 input 1, dropped", "Interval Join key=a ts=5 wm=20 input 2, to side output right-late"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("late-record events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
