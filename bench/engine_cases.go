package bench

import (
	"fmt"
	"os"
	"time"

	"github.com/de4e/weir/engine"
)

// event is the record of the engine cases: a key and an event time in milliseconds.
type event struct {
	Key int64
	TS  int64
}

// eventsPerMilli sets how fast event time moves in the generated streams: 100 events per millisecond of event
// time, so a 1 s window holds 100,000 events.
const eventsPerMilli = 100

// eventAt returns event i of the generated stream over keys keys.
func eventAt(i, keys int64) event { return event{Key: (i * 7919) % keys, TS: i / eventsPerMilli} }

func genEvent(keys int64) func(i int64) engine.SourceElement {
	return func(i int64) engine.SourceElement {
		e := eventAt(i, keys)
		return engine.SourceElement{Value: e, Timestamp: e.TS}
	}
}

func discard(any, int64) error { return nil }

// The user functions of the engine cases. The hand-written baselines call the very same functions, so a
// ratio measures what the engine adds (partitioning, batching, channels, state, timers), not boxing.
var (
	mapA    = func(v any) any { return v.(int64)*3 + 1 }
	filterB = func(v any) bool { return v.(int64)%7 != 0 }
	mapC    = func(v any) any { return v.(int64) + 2 }
	keyOf   = func(v any) any { return v.(event).Key }
)

func init() {
	Register(Case{Name: "map-chain/loop", About: "hand-written loop: two maps and a filter per event",
		Run: func(n int64) (int64, error) {
			var sink int64
			for i := int64(0); i < n; i++ {
				v := mapA(any(i))
				if filterB(v) {
					sink += mapC(v).(int64)
				}
			}
			if sink == 42 {
				fmt.Print("")
			}
			return n, nil
		}})
	Register(Case{Name: "map-chain/engine", Baseline: "map-chain/loop", Peer: "map-chain/go-streams",
		About: "source -> map -> filter -> map -> sink, parallelism 2, chained",
		Run:   func(n int64) (int64, error) { return n, mapChain(n, mapA, filterB, mapC) }})
	for _, keys := range []int64{1_000, 100_000} {
		name := fmt.Sprintf("window-count-%dk", keys/1000)
		Register(Case{Name: name + "/loop", About: fmt.Sprintf("boxed loop: count per key (%d keys) per 1 s tumbling window, the engine's key selector and Count through interfaces", keys),
			Run: func(n int64) (int64, error) { return windowLoop(n, keys), nil }})
		Register(Case{Name: name + "/typed", About: fmt.Sprintf("typed loop: count per key (%d keys) per 1 s tumbling window, int64 keys and counts, one goroutine", keys),
			Run: func(n int64) (int64, error) { return n, windowTyped(n, keys) }})
		// The peer, go-streams counting by event time, is built with the benchpeers tag (peer_cases.go).
		Register(Case{Name: name + "/heap", Baseline: name + "/loop", Typed: name + "/typed", Peer: name + "/go-streams",
			About: fmt.Sprintf("keyBy -> 1 s event-time tumbling count, %d keys, heap state, parallelism 2", keys),
			Run:   func(n int64) (int64, error) { return n, windowJob(n, keys) }})
		// The same job with state in Pebble; its "peer" is the heap case, so the report gives pebble/heap.
		Register(Case{Name: name + "/pebble", Baseline: name + "/loop", Typed: name + "/typed", Peer: name + "/heap", Scale: 0.1,
			About: fmt.Sprintf("the same count, %d keys, state in Pebble (the peer column is pebble/heap)", keys),
			Run: func(n int64) (int64, error) {
				return n, windowJobWith(n, keys, engine.Config{Parallelism: 2, StateBackend: engine.PebbleState})
			}})
	}
}

// windowJob counts events per key in 1 s event-time tumbling windows: the keyed window count of Flink's
// Nexmark q12 and of issue 2's target.
func windowJob(n, keys int64) error { return windowJobWith(n, keys, engine.Config{Parallelism: 2}) }

func windowJobWith(n, keys int64, cfg engine.Config) error {
	env := engine.NewEnvironment(cfg)
	start := time.Now()
	s := engine.ForBoundedOutOfOrderness(0)
	env.FromSource(engine.GeneratorSource{Count: n, Gen: genEvent(keys)}, &s, "events").
		KeyBy(keyOf).
		Window(engine.TumblingEventTimeWindows(time.Second)).
		Aggregate(engine.Count()).
		SinkTo("discard", discard)
	job, err := env.Execute("window count")
	if err != nil {
		return err
	}
	return periodicCheckpoint(job, cfg.Checkpointing.Interval, time.Since(start))
}

