package engine

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// TestScenarios runs the scripts under testdata/scenarios. Each script defines an operator ("define ...") and
// then drives it: "run" feeds lines to one synchronous instance on a virtual clock and prints everything it
// emits; "job" runs the same operator in a real job at each listed parallelism and prints the sorted output,
// failing if the parallelisms disagree. Every script cites the Flink rule it checks. Rewrite expectations
// with: go test ./engine -run TestScenarios -rewrite
func TestScenarios(t *testing.T) {
	datadriven.Walk(t, "testdata/scenarios", func(t *testing.T, path string) {
		var spec opSpec
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "define":
				spec = parseSpec(t, d)
				return "ok\n"
			case "run":
				h := newHarness(t, NewVirtualClock(0), spec.build)
				var b strings.Builder
				for _, line := range scriptLines(d) {
					h.step(&b, line, func() { h.feed(t, line) })
				}
				return b.String()
			case "job":
				return runJobScenario(t, d, spec)
			case "valve":
				return runValveScenario(t, d)
			}
			if f, ok := scenarioCmds[d.Cmd]; ok {
				return f(t, d, spec)
			}
			t.Fatalf("unknown command %q", d.Cmd)
			return ""
		})
	})
}

// scriptLines returns the lines of a script's input, trimmed, leaving out blank lines and # comments.
func scriptLines(d *datadriven.TestData) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// jobArgs reads a job command's parallelisms ("parallelism=(1,2,4)", default 1) and per-record
// out-of-orderness bound ("bound=N", -1 when absent).
func jobArgs(d *datadriven.TestData) (pars []int, bound int64) {
	pars, bound = []int{1}, -1
	for _, a := range d.CmdArgs {
		switch a.Key {
		case "parallelism":
			pars = nil
			for _, v := range a.Vals {
				p, _ := strconv.Atoi(v)
				pars = append(pars, p)
			}
		case "bound":
			bound, _ = strconv.ParseInt(a.Vals[0], 10, 64)
		}
	}
	return pars, bound
}

// step runs feed for one script line and, if the operator emitted anything, writes the line and what it
// emitted to b.
func (h *harness) step(b *strings.Builder, line string, feed func()) {
	h.out = h.out[:0]
	feed()
	if len(h.out) > 0 {
		fmt.Fprintf(b, "%s\n", line)
		for _, o := range h.out {
			fmt.Fprintf(b, "  %s\n", o)
		}
	}
}

// outputLines formats what a job collected as script lines: "out ..." for the main output, "side NAME ..."
// for each side output.
func outputLines(main *Collected, sides map[string]*Collected) []string {
	var lines []string
	for _, r := range main.Records() {
		lines = append(lines, "out "+fmtRecord(record{v: r.Value, ts: r.Timestamp, noTs: r.Untimed}))
	}
	for name, c := range sides {
		for _, r := range c.Records() {
			lines = append(lines, "side "+name+" "+fmtRecord(record{v: r.Value, ts: r.Timestamp, noTs: r.Untimed}))
		}
	}
	return lines
}

// sameAtEveryParallelism runs a job at each parallelism and returns its sorted output lines, failing the test
// if two parallelisms disagree; a job's error is the script's output ("error: ...").
func sameAtEveryParallelism(t *testing.T, pars []int, run func(p int) ([]string, error)) string {
	t.Helper()
	var first []string
	for _, p := range pars {
		lines, err := run(p)
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		lines = sortedLines(lines)
		if first == nil {
			first = lines
			continue
		}
		if strings.Join(lines, "\n") != strings.Join(first, "\n") {
			t.Fatalf("parallelism %d gives different results than parallelism %d:\n%s\n---\n%s", p, pars[0],
				strings.Join(lines, "\n"), strings.Join(first, "\n"))
		}
	}
	return strings.Join(first, "\n") + "\n"
}

