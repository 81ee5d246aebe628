package engine

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Real jobs with broadcast state: several parallelisms, a crash with restore from a checkpoint, and rescaling
// from a savepoint. The regular elements are judged by versioned rules (the scenario function "versioned"):
// each element by the rule of its key valid at its timestamp, which makes the result independent of how the
// two streams interleave, so it can be compared with expectedVersioned, computed directly.

// bcRule is a rule update of the tests: key gets limit from timestamp TS on.
type bcRule struct {
	Key   string
	Limit int64
	TS    int64
}

// bcRulesFor returns m rule updates for keys k0..k(keys-1), spread over timestamps [0, span).
func bcRulesFor(m, keys int, span int64) []bcRule {
	out := make([]bcRule, m)
	for j := range m {
		out[j] = bcRule{Key: fmt.Sprint("k", j%keys), Limit: int64(j*37) % 50, TS: int64(j) * span / int64(m)}
	}
	return out
}

func bcEvent(i int64, keys int) rec { return rec{fmt.Sprint("k", i%int64(keys)), (i * 7) % 50} }

// expectedVersioned computes what the "versioned" function emits for events 1..n, directly from the rules.
func expectedVersioned(n int64, keys int, rules []bcRule) []string {
	var out []string
	for i := int64(1); i <= n; i++ {
		e := bcEvent(i, keys)
		limit, found, at := int64(0), false, int64(-1)
		for _, r := range rules {
			if r.Key == e.Key && r.TS <= i && r.TS >= at {
				limit, found, at = r.Limit, true, r.TS
			}
		}
		switch {
		case !found:
			out = append(out, fmt.Sprintf("%s:%d no rule", e.Key, e.V))
		case e.V > limit:
			out = append(out, fmt.Sprintf("%s:%d over %d", e.Key, e.V, limit))
		default:
			out = append(out, fmt.Sprintf("%s:%d ok %d", e.Key, e.V, limit))
		}
	}
	sort.Strings(out)
	return out
}

// versionedJob builds events -> keyBy -> KeyedCoBroadcast(versioned) -> transactional file sink.
func versionedJob(env *Environment, events Source, rules []bcRule, out string) {
	wm := ForBoundedOutOfOrderness(0).WithPerRecordEmission()
	var relems []SourceElement
	for _, r := range rules {
		relems = append(relems, SourceElement{Value: rec{r.Key, r.Limit}, Timestamp: r.TS})
	}
	src := env.FromSource(events, &wm, "events")
	rs := env.FromSource(SliceSource(relems), &wm, "rules")
	opSpec{args: map[string]string{"fn": "versioned"}}.
		buildBroadcast(nil, src.KeyBy(func(v any) any { return v.(rec).Key }), rs).
		SinkToFiles(out)
}

// bcEvents is a source of n events over keys (bcEvent) that pauses at pauseAt until resume is closed.
func bcEvents(n, pauseAt int64, keys int) *pausedSource {
	return &pausedSource{total: n, pauseAt: pauseAt, resume: make(chan struct{}),
		value: func(i int64) any { return bcEvent(i, keys) }}
}

func bcSameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s: %d lines, want %d; first differences: %v", what, len(got), len(want), diff(got, want))
	}
}

// Flink rule (broadcast state is checkpointed operator state): a crash restores every subtask's broadcast
// state from the last checkpoint; the broadcast source is not replayed from the start, so lost broadcast
// state would show as "no rule" results. Exactly-once output equals the directly computed result.
func TestBroadcastStateSurvivesCrash(t *testing.T) {
	const n, keys = 6000, 7
	rules := bcRulesFor(60, keys, n)
	faults := &Faults{}
	out := t.TempDir()
	env := withFaults(NewEnvironment(Config{Parallelism: 2,
		Checkpointing: CheckpointConfig{Interval: 5 * time.Millisecond, Dir: t.TempDir()},
		Restart:       RestartStrategy{Attempts: 3, Delay: time.Millisecond}}), faults)
	// The events pause half way until a checkpoint has completed; only then is the fault armed, so the
	// crash always has a checkpoint (with broadcast state in it) to restore, however slow the machine.
	src := bcEvents(n, n/2, keys)
	versionedJob(env, src, rules, out)
	job, err := env.ExecuteAsync("broadcast crash")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !hasCompletedCheckpoint(job) {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint completed")
		}
		time.Sleep(time.Millisecond)
	}
	faults.Arm(FailProcess, 500)
	close(src.resume)
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	if job.Restarts() == 0 {
		t.Fatal("the fault never fired")
	}
	var restored bool
	for _, e := range job.Events(0) {
		restored = restored || e.Kind == EventCheckpointRestored
	}
	if !restored {
		t.Fatalf("no checkpoint was restored: %v", job.Events(0))
	}
	bcSameLines(t, "after the crash", committedSorted(t, out), expectedVersioned(n, keys, rules))
}

