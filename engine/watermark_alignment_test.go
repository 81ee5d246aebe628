package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// testAligner builds a coordinator over hand-made readers, to feed it reports as Flink's
// SourceCoordinatorAlignmentTest does.
type testAligner struct {
	c       *alignmentCoordinator
	readers map[string]*alignedReader
}

func newTestAligner(specs map[string]*watermarkAlignment) *testAligner {
	a := &testAligner{c: &alignmentCoordinator{sources: map[*node]*alignedSource{}, groups: map[string]*alignedGroup{},
		byTask: map[*subtask]*alignedReader{}}, readers: map[string]*alignedReader{}}
	names := make([]string, 0, len(specs))
	for name := range specs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		spec := specs[name]
		g := a.c.groups[spec.group]
		if g == nil {
			g = &alignedGroup{name: spec.group, interval: spec.interval}
			a.c.groups[spec.group] = g
		}
		src := &alignedSource{spec: spec, group: g, readers: map[int]*alignedReader{}}
		g.sources = append(g.sources, src)
		a.c.sources[&node{name: name}] = src
		for i := range 2 {
			t := &subtask{index: i, exec: &execution{done: make(chan struct{})}, gate: newGate(1, nil)}
			r := &alignedReader{src: src, task: t}
			r.wm.Store(MinWatermark)
			r.allowed.Store(MaxWatermark)
			src.readers[i] = r
			a.readers[fmt.Sprintf("%s/%d", name, i)] = r
		}
	}
	return a
}

// report sets a reader's watermark (MaxWatermark: the reader is idle, as Flink's idle readers report) and
// lets every source announce, as the coordinator's periodic task does.
func (a *testAligner) report(reader string, wm int64) {
	r := a.readers[reader]
	if wm == MaxWatermark {
		r.idle.Store(true)
	} else {
		r.idle.Store(false)
		r.wm.Store(wm)
	}
	for _, g := range a.c.groups {
		a.c.announceLocked(g)
	}
}

func (a *testAligner) expect(t *testing.T, reader string, allowed int64) {
	t.Helper()
	if got := a.readers[reader].allowed.Load(); got != allowed {
		t.Fatalf("%s: max allowed watermark %s, want %s", reader, fmtTime(got), fmtTime(allowed))
	}
}

// Flink: SourceCoordinatorAlignmentTest#testWatermarkAlignment, #testWatermarkAlignmentWithIdleness and
// #testWatermarkAlignmentWithTwoGroups. The announced maximum is the group's lowest reported watermark plus
// maxDrift; idle readers do not hold the group back, and when all are idle there is no limit.
func TestWatermarkAlignmentCoordinatorAnnouncesMinimumPlusDrift(t *testing.T) {
	g1 := &watermarkAlignment{group: "group1", maxDrift: time.Second, interval: time.Second}
	t.Run("alignment", func(t *testing.T) {
		a := newTestAligner(map[string]*watermarkAlignment{"s": g1})
		a.report("s/0", 42)
		a.expect(t, "s/0", 1042) // s/1 has no watermark yet: it reports nothing
		a.report("s/1", 44)
		a.expect(t, "s/0", 1042)
		a.expect(t, "s/1", 1042)
		a.report("s/0", 5000)
		a.expect(t, "s/0", 1044)
		a.expect(t, "s/1", 1044)
	})
	t.Run("idleness", func(t *testing.T) {
		a := newTestAligner(map[string]*watermarkAlignment{"s": g1})
		a.report("s/0", 42)
		a.expect(t, "s/0", 1042)
		a.report("s/1", 44)
		a.expect(t, "s/1", 1042)
		a.report("s/0", MaxWatermark) // s/0 becomes idle
		a.expect(t, "s/0", 1044)
		a.expect(t, "s/1", 1044)
		a.report("s/0", 42) // active again
		a.expect(t, "s/0", 1042)
		a.expect(t, "s/1", 1042)
		a.report("s/0", MaxWatermark) // all idle: no limit
		a.report("s/1", MaxWatermark)
		a.expect(t, "s/0", MaxWatermark)
		a.expect(t, "s/1", MaxWatermark)
		a.report("s/0", 42)
		a.expect(t, "s/0", 1042)
		a.expect(t, "s/1", 1042)
		a.report("s/1", 46)
		a.expect(t, "s/0", 1042)
		a.expect(t, "s/1", 1042)
	})
	t.Run("two groups", func(t *testing.T) {
		g2 := &watermarkAlignment{group: "group2", maxDrift: time.Second, interval: time.Second}
		a := newTestAligner(map[string]*watermarkAlignment{"a": g1, "b": g2})
		a.report("a/0", 42)
		a.expect(t, "a/0", 1042)
		a.report("b/1", 44)
		a.expect(t, "a/0", 1042)
		a.expect(t, "b/1", 1044)
		a.report("a/0", 5000)
		a.expect(t, "a/0", 6000)
		a.expect(t, "b/1", 1044)
	})
	t.Run("one group, two sources, own drifts", func(t *testing.T) {
		// As in Flink, each source's coordinator adds its own maxDrift to the minimum of the shared group.
		loose := &watermarkAlignment{group: "group1", maxDrift: 5 * time.Second, interval: time.Second}
		a := newTestAligner(map[string]*watermarkAlignment{"a": g1, "b": loose})
		a.report("a/0", 42)
		a.report("b/0", 9000)
		a.expect(t, "a/1", 1042)
		a.expect(t, "b/1", 5042)
	})
	t.Run("finished and stopped readers", func(t *testing.T) {
		a := newTestAligner(map[string]*watermarkAlignment{"s": g1})
		a.report("s/0", 42)
		a.report("s/1", 7000)
		a.readers["s/0"].finished.Store(true) // Flink: SourceOperatorAlignmentTest#testWatermarkAlignmentWhileSubtaskFinished
		a.report("s/1", 7000)
		a.expect(t, "s/1", 8000)
		a.readers["s/1"].task.exec.halt() // a failed attempt's reader reports nothing
		a.report("s/0", 42)
		a.expect(t, "s/1", MaxWatermark)
	})
	if got := maxAllowedWatermark(MaxWatermark-10, time.Second); got != MaxWatermark {
		t.Fatalf("overflowing max allowed watermark = %d, want MaxWatermark", got)
	}
}

