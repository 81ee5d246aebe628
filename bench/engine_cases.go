package bench

import (
	"fmt"
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

func genEvent(keys int64) func(i int64) engine.SourceElement {
	return func(i int64) engine.SourceElement {
		ts := i / eventsPerMilli
		return engine.SourceElement{Value: event{Key: (i * 7919) % keys, TS: ts}, Timestamp: ts}
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
		Run: func(n int64) (int64, error) {
			env := engine.NewEnvironment(engine.Config{Parallelism: 2})
			env.FromSource(engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
				return engine.SourceElement{Value: i, Timestamp: engine.NoTimestamp}
			}}, nil, "numbers").
				Map(mapA).Filter(filterB).Map(mapC).
				SinkTo("discard", discard)
			_, err := env.Execute("map chain")
			return n, err
		}})
	for _, keys := range []int64{1_000, 100_000} {
		name := fmt.Sprintf("window-count-%dk", keys/1000)
		Register(Case{Name: name + "/loop", About: fmt.Sprintf("hand-written loop: count per key (%d keys) per 1 s tumbling window", keys),
			Run: func(n int64) (int64, error) { return windowLoop(n, keys), nil }})
		peer := ""
		if keys == 1000 {
			peer = name + "/go-streams"
		}
		Register(Case{Name: name + "/heap", Baseline: name + "/loop", Peer: peer,
			About: fmt.Sprintf("keyBy -> 1 s event-time tumbling count, %d keys, heap state, parallelism 2", keys),
			Run:   func(n int64) (int64, error) { return n, windowJob(n, keys) }})
	}
}

// windowJob counts events per key in 1 s event-time tumbling windows: the keyed window count of Flink's
// Nexmark q12 and of issue 2's target.
func windowJob(n, keys int64) error {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	s := engine.ForBoundedOutOfOrderness(0)
	env.FromSource(engine.GeneratorSource{Count: n, Gen: genEvent(keys)}, &s, "events").
		KeyBy(keyOf).
		Window(engine.TumblingEventTimeWindows(time.Second)).
		Aggregate(engine.Count()).
		SinkTo("discard", discard)
	_, err := env.Execute("window count")
	return err
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