// periodicCheckpoint returns an error if a job with checkpoints every every (0: none) that ran for ran,
// at least two intervals, completed no periodic checkpoint: its figure would not measure checkpointing.
func periodicCheckpoint(job *engine.Job, every, ran time.Duration) error {
	if every <= 0 || ran <= 2*every {
		return nil
	}
	reason := "none was triggered"
	for _, c := range job.Checkpoints() {
		if c.Status == engine.CheckpointCompleted && !c.Final {
			return nil
		}
		if c.Reason != "" {
			reason = c.Reason
		}
	}
	return fmt.Errorf("no periodic checkpoint completed during the %v run: %s", ran.Round(time.Millisecond), reason)
}

func init() {
	// Each run lasts several checkpoint intervals (about 3 s and 25 s at 5M events/s with 1,000 keys) and is
	// compared with the same run with checkpoints off. With 100,000 keys each checkpoint holds 100 times
	// more window state.
	type ckptCase struct {
		backend engine.StateBackendKind
		every   time.Duration
		scale   float64
		keys    int64
	}
	for _, c := range []ckptCase{{engine.HeapState, time.Second, 8, 1000}, {engine.HeapState, 10 * time.Second, 60, 1000},
		{engine.PebbleState, time.Second, 2, 1000}, {engine.HeapState, time.Second, 4, 100_000}, {engine.PebbleState, time.Second, 1, 100_000}} {
		size, keys := "1k", "1,000"
		if c.keys == 100_000 {
			size, keys = "100k", "100,000"
		}
		off := fmt.Sprintf("window-count-%s/%v-ckpt-off-%v", size, c.backend, c.every)
		Register(Case{Name: off, About: fmt.Sprintf("the %s-key window count on %v, as long as the %v checkpoint case, checkpoints off", keys, c.backend, c.every),
			Scale: c.scale,
			Run: func(n int64) (int64, error) {
				return n, windowJobWith(n, c.keys, engine.Config{Parallelism: 2, StateBackend: c.backend})
			}})
		Register(Case{Name: fmt.Sprintf("window-count-%s/%v-ckpt-%v", size, c.backend, c.every), Baseline: off,
			About: fmt.Sprintf("the %s-key window count on %v with exactly-once checkpoints every %v", keys, c.backend, c.every),
			Scale: c.scale,
			Run: func(n int64) (int64, error) {
				dir, err := os.MkdirTemp("", "weir-bench-ckpt-")
				if err != nil {
					return 0, err
				}
				defer os.RemoveAll(dir)
				return n, windowJobWith(n, c.keys, engine.Config{Parallelism: 2, StateBackend: c.backend,
					Checkpointing: engine.CheckpointConfig{Interval: c.every, Dir: dir}})
			}})
	}
}

// windowLoop is the same computation by hand, in one goroutine, with the same key selector and aggregate
// function: the ceiling for the engine.
func windowLoop(n, keys int64) int64 {
	type wk struct {
		key   any
		start int64
	}
	count := engine.Count()
	accs := map[wk]any{}
	var fired, curStart int64
	gen := genEvent(keys)
	for i := int64(0); i < n; i++ {
		e := gen(i)
		start := engine.WindowStart(e.Timestamp, 0, 1000)
		if start != curStart { // the watermark passed the previous window: emit and drop it
			for k, acc := range accs {
				if k.start < start {
					fired += count.GetResult(acc).(int64)
					delete(accs, k)
				}
			}
			curStart = start
		}
		k := wk{keyOf(e.Value), start}
		acc, ok := accs[k]
		if !ok {
			acc = count.CreateAccumulator()
		}
		accs[k] = count.Add(e.Value, acc)
	}
	for _, acc := range accs {
		fired += count.GetResult(acc).(int64)
	}
	if fired != n {
		panic("window loop lost events")
	}
	return n
}