func hasCompletedCheckpoint(job *Job) bool {
	for _, c := range job.Checkpoints() {
		if c.Status == CheckpointCompleted && !c.Final {
			return true
		}
	}
	return false
}

// bcVertex returns the snapshot of the broadcast operator's vertex.
func bcVertex(t *testing.T, s JobSnapshot) VertexSnapshot {
	for _, v := range s.Vertices {
		if strings.HasPrefix(v.Name, "KeyedCoBroadcast") {
			return v
		}
	}
	t.Fatalf("no broadcast vertex in %v", s.Vertices)
	return VertexSnapshot{}
}

// waitBroadcastCopies polls Job.Snapshot until every subtask of the broadcast operator reports broadcast
// state "rules" with want keys: each subtask holds its own full copy.
func waitBroadcastCopies(t *testing.T, job *Job, par int, want int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		v := bcVertex(t, job.Snapshot())
		ok := len(v.Subtasks) == par
		for _, st := range v.Subtasks {
			var keys int64 = -1
			for _, s := range st.State {
				if s.Name == "broadcast/rules" && s.Backend == "operator" {
					keys = s.Keys
				}
			}
			ok = ok && keys == want
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("subtasks do not all report %d broadcast entries: %+v", want, v.Subtasks)
		}
		time.Sleep(time.Millisecond)
	}
}

// Flink rule (BroadcastState redistribution, CoBroadcastWithKeyedOperatorTest#testScaleUp and #testScaleDown
// made end to end): a savepoint taken at parallelism 2 restores at 3 and at 1; every new subtask gets a full
// copy of the broadcast state (Job.Snapshot shows it per subtask), keyed state is redistributed by key group,
// and the job ends with the directly computed result.
func TestBroadcastStateRescalesFromSavepoint(t *testing.T) {
	const n, pause, keys = 3000, 1500, 10
	rules := bcRulesFor(40, keys, 2400) // some rule versions start after the savepoint
	want := expectedVersioned(n, keys, rules)
	for _, newPar := range []int{3, 1} {
		t.Run(fmt.Sprintf("2to%d", newPar), func(t *testing.T) {
			out := t.TempDir()
			src := bcEvents(n, pause, keys)
			env := NewEnvironment(Config{Parallelism: 2, Checkpointing: CheckpointConfig{Dir: t.TempDir()}})
			versionedJob(env, src, rules, out)
			job, err := env.ExecuteAsync("before")
			if err != nil {
				t.Fatal(err)
			}
			waitBroadcastCopies(t, job, 2, keys)
			for bcVertex(t, job.Snapshot()).Operators[0].RecordsIn < pause+int64(len(rules))*2 {
				time.Sleep(time.Millisecond)
			}
			sp := cancelWithSavepoint(t, job)

			src2 := bcEvents(n, pause, keys)
			env2 := NewEnvironment(Config{Parallelism: newPar, Checkpointing: CheckpointConfig{Dir: t.TempDir(), RestoreFrom: sp}})
			versionedJob(env2, src2, rules, out)
			job2, err := env2.ExecuteAsync("after")
			if err != nil {
				t.Fatal(err)
			}
			waitBroadcastCopies(t, job2, newPar, keys) // before any new element: the copies come from the savepoint
			close(src2.resume)
			if err := job2.Wait(); err != nil {
				t.Fatal(err)
			}
			bcSameLines(t, "after rescaling", committedSorted(t, out), want)
		})
	}
}

// Flink rule (RoundRobinOperatorStateRepartitioner, BROADCAST mode): new subtask i takes old subtask
// i mod oldParallelism's broadcast state; the split mode of sink transactions is unchanged.
func TestOpStateBlobs(t *testing.T) {
	cp := &operatorCP{Parallelism: 3, Subtasks: []subtaskCP{{Index: 0, State: []byte("a")}, {Index: 1, State: []byte("b")},
		{Index: 2, State: []byte("c")}}}
	str := func(bs [][]byte) string {
		var s []string
		for _, b := range bs {
			s = append(s, string(b))
		}
		return strings.Join(s, "+")
	}
	var got []string
	for _, par := range []int{2, 3, 5} {
		for i := range par {
			got = append(got, fmt.Sprintf("%d/%d bc=%s split=%s", i, par, str(opStateBlobs(cp, opStateBroadcast, i, par)),
				str(opStateBlobs(cp, opStateSplit, i, par))))
		}
	}
	want := []string{
		"0/2 bc=a split=a+c", "1/2 bc=b split=b",
		"0/3 bc=a split=a", "1/3 bc=b split=b", "2/3 bc=c split=c",
		"0/5 bc=a split=a", "1/5 bc=b split=b", "2/5 bc=c split=c", "3/5 bc=a split=", "4/5 bc=b split=",
	}
	bcSameLines(t, "redistribution", got, want)
	// A finished subtask left no state: its copy comes from another.
	cp.Subtasks[1].State = nil
	if s := str(opStateBlobs(cp, opStateBroadcast, 1, 2)); s != "a" {
		t.Fatalf("fallback copy: %q", s)
	}
}

