package engine

import "fmt"

// The operators of the join scenarios (testdata/scenarios/join.txt, cogroup.txt, interval_join.txt). Records
// are rec{Key, V} on both inputs, keyed by Key.

func recKey(v any) any { return v.(rec).Key }

func init() {
	twoInputOps["join"] = func(s opSpec, in1, in2 *DataStream) *DataStream {
		var w *JoinWithWindow
		if s.has("self") { // Flink: CoGroupJoinITCase#testSelfJoin joins a stream with itself
			in2 = in1
		}
		w = in1.Join(in2).Where(recKey).EqualTo(recKey).Window(s.joinAssigner())
		if s.has("lateness") {
			w.AllowedLateness(s.ms("lateness"))
		}
		if s.args["fn"] == "flat" { // emits a pair only when the right value is at least the left one
			return w.FlatApply(func(l, r any, out Collector) {
				if r.(rec).V >= l.(rec).V {
					out.Collect(fmt.Sprintf("%v|%v", l, r))
				}
			})
		}
		return w.Apply(func(l, r any) any { return fmt.Sprintf("%v|%v", l, r) })
	}
	twoInputOps["cogroup"] = func(s opSpec, in1, in2 *DataStream) *DataStream {
		w := in1.CoGroup(in2).Where(recKey).EqualTo(recKey).Window(s.joinAssigner())
		if s.has("lateness") {
			w.AllowedLateness(s.ms("lateness"))
		}
		return w.Apply(func(left, right []any, out Collector) {
			out.Collect(fmt.Sprintf("F:%s S:%s", fmtValue(left), fmtValue(right)))
		})
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
