package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/de4e/weir/engine/internal/harnessbridge"
	"github.com/de4e/weir/engine/internal/keygroup"
)

// Scenario scripts of the broadcast state pattern (testdata/scenarios/broadcast*.txt):
//
//	define broadcast fn=NAME        a BroadcastProcessFunction on the scripted stream
//	define keyed-broadcast fn=NAME  a KeyedBroadcastProcessFunction on the keyed scripted stream
//	run-bc                          like run; a line "bc key:value@ts" goes to the broadcast input
//	job-bc parallelism=1,2,4        a real job: "bc" lines form the broadcast source, the others the
//	                                regular one; both get per-record watermarks (bound 0)
//
// The broadcast elements are recs as well; the functions are listed in broadcastScenarioFn.
func init() {
	scenarioOps["broadcast"] = func(s opSpec, k *KeyedStream) *DataStream {
		return s.buildBroadcast(&k.DataStream, nil, k.env.FromElements())
	}
	scenarioOps["keyed-broadcast"] = func(s opSpec, k *KeyedStream) *DataStream {
		return s.buildBroadcast(nil, k, k.env.FromElements())
	}
	scenarioCmds["run-bc"] = runBroadcastScenario
	scenarioCmds["job-bc"] = runBroadcastJobScenario
}

var (
	bcRules    = State("rules")
	bcRulesA   = State("rulesA")
	bcSeen     = State("seen")
	bcBrOut    = NewOutputTag("br-out")
	bcNonBrOut = NewOutputTag("non-br-out")
)

// bcFmtState prints a broadcast state's entries in Range order.
func bcFmtState(s *ReadOnlyBroadcastState) string {
	var parts []string
	s.Range(func(k, v any) bool { parts = append(parts, fmt.Sprintf("%v=%v", k, fmtValue(v))); return true })
	return "[" + strings.Join(parts, " ") + "]"
}

// recovered runs f and returns the message of its panic, or "no panic".
func bcRecovered(f func()) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
		}
	}()
	f()
	return "no panic"
}

// putRule is the common broadcast-side update: key:V puts V under key, a negative V removes key, and the key
// "*" clears the state.
func bcPutRule(st *BroadcastState, r rec) {
	switch {
	case r.Key == "*":
		st.Clear()
	case r.V < 0:
		st.Remove(r.Key)
	default:
		st.Put(r.Key, r.V)
	}
}

// buildBroadcast connects the regular stream (regular, or keyed if set) with rules broadcast, running the
// scripted function.
func (s opSpec) buildBroadcast(regular *DataStream, keyed *KeyedStream, rules *DataStream) *DataStream {
	descs := []StateDescriptor{bcRules}
	if s.args["fn"] == "multi" {
		descs = append(descs, bcRulesA)
	}
	b := rules.BroadcastWithState(descs...)
	elem, bcast, timer := s.broadcastFn()
	if keyed != nil {
		return keyed.ConnectBroadcast(b).Process(KeyedBroadcastProcessFunction{ProcessElement: elem,
			ProcessBroadcastElement: bcast, OnTimer: timer})
	}
	return regular.ConnectBroadcast(b).Process(BroadcastProcessFunction{ProcessElement: elem,
		ProcessBroadcastElement: func(ctx *BroadcastContext, v any, out Collector) {
			bcast(&KeyedBroadcastContext{*ctx}, v, out)
		}})
}