// scenarioOps and scenarioCmds let other test files add operator kinds ("define KIND ...") and commands to
// the scripts, each in its own file: register them from an init function.
var (
	scenarioOps  = map[string]func(s opSpec, k *KeyedStream) *DataStream{}
	scenarioCmds = map[string]func(t *testing.T, d *datadriven.TestData, spec opSpec) string{}
)

// opSpec describes the operator of a script.
type opSpec struct {
	args map[string]string
	kind string
}

func parseSpec(t *testing.T, d *datadriven.TestData) opSpec {
	s := opSpec{args: map[string]string{}}
	for i, a := range d.CmdArgs {
		if i == 0 {
			s.kind = a.Key
			continue
		}
		s.args[a.Key] = strings.Join(a.Vals, ",")
	}
	return s
}

func (s opSpec) ms(key string) time.Duration {
	n, err := strconv.ParseInt(s.args[key], 10, 64)
	if err != nil {
		panic(fmt.Sprintf("argument %s=%q is not a number of milliseconds", key, s.args[key]))
	}
	return time.Duration(n) * time.Millisecond
}

func (s opSpec) has(key string) bool { _, ok := s.args[key]; return ok }

func (s opSpec) int(key string) int64 {
	n, _ := strconv.ParseInt(s.args[key], 10, 64)
	return n
}

var (
	lateTag = NewOutputTag("late")
	bigTag  = NewOutputTag("big")
)

func sumRecs(a, b any) any { x, y := a.(rec), b.(rec); return rec{x.Key, x.V + y.V} }

// build applies the scripted operator to a keyed stream.
func (s opSpec) build(k *KeyedStream) *DataStream {
	switch s.kind {
	case "window":
		return s.window(k)
	case "process":
		return k.Process(s.process())
	case "rolling":
		switch s.args["fn"] {
		case "reduce":
			return k.Reduce(sumRecs)
		default:
			return k.rolling(s.args["fn"], "V")
		}
	}
	if f, ok := scenarioOps[s.kind]; ok {
		return f(s, k)
	}
	panic("unknown operator " + s.kind)
}

func (s opSpec) window(k *KeyedStream) *DataStream {
	var a WindowAssigner
	switch s.args["assigner"] {
	case "tumbling":
		a = TumblingEventTimeWindows(s.ms("size"))
	case "tumbling-proc":
		a = TumblingProcessingTimeWindows(s.ms("size"))
	case "sliding":
		a = SlidingEventTimeWindows(s.ms("size"), s.ms("slide"))
	case "sliding-proc":
		a = SlidingProcessingTimeWindows(s.ms("size"), s.ms("slide"))
	case "session":
		a = EventTimeSessionWindows(s.ms("gap"))
	case "session-proc":
		a = ProcessingTimeSessionWindows(s.ms("gap"))
	case "global":
		a = GlobalWindows()
	case "count":
		var ws *WindowedStream
		if s.has("slide") {
			ws = k.CountWindow(s.int("size"), s.int("slide"))
		} else {
			ws = k.CountWindow(s.int("size"))
		}
		return s.windowFn(ws)
	default:
		panic("unknown assigner " + s.args["assigner"])
	}
	ws := k.Window(a)
	if s.has("lateness") {
		ws.AllowedLateness(s.ms("lateness"))
	}
	if s.has("late-side") {
		ws.SideOutputLateData(lateTag)
	}
	if tr, ok := s.args["trigger"]; ok {
		name, arg, _ := strings.Cut(tr, ":")
		n, _ := strconv.ParseInt(arg, 10, 64)
		switch name {
		case "count":
			ws.Trigger(CountTrigger(n))
		case "purging-count":
			ws.Trigger(PurgingTrigger(CountTrigger(n)))
		case "continuous-event":
			ws.Trigger(ContinuousEventTimeTrigger(time.Duration(n) * time.Millisecond))
		case "continuous-proc":
			ws.Trigger(ContinuousProcessingTimeTrigger(time.Duration(n) * time.Millisecond))
		case "proc":
			ws.Trigger(ProcessingTimeTrigger())
		case "purging-event":
			ws.Trigger(PurgingTrigger(EventTimeTrigger()))
		default:
			panic("unknown trigger " + tr)
		}
	}
	if ev, ok := s.args["evictor"]; ok {
		name, arg, _ := strings.Cut(ev, ":")
		n, _ := strconv.ParseInt(arg, 10, 64)
		switch name {
		case "count":
			ws.Evictor(CountEvictor(int(n)))
		case "count-after":
			ws.Evictor(CountEvictor(int(n), true))
		case "time":
			ws.Evictor(TimeEvictor(time.Duration(n) * time.Millisecond))
		default:
			panic("unknown evictor " + ev)
		}
	}
	return s.windowFn(ws)
}

