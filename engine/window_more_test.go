package engine

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file adds the operator kind "win" to the scenario scripts (testdata/scenarios/windows_more.txt): a
// window with any assigner, trigger, evictor and window function of the engine, each written NAME:ARG,...
//
//	define win assigner=tumbling-proc:10 trigger=continuous-proc:4 evictor=time:3 fn=list

func init() { scenarioOps["win"] = func(s opSpec, k *KeyedStream) *DataStream { return s.win(k) } }

func msArg(s string) time.Duration {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic(fmt.Sprintf("argument %q is not a number of milliseconds", s))
	}
	return time.Duration(n) * time.Millisecond
}

// splitArg splits NAME:A:B into NAME and its arguments.
func splitArg(s string) (string, []string) {
	f := strings.Split(s, ":")
	return f[0], f[1:]
}

// recGap is the dynamic session gap of scenario records: the record's value in milliseconds.
func recGap(v any) time.Duration { return time.Duration(v.(rec).V) * time.Millisecond }

// recDelta is the DeltaFunction of scenario records: the difference of their values.
func recDelta(a, b any) float64 { return float64(b.(rec).V - a.(rec).V) }

func (s opSpec) win(k *KeyedStream) *DataStream {
	name, a := splitArg(s.args["assigner"])
	var as WindowAssigner
	switch name {
	case "tumbling":
		as = TumblingEventTimeWindows(msArg(a[0]))
	case "tumbling-proc":
		as = TumblingProcessingTimeWindows(msArg(a[0]))
	case "session":
		as = EventTimeSessionWindows(msArg(a[0]))
	case "session-proc":
		as = ProcessingTimeSessionWindows(msArg(a[0]))
	case "dynamic-session":
		as = DynamicEventTimeSessionWindows(recGap)
	case "dynamic-session-proc":
		as = DynamicProcessingTimeSessionWindows(recGap)
	case "global":
		as = GlobalWindows()
	case "global-eos":
		as = GlobalWindowsWithEndOfStreamTrigger()
	case "tumbling-proc-stagger":
		st := map[string]WindowStagger{"aligned": WindowStaggerAligned, "random": WindowStaggerRandom,
			"natural": WindowStaggerNatural}[a[2]]
		as = TumblingProcessingTimeWindowsWithStagger(msArg(a[0]), msArg(a[1]), st)
	case "tumbling-stagger":
		st := map[string]WindowStagger{"aligned": WindowStaggerAligned, "random": WindowStaggerRandom,
			"natural": WindowStaggerNatural}[a[2]]
		as = TumblingEventTimeWindowsWithStagger(msArg(a[0]), msArg(a[1]), st)
	default:
		panic("unknown assigner " + name)
	}
	ws := k.Window(as)
	if s.has("lateness") {
		ws.AllowedLateness(s.ms("lateness"))
	}
	if tr, ok := s.args["trigger"]; ok {
		ws.Trigger(scenarioTrigger(tr))
	}
	if ev, ok := s.args["evictor"]; ok {
		ws.Evictor(scenarioEvictor(ev))
	}
	return s.winFn(ws)
}

// winFn adds the window functions that use the WindowContext to those of windowFn:
//
//	fn=firings  a ProcessWindowFunction counting, in window state, the firings of each window and, in global
//	            state, those of the key; it prints both and the elements, sends the element count to the side
//	            output "big", and its Clear prints the window it clears (to the side output "late") and drops
//	            the window's count.
//	fn=firings-count  the same after an incremental Count (AggregateWith): the elements are the count.
func (s opSpec) winFn(ws *WindowedStream) *DataStream {
	switch s.args["fn"] {
	case "firings":
		return ws.ProcessWith(firingsFunction())
	case "firings-count":
		return ws.AggregateWith(Count(), firingsFunction())
	}
	return s.windowFn(ws)
}

func firingsFunction() ProcessWindowFunction {
	count := State("firings")
	return ProcessWindowFunction{
		Process: func(ctx *WindowContext, key any, elems []any, out Collector) {
			w := ctx.WindowState().ValueState(count)
			n, _ := w.Value().(int)
			w.Update(n + 1)
			g := ctx.GlobalState().ValueState(count)
			m, _ := g.Value().(int)
			g.Update(m + 1)
			out.Collect(fmt.Sprintf("%v %v firing %d of window, %d of key, wm %s, proc %d: %s", key,
				ctx.Window(), n+1, m+1, fmtTime(ctx.CurrentWatermark()), ctx.CurrentProcessingTime(), fmtValue(elems)))
			ctx.Output(bigTag, len(elems))
		},
		Clear: func(ctx *WindowContext) {
			w := ctx.WindowState().ValueState(count)
			ctx.Output(lateTag, fmt.Sprintf("clear %v %v after %v firings", ctx.CurrentKey(), ctx.Window(), w.Value()))
			w.Clear()
		},
	}
}

