package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/de4e/weir/engine/internal/harnessbridge"
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

// twoHarness drives the operator of a two-input script synchronously in the engine's operator harness
// (harness.go). An interval join reads both inputs itself. A window join or coGroup reads the tagged union of
// its inputs (join.go), so the harness drives its window operator over one input of tagged records: a line
// of input 2 is tagged as the second side, and the two inputs' watermarks are combined here, as the
// operator's input gate combines them in a job.
type twoHarness struct {
	harness
	tagged bool     // the head is a window join's window operator, fed tagged records on one input
	inWM   [2]int64 // per script input, when tagged
}

// windowJoinSpecs gives, for a window join or coGroup kind, its window settings and its CoGroupFunc, so that
// the harness can build the window operator over one input of tagged records.
var windowJoinSpecs = map[string]func(s opSpec, in1, in2 *DataStream) (twoInputWindow, CoGroupFunc){}

// newTwoHarness builds the defined operator in a one-subtask job on a virtual clock at time now, restored
// from snap if set.
func newTwoHarness(t testing.TB, spec opSpec, now int64, snap *harnessbridge.Snapshot) *twoHarness {
	env := NewEnvironment(Config{Parallelism: 1, Clock: NewVirtualClock(now)})
	h := &twoHarness{inWM: [2]int64{MinWatermark, MinWatermark}}
	var out *DataStream
	if ws, ok := windowJoinSpecs[spec.kind]; ok {
		src := env.FromElements()
		w, f := ws(spec, src, src)
		out = w.windowTagged(src.KeyBy(w.unionKey()), f)
		h.tagged = true
	} else {
		out = spec.buildTwo(env.FromElements(), env.FromElements())
	}
	var snaps []*harnessbridge.Snapshot
	if snap != nil {
		snaps = append(snaps, snap)
	}
	oh, err := newOpHarness(env, out, 0, snaps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { oh.Close() })
	h.h = oh
	return h
}

// watermark advances script input in's watermark (both inputs if in < 0).
func (h *twoHarness) watermark(in int, wm int64) error {
	for ch := range 2 {
		if in >= 0 && ch != in {
			continue
		}
		if !h.tagged {
			if err := h.h.ProcessWatermark(ch, wm); err != nil {
				return err
			}
			continue
		}
		h.inWM[ch] = max(h.inWM[ch], wm)
		if err := h.h.ProcessWatermark(0, min(h.inWM[0], h.inWM[1])); err != nil {
			return err
		}
	}
	return nil
}

// feed2 runs one line of a two-input script: a record or "wm T" for one input or (wm only) both, "end" (both
// inputs end), "proc T", "buffers KEY" (an interval join's buffered timestamps for KEY).
func (h *twoHarness) feed2(t testing.TB, line string) {
	in, rest := scriptInput(line)
	f := strings.Fields(rest)
	var err error
	switch f[0] {
	case "wm":
		err = h.watermark(in, parseTime(t, f[1]))
	case "proc":
		err = h.h.SetProcessingTime(parseTime(t, f[1]))
	case "end":
		if err = h.watermark(-1, MaxWatermark); err == nil {
			err = h.h.EndInput()
		}
	case "buffers":
		op, ok := h.h.head.(*intervalJoinOp)
		if !ok {
			t.Fatalf("buffers: %T is not an interval join", h.h.head)
		}
		op.key, op.kg, op.hasKey = f[1], keygroup.Of(f[1], h.h.job.cfg.MaxParallelism), true
		h.out = append(h.out, fmt.Sprintf("left %v right %v", op.bufs[0].timestamps(&op.opBase),
			op.bufs[1].timestamps(&op.opBase)))
	default:
		r, ts := parseRec(t, rest)
		in = max(in, 0)
		switch {
		case h.tagged:
			err = h.h.ProcessElement(0, taggedUnion{V: r, Second: in == 1}, ts)
		default:
			err = h.h.ProcessElement(in, r, ts)
		}
	}
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	h.format()
}

// runTwoInputScenario is "run2": it drives one instance of the defined operator; "snapshot" takes a snapshot
// and "restore" replaces the instance with a new one restored from it (with fresh watermarks, as a restored
// operator starts).
func runTwoInputScenario(t *testing.T, d *datadriven.TestData, spec opSpec) string {
	h := newTwoHarness(t, spec, 0, nil)
	var snap *harnessbridge.Snapshot
	var b strings.Builder
	for _, line := range scriptLines(d) {
		switch line {
		case "snapshot":
			var err error
			if snap, err = h.h.Snapshot(); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s\n", line)
			continue
		case "restore":
			h = newTwoHarness(t, spec, h.h.ProcessingTime(), snap)
			fmt.Fprintf(&b, "%s\n", line)
			continue
		}
		h.step(&b, line, func() { h.feed2(t, line) })
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
	pars, bound := jobArgs(d)
	pebble := false
	for _, a := range d.CmdArgs {
		if a.Key == "pebble" {
			pebble = true
		}
	}
	var elems [2][]SourceElement
	for _, line := range scriptLines(d) {
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
	return sameAtEveryParallelism(t, pars, func(p int) ([]string, error) {
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
			return nil, err
		}
		return outputLines(main, sides), nil
	})
}