// broadcastFn returns the scripted function's three parts.
func (s opSpec) broadcastFn() (func(*ReadOnlyBroadcastContext, any, Collector), func(*KeyedBroadcastContext, any, Collector),
	func(*ReadOnlyBroadcastContext, int64, Collector)) {
	wmts := func(c *Context) string {
		return fmt.Sprintf("WM:%s TS:%s", fmtTime(c.CurrentWatermark()), fmtTime(c.Timestamp()))
	}
	switch s.args["fn"] {
	case "echo":
		// Flink: CoBroadcastWithNonKeyedOperatorTest#testBroadcastState, CoBroadcastWithKeyedOperatorTest#
		// testFunctionWithBroadcastState: the broadcast side writes, the regular side reads what was written.
		return func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				out.Collect(fmt.Sprintf("NON-BR:%v %s rules=%s", v, wmts(ctx.Context), bcFmtState(ctx.BroadcastState(bcRules))))
			}, func(ctx *KeyedBroadcastContext, v any, out Collector) {
				st := ctx.BroadcastState(bcRules)
				bcPutRule(st, v.(rec))
				out.Collect(fmt.Sprintf("BR:%v %s rules=%s", v, wmts(ctx.Context), bcFmtState(&st.ReadOnlyBroadcastState)))
			}, nil
	case "multi":
		// Flink: CoBroadcastWithNonKeyedOperatorTest#testMultiStateSupport.
		return func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				for _, d := range []StateDescriptor{bcRules, bcRulesA} {
					ctx.BroadcastState(d).Range(func(k, x any) bool {
						out.Collect(fmt.Sprintf("%s:%v->%v", v.(rec).Key, k, x))
						return true
					})
				}
			}, func(ctx *KeyedBroadcastContext, v any, out Collector) {
				n := v.(rec).V
				ctx.BroadcastState(bcRules).Put(fmt.Sprintf("key.%d", n), n)
				ctx.BroadcastState(bcRulesA).Put(n, fmt.Sprintf("value.%d", n))
			}, nil
	case "side":
		// Flink: CoBroadcastWith(Non)KeyedOperatorTest#testSideOutput.
		return func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				ctx.Output(bcNonBrOut, fmt.Sprintf("NON-BR:%v %s", v, wmts(ctx.Context)))
			}, func(ctx *KeyedBroadcastContext, v any, out Collector) {
				ctx.Output(bcBrOut, fmt.Sprintf("BR:%v %s", v, wmts(ctx.Context)))
			}, nil
	case "timer":
		// Flink: CoBroadcastWithKeyedOperatorTest#testFunctionWithTimer and #testFunctionWithBroadcastState:
		// the regular side registers an event-time timer; OnTimer has the key and reads the broadcast state.
		at := s.int("at")
		return func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				ctx.RegisterEventTimeTimer(at)
				out.Collect(fmt.Sprintf("NON-BR:%v %s", v, wmts(ctx.Context)))
			}, func(ctx *KeyedBroadcastContext, v any, out Collector) {
				bcPutRule(ctx.BroadcastState(bcRules), v.(rec))
				out.Collect(fmt.Sprintf("BR:%v %s", v, wmts(ctx.Context)))
			}, func(ctx *ReadOnlyBroadcastContext, ts int64, out Collector) {
				out.Collect(fmt.Sprintf("TIMER:%d key=%v (%v) rules=%s", ts, ctx.CurrentKey(), ctx.TimeDomain(),
					bcFmtState(ctx.BroadcastState(bcRules))))
			}
	case "query":
		// Flink: CoBroadcastWithKeyedOperatorTest#testKeyQuerying: the regular side sees its element's key.
		return func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				out.Collect(fmt.Sprintf("key=%v %v", ctx.CurrentKey(), v))
			}, func(ctx *KeyedBroadcastContext, v any, out Collector) {
				out.Collect(fmt.Sprintf("BR:%v key=%v", v, ctx.CurrentKey()))
			}, nil
	case "keyed-it":
		// Flink: CoBroadcastWithKeyedOperatorTest#testAccessToKeyedStateIt: the regular side adds to a
		// ListState; a broadcast element visits every key's list with applyToKeyedState (a negative one
		// also clears them).
		return func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				ctx.ListState(bcSeen).Add(v.(rec).V)
			}, func(ctx *KeyedBroadcastContext, v any, out Collector) {
				var lines []string
				ctx.ApplyToKeyedState(bcSeen, func(key any, kctx *Context) {
					st := kctx.ListState(bcSeen)
					lines = append(lines, fmt.Sprintf("%v=%s (current key %v)", key, fmtValue(st.Get()), kctx.CurrentKey()))
					if v.(rec).V < 0 {
						st.Clear()
					}
				})
				sort.Strings(lines) // the visiting order is not defined
				out.Collect(fmt.Sprintf("BR:%v keys=%d %s after: current key %v", v, len(lines), strings.Join(lines, " "), ctx.CurrentKey()))
			}, nil
	case "no-keyed-state":
		// Flink: CoBroadcastWithKeyedOperatorTest#testNoKeyedStateOnBroadcastSide and
		// CoBroadcastWithNonKeyedOperatorTest#testNoKeyedStateOnBroadcastSide/#testNoKeyedStateOnNonBroadcastSide:
		// no current key on the broadcast side (nor anywhere on a non-keyed stream), so keyed state and timers
		// are refused.
		return func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				out.Collect("NON-BR state: " + bcRecovered(func() { ctx.ValueState(State("any")).Value() }))
			}, func(ctx *KeyedBroadcastContext, v any, out Collector) {
				out.Collect("BR state: " + bcRecovered(func() { ctx.ValueState(State("any")).Value() }))
				out.Collect("BR timer: " + bcRecovered(func() { ctx.RegisterEventTimeTimer(5) }))
			}, nil
	case "read-only":
		// Flink: ReadOnlyBroadcastState has no put; BroadcastStateDescriptor must be declared
		// (AbstractBroadcastStateTransformation / getBroadcastState's "state does not exist" error). A
		// reference kept from the broadcast side refuses writes on the regular side.
		var kept *BroadcastState
		return func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				out.Collect("NON-BR write: " + bcRecovered(func() { kept.Put("x", int64(1)) }))
				out.Collect("NON-BR unknown: " + bcRecovered(func() { ctx.BroadcastState(State("nope")) }))
				out.Collect("NON-BR rules=" + bcFmtState(ctx.BroadcastState(bcRules)))
			}, func(ctx *KeyedBroadcastContext, v any, out Collector) {
				kept = ctx.BroadcastState(bcRules)
				bcPutRule(kept, v.(rec))
			}, nil
	case "versioned":
		// A rule per key with a validity start (the broadcast element's timestamp); a regular element waits
		// for the watermark (an event-time timer at its timestamp) and is judged by the rule valid then. At
		// watermark t every broadcast element up to t has arrived in every subtask, so the result does not
		// depend on how the two streams interleave (Flink's broadcast state pattern with event time).
		return func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				ctx.ListState(bcSeen).Add([]int64{ctx.Timestamp(), v.(rec).V})
				ctx.RegisterEventTimeTimer(ctx.Timestamp())
			}, func(ctx *KeyedBroadcastContext, v any, out Collector) {
				r := v.(rec)
				st := ctx.BroadcastState(bcRules)
				old, _ := st.Get(r.Key)
				vs, _ := old.([]int64)
				vs = append(append([]int64(nil), vs...), ctx.Timestamp(), r.V)
				for i := len(vs) - 2; i >= 2 && vs[i] < vs[i-2]; i -= 2 { // keep versions sorted by start
					vs[i], vs[i+1], vs[i-2], vs[i-1] = vs[i-2], vs[i-1], vs[i], vs[i+1]
				}
				st.Put(r.Key, vs)
			}, func(ctx *ReadOnlyBroadcastContext, ts int64, out Collector) {
				st := ctx.ListState(bcSeen)
				var keep []any
				for _, x := range st.Get() {
					e := x.([]int64)
					if e[0] != ts {
						keep = append(keep, x)
						continue
					}
					limit, ok := int64(-1), false
					if vs, found := ctx.BroadcastState(bcRules).Get(ctx.CurrentKey()); found {
						for i := 0; i < len(vs.([]int64)); i += 2 {
							if vs.([]int64)[i] <= ts {
								limit, ok = vs.([]int64)[i+1], true
							}
						}
					}
					switch {
					case !ok:
						out.Collect(fmt.Sprintf("%v:%d no rule", ctx.CurrentKey(), e[1]))
					case e[1] > limit:
						out.Collect(fmt.Sprintf("%v:%d over %d", ctx.CurrentKey(), e[1], limit))
					default:
						out.Collect(fmt.Sprintf("%v:%d ok %d", ctx.CurrentKey(), e[1], limit))
					}
				}
				st.Update(keep)
			}
	}
	panic("unknown broadcast function " + s.args["fn"])
}