func scenarioTrigger(tr string) Trigger {
	if inner, ok := strings.CutPrefix(tr, "purging-"); ok {
		return PurgingTrigger(scenarioTrigger(inner))
	}
	name, a := splitArg(tr)
	switch name {
	case "event":
		return EventTimeTrigger()
	case "proc":
		return ProcessingTimeTrigger()
	case "count":
		n, _ := strconv.ParseInt(a[0], 10, 64)
		return CountTrigger(n)
	case "continuous-event":
		return ContinuousEventTimeTrigger(msArg(a[0]))
	case "continuous-proc":
		return ContinuousProcessingTimeTrigger(msArg(a[0]))
	case "delta":
		th, _ := strconv.ParseFloat(a[0], 64)
		return DeltaTrigger(th, recDelta)
	case "timeout": // timeout:MS:RESET:CLEAR:NESTED..., RESET and CLEAR t, f, or - for Flink's defaults
		nested := scenarioTrigger(strings.Join(a[3:], ":"))
		if a[1] == "-" {
			return ProcessingTimeoutTrigger(nested, msArg(a[0]))
		}
		return ProcessingTimeoutTrigger(nested, msArg(a[0]), a[1] == "t", a[2] == "t")
	}
	panic("unknown trigger " + tr)
}

func scenarioEvictor(ev string) Evictor {
	name, a := splitArg(ev)
	after := len(a) > 1 && a[1] == "after"
	switch name {
	case "count":
		n, _ := strconv.Atoi(a[0])
		return CountEvictor(n, after)
	case "time":
		return TimeEvictor(msArg(a[0]), after)
	case "delta":
		th, _ := strconv.ParseFloat(a[0], 64)
		return DeltaEvictor(th, recDelta, after)
	}
	panic("unknown evictor " + ev)
}

