package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// rec is the record of scenario scripts: a string key and an integer value, written key:value@ts.
type rec struct {
	Key string
	V   int64
}

func (r rec) String() string { return fmt.Sprintf("%s:%d", r.Key, r.V) }

// harness drives one operator synchronously, as Flink's KeyedOneInputStreamOperatorTestHarness does: every
// input line is handed to the operator on the test's goroutine and the virtual clock moves only when told,
// so the output of a script is exactly reproducible.
type harness struct {
	clock *VirtualClock
	task  *subtask
	head  operator
	out   []string
}

// captureOut records what the operator under test emits.
type captureOut struct{ h *harness }

func (c captureOut) collect(r record) { c.h.out = append(c.h.out, "out "+fmtRecord(r)) }
func (c captureOut) side(tag *OutputTag, r record) {
	c.h.out = append(c.h.out, "side "+tag.Name+" "+fmtRecord(r))
}
func (c captureOut) watermark(wm int64) { c.h.out = append(c.h.out, "wm "+fmtTime(wm)) }
func (c captureOut) idle(idle bool)     { c.h.out = append(c.h.out, fmt.Sprintf("idle %v", idle)) }
func (c captureOut) end()               { c.h.out = append(c.h.out, "end") }

func fmtTime(t int64) string {
	switch t {
	case MaxWatermark:
		return "+inf"
	case MinWatermark:
		return "-inf"
	}
	return strconv.FormatInt(t, 10)
}

func fmtRecord(r record) string {
	s := fmtValue(r.v)
	if !r.noTs {
		s += " @" + fmtTime(r.ts)
	}
	return s
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case WindowResult:
		return fmt.Sprintf("%v %v %s", x.Key, Window{x.Start, x.End}, fmtValue(x.Value))
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmtValue(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprint(v)
}

// newHarness builds build(keyed input) in a one-subtask job on a virtual clock and returns a harness that
// drives the operator the build returns, with its own chained successors.
func newHarness(t testing.TB, clock *VirtualClock, build func(*KeyedStream) *DataStream) *harness {
	env := NewEnvironment(Config{Parallelism: 1, Clock: clock})
	src := env.FromElements()
	out := build(src.KeyBy(func(v any) any { return v.(rec).Key }))
	plan, err := buildPlan(env)
	if err != nil {
		t.Fatal(err)
	}
	j := &Job{cfg: env.cfg, plan: plan, done: make(chan struct{})}
	j.events.clock = clock
	v := plan.Vertices[len(plan.Vertices)-1]
	h := &harness{clock: clock}
	task := &subtask{job: j, vertex: v, index: 0, parallelism: 1, clock: clock}
	task.gate = newGate(4, j.done)
	if err := task.build(); err != nil {
		t.Fatal(err)
	}
	for _, op := range task.ops {
		if err := op.open(); err != nil {
			t.Fatal(err)
		}
	}
	tail := out.inputs[0].node
	task.byNode[tail].base().out = captureOut{h}
	h.task, h.head = task, task.ops[0]
	return h
}

// feed runs one script line: "key:value@ts" (an element), "wm T" (a watermark), "proc T" (move the processing
// clock to T and run what is due), or "end" (end of input: the final watermark, then endInput).
func (h *harness) feed(t testing.TB, line string) {
	f := strings.Fields(line)
	switch f[0] {
	case "wm":
		h.head.processWatermark(parseTime(t, f[1]))
	case "proc":
		h.clock.Set(parseTime(t, f[1]))
		h.drain()
	case "end":
		h.head.processWatermark(MaxWatermark)
		h.head.endInput()
		h.head.base().out.end()
	default:
		r, ts := parseRec(t, line)
		key := r.Key
		h.head.processElement(0, record{v: r, key: key, ts: ts, noTs: ts == NoTimestamp, kg: int32(keygroup.Of(key, h.task.job.cfg.MaxParallelism))})
	}
	h.drain()
}

func (h *harness) drain() {
	for {
		m, ok := h.task.gate.poll()
		if !ok {
			return
		}
		if m.kind == msgMail {
			m.mail()
		}
	}
}

func parseTime(t testing.TB, s string) int64 {
	if s == "+inf" {
		return MaxWatermark
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("bad time %q: %v", s, err)
	}
	return n
}

// parseRec parses key:value@ts; the timestamp is optional.
func parseRec(t testing.TB, s string) (rec, int64) {
	ts := NoTimestamp
	if i := strings.IndexByte(s, '@'); i >= 0 {
		ts = parseTime(t, s[i+1:])
		s = s[:i]
	}
	k, v, ok := strings.Cut(s, ":")
	if !ok {
		t.Fatalf("bad record %q: want key:value@ts", s)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("bad record value %q: %v", s, err)
	}
	return rec{k, n}, ts
}

// sortedLines returns lines sorted, for outputs whose order between subtasks is not defined.
func sortedLines(lines []string) []string {
	out := append([]string(nil), lines...)
	sort.Strings(out)
	return out
}