// runBroadcastScenario is "run" with lines for the broadcast input: "bc key:value@ts".
func runBroadcastScenario(t *testing.T, d *datadriven.TestData, spec opSpec) string {
	h := newHarness(t, NewVirtualClock(0), spec.build)
	var b strings.Builder
	for _, line := range scriptLines(d) {
		h.step(&b, line, func() {
			if rest, ok := strings.CutPrefix(line, "bc "); ok {
				r, ts := parseRec(t, rest)
				if err := h.h.ProcessElement(1, r, ts); err != nil {
					t.Fatal(err)
				}
				h.format()
			} else if f := strings.Fields(line); f[0] == "wm" {
				// A watermark line advances both inputs (Flink's TwoInputStreamOperatorTestHarness
				// processBothWatermarks): the operator's watermark is the lower of the two.
				for in := range 2 {
					if err := h.h.ProcessWatermark(in, parseTime(t, f[1])); err != nil {
						t.Fatal(err)
					}
				}
				h.format()
			} else {
				h.feed(t, line)
			}
		})
	}
	return b.String()
}

// runBroadcastJobScenario runs the defined broadcast operator in real jobs at each listed parallelism, with a
// regular source and a broadcast source (the "bc" lines), and prints the sorted output, failing if the
// parallelisms disagree.
func runBroadcastJobScenario(t *testing.T, d *datadriven.TestData, spec opSpec) string {
	pars, _ := jobArgs(d)
	var regular, bcast []SourceElement
	for _, line := range scriptLines(d) {
		if rest, ok := strings.CutPrefix(line, "bc "); ok {
			r, ts := parseRec(t, rest)
			bcast = append(bcast, SourceElement{Value: r, Timestamp: ts})
			continue
		}
		r, ts := parseRec(t, line)
		regular = append(regular, SourceElement{Value: r, Timestamp: ts})
	}
	return sameAtEveryParallelism(t, pars, func(p int) ([]string, error) {
		env := NewEnvironment(Config{Parallelism: p, Clock: NewVirtualClock(0), BufferSize: 3})
		wm := ForBoundedOutOfOrderness(0).WithPerRecordEmission()
		src := env.FromSource(SliceSource(regular), &wm, "events")
		rules := env.FromSource(SliceSource(bcast), &wm, "rules")
		var out *DataStream
		if spec.kind == "keyed-broadcast" {
			out = spec.buildBroadcast(nil, src.KeyBy(func(v any) any { return v.(rec).Key }), rules)
		} else {
			out = spec.buildBroadcast(src.Rebalance(), nil, rules)
		}
		main := out.Collect()
		if _, err := env.Execute("broadcast scenario"); err != nil {
			return nil, err
		}
		return outputLines(main, nil), nil
	})
}