// TestWindowBuildersRefuseBadArguments checks that the window builders refuse what Flink's constructors
// refuse, when the program is built and with a message naming the argument.
func TestWindowBuildersRefuseBadArguments(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1, Clock: NewVirtualClock(0)})
	keyed := env.FromElements(1).KeyBy(func(v any) any { return v })
	ms := time.Millisecond
	for _, c := range []struct {
		name, want string
		build      func()
	}{
		// Flink: TumblingEventTimeWindows' constructor, "parameters must satisfy abs(offset) < size".
		{"tumbling size 0", "TumblingEventTimeWindows: size must be at least 1ms", func() { TumblingEventTimeWindows(0) }},
		{"tumbling size under 1ms", "size must be at least 1ms", func() { TumblingEventTimeWindows(time.Microsecond) }},
		{"tumbling negative size", "TumblingProcessingTimeWindows: size", func() { TumblingProcessingTimeWindows(-ms) }},
		{"tumbling offset = size", "offset must satisfy abs(offset) < size", func() { TumblingEventTimeWindows(10*ms, 10*ms) }},
		{"tumbling offset = -size", "abs(offset) < size", func() { TumblingEventTimeWindows(10*ms, -10*ms) }},
		// Flink: SlidingEventTimeWindows' constructor, "abs(offset) < slide and size > 0".
		{"sliding size 0", "SlidingEventTimeWindows: size must be at least 1ms", func() { SlidingEventTimeWindows(0, ms) }},
		{"sliding slide 0", "SlidingEventTimeWindows: slide must be at least 1ms", func() { SlidingEventTimeWindows(10*ms, 0) }},
		{"sliding offset = slide", "abs(offset) < slide", func() { SlidingProcessingTimeWindows(10*ms, 5*ms, 5*ms) }},
		// Flink: EventTimeSessionWindows' constructor, "parameters must satisfy 0 < size".
		{"session gap 0", "EventTimeSessionWindows: gap must be at least 1ms", func() { EventTimeSessionWindows(0) }},
		{"proc session gap < 0", "ProcessingTimeSessionWindows: gap", func() { ProcessingTimeSessionWindows(-ms) }},
		{"dynamic session nil", "gap extractor is nil", func() { DynamicProcessingTimeSessionWindows(nil) }},
		// Flink: WindowedStream.allowedLateness, "The allowed lateness cannot be negative."
		{"negative lateness", "AllowedLateness: lateness cannot be negative", func() {
			keyed.Window(TumblingEventTimeWindows(10 * ms)).AllowedLateness(-ms)
		}},
		{"count window size 0", "CountWindow: size must be positive, got 0", func() { keyed.CountWindow(0) }},
		{"count window slide 0", "CountWindow: slide must be positive, got 0", func() { keyed.CountWindow(3, 0) }},
		{"count trigger 0", "CountTrigger: count must be positive, got 0", func() { CountTrigger(0) }},
		{"count evictor < 0", "CountEvictor: count cannot be negative, got -1", func() { CountEvictor(-1) }},
		{"time evictor < 0", "TimeEvictor: window size cannot be negative", func() { TimeEvictor(-ms) }},
		{"continuous interval 0", "ContinuousEventTimeTrigger: interval must be at least 1ms", func() { ContinuousEventTimeTrigger(0) }},
		{"continuous proc interval 0", "ContinuousProcessingTimeTrigger: interval", func() { ContinuousProcessingTimeTrigger(0) }},
		{"purging nil", "PurgingTrigger: nested trigger is nil", func() { PurgingTrigger(nil) }},
		{"nil trigger", "Trigger: trigger is nil", func() { keyed.Window(GlobalWindows()).Trigger(nil) }},
		{"nil late tag", "SideOutputLateData: output tag is nil", func() {
			keyed.Window(GlobalWindows()).SideOutputLateData(nil)
		}},
		{"stagger unknown", "unknown stagger", func() { TumblingProcessingTimeWindowsWithStagger(10*ms, 0, 7) }},
		{"stagger offset = size", "abs(offset) < size", func() {
			TumblingEventTimeWindowsWithStagger(10*ms, 10*ms, WindowStaggerNatural)
		}},
		{"timeout 0", "ProcessingTimeoutTrigger: timeout must be at least 1ms", func() {
			ProcessingTimeoutTrigger(CountTrigger(1), 0)
		}},
		{"timeout one flag", "give both resetTimerOnNewRecord and shouldClearOnTimeout", func() {
			ProcessingTimeoutTrigger(CountTrigger(1), ms, true)
		}},
		{"delta trigger nil", "DeltaTrigger: delta function is nil", func() { DeltaTrigger(1, nil) }},
		{"delta evictor nil", "DeltaEvictor: delta function is nil", func() { DeltaEvictor(1, nil) }},
		{"non-merging trigger on sessions", "cannot be used with merging windows", func() {
			keyed.Window(EventTimeSessionWindows(ms)).Trigger(DeltaTrigger(1, recDelta)).Process(
				func(*WindowContext, any, []any, Collector) {})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("not refused; want a panic with %q", c.want)
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, c.want) {
					t.Fatalf("refused with %q; want %q in it", msg, c.want)
				}
			}()
			c.build()
		})
	}
}

// TestWindowStaggerRandomIsSeededOnVirtualClock checks WindowStagger.RANDOM (Flink: the offset is drawn from
// U(0, size) once per parallel instance): every offset lies in [0, size), and on a VirtualClock the same
// operator and subtask draw the same offset on every run while the subtasks of one operator differ.
func TestWindowStaggerRandomIsSeededOnVirtualClock(t *testing.T) {
	a := TumblingProcessingTimeWindowsWithStagger(1000*time.Millisecond, 0, WindowStaggerRandom)
	start := func(index int) int64 {
		o := &windowOp{opBase: opBase{name: "Window(x)", task: &subtask{clock: NewVirtualClock(0), index: index}}}
		in := a.(perInstanceAssigner).forInstance(o)
		w := in.AssignWindows(nil, NoTimestamp, 5000, nil)[0]
		if w.End-w.Start != 1000 || w.Start > 5000 || w.End <= 5000 {
			t.Fatalf("subtask %d: window %v does not hold 5000", index, w)
		}
		return w.Start
	}
	seen := map[int64]bool{}
	for i := range 4 {
		s := start(i)
		if again := start(i); again != s {
			t.Fatalf("subtask %d: window start %d, then %d on a second run", i, s, again)
		}
		seen[s] = true
	}
	if len(seen) < 2 {
		t.Fatalf("4 subtasks all staggered alike: %v", seen)
	}
}