func (s opSpec) windowFn(ws *WindowedStream) *DataStream {
	switch s.args["fn"] {
	case "count":
		return ws.Aggregate(Count(), WithKeyAndWindow)
	case "sum":
		return ws.Reduce(sumRecs, WithKeyAndWindow)
	case "sum-agg":
		return ws.Aggregate(SumOf("V"), WithKeyAndWindow)
	case "list":
		return ws.Process(func(ctx *WindowContext, key any, elems []any, out Collector) {
			out.Collect(WindowResult{Key: key, Start: ctx.Window().Start, End: ctx.Window().End, Value: elems})
		})
	}
	panic("unknown window function " + s.args["fn"])
}

// process returns the scripted ProcessFunction.
func (s opSpec) process() ProcessFunction {
	switch s.args["fn"] {
	case "event-timer", "proc-timer":
		delay := s.int("delay")
		proc := s.args["fn"] == "proc-timer"
		return ProcessFunction{
			ProcessElement: func(ctx *Context, v any, out Collector) {
				r := v.(rec)
				if r.V < 0 { // a negative value deletes the timer its positive twin set
					if proc {
						ctx.DeleteProcessingTimeTimer(-r.V)
					} else {
						ctx.DeleteEventTimeTimer(-r.V)
					}
					return
				}
				if proc {
					ctx.RegisterProcessingTimeTimer(ctx.CurrentProcessingTime() + delay)
				} else {
					ctx.RegisterEventTimeTimer(ctx.Timestamp() + delay)
				}
			},
			OnTimer: func(ctx *Context, ts int64, out Collector) {
				out.Collect(fmt.Sprintf("timer %v@%d (%v)", ctx.CurrentKey(), ts, ctx.TimeDomain()))
			},
		}
	case "count":
		d := State("count")
		if s.has("ttl") {
			d = d.WithTTL(s.ms("ttl"))
			if s.args["update"] == "read" {
				d.TTL.Update = UpdateOnReadAndWrite
			}
			if s.args["visibility"] == "expired" {
				d.TTL.Visibility = ReturnExpiredIfNotCleanedUp
			}
		}
		return ProcessFunction{ProcessElement: func(ctx *Context, v any, out Collector) {
			st := ctx.ValueState(d)
			if v.(rec).V == 0 { // a zero value only reads
				out.Collect(fmt.Sprintf("%v read %v", ctx.CurrentKey(), st.Value()))
				return
			}
			n, _ := st.Value().(int64)
			st.Update(n + 1)
			out.Collect(fmt.Sprintf("%v count %d", ctx.CurrentKey(), n+1))
		}}
	case "list":
		d := State("seen")
		if s.has("ttl") {
			d = d.WithTTL(s.ms("ttl"))
		}
		return ProcessFunction{ProcessElement: func(ctx *Context, v any, out Collector) {
			st := ctx.ListState(d)
			st.Add(v.(rec).V)
			out.Collect(fmt.Sprintf("%v list %v", ctx.CurrentKey(), fmtValue(st.Get())))
		}}
	case "map":
		d := State("perValue")
		if s.has("ttl") {
			d = d.WithTTL(s.ms("ttl"))
		}
		return ProcessFunction{ProcessElement: func(ctx *Context, v any, out Collector) {
			st := ctx.MapState(d)
			n, _ := st.Get(v.(rec).V)
			c, _ := n.(int)
			st.Put(v.(rec).V, c+1)
			out.Collect(fmt.Sprintf("%v map[%d]=%d entries=%d", ctx.CurrentKey(), v.(rec).V, c+1, st.Len()))
		}}
	case "reducing":
		d := StateDescriptor{Name: "sum", Reduce: func(a, b any) any { return a.(int64) + b.(int64) }}
		a := StateDescriptor{Name: "avg", Aggregate: AverageOf("")}
		return ProcessFunction{ProcessElement: func(ctx *Context, v any, out Collector) {
			r, g := ctx.ReducingState(d), ctx.AggregatingState(a)
			r.Add(v.(rec).V)
			g.Add(v.(rec).V)
			out.Collect(fmt.Sprintf("%v sum=%v avg=%v", ctx.CurrentKey(), r.Get(), g.Get()))
		}}
	case "side":
		threshold := s.int("threshold")
		return ProcessFunction{ProcessElement: func(ctx *Context, v any, out Collector) {
			if v.(rec).V >= threshold {
				ctx.Output(bigTag, v)
				return
			}
			out.Collect(v)
		}}
	}
	panic("unknown process function " + s.args["fn"])
}

