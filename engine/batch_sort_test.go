package engine

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// spillRec is a record of the spill tests: its key K and its arrival number I.
type spillRec struct {
	K any
	I int
}

// spillKey is a struct key: the batch sorter keeps it on the heap and orders it by compareValues.
type spillKey struct {
	A int
	B string
}

// spillInputs are the key kinds the spill tests run: one Go type of key each (compared by their encodings or
// normalised keys), and keys of three types mixed (int and int64 keys that compare equal are told apart by
// key group and type, as compareBatchElements does).
var spillInputs = map[string]func(i int) any{
	"int":    func(i int) any { return i * 7919 % 97 },
	"string": func(i int) any { return strings.Repeat("p", 30) + fmt.Sprint(i%53) }, // ties beyond the 24-byte prefix
	"struct": func(i int) any { return spillKey{A: i % 5, B: fmt.Sprint(i % 7)} },
	"mixed": func(i int) any {
		switch i % 3 {
		case 0:
			return i % 10
		case 1:
			return int64(i % 10)
		}
		return fmt.Sprint(i % 10)
	},
}

const spillN = 2000

func spillTS(i int) int64 { return int64(i * 31 % 200) } // many ties: arrival decides

// runSpillJob runs a Batch keyed process function over spillN records whose keys come from key, emitting
// each record and, at the end of each key, its event-time timers; it returns the output in arrival order,
// the job, and the temporary directory it spilled to.
func runSpillJob(t *testing.T, key func(int) any, par int, cfg Config) (*Job, []string) {
	t.Helper()
	cfg.Parallelism, cfg.RuntimeMode, cfg.Clock = par, Batch, NewVirtualClock(0)
	env := NewEnvironment(cfg)
	var in SliceSource
	for i := range spillN {
		in = append(in, SourceElement{Value: spillRec{K: key(i), I: i}, Timestamp: spillTS(i)})
	}
	out := env.FromSource(in, nil, "in").KeyBy(func(v any) any { return v.(spillRec).K }).Process(ProcessFunction{
		ProcessElement: func(ctx *Context, v any, out Collector) {
			k := v.(spillRec).K
			out.Collect(fmt.Sprintf("%T:%v|%d@%d", k, k, v.(spillRec).I, ctx.Timestamp()))
			ctx.RegisterEventTimeTimer(ctx.Timestamp() + 1000)
		},
		OnTimer: func(ctx *Context, ts int64, out Collector) {
			out.Collect(fmt.Sprintf("timer %T:%v@%d", ctx.CurrentKey(), ctx.CurrentKey(), ts))
		},
	}).Collect()
	job, err := env.Execute("spill")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, v := range out.Values() { // arrival order
		lines = append(lines, v.(string))
	}
	return job, lines
}

// spillExpected is the output of runSpillJob at parallelism 1 worked out without the engine: records ordered
// by key, then timestamp, then arrival (Flink's KeyAndTimestampComparator; keys that compare equal but
// differ by key group, then type name), each key's records then its distinct timers in order.
func spillExpected(key func(int) any) []string {
	var es []batchElement
	for i := range spillN {
		k := key(i)
		es = append(es, batchElement{seq: i, r: record{v: i, key: k, ts: spillTS(i), kg: int32(keygroup.Of(k, keygroup.DefaultMaxParallelism))}})
	}
	slices.SortFunc(es, compareBatchElements)
	var out []string
	timers := map[int64]bool{}
	flush := func(k any) {
		var ts []int64
		for t := range timers {
			ts = append(ts, t)
		}
		slices.Sort(ts)
		for _, t := range ts {
			out = append(out, fmt.Sprintf("timer %T:%v@%d", k, k, t))
		}
		clear(timers)
	}
	for i, e := range es {
		if i > 0 && e.r.key != es[i-1].r.key {
			flush(es[i-1].r.key)
		}
		out = append(out, fmt.Sprintf("%T:%v|%d@%d", e.r.key, e.r.key, e.r.v, e.r.ts))
		timers[e.r.ts+1000] = true
	}
	flush(es[len(es)-1].r.key)
	return out
}