// Flink rule (DataStream.broadcast(MapStateDescriptor...), BroadcastConnectedStream.process): the builders
// refuse what Flink refuses when the program is built.
func TestBroadcastBuildErrors(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1})
	s := env.FromElements(1, 2)
	for name, f := range map[string]func(){
		"no descriptor": func() { s.BroadcastWithState() },
		"no name":       func() { s.BroadcastWithState(State("")) },
		"twice":         func() { s.BroadcastWithState(State("a"), State("a")) },
		"ttl":           func() { s.BroadcastWithState(State("a").WithTTL(time.Second)) },
		"reduce":        func() { s.BroadcastWithState(StateDescriptor{Name: "a", Reduce: sumRecs}) },
		"nil stream":    func() { s.ConnectBroadcast(nil) },
		"no element fn": func() { s.ConnectBroadcast(s.BroadcastWithState(State("a"))).Process(BroadcastProcessFunction{}) },
		"keyed no bc fn": func() {
			s.KeyBy(func(v any) any { return v }).ConnectBroadcast(s.BroadcastWithState(State("a"))).Process(KeyedBroadcastProcessFunction{ProcessElement: func(*ReadOnlyBroadcastContext, any, Collector) {}})
		},
		"other env": func() {
			NewEnvironment(Config{}).FromElements(1).ConnectBroadcast(s.BroadcastWithState(State("a"))).
				Process(BroadcastProcessFunction{ProcessElement: func(*ReadOnlyBroadcastContext, any, Collector) {}, ProcessBroadcastElement: func(*BroadcastContext, any, Collector) {}})
		},
	} {
		if msg := bcRecovered(f); msg == "no panic" {
			t.Errorf("%s: not refused", name)
		}
	}
	// Broadcast() is still the plain BROADCAST partitioning.
	s.Broadcast().Map(func(v any) any { return v }).Collect()
	p, err := env.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.String(), "BROADCAST") {
		t.Fatalf("Broadcast() lost its partitioning:\n%s", p)
	}
}

// Flink rule (BroadcastState.put on the regular side does not exist): a write through a kept reference is
// refused with ErrReadOnlyBroadcastState, and an undeclared state with ErrUnknownBroadcastState.
func TestBroadcastStateErrors(t *testing.T) {
	var kept *BroadcastState
	var errs []error
	spec := func(k *KeyedStream) *DataStream {
		return k.ConnectBroadcast(k.env.FromElements().BroadcastWithState(bcRules)).Process(KeyedBroadcastProcessFunction{
			ProcessElement: func(ctx *ReadOnlyBroadcastContext, v any, out Collector) {
				for _, f := range []func(){func() { kept.Put("k", 1) }, func() { kept.Remove("k") }, func() { kept.Clear() },
					func() { ctx.BroadcastState(State("other")) }} {
					func() {
						defer func() { errs = append(errs, recover().(error)) }()
						f()
					}()
				}
			},
			ProcessBroadcastElement: func(ctx *KeyedBroadcastContext, v any, out Collector) { kept = ctx.BroadcastState(bcRules) },
		})
	}
	h := newHarness(t, NewVirtualClock(0), spec)
	if err := h.h.ProcessElement(1, rec{"r", 1}, NoTimestamp); err != nil {
		t.Fatal(err)
	}
	h.feed(t, "a:1")
	if len(errs) != 4 {
		t.Fatalf("errors: %v", errs)
	}
	for _, err := range errs[:3] {
		if !errors.Is(err, ErrReadOnlyBroadcastState) || !strings.Contains(err.Error(), `"rules"`) {
			t.Errorf("write on the regular side: %v", err)
		}
	}
	if !errors.Is(errs[3], ErrUnknownBroadcastState) || !strings.Contains(errs[3].Error(), `"other"`) {
		t.Errorf("undeclared state: %v", errs[3])
	}
}