// Flink: CoBroadcastWithNonKeyedOperatorTest#testScaleUp/#testScaleDown and
// CoBroadcastWithKeyedOperatorTest#testScaleUp/#testScaleDown at the operator level: snapshots of identical
// broadcast state, repartitioned to more and fewer subtasks, give every new subtask the entries.
func TestBroadcastScaleUpDownHarness(t *testing.T) {
	elem := func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
		ctx.BroadcastState(bcRules).Range(func(k, v any) bool { out.Collect(fmt.Sprintf("%v=%v", k, v)); return true })
	}
	bcast := func(ctx *BroadcastContext, v any, out Collector) {
		for _, k := range []string{"test1", "test2", "test3"} {
			ctx.BroadcastState(bcRules).Put(k, v.(rec).V)
		}
	}
	nonKeyed := func(k *KeyedStream) *DataStream {
		return k.DataStream.ConnectBroadcast(k.env.FromElements().BroadcastWithState(bcRules)).Process(BroadcastProcessFunction{
			ProcessElement: elem, ProcessBroadcastElement: bcast})
	}
	keyed := func(k *KeyedStream) *DataStream {
		return k.ConnectBroadcast(k.env.FromElements().BroadcastWithState(bcRules)).Process(KeyedBroadcastProcessFunction{
			ProcessElement: elem,
			ProcessBroadcastElement: func(ctx *KeyedBroadcastContext, v any, out Collector) {
				bcast(&ctx.BroadcastContext, v, out)
			}})
	}
	for _, c := range []struct {
		build func(k *KeyedStream) *DataStream
		sc    [2]int
	}{{nonKeyed, [2]int{2, 3}}, {nonKeyed, [2]int{3, 2}}, {keyed, [2]int{2, 3}}, {keyed, [2]int{3, 2}}} {
		build, sc := c.build, c.sc
		cp := &operatorCP{Parallelism: sc[0]}
		for i := range sc[0] {
			h := newHarness(t, NewVirtualClock(0), build)
			if err := h.h.ProcessElement(1, rec{"r", 3}, NoTimestamp); err != nil {
				t.Fatal(err)
			}
			blob, err := h.h.head.(operatorStater).snapshotOpState(1)
			if err != nil {
				t.Fatal(err)
			}
			cp.Subtasks = append(cp.Subtasks, subtaskCP{Index: i, State: blob})
		}
		for i := range sc[1] {
			h := newHarness(t, NewVirtualClock(0), build)
			op := h.h.head.(*broadcastOp)
			if err := op.restoreOpState(opStateBlobs(cp, op.opStateDistribution(), i, sc[1])); err != nil {
				t.Fatal(err)
			}
			if err := op.open(); err != nil {
				t.Fatal(err)
			}
			h.feed(t, "trigger:0")
			if got := strings.Join(h.out, " "); got != "out test1=3 out test2=3 out test3=3" {
				t.Fatalf("%d -> %d, subtask %d: %s", sc[0], sc[1], i, got)
			}
		}
	}
}

// bcGatedSource emits its elements only once open is closed.
type bcGatedSource struct {
	elems []SourceElement
	open  chan struct{}
}

func (s *bcGatedSource) MaxParallelism() int { return 1 }
func (s *bcGatedSource) Reader(SourceContext) (SourceReader, error) {
	return &bcGatedReader{s: s}, nil
}

type bcGatedReader struct {
	s    *bcGatedSource
	next int
}

func (r *bcGatedReader) Read() (SourceElement, error) {
	select {
	case <-r.s.open:
	default:
		return SourceElement{}, ErrNoData
	}
	if r.next >= len(r.s.elems) {
		return SourceElement{}, ErrEndOfInput
	}
	r.next++
	return r.s.elems[r.next-1], nil
}
func (r *bcGatedReader) Close() error { return nil }