// Arguments are refused when the strategy is built, naming the argument.
func TestWithWatermarkAlignmentRefusesBadArguments(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"empty group", func() { ForMonotonousTimestamps().WithWatermarkAlignment("", time.Second) }, "group"},
		{"zero drift", func() { ForMonotonousTimestamps().WithWatermarkAlignment("g", 0) }, "maxDrift"},
		{"negative drift", func() { ForMonotonousTimestamps().WithWatermarkAlignment("g", -time.Second) }, "maxDrift"},
		{"zero interval", func() { ForMonotonousTimestamps().WithWatermarkAlignment("g", time.Second, 0) }, "updateInterval"},
		{"two intervals", func() { ForMonotonousTimestamps().WithWatermarkAlignment("g", time.Second, time.Second, time.Second) }, "updateInterval"},
		{"not a source", func() {
			env := NewEnvironment(Config{Parallelism: 1})
			env.FromElements(1).AssignTimestampsAndWatermarks(ForMonotonousTimestamps().WithWatermarkAlignment("g", time.Second))
		}, "source"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil || !strings.Contains(fmt.Sprint(p), c.want) {
					t.Fatalf("panic %v, want one naming %q", p, c.want)
				}
			}()
			c.f()
		})
	}
	s := ForMonotonousTimestamps().WithWatermarkAlignment("g", 5*time.Second)
	if want := `MonotonousTimestamps, aligned in group "g" (max drift 5s, update every 1s)`; s.String() != want {
		t.Fatalf("String() = %q, want %q", s.String(), want)
	}
}

// feedSource is a non-parallel source whose elements the test pushes; Read reports ErrNoData when it has
// read everything pushed so far, and ends once closed and drained.
type feedSource struct {
	mu     sync.Mutex
	elems  []SourceElement
	next   int
	closed bool
}

func (f *feedSource) MaxParallelism() int                        { return 1 }
func (f *feedSource) Reader(SourceContext) (SourceReader, error) { return f, nil }
func (f *feedSource) Close() error                               { return nil }
func (f *feedSource) Read() (SourceElement, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.next < len(f.elems) {
		f.next++
		return f.elems[f.next-1], nil
	}
	if f.closed {
		return SourceElement{}, ErrEndOfInput
	}
	return SourceElement{}, ErrNoData
}

