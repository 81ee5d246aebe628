package engine

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

func init() { scenarioCmds["job-splits"] = runSplitsScenario }

// splitStep is one line of a split's script: an element (a record, a Watermark or an Idle marker), or a wait
// for another split ("await-idle N": until split N has handed its Idle marker to the engine; "await-end N":
// until split N has ended). Waiting returns ErrNoData, so the engine keeps polling the reader.
type splitStep struct {
	elem      SourceElement
	awaitIdle int // split index + 1, or 0
	awaitEnd  int // split index + 1, or 0
	awaitGo   bool
}

// splitSource is a Source with one reader per scripted split, whose readers can wait for each other: the
// scripts order what the splits send, so that a job's result does not depend on goroutine scheduling.
type splitSource struct {
	splits [][]splitStep
	idle   []atomic.Bool // split i's Idle marker went downstream
	ended  []atomic.Bool
	goOn   atomic.Bool // releases "await-go" steps (set by a test)
}

func (s *splitSource) MaxParallelism() int { return len(s.splits) }

func (s *splitSource) Reader(ctx SourceContext) (SourceReader, error) {
	return &splitReader{s: s, i: ctx.Subtask}, nil
}

type splitReader struct {
	s        *splitSource
	i, pos   int
	lastIdle bool
}

func (r *splitReader) Read() (SourceElement, error) {
	if r.lastIdle { // called again: the engine has sent the idleness downstream
		r.s.idle[r.i].Store(true)
		r.lastIdle = false
	}
	if r.pos >= len(r.s.splits[r.i]) {
		r.s.ended[r.i].Store(true)
		return SourceElement{}, ErrEndOfInput
	}
	st := r.s.splits[r.i][r.pos]
	switch {
	case st.awaitIdle > 0 && !r.s.idle[st.awaitIdle-1].Load(),
		st.awaitEnd > 0 && !r.s.ended[st.awaitEnd-1].Load(),
		st.awaitGo && !r.s.goOn.Load():
		return SourceElement{}, ErrNoData
	case st.awaitIdle > 0 || st.awaitEnd > 0 || st.awaitGo:
		r.pos++
		return r.Read()
	}
	r.pos++
	_, r.lastIdle = st.elem.Value.(Idle)
	return st.elem, nil
}
func (r *splitReader) Close() error { return nil }

// runSplitsScenario is "job" with a source of several splits read in parallel: every input line starts with
// its split's index ("0 a:1@5", "1 wm 7", "1 idle", "0 await-idle 1", "1 await-end 0"). The source gets
// per-record bounded-out-of-orderness watermarks (bound=, default 0); the operator runs at each listed
// parallelism, which must all give the same sorted output.
func runSplitsScenario(t *testing.T, d *datadriven.TestData, spec opSpec) string {
	pars, bound := jobArgs(d)
	bound = max(bound, 0)
	var splits [][]splitStep
	for _, line := range scriptLines(d) {
		idx, rest, _ := strings.Cut(line, " ")
		i, err := strconv.Atoi(idx)
		if err != nil {
			t.Fatalf("line %q does not start with a split index", line)
		}
		for len(splits) <= i {
			splits = append(splits, nil)
		}
		f := strings.Fields(rest)
		var st splitStep
		switch f[0] {
		case "wm":
			st.elem = SourceElement{Value: Watermark{parseTime(t, f[1])}}
		case "idle":
			st.elem = SourceElement{Value: Idle{}}
		case "await-idle", "await-end":
			n, _ := strconv.Atoi(f[1])
			if f[0] == "await-idle" {
				st.awaitIdle = n + 1
			} else {
				st.awaitEnd = n + 1
			}
		default:
			r, ts := parseRec(t, rest)
			st.elem = SourceElement{Value: r, Timestamp: ts}
		}
		splits[i] = append(splits[i], st)
	}
	return sameAtEveryParallelism(t, pars, func(p int) ([]string, error) {
		src := &splitSource{splits: splits, idle: make([]atomic.Bool, len(splits)), ended: make([]atomic.Bool, len(splits))}
		env := NewEnvironment(Config{Parallelism: p, Clock: NewVirtualClock(0), BufferSize: 3})
		s := ForBoundedOutOfOrderness(time.Duration(bound) * time.Millisecond).WithPerRecordEmission()
		in := env.FromSource(src, &s, "splits").SetParallelism(len(splits))
		out := spec.build(in.KeyBy(func(v any) any { return v.(rec).Key }))
		main, late := out.Collect(), out.SideOutput(lateTag).Collect()
		if _, err := env.Execute("splits"); err != nil {
			return nil, err
		}
		return outputLines(main, map[string]*Collected{"late": late}), nil
	})
}

// Job.Snapshot shows idleness per subtask: which input channels are idle and whether the output is. Split 1
// of the source marks itself idle and waits: its source subtask's output is idle, and the keyed operator's
// channel from it (channel 1, wired in upstream subtask order) is idle. When the job ends, the final
// watermark marks the split active again first, so nothing is idle at the end.
func TestSnapshotShowsIdleness(t *testing.T) {
	src := &splitSource{splits: [][]splitStep{
		{{elem: SourceElement{Value: rec{"a", 1}, Timestamp: 1}}, {awaitGo: true}},
		{{elem: SourceElement{Value: Idle{}}}, {awaitGo: true}},
	}, idle: make([]atomic.Bool, 2), ended: make([]atomic.Bool, 2)}
	env := NewEnvironment(Config{Parallelism: 1, Clock: NewVirtualClock(0)})
	s := ForMonotonousTimestamps().WithPerRecordEmission()
	env.FromSource(src, &s, "splits").SetParallelism(2).
		KeyBy(func(v any) any { return v.(rec).Key }).Process(tsProbe("p")).Collect()
	job, err := env.ExecuteAsync("idle snapshot")
	if err != nil {
		t.Fatal(err)
	}
	idleOf := func(snap JobSnapshot) string {
		var parts []string
		for _, v := range snap.Vertices {
			for _, st := range v.Subtasks {
				parts = append(parts, fmt.Sprintf("%d/%d in=%v out=%v", v.ID, st.Index, st.IdleInputs, st.OutputIdle))
			}
		}
		return strings.Join(parts, " ")
	}
	const want = "1/0 in=[] out=false 1/1 in=[] out=true 2/0 in=[false true] out=false"
	deadline := time.Now().Add(10 * time.Second)
	got := idleOf(job.Snapshot())
	for got != want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // the subtasks apply the statuses on their own goroutines
		got = idleOf(job.Snapshot())
	}
	if got != want {
		t.Fatalf("while split 1 is idle: %s\nwant %s", got, want)
	}
	src.goOn.Store(true)
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := idleOf(job.Snapshot()); got != "1/0 in=[] out=false 1/1 in=[] out=false 2/0 in=[false false] out=false" {
		t.Fatalf("after the end: %s", got)
	}
}
