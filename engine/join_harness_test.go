package engine

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/de4e/weir/engine/internal/keygroup"
)

// Two-input scenarios: "define KIND ..." with a kind of twoInputOps, then "run2" (one synchronous instance,
// as Flink's KeyedTwoInputStreamOperatorTestHarness) or "job2" (a real job at several parallelisms, two
// scripted sources). A script line targets the first input unless it starts with "2> " ("1> " is the first
// input explicitly); "wm T" without a prefix is a watermark on both inputs.

// twoInputOps builds a two-input operator of a script from the two inputs.
var twoInputOps = map[string]func(s opSpec, in1, in2 *DataStream) *DataStream{}

func init() {
	scenarioCmds["run2"] = runTwoInputScenario
	scenarioCmds["job2"] = runTwoInputJobScenario
}

// scriptInput splits a script line into the input it targets (0 or 1) and the rest.
func scriptInput(line string) (int, string) {
	switch {
	case strings.HasPrefix(line, "1> "):
		return 0, strings.TrimSpace(line[3:])
	case strings.HasPrefix(line, "2> "):
		return 1, strings.TrimSpace(line[3:])
	}
	return -1, line
}

// twoHarness drives the operator of a two-input script synchronously. The operators between the script's
// sources and the operator under test (the taggers of a window join) run in the feed, so that each script
// input reaches every edge it feeds, with its key and key group computed as a keyBy would.
type twoHarness struct {
	*harness
	feeds [2][]func(r record)
	valve *valve
}

// pipe is an output that hands records straight to the next function of a feed.
type pipe func(r record)

func (p pipe) collect(r record)        { p(r) }
func (p pipe) side(*OutputTag, record) {}
func (p pipe) watermark(int64)         {}
func (p pipe) idle(bool)               {}
func (p pipe) end()                    {}

// newTwoHarness builds build(in1, in2) in a one-subtask job on a virtual clock. restoreDir, if set, is a
// snapshot (taken by "snapshot") that the operator's state and timers are restored from before it opens.
func newTwoHarness(t testing.TB, clock *VirtualClock, build func(in1, in2 *DataStream) *DataStream, restoreDir string) *twoHarness {
	env := NewEnvironment(Config{Parallelism: 1, Clock: clock})
	srcs := [2]*DataStream{env.FromElements(), env.FromElements()}
	out := build(srcs[0], srcs[1])
	plan, err := buildPlan(env)
	if err != nil {
		t.Fatal(err)
	}
	tail := out.inputs[0].node
	var v *PlanVertex
	for _, pv := range plan.Vertices {
		for _, n := range pv.nodes {
			if n == tail {
				v = pv
			}
		}
	}
	j := &Job{cfg: env.cfg, plan: plan, done: make(chan struct{})}
	j.events.clock = clock
	h := &twoHarness{harness: &harness{clock: clock}, valve: newValve(2)}
	task := &subtask{job: j, vertex: v, index: 0, parallelism: 1, clock: clock}
	task.gate = newGate(4, j.done)
	if err := task.build(); err != nil {
		t.Fatal(err)
	}
	head := task.ops[0]
	if restoreDir != "" {
		b := head.base()
		if err := b.backend.Restore([]string{restoreDir}); err != nil {
			t.Fatal(err)
		}
		b.loadTimers(head)
	}
	for _, op := range task.ops {
		if err := op.open(); err != nil {
			t.Fatal(err)
		}
	}
	task.byNode[tail].base().out = captureOut{h.harness}
	h.task, h.head = task, head
	maxP := env.cfg.MaxParallelism
	for _, e := range v.nodes[0].inputs {
		e := e
		next := func(r record) {
			if e.key != nil {
				r.key = e.key(r.v)
				r.kg = int32(keygroup.Of(r.key, maxP))
			}
			head.base().metrics.in++
			head.processElement(e.input, r)
		}
		n := e.from
		for n.kind != "source" {
			if len(n.inputs) != 1 {
				t.Fatalf("%s: the harness feeds chains of one-input operators only", n.name)
			}
			op := n.newOp()
			op.base().init(n.name)
			op.base().task = task
			op.base().out = pipe(next)
			next = func(r record) { op.processElement(0, r) }
			n = n.inputs[0].from
		}
		for i, s := range srcs {
			if s.inputs[0].node == n {
				h.feeds[i] = append(h.feeds[i], next)
			}
		}
	}
	return h
}

// feed2 runs one line of a two-input script: a record or "wm T" for one input or (wm only) both, "end" (both
// inputs end), "proc T", "buffers KEY" (an interval join's buffered timestamps for KEY).
func (h *twoHarness) feed2(t testing.TB, line string) {
	in, rest := scriptInput(line)
	f := strings.Fields(rest)
	switch f[0] {
	case "wm":
		wm := parseTime(t, f[1])
		for ch := range 2 {
			if in >= 0 && ch != in {
				continue
			}
			if w, ok := h.valve.watermark(ch, wm); ok {
				h.head.processWatermark(w)
			}
		}
	case "proc", "end":
		h.feed(t, rest)
		return
	case "buffers":
		op, ok := h.head.(*intervalJoinOp)
		if !ok {
			t.Fatalf("buffers: %T is not an interval join", h.head)
		}
		op.key, op.kg, op.hasKey = f[1], keygroup.Of(f[1], h.task.job.cfg.MaxParallelism), true
		h.out = append(h.out, fmt.Sprintf("left %v right %v", op.bufs[0].timestamps(&op.opBase),
			op.bufs[1].timestamps(&op.opBase)))
	default:
		r, ts := parseRec(t, rest)
		if in < 0 {
			in = 0
		}
		for _, feed := range h.feeds[in] {
			feed(record{v: r, ts: ts})
		}
	}
	h.drain()
}