// Offset and Seek make the feed replayable, for checkpoints.
func (f *feedSource) Offset() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []byte(fmt.Sprint(f.next)), nil
}
func (f *feedSource) Seek(o []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := fmt.Sscan(string(o), &f.next)
	return err
}

// push adds a record of key with each timestamp, from..to every step milliseconds.
func (f *feedSource) push(key string, from, to, step int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ts := from; ts <= to; ts += step {
		f.elems = append(f.elems, SourceElement{Value: rec{key, ts}, Timestamp: ts})
	}
}

// markIdle adds an Idle marker: the reader is idle until its next record.
func (f *feedSource) markIdle() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.elems = append(f.elems, SourceElement{Value: Idle{}})
}

func (f *feedSource) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
}

// drained reports whether the reader has read everything pushed.
func (f *feedSource) drained() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.next == len(f.elems)
}

// perRecordAligned is the strategy of most tests here: monotonous timestamps, a watermark after every record,
// aligned in group "g" with a max drift of 5s, updated every second.
func perRecordAligned() WatermarkStrategy {
	return ForMonotonousTimestamps().WithPerRecordEmission().WithWatermarkAlignment("g", 5*time.Second, time.Second)
}

// alignedJob runs two sources, "fast" and "slow", with strategy s, through a union into 10s event-time
// windows that count each key.
func alignedJob(t *testing.T, cfg Config, fast, slow Source, s WatermarkStrategy) (*Job, *Collected) {
	t.Helper()
	env := NewEnvironment(cfg)
	out := env.FromSource(fast, &s, "fast").Union(env.FromSource(slow, &s, "slow")).
		KeyBy(func(v any) any { return v.(rec).Key }).
		Window(TumblingEventTimeWindows(10 * time.Second)).
		Process(func(ctx *WindowContext, key any, elems []any, out Collector) {
			out.Collect(fmt.Sprintf("%v %v n=%d", key, ctx.Window(), len(elems)))
		}).Collect()
	job, err := env.ExecuteAsync("aligned")
	if err != nil {
		t.Fatal(err)
	}
	return job, out
}

// sourceAlignment returns the alignment of the source vertex named name.
func sourceAlignment(s JobSnapshot, name string) AlignmentSnapshot {
	for _, v := range s.Vertices {
		if strings.HasPrefix(v.Name, "Source: "+name) && len(v.Subtasks) > 0 && v.Subtasks[0].Alignment != nil {
			return *v.Subtasks[0].Alignment
		}
	}
	return AlignmentSnapshot{}
}

// waitFor polls the job's snapshot until cond holds (the job runs on its own goroutines), failing after 10s.
func waitFor(t *testing.T, job *Job, what string, cond func(JobSnapshot) bool) JobSnapshot {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := job.Snapshot()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s; fast %+v, slow %+v", what, sourceAlignment(s, "fast"), sourceAlignment(s, "slow"))
		}
		time.Sleep(time.Millisecond)
	}
}

// settled reports whether a reader can read no further until the next announcement: it is paused (its
// watermark is above the announced maximum), or it has read everything pushed and reported the last watermark.
func settled(a AlignmentSnapshot, f *feedSource, last int64) bool {
	if a.Finished {
		return true
	}
	if a.Watermark > a.MaxAllowed {
		return a.Paused
	}
	return f.drained() && a.Watermark == last-1
}

func describeAlignment(a AlignmentSnapshot) string {
	s := "wm " + fmtTime(a.Watermark)
	if a.Paused {
		s += " paused"
	}
	return s
}

var wantAlignedWindows = []string{
	"fast [0, 10000) n=10", "fast [10000, 20000) n=10", "fast [20000, 30000) n=10", "fast [30000, 40000) n=10", "fast [40000, 50000) n=1",
	"slow [0, 10000) n=10", "slow [10000, 20000) n=10", "slow [20000, 30000) n=10", "slow [30000, 40000) n=10", "slow [40000, 50000) n=1",
}