// Flink: BroadcastStateITCase#testBroadcastTranslation, with a check of the result: a non-keyed stream
// (rebalanced over 1, 2 and 4 subtasks) filtered by rules from a broadcast stream. The regular source waits
// until every subtask has processed every rule, so each element meets the same rules at every parallelism.
func TestNonKeyedBroadcastJob(t *testing.T) {
	rules := []any{rec{"a", 10}, rec{"b", 5}, rec{"c", 0}, rec{"a", 20}, rec{"c", -1}}
	var elems []SourceElement
	for i := range 40 {
		elems = append(elems, SourceElement{Value: rec{string(rune('a' + i%4)), int64(i)}, Timestamp: int64(i)})
	}
	want := []string{}
	limits := map[string]int64{"a": 20, "b": 5} // c removed, d never set
	for _, e := range elems {
		r := e.Value.(rec)
		if l, ok := limits[r.Key]; ok && r.V <= l {
			want = append(want, fmt.Sprintf("%v within %d", r, l))
		}
	}
	sort.Strings(want)
	for _, p := range []int{1, 2, 4} {
		env := NewEnvironment(Config{Parallelism: p})
		gate := &bcGatedSource{elems: elems, open: make(chan struct{})}
		var seen atomic.Int64
		var once sync.Once
		out := env.FromSource(gate, nil, "events").Rebalance().
			ConnectBroadcast(env.FromElements(rules...).BroadcastWithState(bcRules)).
			Process(BroadcastProcessFunction{
				ProcessElement: func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
					r := v.(rec)
					if l, ok := ctx.BroadcastState(bcRules).Get(r.Key); ok && r.V <= l.(int64) {
						out.Collect(fmt.Sprintf("%v within %d", r, l))
					}
				},
				ProcessBroadcastElement: func(ctx *BroadcastContext, v any, out Collector) {
					bcPutRule(ctx.BroadcastState(bcRules), v.(rec))
					if seen.Add(1) == int64(p*len(rules)) {
						once.Do(func() { close(gate.open) })
					}
				},
			}).Collect()
		if _, err := env.Execute("non-keyed broadcast"); err != nil {
			t.Fatal(err)
		}
		bcSameLines(t, fmt.Sprintf("parallelism %d", p), out.Strings(), want)
	}
}

// Flink: CoBroadcastWithKeyedOperatorTest#testAccessToKeyedStateIt in a real job, on the heap and on Pebble:
// once every regular element is in, broadcast elements visit every key's state in every subtask with
// ApplyToKeyedState (each key in exactly one subtask), change some of it, and visit again.
func TestApplyToKeyedStateInAJob(t *testing.T) {
	var elems []SourceElement
	sums := map[string]int64{}
	for i := range 200 {
		r := rec{fmt.Sprint("k", i%13), int64(i % 17)}
		elems = append(elems, SourceElement{Value: r, Timestamp: int64(i)})
		sums[r.Key] += r.V
	}
	var want []string
	for k, s := range sums {
		want = append(want, fmt.Sprintf("visit1 %s=%d", k, s))
		if s <= 100 {
			want = append(want, fmt.Sprintf("visit2 %s=%d", k, s))
		}
	}
	sort.Strings(want)
	sum := State("sum")
	for _, backend := range []StateBackendKind{HeapState, PebbleState} {
		for _, p := range []int{1, 3} {
			env := NewEnvironment(Config{Parallelism: p, StateBackend: backend, Checkpointing: CheckpointConfig{Dir: t.TempDir()}})
			cmds := &bcGatedSource{open: make(chan struct{}), elems: []SourceElement{{Value: "visit1"}, {Value: "drop>100"}, {Value: "visit2"}}}
			var seen atomic.Int64
			out := env.FromSource(SliceSource(elems), nil, "events").KeyBy(func(v any) any { return v.(rec).Key }).
				ConnectBroadcast(env.FromSource(cmds, nil, "commands").BroadcastWithState(bcRules)).
				Process(KeyedBroadcastProcessFunction{
					ProcessElement: func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
						st := ctx.ValueState(sum)
						n, _ := st.Value().(int64)
						st.Update(n + v.(rec).V)
						if seen.Add(1) == int64(len(elems)) {
							close(cmds.open)
						}
					},
					ProcessBroadcastElement: func(ctx *KeyedBroadcastContext, v any, out Collector) {
						ctx.ApplyToKeyedState(sum, func(key any, kctx *Context) {
							st := kctx.ValueState(sum)
							switch v {
							case "drop>100":
								if st.Value().(int64) > 100 {
									st.Clear()
								}
							default:
								out.Collect(fmt.Sprintf("%s %v=%v", v, key, st.Value()))
							}
						})
					},
				}).Collect()
			if _, err := env.Execute("apply to keyed state"); err != nil {
				t.Fatal(err)
			}
			bcSameLines(t, fmt.Sprintf("%v, parallelism %d", backend, p), out.Strings(), want)
		}
	}
}
