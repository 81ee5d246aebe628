package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/internal/harnessbridge"
)

// rec is the record of scenario scripts: a string key and an integer value, written key:value@ts.
type rec struct {
	Key string
	V   int64
}

func (r rec) String() string { return fmt.Sprintf("%s:%d", r.Key, r.V) }

// harness runs the operator of a scenario script in the engine's operator harness (harness.go), the one
// package enginetest exposes, and prints what it emits as script lines.
type harness struct {
	h   *opHarness
	out []string
}

// format appends the harness's new output to h.out as lines: "out", "side TAG", "wm", "idle", "end".
func (h *harness) format() {
	for _, e := range h.h.Output() {
		switch e.Kind {
		case harnessbridge.Record:
			h.out = append(h.out, "out "+fmtRecord(record{v: e.Value, ts: e.Time}))
		case harnessbridge.Side:
			h.out = append(h.out, "side "+e.Tag.(*OutputTag).Name+" "+fmtRecord(record{v: e.Value, ts: e.Time}))
		case harnessbridge.Watermark:
			h.out = append(h.out, "wm "+fmtTime(e.Time))
		case harnessbridge.Idle:
			h.out = append(h.out, fmt.Sprintf("idle %v", e.Idle))
		case harnessbridge.End:
			h.out = append(h.out, "end")
		}
	}
	h.h.ClearOutput()
}

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
	if r.ts != NoTimestamp {
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
	oh, err := newOpHarness(env, out, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { oh.Close() })
	return &harness{h: oh}
}

// feed runs one script line: "key:value@ts" (an element), "wm T" (a watermark), "proc T" (move the processing
// clock to T and run what is due), or "end" (end of input: the final watermark, then endInput).
func (h *harness) feed(t testing.TB, line string) {
	f := strings.Fields(line)
	var err error
	switch f[0] {
	case "wm":
		err = h.h.ProcessWatermark(0, parseTime(t, f[1]))
	case "proc":
		err = h.h.SetProcessingTime(parseTime(t, f[1]))
	case "end":
		if err = h.h.ProcessWatermark(0, MaxWatermark); err == nil {
			err = h.h.EndInput()
		}
	default:
		r, ts := parseRec(t, line)
		err = h.h.ProcessElement(0, r, ts)
	}
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	h.format()
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