// Flink: SourceOperatorAlignmentTest#testWatermarkAlignment and the "Watermark alignment" section of
// Flink's "Generating Watermarks" page. Two sources in one group (max drift 5s, update every 1s): the fast
// one, far ahead, pauses while the slow one catches up; each announcement lets the group move 5s of event
// time past its slowest reader, and the windows are the same as without alignment.
func TestWatermarkAlignmentPausesTheSourceAhead(t *testing.T) {
	clock := NewVirtualClock(0)
	fast, slow := &feedSource{}, &feedSource{}
	job, out := alignedJob(t, Config{Parallelism: 1, Clock: clock}, fast, slow, perRecordAligned())
	defer job.Cancel()
	var trace []string
	// settle waits until neither reader can read on before the next announcement (each announcement reads
	// the watermarks of settled readers, so the trace does not depend on goroutine scheduling), and traces.
	settle := func(lastFast, lastSlow int64) {
		s := waitFor(t, job, "both readers settle", func(s JobSnapshot) bool {
			return settled(sourceAlignment(s, "fast"), fast, lastFast) && settled(sourceAlignment(s, "slow"), slow, lastSlow)
		})
		f, sl := sourceAlignment(s, "fast"), sourceAlignment(s, "slow")
		if f.Group != "g" || f.MaxDrift != 5*time.Second || sl.MaxAllowed != f.MaxAllowed {
			t.Fatalf("fast %+v, slow %+v", f, sl)
		}
		trace = append(trace, fmt.Sprintf("allowed %s: fast %s, slow %s", fmtTime(f.MaxAllowed), describeAlignment(f), describeAlignment(sl)))
	}
	fast.push("fast", 0, 19000, 1000)
	slow.push("slow", 0, 2000, 1000)
	settle(19000, 2000)
	clock.Advance(1000)
	settle(19000, 2000)
	fast.push("fast", 20000, 40000, 1000)
	slow.push("slow", 3000, 40000, 1000)
	settle(40000, 40000)
	for range 6 {
		clock.Advance(1000)
		settle(40000, 40000)
	}
	want := []string{
		"allowed +inf: fast wm 18999, slow wm 1999",                 // no announcement yet: no limit
		"allowed 6999: fast wm 18999 paused, slow wm 1999",          // slow's 1999 + 5s: fast, 12s ahead, pauses
		"allowed 6999: fast wm 18999 paused, slow wm 7999 paused",   // slow reads until it passes 6999
		"allowed 12999: fast wm 18999 paused, slow wm 13999 paused", // fast stays paused while slow catches up
		"allowed 18999: fast wm 19999 paused, slow wm 19999 paused", // fast may read again: both proceed
		"allowed 24999: fast wm 25999 paused, slow wm 25999 paused",
		"allowed 30999: fast wm 31999 paused, slow wm 31999 paused",
		"allowed 36999: fast wm 37999 paused, slow wm 37999 paused",
		"allowed 42999: fast wm 39999, slow wm 39999",
	}
	if strings.Join(trace, "\n") != strings.Join(want, "\n") {
		t.Fatalf("trace:\n%s\nwant:\n%s", strings.Join(trace, "\n"), strings.Join(want, "\n"))
	}
	fast.close()
	slow.close()
	for !waitDone(job) {
		clock.Advance(1000)
	}
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	if a := sourceAlignment(job.Snapshot(), "fast"); a.Pauses < 2 || !a.Finished || a.Paused {
		t.Fatalf("at the end fast is %+v, want finished after at least 2 pauses", a)
	}
	checkWindows(t, "aligned", out)

	// The same input without alignment gives the same windows.
	fast, slow = &feedSource{}, &feedSource{}
	fast.push("fast", 0, 40000, 1000)
	slow.push("slow", 0, 40000, 1000)
	fast.close()
	slow.close()
	job, out = alignedJob(t, Config{Parallelism: 1, Clock: NewVirtualClock(0)}, fast, slow, ForMonotonousTimestamps().WithPerRecordEmission())
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	checkWindows(t, "unaligned", out)
}

func checkWindows(t *testing.T, run string, out *Collected) {
	t.Helper()
	got := out.Strings()
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(wantAlignedWindows, "\n") {
		t.Fatalf("%s windows:\n%s\nwant:\n%s", run, strings.Join(got, "\n"), strings.Join(wantAlignedWindows, "\n"))
	}
}

// waitDone reports whether the job has stopped, waiting a little for it.
func waitDone(job *Job) bool {
	select {
	case <-job.Done():
		return true
	case <-time.After(5 * time.Millisecond):
		return false
	}
}