// Session windows: each of 1,000 keys is active every 10 ms of event time; with a gap of 15 ms its session
// never closes until the input ends, so every event extends (merges) its key's session, the costly path of
// merging windows; with a gap of 5 ms every event is a session of its own that fires 5 ms later.
func init() {
	for _, gap := range []time.Duration{5 * time.Millisecond, 15 * time.Millisecond} {
		name := fmt.Sprintf("window-session-%v-1k", gap)
		Register(Case{Name: name + "/loop", About: fmt.Sprintf("boxed loop: count per key per session (gap %v), 1,000 keys, the engine's key selector, a map keyed by interface values", gap),
			Run: func(n int64) (int64, error) { return n, sessionLoop(n, 1000, gap.Milliseconds()) }})
		Register(Case{Name: name + "/typed", About: fmt.Sprintf("typed loop: count per key per session (gap %v), 1,000 int64 keys, one goroutine", gap),
			Run: func(n int64) (int64, error) { return n, sessionTyped(n, 1000, gap.Milliseconds()) }})
		Register(Case{Name: name + "/heap", Baseline: name + "/loop", Typed: name + "/typed",
			About: fmt.Sprintf("keyBy -> event-time session windows (gap %v) count, 1,000 keys, heap state, parallelism 2", gap),
			Run:   func(n int64) (int64, error) { return n, assignerJob(n, engine.EventTimeSessionWindows(gap)) }})
	}
	Register(Case{Name: "window-sliding-1k/loop", About: "boxed loop: count per key per 1 s window sliding by 250 ms, 1,000 keys, a map keyed by interface values",
		Run: func(n int64) (int64, error) { return n, slidingLoop(n, 1000) }})
	Register(Case{Name: "window-sliding-1k/typed", About: "typed loop: count per key per 1 s window sliding by 250 ms, 1,000 int64 keys, one goroutine",
		Run: func(n int64) (int64, error) { return n, slidingTyped(n, 1000) }})
	Register(Case{Name: "window-sliding-1k/heap", Baseline: "window-sliding-1k/loop", Typed: "window-sliding-1k/typed",
		About: "keyBy -> event-time sliding windows (1 s, slide 250 ms) count, 1,000 keys, heap state, parallelism 2",
		Run: func(n int64) (int64, error) {
			return n, assignerJob(n, engine.SlidingEventTimeWindows(time.Second, 250*time.Millisecond))
		}})
}

// assignerJob counts events per key (1,000 keys) in the windows of an assigner.
func assignerJob(n int64, assigner engine.WindowAssigner) error {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	s := engine.ForBoundedOutOfOrderness(0)
	env.FromSource(engine.GeneratorSource{Count: n, Gen: genEvent(1000)}, &s, "events").
		KeyBy(keyOf).
		Window(assigner).
		Aggregate(engine.Count()).
		SinkTo("discard", discard)
	_, err := env.Execute("window count")
	return err
}

// slidingLoop counts events per key in 1 s windows sliding by 250 ms by hand: each event is in four windows.
func slidingLoop(n, keys int64) error {
	type wk struct {
		key any
		end int64
	}
	counts := map[wk]int64{}
	var total, fired int64
	gen := genEvent(keys)
	for i := int64(0); i < n; i++ {
		e := gen(i)
		k := keyOf(e.Value)
		for end := e.Timestamp/250*250 + 250; end <= e.Timestamp+1000; end += 250 {
			counts[wk{k, end}]++
			total++
		}
		if i%1000 == 0 { // fire the windows the watermark has passed
			for w, c := range counts {
				if w.end <= e.Timestamp {
					fired += c
					delete(counts, w)
				}
			}
		}
	}
	for _, c := range counts {
		fired += c
	}
	if fired != total {
		return fmt.Errorf("sliding windows counted %d of %d", fired, total)
	}
	return nil
}

// sessionLoop counts events per key and session by hand: a session ends when a key is silent for gap.
func sessionLoop(n, keys, gap int64) error {
	type session struct{ end, count int64 }
	open := map[any]*session{}
	var fired int64
	gen := genEvent(keys)
	for i := int64(0); i < n; i++ {
		e := gen(i)
		k := keyOf(e.Value)
		s := open[k]
		if s != nil && e.Timestamp < s.end {
			s.count++
			s.end = e.Timestamp + gap
			continue
		}
		if s != nil {
			fired += s.count
		}
		open[k] = &session{end: e.Timestamp + gap, count: 1}
	}
	for _, s := range open {
		fired += s.count
	}
	if fired != n {
		return fmt.Errorf("sessions counted %d of %d events", fired, n)
	}
	return nil
}