// byKey splits an output into each key's lines, in order (a key runs in one subtask, so its lines keep their
// order at any parallelism).
func byKey(lines []string) map[string][]string {
	m := map[string][]string{}
	for _, l := range lines {
		k := strings.TrimPrefix(l, "timer ")
		k = k[:strings.IndexAny(k, "|@")]
		m[k] = append(m[k], l)
	}
	return m
}

// Batch mode's keyed input goes through the slot's managed sorter: with a budget of a few pages per slot it
// spills many sorted runs (and merges them in passes), and the result is the in-memory one, record for
// record: at parallelism 1 the exact output worked out by hand, at 4 each key's lines in the same order.
// Flink: SortingDataInput over an ExternalSorter (SortingDataInputTest, with spilling as in
// ExternalSortITCase#testSpillingSortWithIntermediateMerge).
func TestBatchSortSpillsAndMatchesInMemory(t *testing.T) {
	for name, key := range spillInputs {
		want := spillExpected(key)
		for _, par := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", name, par), func(t *testing.T) {
				_, inMem := runSpillJob(t, key, par, Config{})
				dir := t.TempDir()
				// 8 pages of 256 bytes a slot: a run holds a few dozen records.
				tiny := Config{ManagedMemorySize: int64(par * 8 * 256), MemorySegmentSize: 256, TempDir: dir}
				job, spilled := runSpillJob(t, key, par, tiny)
				if par == 1 {
					if !slices.Equal(inMem, want) {
						t.Fatalf("in memory:\n%s\nwant\n%s", head(inMem), head(want))
					}
					if !slices.Equal(spilled, want) {
						t.Fatalf("spilled:\n%s\nwant\n%s", head(spilled), head(want))
					}
				}
				a, b := byKey(inMem), byKey(spilled)
				if len(a) != len(b) || len(spilled) != len(want) {
					t.Fatalf("%d keys and %d lines spilled, %d keys and %d lines in memory", len(b), len(spilled), len(a), len(inMem))
				}
				for k, lines := range a {
					if !slices.Equal(lines, b[k]) {
						t.Fatalf("key %s: spilled %v, in memory %v", k, b[k], lines)
					}
				}
				var runs int64
				for s, f := range job.mem.spills {
					runs += f.runs
					if f.runs < 5 && par == 1 {
						t.Errorf("slot %d spilled %d runs, want many", s, f.runs)
					}
				}
				if runs < int64(5*par) {
					t.Errorf("%d runs spilled in all, want many", runs)
				}
				for i, m := range job.slotManagers() {
					if m != nil && m.Figures().UsedBytes != 0 {
						t.Errorf("slot %d still holds %d bytes", i, m.Figures().UsedBytes)
					}
				}
				if es, _ := os.ReadDir(dir); len(es) != 0 {
					t.Errorf("spill directory left %d entries (first %s)", len(es), es[0].Name())
				}
			})
		}
	}
}

func head(lines []string) string {
	return strings.Join(lines[:min(len(lines), 12)], "\n")
}

// Too little managed memory for a sorter (fewer than 3 pages for an operator's share) fails the job with an
// error naming the setting, as Flink's sorter refuses too little memory.
func TestBatchSortNeedsThreePages(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1, RuntimeMode: Batch, ManagedMemorySize: 2 * 256, MemorySegmentSize: 256})
	env.FromSlice([]any{1, 2, 3}).KeyBy(func(v any) any { return v }).Reduce(func(a, b any) any { return a }).
		SinkTo("Out", func(any, int64) error { return nil })
	_, err := env.Execute("too little")
	if err == nil || !strings.Contains(err.Error(), "Config.ManagedMemorySize") {
		t.Fatalf("got %v, want a failure naming Config.ManagedMemorySize", err)
	}
	var te *TaskError
	if !errors.As(err, &te) {
		t.Fatalf("got %T, want a TaskError", err)
	}
}