// pausedFast starts the usual job with fast 12s ahead of slow (0..19s against 0..2s) and advances the clock
// once, so that fast is paused (allowed 1999 + 5s).
func pausedFast(t *testing.T, cfg Config, s WatermarkStrategy) (job *Job, out *Collected, fast, slow *feedSource) {
	t.Helper()
	clock := cfg.Clock.(*VirtualClock)
	fast, slow = &feedSource{}, &feedSource{}
	job, out = alignedJob(t, cfg, fast, slow, s)
	fast.push("fast", 0, 19000, 1000)
	slow.push("slow", 0, 2000, 1000)
	waitFor(t, job, "both read their first records", func(s JobSnapshot) bool {
		return settled(sourceAlignment(s, "fast"), fast, 19000) && settled(sourceAlignment(s, "slow"), slow, 2000)
	})
	clock.Advance(1000)
	waitFor(t, job, "fast pauses", func(s JobSnapshot) bool {
		a := sourceAlignment(s, "fast")
		return a.Paused && a.MaxAllowed == 6999
	})
	return job, out, fast, slow
}

// Flink: SourceOperatorAlignmentTest#testWatermarkAlignmentWhileSubtaskFinished and
// SourceCoordinatorAlignmentTest#testWatermarkAggregator (a finished reader reports MaxWatermark). When the
// slow source ends, the group no longer waits for it: fast may read up to its own watermark plus the drift
// at once, without waiting for the next interval.
func TestWatermarkAlignmentFinishedReaderReleasesTheGroup(t *testing.T) {
	job, out, fast, slow := pausedFast(t, Config{Parallelism: 1, Clock: NewVirtualClock(0)}, perRecordAligned())
	defer job.Cancel()
	fast.push("fast", 20000, 22000, 1000)
	slow.close()
	s := waitFor(t, job, "fast reads on", func(s JobSnapshot) bool {
		a := sourceAlignment(s, "fast")
		return a.MaxAllowed != 6999 && settled(a, fast, 22000)
	})
	if a := sourceAlignment(s, "fast"); a.Paused || a.MaxAllowed != 18999+5000 || a.Watermark != 21999 {
		t.Fatalf("after slow finished fast is %+v, want reading with max allowed 23999", a)
	}
	if a := sourceAlignment(s, "slow"); !a.Finished {
		t.Fatalf("slow is %+v, want finished", a)
	}
	fast.close()
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	want := "fast [0, 10000) n=10,fast [10000, 20000) n=10,fast [20000, 30000) n=3,slow [0, 10000) n=3"
	got := out.Strings()
	sort.Strings(got)
	if strings.Join(got, ",") != want {
		t.Fatalf("windows %s, want %s", strings.Join(got, ","), want)
	}
}

// Flink: SourceCoordinatorAlignmentTest#testWatermarkAlignmentWithIdleness and
// SourceOperatorAlignmentTest#testWatermarkAlignmentWithIdleness. An idle reader does not hold the group back;
// once it has records again it does. A paused reader is never marked idle, however long it waits (Flink's
// FLIP-471: time blocked by alignment does not count towards idleness), although its strategy has an
// idleness timeout. The slow reader goes idle by an Idle marker (Flink's SourceOutput#markIdle), so the test
// does not depend on when the source loop runs its periodic checks.
func TestWatermarkAlignmentIgnoresIdleReaders(t *testing.T) {
	clock := NewVirtualClock(0)
	s := perRecordAligned().WithIdleness(1500 * time.Millisecond)
	job, _, fast, slow := pausedFast(t, Config{Parallelism: 1, Clock: clock, AutoWatermarkInterval: 100 * time.Millisecond}, s)
	defer job.Cancel()
	slow.markIdle()
	waitFor(t, job, "slow goes idle", func(s JobSnapshot) bool { return sourceAlignment(s, "slow").Idle })
	clock.Advance(1000) // the announcement at 2s leaves out idle slow
	st := waitFor(t, job, "fast reads on", func(s JobSnapshot) bool {
		a := sourceAlignment(s, "fast")
		return !a.Paused && a.MaxAllowed == 18999+5000 && settled(a, fast, 19000)
	})
	if a := sourceAlignment(st, "slow"); a.Paused || a.MaxAllowed != 23999 {
		t.Fatalf("slow is %+v", a)
	}
	if a := sourceAlignment(st, "fast"); a.Idle || a.Pauses != 1 {
		t.Fatalf("fast is %+v, want never idle while it waited, paused once", a)
	}
	slow.push("slow", 3000, 3000, 1) // slow is active again and holds the group back from the next announcement
	waitFor(t, job, "slow is active", func(s JobSnapshot) bool {
		a := sourceAlignment(s, "slow")
		return !a.Idle && a.Watermark == 2999
	})
	fast.push("fast", 20000, 20000, 1)
	clock.Advance(1000)
	waitFor(t, job, "fast pauses again", func(s JobSnapshot) bool {
		a := sourceAlignment(s, "fast")
		return a.Paused && a.MaxAllowed == 7999 && a.Pauses == 2 && !a.Idle
	})
}