// runJobScenario runs the defined operator in a real job: a scripted bounded source (with "wm T" lines as
// explicit watermarks, and per-record bounded-out-of-orderness watermarks if bound= is given), keyBy, the
// operator, and collect sinks for the main output and every side output.
func runJobScenario(t *testing.T, d *datadriven.TestData, spec opSpec) string {
	pars, bound := jobArgs(d)
	var elems []SourceElement
	for _, line := range scriptLines(d) {
		if f := strings.Fields(line); f[0] == "wm" {
			elems = append(elems, SourceElement{Value: Watermark{parseTime(t, f[1])}})
			continue
		}
		r, ts := parseRec(t, line)
		elems = append(elems, SourceElement{Value: r, Timestamp: ts})
	}
	return sameAtEveryParallelism(t, pars, func(p int) ([]string, error) {
		env := NewEnvironment(Config{Parallelism: p, Clock: NewVirtualClock(0), BufferSize: 3})
		var strategy *WatermarkStrategy
		if bound >= 0 {
			s := ForBoundedOutOfOrderness(time.Duration(bound) * time.Millisecond).WithPerRecordEmission()
			strategy = &s
		}
		src := env.FromSource(SliceSource(elems), strategy, "script")
		out := spec.build(src.KeyBy(func(v any) any { return v.(rec).Key }))
		main := out.Collect()
		sides := map[string]*Collected{"late": out.SideOutput(lateTag).Collect(), "big": out.SideOutput(bigTag).Collect()}
		if _, err := env.Execute("scenario"); err != nil {
			return nil, err
		}
		return outputLines(main, sides), nil
	})
}

// runValveScenario drives a watermark valve: "valve channels=N [inputs=I,I,...]" (the input of each channel,
// all 0 by default) then lines "wm CH T", "idle CH", "active CH", "end CH"; it prints every change of the
// combined output.
func runValveScenario(t *testing.T, d *datadriven.TestData) string {
	var n int
	d.ScanArgs(t, "channels", &n)
	inputs := make([]int, n)
	if d.HasArg("inputs") {
		d.ScanArgs(t, "inputs", &inputs)
	}
	v := newValve(inputs)
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		ch, _ := strconv.Atoi(f[1])
		fmt.Fprintf(&b, "%s", line)
		switch f[0] {
		case "wm":
			if wm, ok := v.watermark(ch, parseTime(t, f[2])); ok {
				fmt.Fprintf(&b, " -> wm %s", fmtTime(wm))
			}
		case "idle", "active":
			wm, adv, idle, changed := v.status(ch, f[0] == "idle")
			if adv {
				fmt.Fprintf(&b, " -> wm %s", fmtTime(wm))
			}
			if changed {
				fmt.Fprintf(&b, " -> idle %v", idle)
			}
		case "end":
			if v.end(ch) {
				b.WriteString(" -> all ended")
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