// The Range order is the order keys were first put, kept through removals, compaction and a snapshot.
func TestBroadcastMapOrder(t *testing.T) {
	m := newBcastMap("m")
	for i := range 40 {
		m.put(i, i*10)
	}
	for i := range 30 {
		m.remove(i) // compacts on the way
	}
	m.put(5, 1)  // new again: goes last
	m.put(35, 0) // present: keeps its place
	var got []string
	m.rangeEntries(func(k, v any) bool { got = append(got, fmt.Sprintf("%v=%v", k, v)); return true })
	want := "30=300 31=310 32=320 33=330 34=340 35=0 36=360 37=370 38=380 39=390 5=1"
	if strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
	// Removing during Range skips the removed entries and does not disturb the iteration.
	got = nil
	m.rangeEntries(func(k, v any) bool {
		got = append(got, fmt.Sprint(k))
		if k == 31 {
			for i := 32; i < 40; i++ {
				m.remove(i)
			}
			m.put(32, 0)
		}
		return true
	})
	if strings.Join(got, " ") != "30 31 5" {
		t.Fatalf("range with removals: %v", got)
	}
	op := &broadcastOp{descs: []StateDescriptor{State("m")}, states: map[string]*bcastMap{"m": m}}
	blob, err := op.snapshotOpState(1)
	if err != nil {
		t.Fatal(err)
	}
	op2 := &broadcastOp{descs: op.descs}
	if err := op2.restoreOpState([][]byte{blob}); err != nil {
		t.Fatal(err)
	}
	got = nil
	op2.states["m"].rangeEntries(func(k, v any) bool { got = append(got, fmt.Sprintf("%v=%v", k, v)); return true })
	if strings.Join(got, " ") != "30=300 31=310 5=1 32=0" {
		t.Fatalf("restored order %v", got)
	}
	if err := op2.restoreOpState([][]byte{blob[:len(blob)/2]}); !errors.Is(err, ErrCorruptCheckpoint) {
		t.Fatalf("truncated blob: %v", err)
	}
}

// The operator harness restores broadcast state as a rescaled job does (Flink's BroadcastState
// redistribution: new subtask i copies old subtask i mod the old parallelism), not split as sink transactions
// are: subtask 3 of 3, restored from the two subtasks of a parallelism-2 snapshot, gets subtask 1's copy.
func TestHarnessRestoresBroadcastStateAsACopy(t *testing.T) {
	spec := opSpec{kind: "keyed-broadcast", args: map[string]string{"fn": "echo"}}
	harnessAt := func(par, index int, snaps []*harnessbridge.Snapshot) *opHarness {
		env := NewEnvironment(Config{Parallelism: par, Clock: NewVirtualClock(0)})
		keyed := env.FromElements().KeyBy(func(v any) any { return v.(rec).Key })
		out := spec.buildBroadcast(nil, keyed, env.FromElements())
		h, err := newOpHarness(env, out, index, snaps)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return h
	}
	var snaps []*harnessbridge.Snapshot
	for i := range 2 {
		h := harnessAt(2, i, nil)
		if err := h.ProcessElement(1, rec{"r", 3}, NoTimestamp); err != nil {
			t.Fatal(err)
		}
		s, err := h.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, s)
	}
	h := harnessAt(3, 2, snaps)
	var key string
	for k := range 200 { // a key in subtask 3's key groups
		if kg := keygroup.Of(fmt.Sprint("k", k), 128); h.head.base().backend.KeyGroups().Contains(kg) {
			key = fmt.Sprint("k", k)
			break
		}
	}
	if err := h.ProcessElement(0, rec{key, 1}, 5); err != nil {
		t.Fatal(err)
	}
	out := h.Output()
	if len(out) != 1 || !strings.Contains(fmt.Sprint(out[0].Value), "rules=[r=3]") {
		t.Fatalf("restored subtask 3 of 3 sees %v, want the broadcast rule r=3", out)
	}
}