// Flink: SourceOperatorAlignmentTest#testStopWhileWaitingForWatermarkAlignment. Canceling a job whose
// source is paused ends it promptly.
func TestWatermarkAlignmentCancelWhilePaused(t *testing.T) {
	job, _, _, _ := pausedFast(t, Config{Parallelism: 1, Clock: NewVirtualClock(0)}, perRecordAligned())
	job.Cancel()
	select {
	case <-job.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not end within 5s of Cancel while a source was paused")
	}
	if err := job.Wait(); !errors.Is(err, ErrCanceled) {
		t.Fatalf("err = %v, want ErrCanceled", err)
	}
}

// A paused reader still handles checkpoint barriers (Flink's SourceOperator keeps processing mail while it
// waits for alignment): a checkpoint completes, and the reader reads nothing for it.
func TestWatermarkAlignmentCheckpointWhilePaused(t *testing.T) {
	cfg := Config{Parallelism: 1, Clock: NewVirtualClock(0), Checkpointing: CheckpointConfig{Dir: t.TempDir()}}
	job, _, fast, _ := pausedFast(t, cfg, perRecordAligned())
	defer job.Cancel()
	fast.push("fast", 20000, 20000, 1)
	id, err := job.TriggerCheckpoint()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		cps := job.Checkpoints()
		if n := len(cps); n > 0 && cps[n-1].ID == id && cps[n-1].Status == CheckpointCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %d did not complete while fast was paused: %+v", id, cps)
		}
		time.Sleep(time.Millisecond)
	}
	if a := sourceAlignment(job.Snapshot(), "fast"); !a.Paused || a.Watermark != 18999 || fast.drained() {
		t.Fatalf("after the checkpoint fast is %+v (drained %v), want still paused at 18999", a, fast.drained())
	}
}

// replayFeed is a bounded source whose reader sets the job's time to each element's arrival time, as a
// scripted replay does with Config.DeterministicTime.
type replayFeed struct {
	key            string
	from, to, step int64
	arrival        func(ts int64) int64
}

func (replayFeed) MaxParallelism() int { return 1 }
func (r replayFeed) Reader(ctx SourceContext) (SourceReader, error) {
	return &replayFeedReader{r: r, next: r.from, set: ctx.SetTime}, nil
}

type replayFeedReader struct {
	r    replayFeed
	next int64
	set  func(int64)
}

func (r *replayFeedReader) Close() error { return nil }
func (r *replayFeedReader) Read() (SourceElement, error) {
	if r.next > r.r.to {
		return SourceElement{}, ErrEndOfInput
	}
	ts := r.next
	r.next += r.r.step
	r.set(r.r.arrival(ts))
	return SourceElement{Value: rec{r.r.key, ts}, Timestamp: ts}, nil
}

// With Config.DeterministicTime the update interval runs on the sources' arrival times; readers that pause
// re-announce, so a group whose readers are all paused cannot stall a clock only they move. The windows are
// those of the unaligned run.
func TestWatermarkAlignmentWithDeterministicTime(t *testing.T) {
	for i := range 3 {
		fast := replayFeed{key: "fast", from: 0, to: 40000, step: 1000, arrival: func(ts int64) int64 { return ts / 10 }}
		slow := replayFeed{key: "slow", from: 0, to: 40000, step: 1000, arrival: func(ts int64) int64 { return ts }}
		job, out := alignedJob(t, Config{Parallelism: 1, DeterministicTime: true}, fast, slow, perRecordAligned())
		select {
		case <-job.Done():
		case <-time.After(10 * time.Second):
			job.Cancel()
			t.Fatalf("run %d: the aligned job with deterministic time did not finish: fast %+v, slow %+v", i,
				sourceAlignment(job.Snapshot(), "fast"), sourceAlignment(job.Snapshot(), "slow"))
		}
		if err := job.Wait(); err != nil {
			t.Fatal(err)
		}
		checkWindows(t, "deterministic time", out)
	}
}