// snapshot writes the operator's keyed state and timers into dir, as a checkpoint does.
func (h *twoHarness) snapshot(t testing.TB, dir string) {
	b := h.head.base()
	b.saveTimers()
	finish, err := b.backend.SnapshotSync(1, dir)
	b.dropSavedTimers()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := finish(); err != nil {
		t.Fatal(err)
	}
}

// runTwoInputScenario is "run2": it drives one instance of the defined operator; "snapshot" takes a snapshot
// and "restore" replaces the instance with a new one restored from it (with fresh watermarks, as a restored
// operator starts).
func runTwoInputScenario(t *testing.T, d *datadriven.TestData, spec opSpec) string {
	build := spec.buildTwo
	h := newTwoHarness(t, NewVirtualClock(0), build, "")
	var snapDir string
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		switch line {
		case "snapshot":
			snapDir = t.TempDir()
			h.snapshot(t, snapDir)
			fmt.Fprintf(&b, "%s\n", line)
			continue
		case "restore":
			h = newTwoHarness(t, NewVirtualClock(h.clock.NowMillis()), build, snapDir)
			fmt.Fprintf(&b, "%s\n", line)
			continue
		}
		h.out = h.out[:0]
		h.feed2(t, line)
		if len(h.out) > 0 {
			fmt.Fprintf(&b, "%s\n", line)
			for _, o := range h.out {
				fmt.Fprintf(&b, "  %s\n", o)
			}
		}
	}
	return b.String()
}

func (s opSpec) buildTwo(in1, in2 *DataStream) *DataStream {
	f, ok := twoInputOps[s.kind]
	if !ok {
		panic("unknown two-input operator " + s.kind)
	}
	return f(s, in1, in2)
}

// Side outputs of two-input scripts.
var (
	leftLateTag  = NewOutputTag("left-late")
	rightLateTag = NewOutputTag("right-late")
)

// runTwoInputJobScenario is "job2": the defined operator in a real job fed by two scripted bounded sources
// ("wm T" lines are explicit watermarks of the input they target, both if none), at each listed parallelism;
// the sorted outputs must agree. bound=B gives both sources per-record bounded-out-of-orderness watermarks.
// pebble=true keeps keyed state in Pebble.
func runTwoInputJobScenario(t *testing.T, d *datadriven.TestData, spec opSpec) string {
	pars := []int{1}
	var bound int64 = -1
	pebble := false
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
		case "pebble":
			pebble = true
		}
	}
	var elems [2][]SourceElement
	for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		in, rest := scriptInput(line)
		if f := strings.Fields(rest); f[0] == "wm" {
			for ch := range 2 {
				if in < 0 || ch == in {
					elems[ch] = append(elems[ch], SourceElement{Value: Watermark{parseTime(t, f[1])}})
				}
			}
			continue
		}
		if in < 0 {
			in = 0
		}
		r, ts := parseRec(t, rest)
		elems[in] = append(elems[in], SourceElement{Value: r, Timestamp: ts})
	}
	var first []string
	for _, p := range pars {
		cfg := Config{Parallelism: p, Clock: NewVirtualClock(0), BufferSize: 3}
		if pebble {
			cfg.StateBackend = PebbleState
			cfg.Checkpointing.Dir = t.TempDir()
		}
		env := NewEnvironment(cfg)
		var strategy *WatermarkStrategy
		if bound >= 0 {
			s := ForBoundedOutOfOrderness(time.Duration(bound) * time.Millisecond).WithPerRecordEmission()
			strategy = &s
		}
		in1 := env.FromSource(SliceSource(elems[0]), strategy, "script 1")
		in2 := env.FromSource(SliceSource(elems[1]), strategy, "script 2")
		out := spec.buildTwo(in1, in2)
		main := out.Collect()
		sides := map[string]*Collected{}
		for _, tag := range []*OutputTag{lateTag, leftLateTag, rightLateTag, bigTag} {
			sides[tag.Name] = out.SideOutput(tag).Collect()
		}
		if _, err := env.Execute("scenario"); err != nil {
			return "error: " + err.Error() + "\n"
		}
		var lines []string
		for _, r := range main.Records() {
			lines = append(lines, "out "+fmtRecord(record{v: r.Value, ts: r.Timestamp}))
		}
		for name, c := range sides {
			for _, r := range c.Records() {
				lines = append(lines, "side "+name+" "+fmtRecord(record{v: r.Value, ts: r.Timestamp}))
			}
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