// parallelFeed is a parallel source: subtask i reads feeds[i].
type parallelFeed []*feedSource

func (p parallelFeed) MaxParallelism() int { return len(p) }
func (p parallelFeed) Reader(ctx SourceContext) (SourceReader, error) {
	return p[ctx.Subtask], nil
}

// Flink (FLIP-182): the readers of one parallel source align with each other too. Reader 0, 12s ahead of
// reader 1, pauses alone; the snapshot tells them apart.
func TestWatermarkAlignmentAcrossReadersOfOneSource(t *testing.T) {
	clock := NewVirtualClock(0)
	feeds := parallelFeed{{}, {}}
	s := perRecordAligned()
	env := NewEnvironment(Config{Parallelism: 2, Clock: clock})
	env.FromSource(feeds, &s, "split").SinkTo("discard", func(any, int64) error { return nil })
	job, err := env.ExecuteAsync("splits")
	if err != nil {
		t.Fatal(err)
	}
	defer job.Cancel()
	feeds[0].push("a", 0, 19000, 1000)
	feeds[1].push("b", 0, 2000, 1000)
	split := func(s JobSnapshot, i int) AlignmentSnapshot {
		if a := s.Vertices[0].Subtasks[i].Alignment; a != nil {
			return *a
		}
		return AlignmentSnapshot{}
	}
	waitFor(t, job, "both readers read", func(s JobSnapshot) bool {
		return settled(split(s, 0), feeds[0], 19000) && settled(split(s, 1), feeds[1], 2000)
	})
	clock.Advance(1000)
	st := waitFor(t, job, "reader 0 pauses", func(s JobSnapshot) bool { return split(s, 0).Paused })
	if a, b := split(st, 0), split(st, 1); a.MaxAllowed != 6999 || b.MaxAllowed != 6999 || b.Paused || a.Watermark != 18999 {
		t.Fatalf("reader 0 %+v, reader 1 %+v", a, b)
	}
}

// After a failover the new attempt's readers take the old ones' places: they start without a watermark (as
// in Flink, watermarks are not checkpointed), so they hold nobody back until they have one (Flink:
// SourceOperatorAlignmentTest#testWatermarkAlignmentWithoutSplit), and then they align again.
func TestWatermarkAlignmentAfterRestart(t *testing.T) {
	clock := NewVirtualClock(0)
	cfg := Config{Parallelism: 1, Clock: clock, Checkpointing: CheckpointConfig{Dir: t.TempDir()},
		Restart: RestartStrategy{Attempts: 1, Delay: time.Millisecond}}
	job, _, fast, slow := pausedFast(t, cfg, perRecordAligned())
	defer job.Cancel()
	id, err := job.TriggerCheckpoint()
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if cps := job.Checkpoints(); len(cps) > 0 && cps[len(cps)-1].ID == id && cps[len(cps)-1].Status == CheckpointCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %d did not complete", id)
		}
	}
	if err := job.KillTaskManager(1); err != nil {
		t.Fatal(err)
	}
	fast.push("fast", 20000, 24000, 1000)
	waitFor(t, job, "the restarted fast reader reads on", func(s JobSnapshot) bool {
		a := sourceAlignment(s, "fast")
		return job.Restarts() == 1 && a.Watermark == 23999 && !a.Paused && a.Pauses == 0
	})
	clock.Advance(1000) // slow has no watermark since the restart: only fast reports
	waitFor(t, job, "fast is allowed its own watermark plus the drift", func(s JobSnapshot) bool {
		a := sourceAlignment(s, "fast")
		return a.MaxAllowed == 28999 && !a.Paused
	})
	slow.push("slow", 3000, 3000, 1)
	waitFor(t, job, "slow reports again", func(s JobSnapshot) bool { return sourceAlignment(s, "slow").Watermark == 2999 })
	clock.Advance(1000)
	waitFor(t, job, "fast pauses again", func(s JobSnapshot) bool {
		a := sourceAlignment(s, "fast")
		return a.Paused && a.MaxAllowed == 7999 && a.Pauses == 1
	})
}
